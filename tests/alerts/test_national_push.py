"""The feedback on national warnings pushed back: each handling step of an alert holding national
warnings queues one message per warning in the national outbox, delivered to the stand-in receiver
(a real HTTP server started here) with the record pushes' retries and backoff; message ids fixed by
the step, so a repeat after a lost acknowledgement is stored once."""

import datetime as dt
import json
import urllib.request

import pytest
from django.utils import timezone

from tests.alerts.test_national import national, post, warning  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_each_step_is_pushed_to_the_national_system_once(national, setup, province, make_user, standin):  # noqa: F811
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert
    from jianguan.exchange.choices import OutboxStatus
    from jianguan.exchange.models import OutboxMessage
    from jianguan.exchange.outbox import deliver
    from jianguan.exchange.transport import HttpTransport

    assert (
        post(national, [warning(subjectCode=setup.subject.uscc), warning(warningId="GJ-2026-0002")]).status_code == 200
    )
    alert = Alert.objects.get(subject=setup.subject)
    admin = make_user("department_admin", department=alert.department)
    services.sign(alert, admin)
    services.verify(alert, admin, "true", "核查属实")
    services.dispose(alert, admin, "notify", "抄告市局", recipient=province.jn_market)
    services.feedback(alert, admin, "已处置")
    services.close(alert, admin)
    queued = list(OutboxMessage.objects.order_by("id"))
    assert [m.body["feedback"]["event"] for m in queued] == ["sign", "verify", "dispose", "feedback", "close"]
    assert {m.body["feedback"]["warningId"] for m in queued} == {"GJ-2026-0001"}
    assert queued[-1].body["feedback"]["status"] == "closed" and queued[-1].body["feedback"]["verdict"] == "true"

    from jianguan.exchange.outbox import backlog

    assert backlog()["messages_pending"] == 5
    transport = HttpTransport(standin.url, timeout=5)
    now = timezone.now()
    standin.fail_next = 1  # the national system is down: the messages wait, with a backoff
    report = deliver(transport, now=now)
    assert (report.messages, report.deferred, report.delivered) == (5, 5, 0)
    waiting = OutboxMessage.objects.get(pk=queued[0].pk)
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 1 and waiting.last_error
    assert waiting.next_attempt_at == now + dt.timedelta(seconds=30)
    assert deliver(transport, now=now + dt.timedelta(seconds=10)).messages == 0  # not due yet
    report = deliver(transport, now=now + dt.timedelta(seconds=31))
    assert (report.messages, report.delivered, report.deferred) == (5, 5, 0)
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert backlog()["messages_pending"] == 0
    kept = standin.store.feedback("GJ-2026-0001")
    assert [k["feedback"]["event"] for k in kept] == ["sign", "verify", "dispose", "feedback", "close"]
    assert kept[-1]["feedback"]["alertNumber"] == alert.number and kept[-1]["feedback"]["disposal"] == "notify"

    # A lost acknowledgement: the same message sent again is acknowledged and kept once.
    OutboxMessage.objects.filter(pk=queued[-1].pk).update(status=OutboxStatus.PENDING, next_attempt_at=now)
    assert deliver(transport, now=now + dt.timedelta(minutes=5)).delivered == 1
    assert standin.store.stats()["feedback"] == 5
    # The same step queued again (its service ran twice) is one message.
    from jianguan.alerts.feedback import queue_reply

    assert queue_reply(alert, "close", now) == 0 and OutboxMessage.objects.count() == 5

    # What the stand-in keeps is readable over HTTP too.
    address = standin.url.replace("/push", "/feedback?warning=GJ-2026-0001")
    listed = json.loads(urllib.request.urlopen(address).read())  # noqa: S310 (the stand-in, over http)
    assert len(listed["feedback"]) == 5


def test_an_alert_without_national_warnings_pushes_nothing(monitor, make_user, province):
    from jianguan.alerts import services
    from jianguan.alerts.models import Alert
    from jianguan.exchange.models import OutboxMessage
    from tests.alerts.test_alerts import deliver_all, gas_leak

    gas_leak(monitor)
    deliver_all()
    alert = Alert.objects.get()
    services.sign(alert, make_user("department_admin", department=province.lixia_market))
    assert not OutboxMessage.objects.exists()


def test_the_standin_refuses_feedback_that_breaks_the_format(standin):
    good = {
        "message_id": "FB1-1",
        "message_type": "warning_feedback",
        "cd_time": "2026-12-08T10:00:00+08:00",
        "cd_source": "370000",
        "feedback": {"warningId": "GJ-1", "alertNumber": "YJ1", "event": "sign", "status": "handling"},
    }
    bad = {**good, "message_id": "FB1-2", "feedback": {**good["feedback"], "event": "shrug"}}
    answer = standin.store.receive({"messages": [good, bad]})
    assert answer["accepted"] == ["FB1-1"] and [r["message_id"] for r in answer["refused"]] == ["FB1-2"]
    assert standin.store.stats()["feedback"] == 1
