"""Appending to and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jianguan.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


def canonical(value: Any) -> Any:
    """The JSON form stored and hashed: sorted keys, ISO dates, decimals as strings."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True))


def event_hash(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    actor_id: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            seq,
            at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            actor,
            actor_id,
            action,
            object_type,
            object_id,
            before,
            after,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rows_digest(rows: list[Any]) -> str:
    """One hash over the rows of a bulk operation, in order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(canonical(row), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _actor_fields(actor: Any) -> tuple[str, str]:
    if actor is None:
        return "system", ""
    if isinstance(actor, str):
        return actor, ""
    kind = "api" if actor.__class__.__name__ == "ApiClient" else "user"
    label = getattr(actor, "username", None) or getattr(actor, "name", None) or str(actor)
    return f"{kind}:{label}", str(getattr(actor, "pk", "") or "")


def record_event(
    actor: Any, action: str, object_type: str, object_id: Any = "", *, before: Any = None, after: Any = None
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    with transaction.atomic():
        # The UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite) before the head is
        # read, so two writers can never chain onto the same previous hash.
        if not AuditHead.objects.filter(pk=1).update(seq=F("seq") + 1):
            AuditHead.objects.get_or_create(pk=1)
            AuditHead.objects.filter(pk=1).update(seq=F("seq") + 1)
        head = AuditHead.objects.get(pk=1)
        actor_label, actor_id = _actor_fields(actor)
        at = timezone.now()
        before_c, after_c = canonical(before), canonical(after)
        digest = event_hash(
            head.hash,
            head.seq,
            at,
            actor_label,
            actor_id,
            action,
            object_type,
            str(object_id or ""),
            before_c,
            after_c,
        )
        event = AuditEvent.objects.create(
            seq=head.seq,
            at=at,
            actor=actor_label,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            before=before_c,
            after=after_c,
            prev_hash=head.hash,
            hash=digest,
        )
        AuditHead.objects.filter(pk=1).update(hash=digest)
    return event


def record_batch(
    actor: Any,
    action: str,
    object_type: str,
    rows: list[Any],
    *,
    object_id: Any = "",
    summary: dict[str, Any] | None = None,
) -> AuditEvent:
    """One event for a bulk operation, carrying the row count and a hash over the rows."""
    after = {**(summary or {}), "rows": len(rows), "rows_sha256": rows_digest(rows)}
    return record_event(actor, action, object_type, object_id, after=after)


@dataclass
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(chunk: int = 5000) -> VerifyResult:
    """Recompute every hash in order; report the first event whose link or content does not match."""
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"event {expected_seq} is missing")
            if event.prev_hash != prev:
                return VerifyResult(False, count, event.seq, "previous-hash link does not match")
            digest = event_hash(
                prev,
                event.seq,
                event.at,
                event.actor,
                event.actor_id,
                event.action,
                event.object_type,
                event.object_id,
                event.before,
                event.after,
            )
            if digest != event.hash:
                return VerifyResult(False, count, event.seq, "content does not match its hash")
            prev, expected_seq, count, last_seq = event.hash, expected_seq + 1, count + 1, event.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != count or head.hash != prev):
        return VerifyResult(False, count, count + 1, "events after the last one were removed")
    return VerifyResult(True, count)
