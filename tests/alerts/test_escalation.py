"""An overdue alert escalated by the workflow engine moves to the superior department: its queue,
its scope and who may act follow the item, through the `workflow.escalated` fact; its history
shows the move."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from jianguan.core.errors import Forbidden
from tests.alerts.test_alerts import gas_leak

pytestmark = pytest.mark.django_db


def deliver_facts():
    from jianguan.facts.services import deliver

    deliver(["alerts.monitoring.clue_raised", "alerts.workflow.escalated"])


def test_an_escalated_alert_moves_to_the_superior_department(monitor, make_user, province):
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert
    from jianguan.alerts.permissions import visible_alerts
    from jianguan.facts.models import Fact
    from jianguan.facts.services import replay
    from jianguan.workflow.services import escalate_overdue

    lixia = make_user("department_admin", department=province.lixia_market)
    city = make_user("department_admin", department=province.jn_market, region_scope="own")
    gas_leak(monitor)
    deliver_facts()
    alert = Alert.objects.get()
    assert alert.department == province.lixia_market
    # Red: sign within 2 hours. Three hours on, nobody has signed: the engine escalates.
    report = escalate_overdue(timezone.now() + dt.timedelta(hours=3))
    assert [e["to_department"] for e in report.escalated] == [province.jn_market.pk]
    fact = Fact.objects.get(name="workflow.escalated")
    assert fact.payload["workflow"] == "alerts_handle" and fact.object_id == str(alert.item_id)
    deliver_facts()
    alert.refresh_from_db()
    assert alert.department == province.jn_market
    assert alert in visible_alerts(city)
    with pytest.raises(Forbidden):
        services.sign(alert, lixia)  # the county unit no longer holds it
    services.sign(alert, city)
    alert.refresh_from_db()
    assert alert.signed_at is not None

    # Delivered again (a replayed cursor): the alert stays where it is.
    fact.refresh_from_db()
    replay("alerts.workflow.escalated", fact.seq)
    deliver_facts()
    alert.refresh_from_db()
    assert alert.department == province.jn_market
    assert services.follow_escalation(alert.item_id, province.lixia_market.pk, province.jn_market.pk, 1) is None

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(city)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    history = page[page.index('id="alert-history"') :]
    assert "超期升级至上级部门" in history
    assert f"{province.lixia_market.name} → {province.jn_market.name}" in history
    steps = client.get(f"/api/v1/alerts/{alert.pk}").json()["steps"]
    escalation = next(s for s in steps if s["action"] == "escalate")
    assert (escalation["from_department"], escalation["to_department"]) == (
        province.lixia_market.pk,
        province.jn_market.pk,
    )
