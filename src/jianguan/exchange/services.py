"""The exchange gateway: every submission of supervision records, from any channel, goes through here.

A submission is logged as a message (who, when, payload hash, result) with a signed receipt, and
processed as a batch in chunks. Each chunk is one transaction: validation, reference checks,
linking, the record upserts, the outbox entries, the quarantined rows, the quality counters, the
batch's counts and one audit event. A submission interrupted between chunks is resumed from the
last committed chunk; nothing is lost and nothing is written twice. Counts always add up:
received = accepted + rejected + duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import io
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.services import create_api_client
from jianguan.audit.services import record_event
from jianguan.core import text
from jianguan.core.bulk import bulk_increment, gc_paused, timed
from jianguan.core.choices import ImportStatus, RowOutcome
from jianguan.core.connection import connection_lost, retried
from jianguan.core.errors import Bilingual, DomainError, FieldError, NotFound, lazy_format
from jianguan.core.models import Department, ImportBatch, ImportRow
from jianguan.core.personal import mask_whole_code, mask_whole_name
from jianguan.core.tabular import Table, read_table
from jianguan.exchange import worker
from jianguan.exchange.choices import Channel
from jianguan.exchange.models import Message, NationalBatch, OutboxBatch, QualityDay, RejectionDay, SourceSystem
from jianguan.exchange.streams import json_records
from jianguan.facts.services import publish
from jianguan.platform.importing import check_upload, quarantined
from jianguan.records.checks import References
from jianguan.records.choices import CITIZEN, PERSONAL_ID_TYPES
from jianguan.records.files import KIND_HEADER, column_fields, table_records
from jianguan.records.services import UPSERT, Prepared, Preparer, RecordWriter, Written, timely_within

BATCH_KIND = "records"

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- source systems


def register_source(
    name: str,
    title: str,
    department: Department,
    *,
    actor: Any = None,
    with_client: bool = True,
    **limits: int,
) -> tuple[SourceSystem, str | None]:
    """Register a department system as a record source; returns it and its API token (shown once)."""
    if SourceSystem.objects.filter(name=name).exists():
        raise DomainError("source_exists", _("A source system with this code name is already registered."))
    with transaction.atomic():
        client, token = create_api_client(name, department, actor=actor) if with_client else (None, None)
        source = SourceSystem.objects.create(name=name, title=title, department=department, client=client, **limits)
        record_event(
            actor,
            "exchange.register_source",
            "source_system",
            source.pk,
            after={"name": name, "department": department.pk, "client": client.pk if client else None, **limits},
        )
    return source, token


def source_named(name: str) -> SourceSystem:
    source = SourceSystem.objects.select_related("department").filter(name=name).first()
    if source is None:
        raise NotFound(_("source system"))
    return source


def source_of_client(client: Any) -> SourceSystem:
    source = SourceSystem.objects.select_related("department").filter(client=client, is_active=True).first()
    if source is None:
        raise DomainError(
            "not_a_source",
            _("This API client is not registered as a source system of supervision records."),
            status=403,
        )
    return source


# ---------------------------------------------------------------- receipts


def _receipt_key() -> bytes:
    return hashlib.sha256(b"jianguan-receipt:" + settings.SECRET_KEY.encode()).digest()


def receipt(message: Message) -> dict[str, Any]:
    """What the centre acknowledges about one submission; signed, and kept by both sides.

    It names the audit event that records the same facts; that event joins the keyed chain once
    the message's transaction commits.
    """
    body = {
        "message": message.pk,
        "source": message.source.name,
        "received_at": message.received_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "payload_sha256": message.payload_sha256,
        "payload_bytes": message.payload_bytes,
        "status": message.status,
        "error_code": message.error_code,
        "batch": message.batch_id,
        "received": message.received,
        "accepted": message.accepted,
        "rejected": message.rejected,
        "duplicates": message.duplicates,
    }
    if message.audit_hash:  # a receipt signed before events were sealed after commit
        body["audit_hash"] = message.audit_hash
    else:
        body["audit_event"] = message.audit_event
    return body


def sign_receipt(body: dict[str, Any]) -> str:
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hmac.new(_receipt_key(), canonical, hashlib.sha256).hexdigest()


def verify_receipt(body: dict[str, Any], signature: str) -> bool:
    """True when the receipt is the centre's, unaltered, and matches its own message log."""
    # Bytes: compare_digest refuses str holding anything but ASCII, and a signature comes from outside.
    if not hmac.compare_digest(sign_receipt(body).encode(), (signature or "").encode("utf-8", "replace")):
        return False
    message_id = body.get("message")
    if not isinstance(message_id, int) or not 0 < message_id < 2**63:
        return False
    message = Message.objects.select_related("source").filter(pk=message_id).first()
    return message is not None and receipt(message) == body and message.receipt_signature == signature


