"""The facts channel: published in the writer's transaction, numbered after commit, delivered at least
once per subscriber, retried with backoff, replayable; and the first facts between applications."""

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from jianguan.facts import services
from jianguan.facts.models import Fact, Subscription
from jianguan.facts.services import deliver, publish, replay, subscribe
from tests.html_forms import classes, has, text

NAME = "tests.happened"


@pytest.fixture
def channel(db):
    """A declared test fact and a way to add subscribers for the test only."""
    services.declare(NAME, "测试事实")
    added = []

    def add(key, handler, **kwargs):
        subscribe(NAME, handler, key=key, label=key, **kwargs)
        added.append(key)

    yield add
    for key in added:
        services.SUBSCRIBERS.pop(key, None)
    services.DECLARED.pop(NAME, None)


def test_a_fact_published_in_a_rolled_back_transaction_is_never_delivered(channel):
    seen = []
    channel("tests.seen", lambda facts: seen.extend(f.payload["n"] for f in facts))
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(NAME, payload={"n": 1})
        raise RuntimeError("the writer failed")
    publish(NAME, payload={"n": 2})
    deliver(["tests.seen"])
    assert seen == [2]
    assert Fact.objects.filter(name=NAME).count() == 1


def test_facts_are_numbered_by_the_delivery_and_handed_out_in_number_order(channel):
    seen = []
    channel("tests.order", lambda facts: seen.extend(f.payload["n"] for f in facts), batch=2)
    for n in range(5):
        publish(NAME, payload={"n": n})
    # Inside the (test's) open transaction nothing is numbered: the numbering runs after commit.
    assert list(Fact.objects.filter(name=NAME).values_list("seq", flat=True)) == [None] * 5
    deliver(["tests.order"])
    assert seen == [0, 1, 2, 3, 4]
    assert Subscription.objects.get(key="tests.order").delivered == 5
    deliver(["tests.order"])  # nothing new: nothing handed out again
    assert seen == [0, 1, 2, 3, 4]


