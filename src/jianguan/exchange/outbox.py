"""Delivering the national outbox: at least once from here, exactly once at a receiver that keeps
message ids. Batches wait while the receiver is down and are retried with exponential backoff.

Beside the record batches the outbox holds single messages (`OutboxMessage`: the feedback on a
national warning), queued by `queue_message` with their id fixed, sent in the same pushes and
retried alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from jianguan.audit.services import record_event, sealed_head
from jianguan.exchange.choices import OutboxStatus
from jianguan.exchange.models import OutboxBatch, OutboxMessage
from jianguan.exchange.national import message_for
from jianguan.exchange.transport import Transport, TransportError, configured_transport
from jianguan.records.models import Record

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … doubling up to 6 hours."""
    return dt.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


@dataclass
class DeliveryReport:
    batches: int = 0
    attempted: int = 0
    delivered: int = 0
    refused: int = 0
    superseded: int = 0
    deferred: int = 0
    messages: int = 0  # single messages (warning feedback) taken
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _messages(batch: OutboxBatch, records: dict[int, Record], now: dt.datetime) -> tuple[list[dict], int]:
    """The batch's messages; an insert or update whose record was withdrawn since is not sent."""
    messages, superseded = [], 0
    for index, (record_id, operation) in enumerate(batch.entries, start=1):
        record = records[record_id]
        if operation != "d" and record.is_deleted:
            superseded += 1
            continue
        messages.append(message_for(f"{batch.cd_batch}-{index}", operation, batch.cd_batch, record, now))
    return messages, superseded


def deliver(transport: Transport | None = None, *, limit: int = 5000, now: dt.datetime | None = None) -> DeliveryReport:
    """Send the due batches (oldest first, about `limit` messages); record what the receiver acknowledged."""
    now = now or timezone.now()
    transport = transport or configured_transport()  # not configured: raise, and leave the outbox alone
    report = DeliveryReport()
    # The chain's sealed head travels with the push: the receiver keeps a copy outside our database.
    head = sealed_head()
    with transaction.atomic():
        due = OutboxBatch.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            # Two workers never send the same batch at the same time.
            due = due.select_for_update(skip_locked=True)
        batches, size = [], 0
        for batch in due.iterator(chunk_size=20):
            if batches and size + batch.size > limit:
                break
            batches.append(batch)
            size += batch.size
        singles = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            singles = singles.select_for_update(skip_locked=True)
        singles = list(singles[: max(limit - size, 1)])
        if not batches and not singles:
            return report
        ids = [record_id for batch in batches for record_id, _op in batch.entries]
        records = Record.objects.select_related("department").in_bulk(ids)
        plan = [(batch, *_messages(batch, records, now)) for batch in batches]
        messages = [message for _batch, batch_messages, _s in plan for message in batch_messages]
        messages += [single.body for single in singles]
        report.batches, report.messages, report.attempted = len(batches), len(singles), len(messages)
        try:
            delivery = transport.send(messages, audit_head=head) if messages else None
        except TransportError as exc:
            report.error = str(exc)
            for pending in [*batches, *singles]:
                pending.attempts += 1
                pending.next_attempt_at = now + backoff(pending.attempts)
                pending.last_error = report.error[:1000]
            OutboxBatch.objects.bulk_update(batches, ["attempts", "next_attempt_at", "last_error"])
            OutboxMessage.objects.bulk_update(singles, ["attempts", "next_attempt_at", "last_error"])
            report.deferred = len(messages)
            log.warning("national outbox: %d messages deferred: %s", len(messages), report.error)
            return report
        accepted = set(delivery.accepted) if delivery else set()
        refused = delivery.refused if delivery else {}
        for single in singles:
            single.attempts += 1
            if single.message_id in accepted or single.message_id in refused:
                single.refused_reason = refused.get(single.message_id, "")[:1000]
                single.status = OutboxStatus.SENT_WITH_REFUSALS if single.refused_reason else OutboxStatus.SENT
                single.sent_at, single.last_error = now, ""
                report.delivered += single.message_id in accepted
                report.refused += single.message_id in refused
            else:
                single.next_attempt_at = now + backoff(single.attempts)
                single.last_error = "not acknowledged"
                report.deferred += 1
        OutboxMessage.objects.bulk_update(
            singles, ["status", "attempts", "sent_at", "next_attempt_at", "last_error", "refused_reason"]
        )
        for batch, batch_messages, superseded in plan:
            batch.attempts += 1
            ids_sent = [m["message_id"] for m in batch_messages]
            missing = [m for m in ids_sent if m not in accepted and m not in refused]
            if missing:
                batch.next_attempt_at = now + backoff(batch.attempts)
                batch.last_error = f"{len(missing)} messages not acknowledged"
                report.deferred += len(ids_sent)
                continue
            batch.refused = [[m, refused[m]] for m in ids_sent if m in refused]
            batch.delivered = len(ids_sent) - len(batch.refused)
            batch.superseded = superseded
            batch.status = OutboxStatus.SENT_WITH_REFUSALS if batch.refused else OutboxStatus.SENT
            batch.sent_at, batch.last_error = now, ""
            report.delivered += batch.delivered
            report.refused += len(batch.refused)
            report.superseded += superseded
        OutboxBatch.objects.bulk_update(
            batches,
            ["status", "attempts", "sent_at", "next_attempt_at", "last_error", "delivered", "superseded", "refused"],
        )
        acknowledged = delivery.audit_head if delivery and delivery.audit_head == head else None
        record_event(
            None,
            "exchange.deliver",
            "outbox",
            after={**report.as_dict(), "audit_head_kept": acknowledged["seq"] if acknowledged else None},
        )
    return report