def _log(
    source: SourceSystem,
    channel: str,
    actor: Any,
    received_at: dt.datetime,
    payload_sha256: str,
    payload_bytes: int,
    status: int,
    error_code: str = "",
    batch: ImportBatch | None = None,
    counts: dict[str, int] | None = None,
) -> Message:
    tally = counts or {
        "received": batch.received if batch else 0,
        "accepted": batch.accepted if batch else 0,
        "rejected": batch.rejected if batch else 0,
        "duplicates": batch.duplicates if batch else 0,
    }
    with transaction.atomic():
        message = Message.objects.create(
            source=source,
            channel=channel,
            actor=_actor_label(actor),
            received_at=received_at,
            payload_sha256=payload_sha256,
            payload_bytes=payload_bytes,
            status=status,
            error_code=error_code,
            batch=batch,
            **tally,
        )
        event = record_event(
            actor,
            "exchange.message",
            "message",
            message.pk,
            after={k: v for k, v in receipt(message).items() if k != "audit_event"},
        )
        message.audit_event = event.pk
        message.receipt_signature = sign_receipt(receipt(message))
        message.save(update_fields=["audit_event", "receipt_signature"])
    return message


def log_message(
    source: SourceSystem,
    actor: Any,
    body: bytes,
    received_at: dt.datetime,
    status: int,
    counts: dict[str, int] | None = None,
    error_code: str = "",
) -> Message:
    """Log one gateway call that is not a record batch (a national warning message, say) in the
    message log with its counts, audited, and sign its receipt as for records."""
    digest = hashlib.sha256(body).hexdigest()
    return _log(source, Channel.API, actor, received_at, digest, len(body), status, error_code, counts=counts)


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(getattr(actor, "username", None) or getattr(actor, "name", None) or actor)[:150]


# ---------------------------------------------------------------- limits and parsing


