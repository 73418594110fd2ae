"""Appending to and verifying the audit chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jianguan.audit.models import AuditEvent, AuditHead
from jianguan.core.bulk import lock_row

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
    keyed: bool,
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
    if keyed:  # without the key, which the database never holds, no one can recompute the chain
        return hmac.new(settings.AUDIT_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(payload.encode()).hexdigest()


def hash_of(event: AuditEvent, seq: int, prev_hash: str, *, keyed: bool) -> str:
    """The event's hash at position `seq` after `prev_hash`."""
    return event_hash(
        keyed,
        prev_hash,
        seq,
        event.at,
        event.actor,
        event.actor_id,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
    )


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
    """Append one event, inside the caller's transaction: written at once, sealed into the chain after commit.

    Writing takes no lock that another writer waits for; the sealer, which does, runs after the
    commit in a transaction of its own that lasts as long as hashing the new events takes.
    """
    actor_label, actor_id = _actor_fields(actor)
    event = AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor_label,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        before=canonical(before),
        after=canonical(after),
    )
    if not connection.in_atomic_block:
        seal_pending()
    elif not any(callback is _seal_committed for _sids, callback, _robust in connection.run_on_commit):
        transaction.on_commit(_seal_committed, robust=True)
    return event


def _seal_committed() -> None:
    seal_pending()


SEAL_CHUNK = 2000


def seal_pending() -> int:
    """Link every committed, unsealed event into the chain (in id order); returns how many.

    Run after each writer's commit, every minute by the consumer, and before the chain is verified
    or anchored. Concurrent sealers queue on the head row; each sees what the one before it sealed.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            head = lock_row(AuditHead)
            events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:SEAL_CHUNK])
            if not events:
                return sealed
            seq, prev = head.seq, head.hash
            sealing = []
            for event in events:
                seq += 1
                digest = hash_of(event, seq, prev, keyed=seq >= head.keyed_from)
                sealing.append((seq, prev, digest, event.pk))
                prev = digest
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'UPDATE "{AuditEvent._meta.db_table}" SET seq = %s, prev_hash = %s, hash = %s '  # noqa: S608
                    "WHERE id = %s AND seq IS NULL",
                    sealing,
                )
            AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)
        sealed += len(events)
        if len(events) < SEAL_CHUNK:
            return sealed


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
    anchors: int = 0
    witnessed: int = 0


def verify_chain(
    chunk: int = 5000, anchors: list[Anchor] | None = None, witnessed: list[tuple[int, str]] | None = None
) -> VerifyResult:
    """Recompute every hash in order; report the first event whose link or content does not match,
    then check the chain against the anchors kept outside the database (if given), and against the
    heads another party acknowledged keeping (`witnessed`, (seq, hash) pairs: the national receiver's).

    Events committed but not yet sealed are sealed first: the check covers everything written.
    """
    seal_pending()
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    head = AuditHead.objects.filter(pk=1).first()
    keyed_from = head.keyed_from if head else 1
    anchored = {anchor.seq: anchor.hash for anchor in anchors or []}
    seen = {seq: digest for seq, digest in witnessed or []}
    # Each copy of the chain's progress kept outside the database, with what a mismatch and a
    # missing event say.
    copies = [
        (anchored, "the event differs from its anchor", "anchored events are missing"),
        (seen, "the event differs from the head the receiver kept", "events the receiver kept are missing"),
    ]
    for anchor in anchors or []:
        if not anchor.authentic():
            return VerifyResult(False, 0, anchor.seq, "an anchor's signature is not the audit key's")
        if anchor.keyed_from != keyed_from:
            return VerifyResult(False, 0, keyed_from, "the start of the keyed chain was moved")
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, f"event {expected_seq} is missing")
            if event.prev_hash != prev:
                return VerifyResult(False, count, event.seq, "previous-hash link does not match")
            if hash_of(event, event.seq, prev, keyed=event.seq >= keyed_from) != event.hash:
                return VerifyResult(False, count, event.seq, "content does not match its hash")
            for kept, differs, _missing in copies:
                if kept.get(event.seq, event.hash) != event.hash:
                    return VerifyResult(False, count, event.seq, differs)
            prev, expected_seq, count, last_seq = event.hash, expected_seq + 1, count + 1, event.seq
    if head is not None and (head.seq != count or head.hash != prev):
        return VerifyResult(False, count, count + 1, "events after the last one were removed")
    for kept, _differs, missing in copies:
        if kept and max(kept) > count:
            return VerifyResult(False, count, count + 1, f"{missing}: the chain was cut back")
    return VerifyResult(True, count, anchors=len(anchored), witnessed=len(seen))


# ---------------------------------------------------------------- anchors outside the database


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment, signed with the audit key, kept where the database user cannot write."""

    seq: int
    hash: str
    keyed_from: int
    at: str
    signature: str = ""

    def _payload(self) -> bytes:
        return json.dumps([self.seq, self.hash, self.keyed_from, self.at], separators=(",", ":")).encode()

    def signed(self) -> Anchor:
        signature = hmac.new(settings.AUDIT_KEY.encode(), b"anchor:" + self._payload(), hashlib.sha256).hexdigest()
        return Anchor(self.seq, self.hash, self.keyed_from, self.at, signature)

    def authentic(self) -> bool:
        return hmac.compare_digest(self.signed().signature, self.signature)


ANCHOR_FILE = "checkpoints.jsonl"


def sealed_head() -> dict[str, Any] | None:
    """The chain's last sealed event as {"seq", "hash"}; None while nothing is sealed."""
    return AuditHead.objects.filter(pk=1, seq__gt=0).values("seq", "hash").first()


def write_anchor(directory: Path | str) -> Anchor | None:
    """Append the current head to DIR/checkpoints.jsonl (fsynced); None while the chain is empty."""
    seal_pending()
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    anchor = Anchor(head.seq, head.hash, head.keyed_from, timezone.now().isoformat()).signed()
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ANCHOR_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(anchor.__dict__, separators=(",", ":")) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return anchor


def read_anchors(directory: Path | str) -> list[Anchor]:
    path = Path(directory) / ANCHOR_FILE
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            anchors.append(Anchor(**json.loads(line)))
        except (TypeError, ValueError):
            raise ValueError(f"{path}: line {number} is not an anchor") from None
    return anchors