def deliver_all(transport: Transport | None = None, *, limit: int = 5000) -> DeliveryReport:
    """Deliver until nothing due is left or the receiver fails."""
    transport = transport or configured_transport()
    total = DeliveryReport()
    while True:
        report = deliver(transport, limit=limit)
        for name in ("batches", "messages", "attempted", "delivered", "refused", "superseded", "deferred"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.error = report.error or total.error
        if not (report.batches or report.messages) or report.deferred:
            return total


def retry_refused(actor: Any = None) -> int:
    """Send batches with refused messages again (after the cause was fixed at either end)."""
    with transaction.atomic():
        count = OutboxBatch.objects.filter(status=OutboxStatus.SENT_WITH_REFUSALS).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now()
        )
        OutboxMessage.objects.filter(status=OutboxStatus.SENT_WITH_REFUSALS).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now(), refused_reason=""
        )
        record_event(actor, "exchange.retry_refused", "outbox", after={"batches": count})
    return count


def queue_message(message_id: str, kind: str, body: dict[str, Any], now: dt.datetime | None = None) -> bool:
    """Queue one message for the national system inside the caller's transaction, delivered soon
    after it commits. The same message id queued again is ignored (the caller's step ran twice):
    returns whether it was new."""
    now = now or timezone.now()
    _entry, created = OutboxMessage.objects.get_or_create(
        message_id=message_id, defaults={"kind": kind, "body": body, "next_attempt_at": now, "created_at": now}
    )
    if created:
        transaction.on_commit(_deliver_soon)
    return created


def _deliver_soon() -> None:
    try:
        from jianguan.exchange.tasks import deliver_soon  # the task module imports this one

        deliver_soon()
    except Exception as exc:  # noqa: BLE001 - a queue that is down only delays: the periodic run sends
        log.warning("could not queue the national delivery (%s); the periodic run will send it", exc)


def backlog(batches=None) -> dict[str, Any]:
    """The state of the outbox, in records: waiting, delivered, refused; the oldest wait, the last error.
    The whole outbox (no `batches` given) also counts the single messages waiting and refused."""
    if batches is None:
        singles = OutboxMessage.objects.values("status").annotate(n=Count("id"))
        counts = {row["status"]: row["n"] for row in singles}
        return {
            **backlog(OutboxBatch.objects.all()),
            "messages_pending": counts.get(OutboxStatus.PENDING, 0),
            "messages_refused": counts.get(OutboxStatus.SENT_WITH_REFUSALS, 0),
        }
    pending = batches.filter(status=OutboxStatus.PENDING)
    waiting = pending.aggregate(n=Sum("size"), oldest=Min("created_at"), next=Min("next_attempt_at"))
    done = batches.exclude(status=OutboxStatus.PENDING).aggregate(sent=Sum("delivered"), superseded=Sum("superseded"))
    refused = sum(
        len(b) for b in batches.filter(status=OutboxStatus.SENT_WITH_REFUSALS).values_list("refused", flat=True)
    )
    last_error = pending.exclude(last_error="").order_by("-id").values_list("last_error", flat=True).first()
    return {
        "pending": waiting["n"] or 0,
        "pending_batches": pending.count(),
        "sent": done["sent"] or 0,
        "superseded": done["superseded"] or 0,
        "failed": refused,
        "oldest_pending_at": waiting["oldest"],
        "next_attempt_at": waiting["next"],
        "last_error": last_error or "",
    }
