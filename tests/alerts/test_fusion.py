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