def check_rate(source: SourceSystem, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    recent = (
        Message.objects.filter(source=source, received_at__gt=now - dt.timedelta(minutes=1)).exclude(status=429).count()
    )
    if recent >= source.requests_per_minute:
        raise DomainError(
            "rate_limited",
            lazy_format(
                _("This source may send %(n)d calls per minute; wait a minute and send again."),
                {"n": source.requests_per_minute},
            ),
            status=429,
        )


def check_size(source: SourceSystem, size: int) -> None:
    if size > source.max_bytes:
        raise DomainError(
            "payload_too_large",
            lazy_format(
                _("The request is %(size)d bytes; this source may send at most %(limit)d bytes per call."),
                {"size": size, "limit": source.max_bytes},
            ),
            status=413,
        )


def parse_json_body(body: bytes, source: SourceSystem) -> list[Any]:
    """The records of a bulk call: a JSON array, or an object with a "records" array."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            "invalid_utf8",
            lazy_format(_("The request is not valid UTF-8 (byte %(pos)d)."), {"pos": exc.start}),
        ) from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise DomainError(
            "invalid_json",
            lazy_format(_("The request is not valid JSON: %(detail)s"), {"detail": str(exc)[:200]}),
        ) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise DomainError("invalid_shape", _('Send a JSON array of records, or an object {"records": [...]}.'))
    if len(data) > source.max_records_per_call:
        raise DomainError(
            "too_many_records",
            lazy_format(
                _("The call holds %(n)d records; at most %(limit)d are allowed per call."),
                {"n": len(data), "limit": source.max_records_per_call},
            ),
            status=413,
        )
    if not data:
        raise DomainError("no_records", _("The call holds no records."))
    return data


# ---------------------------------------------------------------- receiving


def receive_api(source: SourceSystem, client: Any, body: bytes) -> tuple[Message, ImportBatch | None]:
    """One bulk call from a source system's API client. Refusals are logged too, then raised."""
    now = timezone.now()
    digest = hashlib.sha256(body).hexdigest()
    try:
        check_rate(source, now)
        check_size(source, len(body))
        records = parse_json_body(body, source)
    except DomainError as exc:
        _log(source, Channel.API, client, now, digest, len(body), exc.status, exc.code)
        raise
    batch = ingest(
        enumerate(records, start=1),
        source=source,
        channel=Channel.API,
        actor=client,
        payload_sha256=digest,
        resume=interrupted_batch(source, digest),
    )
    return _log(source, Channel.API, client, now, digest, len(body), 200, batch=batch), batch


def receive_rows(
    source: SourceSystem,
    rows: Iterable[tuple[int, Any]] | Iterable[tuple[int, Any, Any]],
    *,
    channel: str,
    actor: Any,
    payload_sha256: str,
    payload_bytes: int,
    filename: str = "",
    headers: list[str] | None = None,
    resume: ImportBatch | None = None,
    resubmits: ImportBatch | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
    references: References | None = None,
    parallel: bool = False,
    stages: dict[str, float] | None = None,
) -> tuple[Message, ImportBatch]:
    """A file, a stream or a correction: ingested as one batch, then logged."""
    now = timezone.now()
    batch = ingest(
        rows,
        source=source,
        channel=channel,
        actor=actor,
        payload_sha256=payload_sha256,
        filename=filename,
        headers=headers,
        resume=resume,
        resubmits=resubmits,
        progress=progress,
        references=references,
        parallel=parallel,
        stages=stages,
    )
    return _log(source, channel, actor, now, payload_sha256, payload_bytes, 200, batch=batch), batch


# ---------------------------------------------------------------- the pipeline


def ingest(
    rows: Iterable[tuple],
    *,
    source: SourceSystem,
    channel: str,
    actor: Any = None,
    payload_sha256: str = "",
    filename: str = "",
    headers: list[str] | None = None,
    resume: ImportBatch | None = None,
    resubmits: ImportBatch | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
    chunk_size: int | None = None,
    references: References | None = None,
    parallel: bool = False,
    stages: dict[str, float] | None = None,
) -> ImportBatch:
    """Ingest (row number, record[, original cells]) tuples as one batch; returns the finished batch.

    With `parallel`, a worker process prepares the next chunk (parse, validate, check, derive)
    while this process writes the current one; the results and the order of writes are the same.
    `stages`, if given, receives the seconds spent in each stage (preparing, and each part of the
    write), summed over the chunks.
    """
    if not source.is_active:
        raise DomainError("source_inactive", _("This source system is disabled."), status=403)
    chunk_size = chunk_size or settings.EXCHANGE_CHUNK_SIZE
    if resume is not None:
        batch = _resumable(resume, source, payload_sha256)
    else:
        batch = ImportBatch.objects.create(
            kind=BATCH_KIND,
            filename=text.scrubbed(filename or channel)[:255],
            file_sha256=payload_sha256,
            status=ImportStatus.RUNNING,
            headers=text.scrubbed(headers or []),
            source=source.name,
            resubmits=resubmits,
            created_by=actor if _is_user(actor) else None,
            department=source.department,
        )
    references = references or References.load()
    if parallel:
        references.load_all_officers()
    preparer = Preparer(references, source.name, source.department.path)
    stages = {} if stages is None else stages
    pipeline = _Pipeline(source, batch, actor, stages)
    skip = batch.processed

    def chunks() -> Iterator[list[tuple]]:
        iterator: Iterator[tuple] = iter(rows)
        while chunk := list(islice(iterator, chunk_size)):
            chunk = [item for item in chunk if item[0] > skip]
            if chunk:
                yield chunk

    def commit(prepared: list[Prepared]) -> None:
        with gc_paused():
            pipeline.commit(prepared)
        if progress:
            progress(batch)

    if parallel:
        with worker.preparing(preparer) as pool:
            waiting: deque = deque()

            def collect() -> list[Prepared]:
                chunk, future = waiting.popleft()
                prepared = [Prepared.unpacked(fields) for fields in future.result()]
                for row, item in zip(prepared, chunk, strict=True):
                    if row.keep is None:
                        row.keep = item[1]  # the line as sent, which the worker did not send back
                return prepared

            def next_prepared() -> list[Prepared]:
                # Unpacking a chunk allocates a dozen objects per row: no collector passes meanwhile.
                with timed(stages, "prepare (waiting for the worker)"), gc_paused():
                    return collect()

            for chunk in chunks():
                waiting.append((chunk, pool.submit(worker.prepare, chunk)))
                if len(waiting) > 1:  # keep one chunk in preparation while writing the previous one
                    commit(next_prepared())
            while waiting:
                commit(next_prepared())
    else:
        for chunk in chunks():
            with gc_paused(), timed(stages, "prepare"):
                prepared = preparer(chunk)
            commit(prepared)
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMPLETED)
        batch.refresh_from_db()
        _publish_finished(batch, source)
    return batch


