"""The facts channel: publish a domain fact beside its audit event; subscribers act on it after commit.

A writing service calls `publish` inside its own transaction. Once that transaction commits, the
fact is numbered (commit order, as the audit chain is sealed) and a delivery is queued; a periodic
sweeper numbers and delivers whatever a process left behind. Each subscriber has its own cursor and
receives its facts in number order, at least once: a handler must be idempotent (replaying facts
leaves the state as it was). A failing handler is retried with a growing pause and its error kept;
it never holds up another subscriber.

Applications declare the facts they publish and register their subscribers in `AppConfig.ready`:

    declare("records.written", _("Supervision records written"))
    subscribe("records.written", sync_written, key="credit.sync_records", label=_("Credit records of new actions"))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from jianguan.audit.services import record_event
from jianguan.core.bulk import insert_objects, lock_row
from jianguan.facts.models import Fact, FactHead, Subscription

log = logging.getLogger(__name__)

PAYLOAD_LIMIT = 256 * 1024  # bytes of JSON: a fact carries ids and a few figures, never a document
NUMBER_CHUNK = 5000
RETRY_BASE = dt.timedelta(seconds=15)
RETRY_MAX = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Subscriber:
    key: str
    names: frozenset[str]
    handler: Callable[[list[Fact]], Any]
    batch: int
    label: Any


DECLARED: dict[str, Any] = {}  # fact name → its label
SUBSCRIBERS: dict[str, Subscriber] = {}


def declare(name: str, label: Any) -> None:
    """Name a fact an application publishes (dotted: `app.what_happened`), with its label for people."""
    if "." not in name or len(name) > 64:
        raise ValueError(f"a fact is named app.what_happened, at most 64 characters: {name!r}")
    DECLARED[name] = label


def subscribe(
    names: str | Iterable[str], handler: Callable[[list[Fact]], Any], *, key: str, label: Any, batch: int = 200
) -> None:
    """Register `handler` for these facts under the subscriber name `key` (its cursor's name), with
    `label` saying what it does for people.

    The handler receives the facts in number order, up to `batch` at a time, inside a transaction
    that also moves the cursor; it must give the same result when it receives a fact again.
    """
    names = frozenset([names] if isinstance(names, str) else names)
    existing = SUBSCRIBERS.get(key)
    if existing is not None and existing.handler is not handler:
        raise ValueError(f"the subscriber {key} is registered twice")
    SUBSCRIBERS[key] = Subscriber(key, names, handler, batch, label)


def _checked(name: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    if name not in DECLARED:
        raise ValueError(f"the fact {name!r} is not declared")
    payload = payload or {}
    if len(orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS, default=str)) > PAYLOAD_LIMIT:
        raise ValueError(f"the payload of {name} is over {PAYLOAD_LIMIT} bytes: publish ids, not documents")
    return payload


def _new(name: str, fields: dict[str, Any], now: dt.datetime) -> Fact:
    department = fields.get("department")
    audit_event = fields.get("audit_event")
    return Fact(
        name=name,
        at=now,
        department_id=getattr(department, "pk", department),
        region=str(fields.get("region") or "")[:6],
        subject_id=getattr(fields.get("subject"), "pk", fields.get("subject")),
        object_type=fields.get("object_type", ""),
        object_id=str(fields.get("object_id", "") or "")[:64],
        payload=_checked(name, fields.get("payload")),
        audit_event_id=getattr(audit_event, "pk", audit_event),
    )


def publish(
    name: str,
    *,
    department: Any = None,
    region: str = "",
    subject: Any = None,
    object_type: str = "",
    object_id: Any = "",
    payload: dict[str, Any] | None = None,
    audit_event: Any = None,
) -> Fact:
    """Publish one fact inside the caller's transaction: delivered only if that transaction commits."""
    fields = {
        "department": department,
        "region": region,
        "subject": subject,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "audit_event": audit_event,
    }
    fact = _new(name, fields, timezone.now())
    fact.save()
    _after_commit()
    return fact


def publish_many(name: str, facts: Sequence[dict[str, Any]], *, audit_event: Any = None) -> int:
    """Publish one fact per item (each a dict of `publish`'s fields) by one bulk write (COPY on PostgreSQL)."""
    now = timezone.now()
    rows = [_new(name, {"audit_event": audit_event, **fields}, now) for fields in facts]
    insert_objects(Fact, rows)
    if rows:
        _after_commit()
    return len(rows)


_deferred = threading.local()


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold this thread's deliveries until the block ends, then deliver once: for a bulk load that
    commits many chunks in a row (the demo), where a delivery per commit would only repeat work."""
    outer = getattr(_deferred, "on", False)
    _deferred.on = True
    try:
        yield
    finally:
        _deferred.on = outer
    if not outer:
        _delivery_due()


def _after_commit() -> None:
    if getattr(_deferred, "on", False):
        return
    if not connection.in_atomic_block:
        _delivery_due()
    elif not any(callback is _delivery_due for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_delivery_due, robust=True)


def _delivery_due() -> None:
    """Number what was committed and queue its delivery (run at once when tasks are immediate)."""
    number_pending()

    try:
        from jianguan.facts.tasks import deliver_facts  # the task module imports this one

        deliver_facts()
    except Exception as exc:  # noqa: BLE001 - a queue that is down only delays: the sweeper delivers
        log.warning("could not queue the delivery of facts (%s); the sweeper will deliver them", exc)


def number_pending() -> int:
    """Give every committed, unnumbered fact its number (in id order); returns how many."""
    numbered = 0
    while True:
        with transaction.atomic():
            head = lock_row(FactHead)
            ids = list(Fact.objects.filter(seq__isnull=True).order_by("id").values_list("id", flat=True)[:NUMBER_CHUNK])
            if not ids:
                return numbered
            rows = [(head.seq + n, pk) for n, pk in enumerate(ids, start=1)]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'UPDATE "{Fact._meta.db_table}" SET seq = %s WHERE id = %s AND seq IS NULL',  # noqa: S608
                    rows,
                )
            FactHead.objects.filter(pk=head.pk).update(seq=head.seq + len(ids))
        numbered += len(ids)
        if len(ids) < NUMBER_CHUNK:
            return numbered


def head_seq() -> int:
    return FactHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def backoff(attempts: int) -> dt.timedelta:
    """The pause before attempt `attempts + 1`: 15 s, 30 s, 1 min … up to an hour."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def _locked_subscription(key: str) -> Subscription | None:
    """The subscriber's row, locked for this transaction; None if another delivery holds it (PostgreSQL)."""
    Subscription.objects.get_or_create(key=key)
    if connection.features.has_select_for_update:
        return Subscription.objects.select_for_update(skip_locked=True).filter(key=key).first()
    Subscription.objects.filter(key=key).update(cursor=F("cursor"))  # SQLite: the write lock
    return Subscription.objects.get(key=key)


def _error_text(exc: BaseException) -> str:
    lines = traceback.format_exception(exc)
    return ("".join(lines[-6:]))[-4000:]


def deliver(keys: Iterable[str] | None = None, *, now: dt.datetime | None = None, rounds: int = 1000) -> dict[str, int]:
    """Hand every numbered fact to its subscribers (those named, default all); returns facts handled per key.

    Subscribers waiting out a pause after a failure are skipped until it ends.
    """
    number_pending()
    wanted = list(SUBSCRIBERS) if keys is None else list(keys)
    head = head_seq()
    rows = {row.key: row for row in Subscription.objects.filter(key__in=wanted)}
    moment = now or timezone.now()
    handled = {}
    for key in wanted:
        row, subscriber = rows.get(key), SUBSCRIBERS[key]
        # Without a lock first: most deliveries find nothing of a subscriber's kinds, or it is pausing.
        cursor = row.cursor if row else 0
        pausing = row is not None and row.retry_at is not None and row.retry_at > moment
        waiting = Fact.objects.filter(seq__gt=cursor, seq__lte=head, name__in=subscriber.names).exists()
        handled[key] = _deliver_to(subscriber, now, rounds) if waiting and not pausing else 0
    return handled


def _deliver_to(subscriber: Subscriber, now: dt.datetime | None, rounds: int) -> int:
    handled = 0
    for _round in range(rounds):
        moment = now or timezone.now()
        with transaction.atomic():
            row = _locked_subscription(subscriber.key)
            if row is None or (row.retry_at is not None and row.retry_at > moment):
                return handled
            head = head_seq()
            facts = list(
                Fact.objects.filter(seq__gt=row.cursor, seq__lte=head, name__in=subscriber.names).order_by("seq")[
                    : subscriber.batch
                ]
            )
            done, failure = _handle(subscriber, facts)
            if done:
                row.cursor = done[-1].seq
                row.delivered += len(done)
                row.delivered_at = moment
            if failure is None:
                if len(facts) < subscriber.batch:
                    row.cursor = max(row.cursor, head)  # nothing else of its kinds up to the head
                row.attempts, row.failing_seq, row.retry_at = 0, None, None
            else:
                fact, exc = failure
                row.attempts = row.attempts + 1 if row.failing_seq == fact.seq else 1
                row.failing_seq, row.last_error, row.failed_at = fact.seq, _error_text(exc), moment
                row.retry_at = moment + backoff(row.attempts)
                log.warning("fact %s failed in %s (attempt %s): %s", fact.seq, subscriber.key, row.attempts, exc)
            row.save()
        handled += len(done)
        if failure is not None or len(facts) < subscriber.batch:
            return handled
    return handled


def _handle(subscriber: Subscriber, facts: list[Fact]) -> tuple[list[Fact], tuple[Fact, Exception] | None]:
    """Run the handler over the facts: all at once, or, if that fails, one by one up to the failing one."""
    if not facts:
        return [], None
    try:
        with transaction.atomic():
            subscriber.handler(facts)
        return facts, None
    except Exception as exc:  # noqa: BLE001 - a handler's failure is recorded, never raised to the publisher
        if len(facts) == 1:
            return [], (facts[0], exc)
    done = []
    for fact in facts:
        try:
            with transaction.atomic():
                subscriber.handler([fact])
        except Exception as exc:  # noqa: BLE001
            return done, (fact, exc)
        done.append(fact)
    return done, None


def replay(key: str, from_seq: int, actor: Any = None) -> Subscription:
    """Move a subscriber's cursor back (or forward) so that it next receives fact `from_seq` onwards."""
    if key not in SUBSCRIBERS:
        raise KeyError(key)
    with transaction.atomic():
        Subscription.objects.get_or_create(key=key)
        row = Subscription.objects.select_for_update().get(key=key)
        before = row.cursor
        row.cursor = max(from_seq - 1, 0)
        row.attempts, row.failing_seq, row.retry_at = 0, None, None
        row.save()
        record_event(
            actor, "facts.replay", "subscription", key, before={"cursor": before}, after={"cursor": row.cursor}
        )
    return row


@dataclass
class SubscriberStatus:
    key: str
    label: Any
    names: list[str]
    cursor: int
    backlog: int
    oldest_waiting: dt.datetime | None
    delivered: int
    delivered_at: dt.datetime | None
    attempts: int
    failing_seq: int | None
    last_error: str
    retry_at: dt.datetime | None

    @property
    def lag_seconds(self) -> float:
        if self.oldest_waiting is None:
            return 0.0
        return max((timezone.now() - self.oldest_waiting).total_seconds(), 0.0)


@dataclass
class ChannelStatus:
    head: int
    unnumbered: int
    oldest_unnumbered: dt.datetime | None
    by_name: dict[str, int]
    subscribers: list[SubscriberStatus]


def status() -> ChannelStatus:
    """Backlog and lag per subscriber (facts of its kinds after its cursor, and how old the oldest is)."""
    rows = {row.key: row for row in Subscription.objects.all()}
    head = head_seq()
    subscribers = []
    for key, subscriber in sorted(SUBSCRIBERS.items()):
        row = rows.get(key) or Subscription(key=key)
        waiting = Fact.objects.filter(seq__gt=row.cursor, name__in=subscriber.names).aggregate(
            n=Count("id"), oldest=Min("at")
        )
        subscribers.append(
            SubscriberStatus(
                key,
                subscriber.label,
                sorted(subscriber.names),
                row.cursor,
                waiting["n"],
                waiting["oldest"],
                row.delivered,
                row.delivered_at,
                row.attempts,
                row.failing_seq,
                row.last_error,
                row.retry_at,
            )
        )
    unnumbered = Fact.objects.filter(seq__isnull=True).aggregate(n=Count("id"), oldest=Min("at"))
    by_name = dict(Fact.objects.values_list("name").annotate(n=Count("id")).order_by("name").values_list("name", "n"))
    return ChannelStatus(head, unnumbered["n"], unnumbered["oldest"], by_name, subscribers)
