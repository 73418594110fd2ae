"""Alerts from published facts: one open alert per subject fusing every signal with its
contribution shown, the region's alert for a 12345 surge, downgrades only, the whole handling path
with its deadline across a holiday, a false verdict closing the alert, precision per rule, scope."""

import datetime as dt

import pytest
from django.utils import timezone

from jianguan.core.errors import DomainError

pytestmark = pytest.mark.django_db

KEYS = ["alerts.monitoring.clue_raised", "alerts.complaints.surge_detected", "alerts.credit.grade_changed"]


def deliver_all():
    from jianguan.facts.services import deliver

    deliver(KEYS)


@pytest.fixture
def staff(make_user, province):
    return {
        "lixia": make_user("department_admin", department=province.lixia_market),
        "qingdao": make_user("department_admin", department=province.qd_market),
    }


def gas_leak(monitor, minutes=0):
    m = monitor
    m.post([m.reading(m.gas, minutes, 30.0)])


def test_a_monitoring_clue_raises_one_alert_per_subject_and_fuses_what_follows(monitor):
    from jianguan.alerts.models import Alert
    from jianguan.facts.services import publish

    m = monitor
    gas_leak(m)
    deliver_all()
    alert = Alert.objects.get()
    assert (alert.subject, alert.department, alert.level) == (m.gas.subject, m.gas.department, "red")
    assert alert.sign_due_at - alert.raised_at == dt.timedelta(hours=2)  # red: sign within 2 hours
    assert alert.item.state == "issued" and alert.sources == ["monitoring"]
    # A downgrade of the same subject joins the open alert; its contribution is shown.
    publish("credit.grade_changed", subject=m.gas.subject, region="370102", payload={"from": "B", "to": "D"})
    deliver_all()
    alert.refresh_from_db()
    assert Alert.objects.count() == 1 and alert.sources == ["credit_downgrade", "monitoring"]
    assert set(alert.contributions) == {"monitoring", "credit_downgrade"}
    assert alert.score == pytest.approx(sum(alert.contributions.values()), abs=0.02)
    assert alert.contributions["monitoring"] == pytest.approx(30 * 2.0, rel=0.01)  # weight × red factor, fresh
    # Delivered again: the same signals are not counted twice.
    from jianguan.alerts.services import Incoming, raise_signal

    clue_signal = alert.signals.get(kind="monitoring")
    again = Incoming("monitoring", clue_signal.reference, "red", timezone.now(), "x", "370102", m.gas.subject_id)
    assert raise_signal(again) is None and alert.signals.count() == 2


def test_an_upgrade_raises_nothing(monitor):
    from jianguan.alerts.models import Alert
    from jianguan.facts.services import publish

    publish("credit.grade_changed", subject=monitor.gas.subject, region="370102", payload={"from": "D", "to": "B"})
    deliver_all()
    assert not Alert.objects.exists()


def test_a_surge_raises_a_regional_alert_for_the_countys_market_unit(province, setup):
    from jianguan.alerts.models import Alert
    from jianguan.facts.services import publish

    publish(
        "complaints.surge_detected",
        region="370102",
        object_type="surge",
        object_id=7,
        payload={"region": "370102", "class": "01", "week": "2026-11-30", "count": 31, "threshold": 12.5},
    )
    deliver_all()
    alert = Alert.objects.get()
    assert alert.subject is None and alert.department == province.lixia_market and alert.level == "yellow"
    assert alert.fingerprint == "region:370102:complaint_surge:01"
    assert alert.title.startswith("历下区：") and "370102" not in alert.title