def _publish_finished(batch: ImportBatch, source: SourceSystem | None) -> None:
    """`exchange.batch_finished`: a batch completed or was closed as interrupted, with its counts."""
    publish(
        "exchange.batch_finished",
        department=source.department_id if source else None,
        object_type="import_batch",
        object_id=batch.pk,
        payload={
            "source": batch.source,
            "status": batch.status,
            "received": batch.received,
            "accepted": batch.accepted,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
        },
    )


def _is_user(actor: Any) -> bool:
    return getattr(getattr(actor, "_meta", None), "model_name", "") == "user"


def _resumable(batch: ImportBatch, source: SourceSystem, payload_sha256: str) -> ImportBatch:
    if batch.kind != BATCH_KIND or batch.source != source.name:
        raise DomainError("resume_mismatch", _("That batch belongs to another source system."))
    if batch.status not in (ImportStatus.RUNNING, ImportStatus.INTERRUPTED):
        raise DomainError("resume_finished", _("That batch is already complete; nothing to resume."))
    if payload_sha256 and batch.file_sha256 and payload_sha256 != batch.file_sha256:
        raise DomainError("resume_other_file", _("The file differs from the one the batch started with."))
    if batch.status == ImportStatus.INTERRUPTED:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, error="", updated_at=timezone.now())
        batch.refresh_from_db()
    return batch


class BatchInterrupted(DomainError):
    """The database went away mid-batch: the chunks committed so far stay, the batch can be resumed."""

    def __init__(self, batch: ImportBatch):
        with contextlib.suppress(DatabaseError):  # the counts as committed, if the database is back already
            connection.close()
            batch.refresh_from_db()
        self.batch = batch
        super().__init__(
            "database_unavailable",
            lazy_format(
                _(
                    "The database connection was lost. Batch %(batch)s kept its first %(rows)s rows; "
                    "send the same data again to resume it."
                ),
                {"batch": batch.pk, "rows": batch.processed},
            ),
            status=503,
        )


def close_interrupted(now: dt.datetime | None = None) -> int:
    """Close running batches that stopped moving (their process died) as interrupted, with their counts."""
    now = now or timezone.now()
    stale = ImportBatch.objects.filter(
        kind=BATCH_KIND,
        status=ImportStatus.RUNNING,
        updated_at__lt=now - dt.timedelta(minutes=settings.EXCHANGE_STALE_MINUTES),
    )
    closed = 0
    for batch in stale:
        with transaction.atomic():
            if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.INTERRUPTED,
                error=str(INTERRUPTED_NOTE),
            ):
                continue
            record_event(
                None,
                "exchange.interrupted",
                "import_batch",
                batch.pk,
                after={"source": batch.source, "processed": batch.processed, "received": batch.received},
            )
            batch.refresh_from_db()
            _publish_finished(batch, SourceSystem.objects.filter(name=batch.source).first())
            closed += 1
    return closed


