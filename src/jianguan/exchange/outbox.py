"""Delivering the national outbox: at least once from here, exactly once at a receiver that keeps
message ids. Entries wait while the receiver is down and are retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from jianguan.audit.services import record_event
from jianguan.exchange.choices import OutboxStatus
from jianguan.exchange.models import OutboxEntry
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
    attempted: int = 0
    delivered: int = 0
    refused: int = 0
    deferred: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def deliver(transport: Transport | None = None, *, limit: int = 1000, now: dt.datetime | None = None) -> DeliveryReport:
    """Send the due entries (oldest first) in one message; mark what the receiver acknowledged."""
    now = now or timezone.now()
    transport = transport or configured_transport()  # not configured: raise, and leave the entries alone
    report = DeliveryReport()
    with transaction.atomic():
        due = OutboxEntry.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            # Two workers never send the same entries at the same time.
            due = due.select_for_update(skip_locked=True)
        entries = list(due[:limit])
        if not entries:
            return report
        records = Record.objects.select_related("department").in_bulk([e.record_id for e in entries])
        # A record withdrawn before its insert or update went out: only the withdrawal is sent.
        superseded = [e for e in entries if e.operation != "d" and records[e.record_id].is_deleted]
        if superseded:
            OutboxEntry.objects.filter(pk__in=[e.pk for e in superseded]).update(status=OutboxStatus.SUPERSEDED)
            entries = [e for e in entries if e not in superseded]
            if not entries:
                return report
        report.attempted = len(entries)
        messages = [message_for(e.pk, e.operation, e.cd_batch, records[e.record_id], now) for e in entries]
        try:
            delivery = transport.send(messages)
        except TransportError as exc:
            report.error = str(exc)
            for entry in entries:
                entry.attempts += 1
                entry.next_attempt_at = now + backoff(entry.attempts)
                entry.last_error = report.error[:1000]
            OutboxEntry.objects.bulk_update(entries, ["attempts", "next_attempt_at", "last_error"])
            report.deferred = len(entries)
            log.warning("national outbox: %d entries deferred: %s", len(entries), report.error)
            return report
        accepted = set(delivery.accepted)
        changed = []
        for entry in entries:
            key = str(entry.pk)
            entry.attempts += 1
            if key in accepted:
                entry.status, entry.sent_at, entry.last_error = OutboxStatus.SENT, now, ""
                report.delivered += 1
            elif key in delivery.refused:
                entry.status, entry.last_error = OutboxStatus.FAILED, delivery.refused[key][:1000]
                report.refused += 1
            else:
                entry.next_attempt_at = now + backoff(entry.attempts)
                entry.last_error = "not acknowledged"
                report.deferred += 1
            changed.append(entry)
        OutboxEntry.objects.bulk_update(changed, ["status", "attempts", "sent_at", "next_attempt_at", "last_error"])
        record_event(None, "exchange.deliver", "outbox", after=report.as_dict())
    return report


def deliver_all(transport: Transport | None = None, *, limit: int = 1000) -> DeliveryReport:
    """Deliver until nothing due is left or the receiver fails."""
    transport = transport or configured_transport()
    total = DeliveryReport()
    while True:
        report = deliver(transport, limit=limit)
        for name in ("attempted", "delivered", "refused", "deferred"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.error = report.error or total.error
        if not report.attempted or report.deferred:
            return total


def retry_refused(actor: Any = None) -> int:
    """Put refused entries back in the queue (after the cause was fixed at either end)."""
    with transaction.atomic():
        count = OutboxEntry.objects.filter(status=OutboxStatus.FAILED).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now()
        )
        record_event(actor, "exchange.retry_refused", "outbox", after={"entries": count})
    return count


def backlog(entries=None) -> dict[str, Any]:
    """The state of the outbox: counts by status, the oldest waiting entry, the last error."""
    entries = entries if entries is not None else OutboxEntry.objects.all()
    counts = dict(entries.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    pending = entries.filter(status=OutboxStatus.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"), next=Min("next_attempt_at"))
    last_error = pending.exclude(last_error="").order_by("-id").values_list("last_error", flat=True).first()
    return {
        "pending": counts.get(OutboxStatus.PENDING, 0),
        "sent": counts.get(OutboxStatus.SENT, 0),
        "failed": counts.get(OutboxStatus.FAILED, 0),
        "oldest_pending_at": oldest["oldest"],
        "next_attempt_at": oldest["next"],
        "last_error": last_error or "",
    }
