"""Credit screens name publication rules, grading schemes and listing reasons, never their codes,
and their lists fit a phone (scrolling tables, secondary columns hidden)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from jianguan.credit.lists import list_abnormal, list_serious
from jianguan.credit.services import grade_subjects, sync_credit_records
from jianguan.exchange.services import ingest
from tests.ui_text import leaked_codes

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def admin(province, make_user):
    client = Client()
    client.force_login(make_user("department_admin", department=province.jn_market))
    return client


def test_the_credit_file_names_the_rule_and_the_scheme(setup, penalty, admin):
    ingest(enumerate([penalty("P-1", "2026-03-02", ["02"], fine=50000)], 1), source=setup.source, channel="api")
    sync_credit_records()
    grade_subjects(as_of=dt.date(2026, 3, 10))
    html = admin.get(f"/credit/subjects/{setup.subject.pk}/").content.decode()
    text = visible_text(html)
    from jianguan.credit.models import CreditRecord

    credit = CreditRecord.objects.get()
    assert f"{credit.rule_version}/{credit.rule_name}" not in text and credit.rule_name not in text.split()
    assert zh("Ordinary dishonesty") in text or zh("Administrative sanction") in text
    assert "national" not in text and "A/B/C/D" in text
    assert not leaked_codes(text)


def test_the_lists_name_their_reasons_and_fit_a_phone(setup, province, admin, make_subject):
    list_abnormal(setup.subject, "unreachable", dt.date(2026, 9, 28), province.lixia_market, on=dt.date(2026, 10, 9))
    list_serious(make_subject("济南严重失信测试有限公司"), "serious_violation", province.lixia_market)
    html = admin.get("/credit/").content.decode()
    text = visible_text(html)
    assert "通过登记的住所或者经营场所无法联系" in text
    assert "serious_violation" not in text and zh("Grave violation of law and dishonesty") in text
    assert not leaked_codes(text)
    table = html.split('id="entries"')[0].rsplit("<div", 1)[1]
    assert "table-responsive" in table
    serious_only = admin.get("/credit/?kind=serious").content.decode()
    assert "济南严重失信测试有限公司" in serious_only and setup.subject.name not in serious_only
