"""The province-wide fusion in one pass gives every subject the score the alert page gives it, with
the same contributions, on both databases."""

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_fuse_all_agrees_with_the_score_of_each_alert(setup, make_subject, province):
    from jianguan.alerts.fusion import fuse_all
    from jianguan.alerts.models import Alert, SubjectRisk
    from jianguan.alerts.services import Incoming, fuse, raise_signal

    now = timezone.now()
    other = make_subject("济南另一家测试超市有限公司")
    other.risk_grade = "D"
    other.save()
    signals = [
        ("monitoring", "clue-1", "red", 0, setup.subject),
        ("credit_listing", "list-1", "orange", 40, setup.subject),
        ("credit_listing", "list-2", "yellow", 10, setup.subject),
        ("spotcheck_failure", "task-9", "yellow", 90, other),
    ]
    for kind, reference, level, days, subject in signals:
        raise_signal(
            Incoming(kind, reference, level, now - dt.timedelta(days=days), "测试", "370102", subject.pk), now=now
        )
    assert fuse_all(now) == 2
    for subject in (setup.subject, other):
        risk = SubjectRisk.objects.get(subject=subject)
        alert = Alert.objects.get(subject=subject)
        score, parts = fuse(list(alert.signals.all()), subject, now)
        assert risk.score == pytest.approx(score, abs=0.02)
        assert risk.contributions == pytest.approx(parts, abs=0.02)
    assert "risk_grade" in SubjectRisk.objects.get(subject=other).contributions
    assert fuse_all(now) == 2 and SubjectRisk.objects.count() == 2  # recomputed, not added


def test_the_ranking_shows_each_subject_in_scope_with_its_contributions(setup, make_subject, make_user, province):
    from django.test import Client

    from jianguan.alerts.fusion import fuse_all
    from jianguan.alerts.services import Incoming, raise_signal
    from tests.ui_text import csv_rows, leaked_codes, visible_text

    now = timezone.now()
    qingdao = make_subject("青岛测试海鲜批发有限公司", county="370202")
    for kind, reference, level, region, subject in [
        ("national_warning", "W-1", "red", "370102", setup.subject),
        ("credit_listing", "L-1", "orange", "370102", setup.subject),
        ("monitoring", "clue-7", "yellow", "370202", qingdao),
    ]:
        raise_signal(Incoming(kind, reference, level, now, "测试", region, subject.pk), now=now)
    fuse_all(now)

    def zh(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        return client

    lixia = zh(make_user("department_admin", department=province.lixia_market))
    page = lixia.get("/alerts/risks/")
    text = visible_text(page.content.decode())
    assert page.status_code == 200 and setup.subject.name in text and qingdao.name not in text
    assert "国家风险预警" in text and "列入信用名录" in text and leaked_codes(text) == set()
    # Filtered by a source: only subjects that have points from it.
    assert setup.subject.name not in visible_text(
        lixia.get("/alerts/risks/", {"source": "monitoring"}).content.decode()
    )
    rows = csv_rows(lixia.get("/alerts/risks/", {"export": "csv"}))
    assert [r[0] for r in rows[1:]] == [setup.subject.name] and "国家风险预警" in rows[1][4]
    qd = zh(make_user("department_admin", department=province.qd_market))
    text = visible_text(qd.get("/alerts/risks/").content.decode())
    assert qingdao.name in text and setup.subject.name not in text