def test_the_whole_handling_path_opens_a_rectification_order(monitor, staff):
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert
    from jianguan.facts.models import Fact
    from jianguan.rectification.models import Rectification

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    with pytest.raises(DomainError):
        services.sign(alert, staff["qingdao"])  # another city's staff
    services.sign(alert, staff["lixia"])
    with pytest.raises(DomainError):
        services.verify(alert, staff["lixia"], "true", "  ")
    services.verify(alert, staff["lixia"], "true", "现场核查确有燃气泄漏")
    services.dispose(
        alert, staff["lixia"], "rectification", "责令更换燃气软管", requirement="更换老化燃气软管并加装切断阀"
    )
    order = Rectification.objects.get()
    assert (order.source_kind, order.source_ref, order.subject) == ("alert", alert.number, alert.subject)
    services.feedback(alert, staff["lixia"], "已整改，复查合格")
    services.close(alert, staff["lixia"])
    alert.refresh_from_db()
    assert (alert.item.state, alert.is_open, alert.verdict, alert.disposal_ref) == (
        "closed",
        False,
        "true",
        order.number,
    )
    closed = Fact.objects.get(name="alerts.closed")
    assert closed.payload["verdict"] == "true" and closed.payload["signed_on_time"] is True
    # A new leak after closing raises a new alert.
    gas_leak(monitor, 200)
    deliver_all()
    assert Alert.objects.filter(is_open=True).count() == 1 and Alert.objects.count() == 2


def test_a_false_verdict_closes_the_alert_and_precision_counts_it(monitor, staff, province):
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert

    verdicts = ["true", "false", "true"]
    for n, verdict in enumerate(verdicts):
        gas_leak(monitor, n * 200)
        deliver_all()
        alert = Alert.objects.get(is_open=True)
        services.sign(alert, staff["lixia"])
        services.verify(alert, staff["lixia"], verdict, "核查结论")
        if verdict == "true":
            services.dispose(alert, staff["lixia"], "notify", "抄告燃气主管部门", recipient=province.jn_env)
            services.feedback(alert, staff["lixia"], "已处理")
            services.close(alert, staff["lixia"])
    from jianguan.joint.models import Notice

    notices = Notice.objects.filter(case_reference__startswith="YJ")
    assert notices.count() == 2 and {r.department for n in notices for r in n.recipients.all()} == {province.jn_env}
    with pytest.raises(DomainError):  # notifying names whom
        gas_leak(monitor, 900)
        deliver_all()
        extra = Alert.objects.get(is_open=True)
        services.sign(extra, staff["lixia"])
        services.verify(extra, staff["lixia"], "true", "属实")
        services.dispose(extra, staff["lixia"], "notify", "抄告")
    [row] = services.quality(Alert.objects.filter(verdict__in=["true", "false"], is_open=False))
    assert (row["kind"], row["rule"], row["raised"], row["true"], row["false"]) == ("monitoring", "gas_leak", 3, 2, 1)
    assert row["precision"] == pytest.approx(2 / 3) and row["review"] is False
    assert row["median_hours_to_sign"] is not None


def test_the_deadline_runs_in_working_days_across_a_holiday(province, setup):
    from jianguan.alerts.services import Incoming, raise_signal

    before_national_day = timezone.make_aware(dt.datetime(2026, 9, 30, 10, 0))
    alert = raise_signal(
        Incoming("credit_listing", "list-1", "red", before_national_day, "列入信用名录", "370102", setup.subject.pk),
        now=before_national_day,
    )
    # Red: 3 working days. 1–7 October 2026 are holidays (the State Council's 2026 calendar), so the
    # deadline falls after them, not on 3 October.
    assert timezone.localtime(alert.item.due_at).date() > dt.date(2026, 10, 7)


def test_scope_of_alerts(monitor, staff):
    from jianguan.alerts.permissions import visible_alerts

    gas_leak(monitor)
    deliver_all()
    assert visible_alerts(staff["lixia"]).count() == 1
    assert visible_alerts(staff["qingdao"]).count() == 0


def test_the_sign_for_deadline_drives_the_card_until_signed(monitor, staff):
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert
    from jianguan.workflow.services import deadline_colour

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    assert alert.item.next_due_at == alert.sign_due_at  # red: 2 hours to sign, before the 3 working days
    assert deadline_colour(alert.item, alert.sign_due_at + dt.timedelta(minutes=1)) == "red"
    services.sign(alert, staff["lixia"])
    alert.item.refresh_from_db()
    assert alert.item.next_due_at == alert.item.due_at  # signed: the closing deadline rules
