"""Writes to the supervision-action register: validate, link, and upsert by (source, source_id).

The exchange gateway calls these for every channel (API, file, command line), a chunk at a time,
inside its transaction; it owns batches, the message log, the outbox and the audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection
from pydantic import ValidationError as PydanticValidationError

from jianguan.core.bulk import allocate_ids, bulk_insert, fetch_by_keys
from jianguan.core.calendar import WorkingCalendar
from jianguan.core.codes import mask_id_number
from jianguan.core.errors import FieldError
from jianguan.core.importing import pydantic_errors
from jianguan.core.pii import encrypt
from jianguan.records.checks import References
from jianguan.records.choices import CITIZEN, OTHER_ORGANISATION, PERSONAL_ID_TYPES, USCC_TYPE
from jianguan.records.models import Record
from jianguan.records.rules import RULES, rule_error
from jianguan.records.schemas import (
    COLUMN_FIELDS,
    DELETION_ADAPTER,
    OPTIONAL_FIELDS,
    RECORD_ADAPTER,
    STANDARD_VERSION,
    DeletionV1,
    InspectionV1,
    RecordBase,
)
from jianguan.subjects.choices import SubjectKind
from jianguan.subjects.services import Identity, identity_key, link_identities

TIMELY_WORKING_DAYS = 7  # reported within 7 working days counts as timely (双公示 deadline, domain §2)


@dataclass
class Row:
    """One submitted row on its way through the pipeline."""

    number: int
    raw: Any
    original: Any = None  # the cells as uploaded, kept for the quarantine when they differ from `raw`
    record: RecordBase | None = None
    deletion: DeletionV1 | None = None
    errors: list[FieldError] = field(default_factory=list)
    resolved: dict[str, Any] = field(default_factory=dict)
    duplicate: bool = False


def validate_rows(rows: Sequence[Row]) -> None:
    """Schema validation: sets row.record (or row.deletion), or row.errors with row-level messages."""
    for row in rows:
        raw = row.raw
        if isinstance(raw, FieldError):
            row.errors.append(raw)
            continue
        if not isinstance(raw, dict):
            row.errors.append(_not_an_object(row.number))
            continue
        try:
            if raw.get("deleted") is True:
                row.deletion = DELETION_ADAPTER.validate_python(raw)
            else:
                row.record = RECORD_ADAPTER.validate_python(raw)
        except PydanticValidationError as exc:
            row.errors.extend(_located(pydantic_errors(exc, row.number), raw.get("kind")))


def _located(errors: list[FieldError], kind: Any) -> list[FieldError]:
    """Drop the union tag pydantic puts first ("inspection.officers" → "officers"); rules name their field."""
    for error in errors:
        if isinstance(kind, str) and (error.field == kind or error.field.startswith(kind + ".")):
            error.field = error.field[len(kind) + 1 :] or "__all__"
        rule = RULES.get(error.code)
        if rule is not None:
            error.field = rule.field
    return errors


def _not_an_object(number: int) -> FieldError:
    from jianguan.core.errors import Bilingual

    return FieldError(
        "__all__", Bilingual("每条记录应为 JSON 对象", "Each record must be a JSON object."), "not_an_object", number
    )


def check_references(rows: Sequence[Row], references: References, source_path: str) -> None:
    """Register rules for every schema-valid row."""
    certificates = [
        officer.certificate_no
        for row in rows
        if isinstance(row.record, InspectionV1)
        for officer in row.record.officers
    ]
    references.load_officers(certificates)
    for row in rows:
        if row.record is not None and not row.errors:
            errors, resolved = references.check(row.record, row.number, source_path)
            row.errors.extend(errors)
            row.resolved = resolved


def _subject_kind(record: RecordBase) -> str:
    if record.subject_nature == CITIZEN:
        return SubjectKind.PERSON
    if record.subject_nature == OTHER_ORGANISATION:
        return SubjectKind.ORGANISATION
    if record.subject_id_type == USCC_TYPE and record.subject_code.startswith("92"):
        return SubjectKind.INDIVIDUAL_BUSINESS
    return SubjectKind.ENTERPRISE


def _sealed_code(record: RecordBase) -> str:
    """A citizen's ID number, encrypted: kept only to pass the record on to the national system."""
    if record.subject_id_type in PERSONAL_ID_TYPES:
        return encrypt(record.subject_code)
    return ""