def test_a_handler_that_fails_twice_then_succeeds_acts_once_and_others_are_not_held_up(channel, province):
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from jianguan.core.models import Department

    calls = {"n": 0}
    lixia = province.lixia_market

    def flaky(facts):
        calls["n"] += 1
        # The effect is written first, then the handler fails: the failure must take the effect with it.
        Department.objects.filter(pk=lixia.pk).update(name=Concat(F("name"), Value("＋")))
        if calls["n"] <= 2:
            raise ValueError("the register is locked")

    healthy = []
    channel("tests.flaky", flaky)
    channel("tests.healthy", lambda facts: healthy.extend(f.payload["n"] for f in facts))
    publish(NAME, payload={"n": 7})
    now = timezone.now()
    result = deliver(["tests.flaky", "tests.healthy"], now=now)
    assert result == {"tests.flaky": 0, "tests.healthy": 1} and healthy == [7]
    row = Subscription.objects.get(key="tests.flaky")
    assert row.attempts == 1 and row.failing_seq == Fact.objects.get(name=NAME).seq
    assert "the register is locked" in row.last_error and row.retry_at == now + services.backoff(1)
    assert deliver(["tests.flaky"], now=now + dt.timedelta(seconds=1)) == {"tests.flaky": 0}  # still pausing
    assert calls["n"] == 1
    deliver(["tests.flaky"], now=row.retry_at + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.attempts == 2 and row.retry_at > now + services.backoff(1)  # the pause grew
    deliver(["tests.flaky"], now=row.retry_at + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert calls["n"] == 3 and row.attempts == 0 and row.failing_seq is None and row.delivered == 1
    assert Department.objects.get(pk=lixia.pk).name == lixia.name + "＋"  # acted once


def test_a_failing_fact_in_a_batch_lets_the_ones_before_it_through(channel):
    done = []

    def handler(facts):
        for fact in facts:
            if fact.payload["n"] == 3:
                raise ValueError("bad fact")
            done.append(fact.payload["n"])

    channel("tests.partial", handler)
    with transaction.atomic():
        for n in range(6):
            publish(NAME, payload={"n": n})
    deliver(["tests.partial"])
    row = Subscription.objects.get(key="tests.partial")
    # The batch failed and was rolled back; one by one, 0–2 passed and 3 stopped the subscriber.
    assert done[-3:] == [0, 1, 2] and row.delivered == 3 and row.attempts == 1
    assert Fact.objects.get(seq=row.failing_seq).payload == {"n": 3}


def test_replay_from_a_number_is_idempotent(channel, province):
    from jianguan.core.models import Department

    def rename(facts):  # a handler that sets state from the fact: receiving it again changes nothing
        for fact in facts:
            Department.objects.filter(pk=fact.department_id).update(name=fact.payload["name"])

    channel("tests.rename", rename)
    publish(NAME, department=province.lixia_market, payload={"name": "历下区市场监管局（一）"})
    publish(NAME, department=province.lixia_market, payload={"name": "历下区市场监管局（二）"})
    deliver(["tests.rename"])
    first = Fact.objects.filter(name=NAME).order_by("seq").first().seq
    state = list(Department.objects.order_by("pk").values_list("pk", "name"))
    replay("tests.rename", first, actor="tests")
    assert Subscription.objects.get(key="tests.rename").cursor == first - 1
    deliver(["tests.rename"])
    assert list(Department.objects.order_by("pk").values_list("pk", "name")) == state
    assert Department.objects.get(pk=province.lixia_market.pk).name == "历下区市场监管局（二）"
    from jianguan.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="facts.replay", object_id="tests.rename").exists()


def test_undeclared_facts_and_oversized_payloads_are_refused(channel):
    with pytest.raises(ValueError, match="not declared"):
        publish("tests.unknown")
    with pytest.raises(ValueError, match="over"):
        publish(NAME, payload={"text": "监" * services.PAYLOAD_LIMIT})
    with pytest.raises(ValueError, match="registered twice"):
        channel("tests.twice", lambda facts: None)
        subscribe(NAME, lambda facts: None, key="tests.twice", label="x")


def test_every_subscribed_fact_is_declared():
    from jianguan.facts.checks import subscribed_facts_are_declared

    assert subscribed_facts_are_declared() == []
    services.SUBSCRIBERS["tests.orphan"] = services.Subscriber("tests.orphan", frozenset({"no.such"}), print, 1, "x")
    try:
        assert [e.id for e in subscribed_facts_are_declared()] == ["facts.E001"]
    finally:
        services.SUBSCRIBERS.pop("tests.orphan")


def test_status_on_a_fresh_database_and_after_work(db, capsys):
    call_command("facts", "status")
    out = capsys.readouterr().out
    assert "facts numbered: 0" in out and "credit.sync_records" in out and "subjects.risk_grade" in out
    Fact.objects.create(name="records.written", at=timezone.now(), payload={"ids": {}})  # committed, unnumbered
    state = services.status()
    assert state.unnumbered == 1
    waiting = {s.key: s.backlog for s in state.subscribers}
    assert waiting["credit.sync_records"] == 0  # not numbered yet: not in anyone's backlog
    services.number_pending()
    assert {s.key: s.backlog for s in services.status().subscribers}["credit.sync_records"] == 1
    call_command("facts", "deliver", "credit.sync_records")
    assert {s.key: s.backlog for s in services.status().subscribers}["credit.sync_records"] == 0


def test_replay_needs_a_known_subscriber_and_a_number(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown subscriber"):
        call_command("facts", "replay", "no.such", "--from", "1")
    with pytest.raises(CommandError, match="--from"):
        call_command("facts", "replay", "credit.sync_records")


def test_the_staff_page_is_for_platform_administrators(make_user, province):
    from jianguan.accounts.choices import Role

    admin = make_user(Role.PLATFORM_ADMIN)
    officer = make_user(Role.OFFICER, department=province.lixia_market)
    client = Client()
    client.force_login(officer)
    assert client.get("/facts/").status_code == 404
    assert client.post("/facts/credit.sync_records/", {"action": "deliver"}).status_code == 404
    client.force_login(admin)
    page = client.get("/facts/")
    assert page.status_code == 200
    visible = re.sub(r"<[^>]+>", " ", page.content.decode())  # the words on screen, not the markup
    assert "新监管行为的信用记录与风险分级" in visible and "监管行为记录写入" in visible
    assert "credit.sync_records" not in visible and "records.written" not in visible


@pytest.mark.parametrize("start", ["abc", "0", "-3", ""])
def test_a_replay_from_no_number_or_below_one_is_an_error_beside_the_number_and_moves_nothing(
    make_user, province, start
):
    from jianguan.accounts.choices import Role
    from jianguan.audit.models import AuditEvent

    key = "credit.sync_records"
    before = Subscription.objects.filter(key=key).values_list("cursor", flat=True).first()
    client = Client()
    client.force_login(make_user(Role.PLATFORM_ADMIN))
    answer = client.post(f"/facts/{key}/", {"action": "replay", "start": start})
    html = answer.content.decode()
    assert answer.status_code == 200 and "is-invalid" in classes(html, f"id_start_{key}")
    assert "1 或以上" in text(html, f"error-start-{key}") or "1 or more" in text(html, f"error-start-{key}")
    other = next(k for k in services.SUBSCRIBERS if k != key)
    assert "is-invalid" not in classes(html, f"id_start_{other}") and not has(html, f"error-start-{other}")
    assert not AuditEvent.objects.filter(action="facts.replay").exists()
    assert Subscription.objects.filter(key=key).values_list("cursor", flat=True).first() == before
    done = client.post(f"/facts/{key}/", {"action": "replay", "start": "1"})
    assert done.status_code == 302 and AuditEvent.objects.filter(action="facts.replay").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_penalty_through_the_gateway_reaches_credit_grade_and_pool_in_one_cycle(flushable_audit, setup, penalty):
    """A real commit: the fact is delivered after it (tasks run at once in tests), with no job run."""
    from jianguan.credit.models import CreditRecord, RiskGrade
    from jianguan.subjects.models import Subject

    subject = setup.subject
    assert subject.risk_grade == ""
    rows = [penalty(f"P{n}", "2026-05-06", ["02"], fine=30000) for n in range(3)]
    started = timezone.now()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {setup.token}").post(
        "/api/v1/exchange/records", json.dumps(rows), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["accepted"] == 3, response.content
    assert CreditRecord.objects.filter(subject=subject).count() == 3
    grade = RiskGrade.objects.get(subject=subject)
    assert grade.score == 75 and grade.as_of == timezone.localdate()
    subject.refresh_from_db()
    assert subject.risk_grade == grade.grade != ""  # the register follows the credit.grade_changed fact
    changed = Fact.objects.get(name="credit.grade_changed", subject_id=subject.pk)
    assert changed.payload["from"] == "" and changed.payload["to"] == grade.grade
    assert changed.payload["indicators"] == {"penalties": [0, 75]}
    assert changed.at >= started
    written = Fact.objects.get(name="records.written")
    assert sorted(written.payload["ids"]["penalty"]) == sorted(
        CreditRecord.objects.filter(subject=subject).values_list("record_id", flat=True)
    )
    assert written.audit_event.action == "exchange.ingest"
    assert Fact.objects.filter(name="exchange.batch_finished").get().payload["accepted"] == 3
    statuses = {s.key: s for s in services.status().subscribers}
    assert statuses["credit.sync_records"].backlog == 0 and statuses["subjects.risk_grade"].backlog == 0
    # The spot-check pool stratifies by the register's grade.
    assert Subject.objects.filter(pk=subject.pk, risk_grade=grade.grade).exists()