INTERRUPTED_NOTE = _("Interrupted: the sending process stopped. Send the same data again to resume.")


def interrupted_batch(source: SourceSystem, payload_sha256: str) -> ImportBatch | None:
    """The interrupted batch that this very payload started, if any: sending it again resumes it."""
    close_interrupted()
    return (
        ImportBatch.objects.filter(
            kind=BATCH_KIND, source=source.name, file_sha256=payload_sha256, status=ImportStatus.INTERRUPTED
        )
        .order_by("-pk")
        .first()
    )


class _Pipeline:
    """Writes prepared chunks of one batch, each in one transaction."""

    def __init__(self, source: SourceSystem, batch: ImportBatch, actor: Any, stages: dict[str, float]):
        self.source = source
        self.batch = batch
        self.actor = actor
        self.stages = stages
        self.writer = RecordWriter(source.name, batch.pk, actor, stages)

    def commit(self, rows: list[Prepared]) -> None:
        """Write one chunk; a dropped connection is retried, and a chunk that did commit is not written twice."""
        last = rows[-1].number

        def done() -> bool:
            return ImportBatch.objects.filter(pk=self.batch.pk, processed__gte=last).exists()

        try:
            retried(lambda: self._commit(rows), done=done, what=f"batch {self.batch.pk}")
        except DatabaseError as exc:
            self.writer.rolled_back()
            if connection_lost(exc):
                raise BatchInterrupted(self.batch) from exc
            raise
        self.writer.committed()
        self.batch.refresh_from_db()

    def _commit(self, rows: list[Prepared]) -> None:
        self.writer.rolled_back()  # what an earlier, failed attempt linked is not in the database
        now = timezone.now()
        stages = self.stages
        with timed(stages, "write (in all)"), transaction.atomic():
            # Lock the batch row first: it serialises resumptions and, on SQLite, takes the write lock.
            ImportBatch.objects.select_for_update().filter(pk=self.batch.pk).update(
                processed=rows[-1].number, updated_at=now
            )
            written = self.writer.write(rows, now)
            rejected = [row for row in rows if row.errors]
            duplicates = [row for row in rows if row.duplicate and not row.errors]
            accepted = len(rows) - len(rejected) - len(duplicates)
            with timed(stages, "write: quarantine"):
                self._quarantine(rejected, duplicates)
            with timed(stages, "write: outbox"):
                self._outbox(written, now)
            with timed(stages, "write: quality counters"):
                self._quality(rows, now)
            ImportBatch.objects.filter(pk=self.batch.pk).update(
                received=F("received") + len(rows),
                accepted=F("accepted") + accepted,
                rejected=F("rejected") + len(rejected),
                duplicates=F("duplicates") + len(duplicates),
            )
            digest = hashlib.sha256()
            for entry in written:
                digest.update(f"{entry.record_id}:{entry.operation}:{entry.content_hash}\n".encode())
            event = record_event(
                self.actor,
                "exchange.ingest",
                "import_batch",
                self.batch.pk,
                after={
                    "source": self.source.name,
                    "rows": [rows[0].number, rows[-1].number],
                    "received": len(rows),
                    "accepted": accepted,
                    "rejected": len(rejected),
                    "duplicates": len(duplicates),
                    "written_sha256": digest.hexdigest(),
                },
            )
            if written:
                with timed(stages, "write: facts"):
                    publish_written(written, self.source, self.batch.pk, event)

    def _quarantine(self, rejected: list[Prepared], duplicates: list[Prepared]) -> None:
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    batch=self.batch,
                    row_number=row.number,
                    outcome=RowOutcome.REJECTED,
                    **_quarantined(row.keep),
                    errors=row.errors,
                )
                for row in rejected
            ]
            + [
                ImportRow(
                    batch=self.batch,
                    row_number=row.number,
                    outcome=RowOutcome.DUPLICATE,
                    **_quarantined(row.keep),
                    errors=[_unchanged(row.number)],
                )
                for row in duplicates
            ],
            batch_size=500,
        )

    def _outbox(self, written: list[Written], now: dt.datetime) -> None:
        if not written:
            return
        OutboxBatch.objects.create(
            cd_batch=next_national_batch(now),
            source=self.source,
            entries=[[entry.record_id, entry.operation] for entry in written],
            size=len(written),
            next_attempt_at=now,
            created_at=now,
        )
        if settings.NATIONAL_URL:  # send as soon as the chunk is committed, not at the next minute
            transaction.on_commit(_deliver_soon)

    def _quality(self, rows: list[Prepared], now: dt.datetime) -> None:
        """Counters per report month, department and kind (rows without a usable report time: this month).

        A month is the unit of the trend; counting per month keeps the counters to a few rows per
        chunk, however many days a chunk's records span.
        """
        this_month = timezone.localtime(now).date().replace(day=1)
        fallback = self.source.department_id
        counters: dict[tuple, list] = {}
        rejections: Counter = Counter()
        timely = timely_within()
        for row in rows:
            key = (row.month or this_month, row.department or fallback, row.kind)
            counts = counters.get(key)
            if counts is None:
                counts = counters[key] = [0, 0, 0, 0, 0.0, 0, 0]
            counts[0] += 1
            if row.errors:
                counts[2] += 1
                for code in {error["code"] for error in row.errors}:
                    rejections[(key[0], key[1], code)] += 1
            elif row.duplicate:
                counts[3] += 1
            else:
                counts[1] += 1
                if row.lag is not None and row.operation == UPSERT:
                    counts[4] += row.completeness
                    counts[5] += row.lag
                    counts[6] += row.lag <= timely
        name = self.source.name
        bulk_increment(
            QualityDay,
            ("day", "source", "department_id", "kind"),
            ("received", "accepted", "rejected", "duplicates", "completeness_sum", "lag_sum", "within_7"),
            [(day, name, department, kind, *counts) for (day, department, kind), counts in counters.items()],
        )
        bulk_increment(
            RejectionDay,
            ("day", "source", "department_id", "code"),
            ("count",),
            [(day, name, department, code, count) for (day, department, code), count in rejections.items()],
        )