def _masked_code(record: RecordBase) -> str:
    if record.subject_id_type in PERSONAL_ID_TYPES:
        return mask_id_number(record.subject_code)
    return record.subject_code


@dataclass
class Written:
    """What a chunk wrote: one entry per accepted row, for the outbox, the quality counters and audit."""

    record_id: int
    operation: str  # i / u / d
    row: Row
    department_id: int
    kind: str
    completeness: float
    lag: int | None
    content_hash: str


class RecordWriter:
    """Upserts chunks of checked rows for one source; keeps its calendar across chunks."""

    def __init__(self, source: str, batch_id: int | None, actor: Any = None):
        self.source = source
        self.batch_id = batch_id
        self.actor = actor
        self.calendar = WorkingCalendar.load()
        self._lag = lru_cache(maxsize=65536)(self.calendar.working_days_between)
        # Working-day ordinals over the usual span of reports: a lag is then one subtraction.
        today = dt.date.today()
        self._ordinal: dict[dt.date, int] = {}
        count, day = 0, today - dt.timedelta(days=3 * 366)
        while day <= today + dt.timedelta(days=31):
            count += self.calendar.is_workday(day)
            self._ordinal[day] = count
            day += dt.timedelta(days=1)

    def lag(self, record: RecordBase) -> int:
        """Working days from the action to its report."""
        start, end = record.action_date, record.reported_date()
        if start in self._ordinal and end in self._ordinal:
            return self._ordinal[end] - self._ordinal[start]
        return self._lag(start, end)

    def write(self, rows: Sequence[Row], now: dt.datetime) -> tuple[list[Written], list[Row]]:
        """Write the rows that passed every check. Returns what was written and the rejected deletions."""
        keys = [row.record.source_id if row.record else row.deletion.source_id for row in rows]
        stored = self._stored(keys)
        inserts: list[tuple[Row, dict]] = []
        updates: list[tuple[Row, dict, int]] = []
        deletes: list[tuple[Row, int]] = []
        rejected: list[Row] = []
        pending: dict[str, int] = {}
        for row in rows:
            if row.deletion is not None:
                current = stored.get(row.deletion.source_id)
                if current is None:
                    row.errors.append(rule_error("delete_unknown", "source_id", row.number))
                    rejected.append(row)
                elif current[2]:
                    row.duplicate = True
                else:
                    deletes.append((row, current[0]))
                    stored[row.deletion.source_id] = (current[0], current[1], True)
                continue
            # The serialiser's field order is fixed by the schema, so equal records give equal bytes.
            digest = hashlib.sha256(row.record.model_dump_json(exclude_none=True).encode()).hexdigest()[:32]
            current = stored.get(row.record.source_id)
            prepared = {"hash": digest}
            if current is None:
                pending[row.record.source_id] = len(inserts)
                inserts.append((row, prepared))
                stored[row.record.source_id] = (None, digest, False)
            elif current[1] == digest and not current[2]:
                row.duplicate = True
            elif current[0] is None:
                # New in this chunk and sent again with other content: the later version is written.
                inserts[pending[row.record.source_id]] = (row, prepared)
                stored[row.record.source_id] = (None, digest, False)
            else:
                updates.append((row, prepared, current[0], current[2]))
                stored[row.record.source_id] = (current[0], digest, False)

        upserts = [(row, prepared) for row, prepared in inserts] + [(u[0], u[1]) for u in updates]
        subjects = self._link([row for row, _p in upserts])
        written: list[Written] = []
        ids = allocate_ids(Record, len(inserts))
        columns = (
            "id",
            "kind",
            "source",
            "source_id",
            "standard",
            "item_id",
            "item_code",
            "department_id",
            "subject_id",
            "subject_nature",
            "subject_id_type",
            "subject_code",
            "subject_code_sealed",
            "subject_name",
            "region_id",
            "action_date",
            "reported_at",
            "received_at",
            "document_no",
            "result",
            "plan_id",
            "details",
            "completeness",
            "report_lag",
            "content_hash",
            "version",
            "is_deleted",
            "batch_id",
            "updated_at",
        )
        insert_rows = []
        for record_id, (row, prepared) in zip(ids, inserts, strict=True):
            values, entry = self._values(row, prepared, subjects, now, record_id, "i")
            insert_rows.append((record_id, *values, 1, False, self.batch_id, now))
            written.append(entry)
        bulk_insert(Record, columns, insert_rows)
        if updates:
            self._update(updates, subjects, now, written)
        if deletes:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'UPDATE "{Record._meta.db_table}" SET is_deleted = %s, version = version + 1, '  # noqa: S608
                    "batch_id = %s, updated_at = %s WHERE id = %s",
                    [(True, self.batch_id, now, record_id) for _row, record_id in deletes],
                )
            kinds = dict(Record.objects.filter(pk__in=[d[1] for d in deletes]).values_list("pk", "kind"))
            departments = dict(Record.objects.filter(pk__in=[d[1] for d in deletes]).values_list("pk", "department_id"))
            for row, record_id in deletes:
                written.append(Written(record_id, "d", row, departments[record_id], kinds[record_id], 0, None, ""))
        return written, rejected

    def _values(self, row: Row, prepared: dict, subjects: dict[str, int], now, record_id: int, operation: str):
        record = row.record
        details = record.model_dump_json(exclude=COLUMN_FIELDS, exclude_none=True)
        optional = OPTIONAL_FIELDS[record.kind]
        completeness = sum(1 for name in optional if getattr(record, name) not in (None, "", [])) / (len(optional) or 1)
        lag = self.lag(record)
        values = (
            record.kind,
            self.source,
            record.source_id,
            STANDARD_VERSION,
            row.resolved["item"],
            record.item_code,
            row.resolved["department"],
            subjects[row.resolved["identity"]],
            record.subject_nature,
            record.subject_id_type,
            _masked_code(record),
            _sealed_code(record),
            record.subject_name,
            row.resolved["region"],
            record.action_date,
            record.reported_at,
            now,
            record.document_no or "",
            record.result or "",
            getattr(record, "plan_id", None) or "",
            details,
            round(completeness, 4),
            lag,
            prepared["hash"],
        )
        entry = Written(
            record_id, operation, row, row.resolved["department"], record.kind, completeness, lag, prepared["hash"]
        )
        return values, entry

    def _update(self, updates, subjects, now, written: list[Written]) -> None:
        assignments = (
            "kind",
            "source",
            "source_id",
            "standard",
            "item_id",
            "item_code",
            "department_id",
            "subject_id",
            "subject_nature",
            "subject_id_type",
            "subject_code",
            "subject_code_sealed",
            "subject_name",
            "region_id",
            "action_date",
            "reported_at",
            "received_at",
            "document_no",
            "result",
            "plan_id",
            "details",
            "completeness",
            "report_lag",
            "content_hash",
        )
        sets = ", ".join(f'"{name}" = %s' for name in assignments)
        params = []
        for row, prepared, record_id, was_deleted in updates:
            values, entry = self._values(row, prepared, subjects, now, record_id, "i" if was_deleted else "u")
            params.append((*values, self.batch_id, now, record_id))
            written.append(entry)
        with connection.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{Record._meta.db_table}" SET {sets}, version = version + 1, is_deleted = FALSE, '  # noqa: S608
                "batch_id = %s, updated_at = %s WHERE id = %s",
                params,
            )

    def _stored(self, keys: list[str]) -> dict[str, tuple[int | None, str, bool]]:
        rows = fetch_by_keys(
            Record, "source_id", sorted(set(keys)), ("id", "content_hash", "is_deleted"), {"source": self.source}
        )
        return {sid: (pk, digest, bool(deleted)) for sid, pk, digest, deleted in rows}

    def _link(self, rows: list[Row]) -> dict[str, int]:
        identities = []
        for row in rows:
            record = row.record
            key = identity_key(record.subject_id_type, record.subject_code)
            row.resolved["identity"] = key
            # A provisional subject lives in the region the record resolved to (historical codes map on).
            identities.append(
                Identity(
                    key,
                    record.subject_name,
                    _subject_kind(record),
                    row.resolved["region"],
                    _masked_code(record),
                    record.registered_address or record.operating_address or "",
                )
            )
        return link_identities(identities, self.actor) if identities else {}
