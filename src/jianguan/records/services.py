"""Writes to the supervision-action register: prepare (validate, check, derive), then upsert by key.

The exchange gateway calls these for every channel (API, file, command line), a chunk at a time.
`Preparer` is pure computation over the registers it was given (so it can run in a worker
process): it parses, validates, applies the rules and computes every column. `RecordWriter` does
the database part inside the gateway's transaction: it compares with what is stored, links parties
to subjects and writes. The gateway owns batches, the message log, the outbox and the audit event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from django.db import connection
from django.utils.translation import gettext_lazy as _
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from jianguan.core import text
from jianguan.core.bulk import allocate_ids, bulk_insert, fetch_by_keys, timed
from jianguan.core.calendar import WorkingCalendar
from jianguan.core.codes import mask_id_number
from jianguan.core.errors import Bilingual, FieldError
from jianguan.core.pii import encrypt
from jianguan.platform.importing import pydantic_errors
from jianguan.platform.policies import PolicyBase, current_policy, register_policy
from jianguan.records.checks import References
from jianguan.records.choices import CITIZEN, OTHER_ORGANISATION, PERSONAL_ID_TYPES, USCC_TYPE, RecordKind
from jianguan.records.models import Record
from jianguan.records.rules import RULES, rule_error
from jianguan.records.schemas import (
    COLUMN_FIELDS,
    DELETION_ADAPTER,
    OPTIONAL_FIELDS,
    RECORD_ADAPTER,
    STANDARD_VERSION,
    RecordBase,
    platform_today,
)
from jianguan.subjects.choices import SubjectKind
from jianguan.subjects.services import Identity, identity_key, link_identities


class RecordsPolicy(PolicyBase):
    """When a reported action counts as timely (双公示: within 7 working days, domain §2)."""

    timely_within_working_days: int = Field(ge=1, le=60)


register_policy(
    "records", Path(__file__).resolve().parent / "data" / "policy.json", RecordsPolicy, _("Supervision actions")
)


def timely_within() -> int:
    """Working days from an action to its report within which the report counts as timely."""
    return current_policy("records")["timely_within_working_days"]


# The columns a prepared row fills, in order; the writer adds the ids and times.
PREPARED_COLUMNS = (
    "kind",
    "source",
    "source_id",
    "standard",
    "item_id",
    "item_code",
    "department_id",
    "subject_nature",
    "subject_id_type",
    "subject_code",
    "subject_code_sealed",
    "subject_name",
    "region_id",
    "action_date",
    "reported_at",
    "document_no",
    "result",
    "plan_id",
    "details",
    "completeness",
    "report_lag",
    "content_hash",
)
INSERT_COLUMNS = (
    "id",
    "subject_id",
    "received_at",
    "version",
    "is_deleted",
    "batch_id",
    "updated_at",
    *PREPARED_COLUMNS,
)
_KINDS = frozenset(RecordKind.values)
_REPORTED_AT = PREPARED_COLUMNS.index("reported_at")

UPSERT, DELETE = "upsert", "delete"


@dataclass(slots=True)
class Prepared:
    """One submitted row after preparation: its errors, or everything needed to write it."""

    number: int
    keep: Any  # what the quarantine keeps if the row is not written: the cells, the object or the line
    errors: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "unknown"  # for the quality counters
    department: int | None = None  # ditto (None: the source's own)
    month: dt.date | None = None  # ditto (None: this month)
    operation: str = ""  # UPSERT or DELETE when the row passed every rule
    source_id: str = ""
    digest: str = ""
    values: tuple = ()
    identity: Identity | None = None
    completeness: float = 0.0
    lag: int | None = None
    duplicate: bool = False

    def packed(self, keep: bool = True) -> tuple:
        """The fields as a plain tuple: pickles several times faster than the object."""
        return (
            self.number,
            self.keep if keep or not isinstance(self.keep, bytes) else None,
            self.errors,
            self.kind,
            self.department,
            self.month,
            self.operation,
            self.source_id,
            self.digest,
            self.values,
            tuple(self.identity) if self.identity is not None else None,
            self.completeness,
            self.lag,
            self.duplicate,
        )

    @classmethod
    def unpacked(cls, fields: tuple) -> Prepared:
        row = cls(*fields)
        if row.identity is not None:
            row.identity = Identity(*row.identity)
        return row


def _subject_kind(record: RecordBase) -> str:
    if record.subject_nature == CITIZEN:
        return SubjectKind.PERSON
    if record.subject_nature == OTHER_ORGANISATION:
        return SubjectKind.ORGANISATION
    if record.subject_id_type == USCC_TYPE and record.subject_code.startswith("92"):
        return SubjectKind.INDIVIDUAL_BUSINESS
    return SubjectKind.ENTERPRISE


def _error(number: int, field_name: str, code: str, zh: str, en: str) -> dict[str, Any]:
    return FieldError(field_name, Bilingual(zh, en), code=code, row=number).as_dict()


def _located(errors: list[FieldError], kind: Any) -> list[FieldError]:
    """Drop the union tag pydantic puts first ("inspection.officers" → "officers"); rules name their field."""
    for error in errors:
        if isinstance(kind, str) and (error.field == kind or error.field.startswith(kind + ".")):
            error.field = error.field[len(kind) + 1 :] or "__all__"
        rule = RULES.get(error.code)
        if rule is not None:
            error.field = rule.field
    return errors


def _parse(number: int, raw: Any) -> tuple[Any, dict[str, Any] | None]:
    """A JSON line (bytes) parsed; objects pass through. Returns (value, error)."""
    if not isinstance(raw, bytes):
        return raw, None
    try:
        return orjson.loads(raw), None
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return None, _error(
                number,
                "__all__",
                "invalid_utf8",
                f"第 {number} 行不是有效的 UTF-8 文本",
                f"Line {number} is not valid UTF-8 (byte {bad.start}).",
            )
        return None, _error(
            number,
            "__all__",
            "invalid_json",
            f"第 {number} 行不是有效的 JSON：{exc}",
            f"Line {number} is not valid JSON: {exc}",
        )


@lru_cache(maxsize=4)
def _ordinals(today: dt.date, overrides: frozenset, published_years: frozenset[int]) -> dict[dt.date, int]:
    """Working-day ordinals over the usual span of reports (a lag is then one subtraction).

    Cached per day and calendar state: an edit of the calendar gives a new key.
    """
    calendar = WorkingCalendar(overrides=dict(overrides), published_years=published_years)
    ordinal: dict[dt.date, int] = {}
    count, day = 0, today - dt.timedelta(days=3 * 366)
    while day <= today + dt.timedelta(days=31):
        count += calendar.is_workday(day)
        ordinal[day] = count
        day += dt.timedelta(days=1)
    return ordinal


class Preparer:
    """Validates and derives the rows of one source's submission. Holds no database connection."""

    def __init__(self, references: References, source_name: str, source_path: str):
        self.references = references
        self.source_name = source_name
        self.source_path = source_path
        self.calendar = WorkingCalendar.load()
        self.ordinal = _ordinals(
            platform_today(), frozenset(self.calendar.overrides.items()), self.calendar.published_years
        )
        self._lag_fallback = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_lag_fallback"] = None
        return state

    def lag(self, start: dt.date, end: dt.date) -> int:
        """Working days from the action to its report."""
        ordinal = self.ordinal
        if start in ordinal and end in ordinal:
            return ordinal[end] - ordinal[start]
        if self._lag_fallback is None:
            self._lag_fallback = lru_cache(maxsize=65536)(self.calendar.working_days_between)
        return self._lag_fallback(start, end)

    def __call__(self, items: Sequence[tuple]) -> list[Prepared]:
        """Prepare (number, raw[, original cells]) items; raw is an object, a JSON line, or a FieldError."""
        out: list[Prepared] = []
        records: list[tuple[Prepared, RecordBase]] = []
        for item in items:
            number, raw = item[0], item[1]
            original = item[2] if len(item) > 2 else None
            row = Prepared(number, original if original is not None else raw)
            out.append(row)
            if isinstance(raw, FieldError):
                row.errors.append(raw.as_dict())
                continue
            if isinstance(raw, bytes) and b'"deleted"' not in raw and not text.json_hint(raw):
                # The usual case, a valid record on a JSON line: validated straight from the bytes.
                # Anything else takes the path below, which names each problem precisely.
                try:
                    record = RECORD_ADAPTER.validate_json(raw)
                except PydanticValidationError:
                    pass
                else:
                    row.kind = record.kind
                    records.append((row, record))
                    continue
            value, error = _parse(number, raw)
            if error is not None:
                row.errors.append(error)
                continue
            if not isinstance(value, dict):
                row.errors.append(
                    _error(
                        number,
                        "__all__",
                        "not_an_object",
                        "每条记录应为 JSON 对象",
                        "Each record must be a JSON object.",
                    )
                )
                continue
            if original is None and not isinstance(raw, bytes):
                row.keep = value  # a JSON line stays bytes: cheaper to pass between processes
            kind = value.get("kind")
            row.kind = kind if kind in _KINDS else "unknown"
            found = text.find_forbidden(value)
            if found is not None:
                row.errors.append(text.forbidden_error(found, number).as_dict())
                self._attribute(row, value)
                continue
            try:
                if value.get("deleted") is True:
                    deletion = DELETION_ADAPTER.validate_python(value)
                    row.operation, row.source_id = DELETE, deletion.source_id
                    row.kind = deletion.kind if deletion.kind in _KINDS else row.kind
                else:
                    records.append((row, RECORD_ADAPTER.validate_python(value)))
            except PydanticValidationError as exc:
                row.errors.extend(e.as_dict() for e in _located(pydantic_errors(exc, number), kind))
                self._attribute(row, value)
        self.references.load_officers(
            officer.certificate_no for _row, record in records for officer in getattr(record, "officers", ())
        )
        for row, record in records:
            self._derive(row, record)
        return out

    def _attribute(self, row: Prepared, value: dict[str, Any]) -> None:
        """The department a rejected row counts under: the one it names, if the source may send for it."""
        ref = value.get("department")
        department = self.references.department(str(ref)) if ref else None
        if department is not None and department.path.startswith(self.source_path):
            row.department = department.id

    def _derive(self, row: Prepared, record: RecordBase) -> None:
        errors, resolved = self.references.check(record, row.number, self.source_path)
        reported = record.reported_date()
        row.month = reported.replace(day=1)
        row.department = resolved.get("department")
        if row.department is None:
            ref = self.references.department(record.department)
            if ref is not None and ref.path.startswith(self.source_path):
                row.department = ref.id
        if errors:
            row.errors.extend(error.as_dict() for error in errors)
            return
        personal = record.subject_id_type in PERSONAL_ID_TYPES
        masked = mask_id_number(record.subject_code) if personal else record.subject_code
        optional = OPTIONAL_FIELDS[record.kind]
        fields = record.__dict__  # the validated values; attribute access through the model is slower
        filled = sum(1 for name in optional if fields[name] not in (None, "", []))
        row.completeness = round(filled / (len(optional) or 1), 4)
        row.lag = self.lag(record.action_date, reported)
        details = record.model_dump_json(exclude=COLUMN_FIELDS, exclude_none=True)
        row.operation, row.source_id = UPSERT, record.source_id
        row.identity = Identity(
            identity_key(record.subject_id_type, record.subject_code),
            record.subject_name,
            _subject_kind(record),
            resolved["region"],  # a provisional subject lives where the record resolved to
            masked,
            record.registered_address or record.operating_address or "",
        )
        values = (
            record.kind,
            self.source_name,
            record.source_id,
            STANDARD_VERSION,
            resolved["item"],
            record.item_code,
            resolved["department"],
            record.subject_nature.value,
            record.subject_id_type.value,
            masked,
            record.subject_code,  # replaced by its sealed form below, after the digest
            record.subject_name,
            resolved["region"],
            record.action_date,
            record.reported_at.astimezone(dt.UTC) if record.reported_at.tzinfo else record.reported_at,
            record.document_no or "",
            record.result or "",
            getattr(record, "plan_id", None) or "",
            details,
            row.completeness,
            row.lag,
        )
        # The content digest: every column as it will be stored but the source (the kind-specific
        # fields in the serialiser's fixed order), with the party's code in clear: equal records
        # hash equally.
        row.digest = hashlib.sha256(repr(values[:1] + values[2:]).encode()).hexdigest()[:32]
        sealed = encrypt(record.subject_code) if personal else ""
        row.values = (*values[:10], sealed, *values[11:], row.digest)