def _kept(value: Any) -> Any:
    """What the quarantine stores for a row: an object as is; a line parsed, or as text when it is not JSON."""
    if isinstance(value, bytes):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {"line": text.scrubbed(value.decode("utf-8", errors="replace")[:10000])}
    if isinstance(value, FieldError) or value is None:
        return {"value": None}
    value = text.scrubbed(value)
    return value if isinstance(value, dict) else {"value": value}


def publish_written(written: list[Written], source: SourceSystem, batch_id: int, event: Any) -> None:
    """One `records.written` fact per committed chunk: the ids written, by kind, and those withdrawn."""
    by_kind: dict[str, list[int]] = {}
    deleted = []
    for entry in written:
        if entry.operation == "d":
            deleted.append(entry.record_id)
        else:
            by_kind.setdefault(entry.row.kind, []).append(entry.record_id)
    publish(
        "records.written",
        department=source.department_id,
        object_type="import_batch",
        object_id=batch_id,
        payload={"source": source.name, "ids": by_kind, "deleted": deleted},
        audit_event=event,
    )


def _deliver_soon() -> None:
    try:
        from jianguan.exchange.tasks import deliver_soon  # the task module imports this one

        deliver_soon()
    except Exception as exc:  # noqa: BLE001 - a queue that is down only delays: the periodic run sends
        log.warning("could not queue the national delivery (%s); the periodic run will send it", exc)


