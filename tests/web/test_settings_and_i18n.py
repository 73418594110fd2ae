import os
import subprocess
import sys

import pytest
from django.test import Client

from jianguan.web.i18n import catalogues, untranslated


def _load_settings(env):
    code = "import jianguan.config.settings"
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)


def test_production_refuses_debug_default_secret_and_missing_hosts():
    result = _load_settings({"JIANGUAN_PRODUCTION": "true", "JIANGUAN_DEBUG": "true"})
    assert result.returncode != 0
    for variable in [
        "JIANGUAN_DEBUG",
        "JIANGUAN_SECRET_KEY",
        "JIANGUAN_ALLOWED_HOSTS",
        "JIANGUAN_SEALING_KEYS",
        "JIANGUAN_MATCHING_KEY",
        "JIANGUAN_AUDIT_KEY",
    ]:
        assert variable in result.stderr


PRODUCTION = {
    "JIANGUAN_PRODUCTION": "true",
    "JIANGUAN_SECRET_KEY": "s" * 50,
    "JIANGUAN_SEALING_KEYS": "k1:" + "a" * 40,
    "JIANGUAN_MATCHING_KEY": "m" * 40,
    "JIANGUAN_AUDIT_KEY": "u" * 40,
    "JIANGUAN_ALLOWED_HOSTS": "jianguan.example",
}


def test_production_starts_with_proper_values(tmp_path):
    assert _load_settings(PRODUCTION).returncode == 0
    # each key may come from a file (a mounted secret) instead of the environment
    (tmp_path / "audit").write_text("f" * 40 + "\n")
    env = {**PRODUCTION, "JIANGUAN_AUDIT_KEY": "", "JIANGUAN_AUDIT_KEY_FILE": str(tmp_path / "audit")}
    result = _load_settings(env)
    assert result.returncode == 0, result.stderr


def test_production_refuses_a_reused_key_and_a_missing_key_file(tmp_path):
    result = _load_settings({**PRODUCTION, "JIANGUAN_AUDIT_KEY": "m" * 40})
    assert result.returncode != 0 and "reused" in result.stderr
    result = _load_settings({**PRODUCTION, "JIANGUAN_SEALING_KEYS": "k1:" + "a" * 40 + ",k2:" + "s" * 50})
    assert result.returncode != 0 and "reused" in result.stderr
    result = _load_settings({**PRODUCTION, "JIANGUAN_AUDIT_KEY_FILE": str(tmp_path / "absent")})
    assert result.returncode != 0 and "JIANGUAN_AUDIT_KEY_FILE" in result.stderr
    result = _load_settings({**PRODUCTION, "JIANGUAN_SEALING_KEYS": "no-id-here"})
    assert result.returncode != 0 and "id:secret" in result.stderr


def test_bad_boolean_names_the_variable():
    result = _load_settings({"JIANGUAN_DEBUG": "maybe"})
    assert result.returncode != 0 and "JIANGUAN_DEBUG" in result.stderr


def test_every_string_has_a_chinese_translation():
    zh = [path for path in catalogues() if "zh_Hans" in str(path)]
    assert zh and all(untranslated(path) == [] for path in zh)


@pytest.mark.django_db
def test_ui_is_chinese_by_default_and_english_on_switch(admin_user):
    client = Client()
    client.force_login(admin_user)
    assert "监管对象" in client.get("/subjects/").content.decode()
    assert "监管对象" in client.get("/subjects/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/subjects/"})
    page = client.get("/subjects/").content.decode()
    assert "Subjects" in page and "监管对象</h1>" not in page


@pytest.mark.django_db
def test_pages_carry_a_strict_csp_and_name_a_missing_calendar_year(admin_user):
    import datetime as dt

    from django.utils import timezone

    from jianguan.core.calendar import uncovered_years
    from jianguan.web.context import CALENDAR_HORIZON_DAYS

    client = Client()
    client.force_login(admin_user)
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    today = timezone.localdate()
    missing = uncovered_years(today, today + dt.timedelta(days=CALENDAR_HORIZON_DAYS))
    assert ('id="calendar-warning"' in page) is bool(missing)
    for year in missing:
        assert str(year) in page


def test_demo_is_deterministic_and_valid(db):
    from jianguan.core.codes import validate_uscc
    from jianguan.demo.build import DemoBuilder
    from jianguan.subjects.models import Subject

    result = DemoBuilder(seed=7, subjects=300).build()
    assert result.departments >= 300 and result.items >= 150 and result.officers >= 1000
    assert result.conflicts > 50 and result.subjects == 300
    assert Subject.objects.filter(region__code__startswith="37").count() == 300
    for uscc in Subject.objects.exclude(uscc=None).values_list("uscc", flat=True):
        assert validate_uscc(uscc) == uscc
        assert uscc[2:6] in {s.region_id[:4] for s in Subject.objects.filter(uscc=uscc)}
    first = list(Subject.objects.order_by("pk").values_list("name", "uscc")[:20])
    from jianguan.audit.services import verify_chain

    assert verify_chain().ok
    assert first[0][0] and len({n for n, _u in first}) == 20