def reject(row: Prepared, code: str, field_name: str) -> None:
    row.errors.append(rule_error(code, field_name, row.number).as_dict())


@dataclass(slots=True)
class Written:
    """One written change, for the outbox, the quality counters and the audit digest."""

    record_id: int
    operation: str  # i / u / d
    row: Prepared
    content_hash: str


class RecordWriter:
    """Upserts chunks of prepared rows for one source, inside the caller's transaction."""

    KNOWN_SUBJECTS_LIMIT = 500_000
    # Inserts by binary COPY on PostgreSQL (the text format otherwise): the same stored values,
    # less work per row; tests/exchange/test_binary_copy.py compares the two.
    binary_copy = True

    def __init__(self, source: str, batch_id: int | None, actor: Any = None, stages: dict[str, float] | None = None):
        self.source = source
        self.batch_id = batch_id
        self.actor = actor
        self.stages = stages
        # Party → subject id, learned from committed chunks: parties recur across a submission.
        self.known_subjects: dict[str, int] = {}
        self._linked: dict[str, int] = {}

    def rolled_back(self) -> None:
        """The chunk's transaction did not commit: forget the subjects it linked."""
        self._linked = {}

    def committed(self) -> None:
        """The chunk's transaction committed: what it linked can be reused by later chunks."""
        if len(self.known_subjects) > self.KNOWN_SUBJECTS_LIMIT:
            self.known_subjects.clear()
        self.known_subjects.update(self._linked)
        self._linked = {}

    def write(self, rows: Sequence[Prepared], now: dt.datetime) -> list[Written]:
        """Write the rows that passed every rule; marks unchanged ones `duplicate`, unknown deletions rejected."""
        rows = [row for row in rows if row.operation and not row.errors]
        with timed(self.stages, "write: compare with the stored records"):
            in_database = self._stored([row.source_id for row in rows])
        state = dict(in_database)  # (id or None while only pending, digest, withdrawn), as of the row at hand
        # One operation per record and chunk: a record sent again in the same chunk replaces the
        # operation of its earlier row (which still counts as accepted), so the final state is the
        # last row's whatever the order of the statements below.
        ops: dict[str, tuple[str, Prepared, int | None]] = {}
        for row in rows:
            sid = row.source_id
            current = state.get(sid)
            if row.operation == DELETE:
                if current is None:
                    reject(row, "delete_unknown", "source_id")
                elif current[2]:
                    row.duplicate = True
                else:
                    if current[0] is None:
                        ops.pop(sid, None)  # a record new in this chunk, withdrawn in it too: nothing to write
                    else:
                        ops[sid] = ("d", row, current[0])
                    state[sid] = (current[0], current[1], True)
                continue
            if current is not None and current[1] == row.digest and not current[2]:
                row.duplicate = True
                continue
            ops[sid] = ("i", row, None) if current is None or current[0] is None else ("u", row, current[0])
            state[sid] = (current[0] if current else None, row.digest, False)
        inserts = [row for op, row, _id in ops.values() if op == "i"]
        updates = [(row, pk, in_database[row.source_id][2]) for op, row, pk in ops.values() if op == "u"]
        deletes = [(row, pk) for op, row, pk in ops.values() if op == "d"]

        with timed(self.stages, "write: link parties to subjects"):
            subjects = self._link([*inserts, *(u[0] for u in updates)])
        written: list[Written] = []
        ids = allocate_ids(Record, len(inserts))
        batch_id = self.batch_id
        insert_rows = []
        for record_id, row in zip(ids, inserts, strict=True):
            insert_rows.append((record_id, subjects[row.identity.key], now, 1, False, batch_id, now, *row.values))
            written.append(Written(record_id, "i", row, row.digest))
        with timed(self.stages, "write: insert records"):
            # Binary COPY takes aware times only; a naive report time (read as UTC, the session's
            # zone) keeps the chunk on the text format.
            binary = self.binary_copy and all(row.values[_REPORTED_AT].tzinfo is not None for row in inserts)
            bulk_insert(Record, INSERT_COLUMNS, insert_rows, binary=binary)
        if updates:
            with timed(self.stages, "write: update records"):
                self._update(updates, subjects, now, written)
        if deletes:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f'UPDATE "{Record._meta.db_table}" SET is_deleted = %s, version = version + 1, '  # noqa: S608
                    "batch_id = %s, updated_at = %s WHERE id = %s",
                    [(True, batch_id, now, record_id) for _row, record_id in deletes],
                )
            facts = dict(
                (pk, (kind, department))
                for pk, kind, department in Record.objects.filter(pk__in=[d[1] for d in deletes]).values_list(
                    "pk", "kind", "department_id"
                )
            )
            for row, record_id in deletes:
                row.kind, row.department = facts[record_id]
                written.append(Written(record_id, "d", row, ""))
        return written

    def _update(self, updates, subjects, now, written: list[Written]) -> None:
        sets = ", ".join(f'"{name}" = %s' for name in PREPARED_COLUMNS)
        params = []
        for row, record_id, was_deleted in updates:
            params.append((*row.values, subjects[row.identity.key], now, self.batch_id, now, record_id))
            written.append(Written(record_id, "i" if was_deleted else "u", row, row.digest))
        with connection.cursor() as cursor:
            cursor.executemany(
                f'UPDATE "{Record._meta.db_table}" SET {sets}, subject_id = %s, received_at = %s, '  # noqa: S608
                "version = version + 1, is_deleted = FALSE, batch_id = %s, updated_at = %s WHERE id = %s",
                params,
            )

    def _stored(self, keys: list[str]) -> dict[str, tuple[int | None, str, bool]]:
        rows = fetch_by_keys(
            Record,
            "source_id",
            sorted(set(keys)),
            ("id", "content_hash", "is_deleted"),
            {"source": self.source},
            probe=True,
        )
        return {sid: (pk, digest, bool(deleted)) for sid, pk, digest, deleted in rows}

    def _link(self, rows: list[Prepared]) -> dict[str, int]:
        if not rows:
            return {}
        self._linked = link_identities([row.identity for row in rows], self.actor, self.known_subjects)
        return self._linked
