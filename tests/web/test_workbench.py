"""Each role's first screen shows that role's own work, counted as the registers count it; the menu
shows what the role can use; nothing on it is a code."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from jianguan.accounts.models import User
from jianguan.demo.build import build_demo
from jianguan.joint.permissions import open_campaign_tasks, visible_claims
from jianguan.workflow.labels import deadline_text
from jianguan.workflow.permissions import visible_items
from tests.ui_text import leaked_codes

TAGS = re.compile(r"<script.*?</script>|<[^>]+>", re.S)


@pytest.fixture
def demo(db):
    build_demo(seed=7, subjects=240, actions=600, complaints=240)


def _home(username: str) -> tuple[str, User]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), user


def _panels(html: str) -> set[str]:
    return set(re.findall(r'id="panel-([a-z_]+)"', html))


def _count(html: str, key: str) -> int:
    section = html.split(f'id="panel-{key}"', 1)[1]
    return int(re.search(r'rounded-pill" title="[^"]*">(\d+)<', section).group(1))


def test_each_role_sees_its_own_work_first(demo):
    expected = {
        "jn_hotline": ({"intake", "returns", "return_calls"}, {"orders", "claims", "audit"}),
        "lixia_officer": (
            {"spot_checks", "campaign_checks", "orders", "claims", "assistance", "rectification"},
            {"intake", "quality", "audit"},
        ),
        "jn_admin": ({"orders", "claims", "assistance", "rectification", "alerts", "quality"}, {"intake", "audit"}),
        "jn_leader": ({"area", "reports"}, {"intake", "orders", "audit"}),
        "analyst": ({"area", "reports"}, {"intake", "orders"}),
        "auditor": ({"audit"}, {"intake", "orders", "claims", "area"}),
        "admin": ({"platform", "quality", "area"}, set()),
    }
    for username, (present, absent) in expected.items():
        html, _user = _home(username)
        panels = _panels(html)
        assert present <= panels, (username, panels)
        assert not (absent & panels), (username, panels)
        text = TAGS.sub(" ", html)
        assert leaked_codes(text, allow={username}) == set(), username


def test_queue_counts_are_the_registers_counts(demo):
    html, user = _home("jn_admin")
    counted = {
        "claims": visible_claims(user).filter(item__state="pending").count(),
        "orders": visible_items(user)
        .filter(definition__code="complaints_order", state__in=["dispatched", "handling"], is_closed=False)
        .count(),
        "assistance": visible_items(user)
        .filter(definition__code="joint_assist", state__in=["requested", "accepted"], is_closed=False)
        .count(),
    }
    counted["campaign_checks"] = open_campaign_tasks(user).count()
    counted["alerts"] = (
        visible_items(user).filter(definition__code="alerts_handle", is_closed=False).exclude(state="closed").count()
    )
    assert sum(counted.values()) > 0
    assert {key: _count(html, key) for key in counted} == counted


def test_menu_shows_what_the_role_can_use(demo):
    hotline, _u = _home("jn_hotline")
    assert 'href="/complaints/new/"' in hotline and 'href="/facts/"' not in hotline and "/admin/" not in hotline
    officer, _u = _home("lixia_officer")
    assert 'href="/spotchecks/"' in officer and 'href="/complaints/new/"' not in officer
    admin, _u = _home("admin")
    assert 'href="/facts/"' in admin and 'href="/admin/"' in admin and 'href="/policies/"' in admin
    auditor, _u = _home("auditor")
    assert 'href="/audit/"' in auditor


def test_each_language_is_listed_in_its_own_name(demo):
    html, _u = _home("jn_admin")
    assert ">简体中文<" in html and ">English<" in html and "英语" not in html


def test_a_working_day_deadline_reads_as_the_end_of_its_day():
    tz = timezone.get_current_timezone()
    with translation.override("en"):
        assert deadline_text(dt.datetime(2026, 12, 11, 0, 0, tzinfo=tz)) == "2026-12-10 (by close of day)"
        assert deadline_text(dt.datetime(2026, 12, 10, 15, 30, tzinfo=tz)) == "2026-12-10 15:30 (before)"
    assert deadline_text(None) == ""


def test_the_user_guide_is_served_for_each_role_with_its_pictures_or_a_note(demo):
    hotline, _u = _home("jn_hotline")
    assert 'href="/help/hotline/"' in hotline
    client = Client()
    client.force_login(User.objects.get(username="jn_hotline"))
    page = client.get("/help/hotline/").content.decode()
    assert "12345 话务员" in page and "受理待派单" in page
    assert 'src="/help/shots/' in page or "浏览器测试生成" in page
    assert client.get("/help/../settings/").status_code == 404
    assert client.get("/help/shots/..%2Fsecret.png").status_code == 404
    assert Client().get("/help/").status_code == 302  # staff only: to the login