def _quarantined(value: Any) -> dict[str, Any]:
    """A row kept for correction: personal data masked, the row as sent sealed. A citizen's code and
    name are masked whole, valid or not; other texts wherever they hold an ID, phone, card or address."""

    data = _kept(value)
    key_of = {key: key for key in data} | column_fields([key for key in data if isinstance(key, str)])
    by_field = {field: key for key, field in key_of.items()}

    def cell(name: str) -> str:
        return str(data.get(by_field.get(name, name)) or "").strip()

    whole = {}
    if cell("subject_id_type") in PERSONAL_ID_TYPES or cell("subject_nature") == CITIZEN:
        whole = {by_field.get("subject_code", "subject_code"): mask_whole_code}
        whole[by_field.get("subject_name", "subject_name")] = mask_whole_name
    return quarantined(data, whole)


def _unchanged(number: int) -> dict[str, Any]:
    return FieldError(
        "__all__",
        Bilingual("与已收到的记录完全相同，未重复写入", "Identical to the record already received; not written again."),
        code="duplicate_unchanged",
        row=number,
    ).as_dict()


def next_national_batch(now: dt.datetime) -> str:
    """The next cd_batch number: the day plus a 5-digit sequence, e.g. 2019041100002."""
    day = timezone.localtime(now).date()
    with transaction.atomic():
        NationalBatch.objects.get_or_create(day=day)
        NationalBatch.objects.filter(day=day).update(last=F("last") + 1)
        last = NationalBatch.objects.get(day=day).last
    return f"{day:%Y%m%d}{last:05d}"


# ---------------------------------------------------------------- files and corrections


def receive_file(
    source: SourceSystem, actor: Any, data: bytes, filename: str, kind: str
) -> tuple[Message, ImportBatch]:
    """An Excel/CSV upload from the UI: the same pipeline, with the original cells kept for quarantine."""

    check_upload(data)
    if filename.lower().endswith((".json", ".jsonl")):
        rows, headers = json_records(io.BytesIO(data)), None
    else:
        table = read_table(data, filename, max_rows=settings.IMPORT_MAX_ROWS)
        rows, headers = table_records(table, kind), with_kind_header(table.headers)
    return receive_rows(
        source,
        rows,
        channel=Channel.FILE,
        actor=actor,
        payload_sha256=hashlib.sha256(data).hexdigest(),
        payload_bytes=len(data),
        filename=filename,
        headers=headers,
    )


def with_kind_header(headers: list[str]) -> list[str]:
    return headers if "kind" in column_fields(headers).values() else [*headers, KIND_HEADER]


def correct_row(
    batch: ImportBatch, row_number: int, record: dict[str, Any], actor: Any = None, *, standard: bool = False
) -> ImportBatch:
    """Resubmit one quarantined row, corrected; on success the row is marked as corrected.

    A row of an uploaded table is resubmitted as cells under the file's headers, unless `standard`:
    then `record` is already a record of the data standard (the correction form's, which may add a
    field the file had no column for)."""
    row = batch.rows.filter(row_number=row_number, outcome=RowOutcome.REJECTED).first()
    if batch.kind != BATCH_KIND or row is None:
        raise NotFound(_("rejected row"))
    if row.resolved_by_id:
        raise DomainError("already_corrected", _("This row was already corrected and accepted."), status=409)
    source = source_named(batch.source)
    body = orjson.dumps(record)
    if batch.headers and not standard:
        # A row of an uploaded table: the corrected cells go through the same column mapping.
        rows = list(table_records(Table(list(batch.headers), [(row_number, record)]), None))
    else:
        rows = [(row_number, record)]
    _message, new_batch = receive_rows(
        source,
        rows,
        channel=Channel.CORRECTION,
        actor=actor,
        payload_sha256=hashlib.sha256(body).hexdigest(),
        payload_bytes=len(body),
        filename=f"correction of batch {batch.pk} row {row_number}",
        headers=[] if standard else list(batch.headers),
        resubmits=batch,
    )
    if new_batch.rejected == 0:
        with transaction.atomic():
            ImportRow.objects.filter(pk=row.pk).update(resolved_by=new_batch)
            record_event(
                actor,
                "exchange.correct_row",
                "import_batch",
                batch.pk,
                after={"row": row_number, "corrected_in": new_batch.pk},
            )
    return new_batch
