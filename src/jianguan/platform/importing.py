"""The one import path for every register: file → rows → schema → accepted / rejected / duplicate.

Each register supplies an `Importer` (its schema, its key, its look-ups and its bulk write). The
engine guarantees the bar for every kind: received = accepted + rejected + duplicates; a file that
cannot be read, or is too large, writes nothing; rejected rows are kept with their reasons for
download, correction and resubmission; the batch is written in one transaction with one audit event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_batch, record_event
from jianguan.core import text
from jianguan.core.choices import ImportStatus, RowOutcome
from jianguan.core.errors import Bilingual, DomainError, FieldError, lazy_format
from jianguan.core.models import ImportBatch, ImportMapping, ImportRow
from jianguan.core.personal import kept_row, unsealed_row
from jianguan.core.tabular import FORMULA_WITHOUT_VALUE, read_table, write_csv, write_xlsx

PYDANTIC_ZH = {
    "missing": "必填项缺失",
    "string_too_long": "内容过长（最多 {max_length} 个字符）",
    "string_too_short": "内容过短（至少 {min_length} 个字符）",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为“是”或“否”",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "enum": "取值不在允许范围内：{expected}",
    "literal_error": "取值不在允许范围内：{expected}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "extra_forbidden": "不是本数据标准中的字段",
    "union_tag_not_found": "缺少记录类型 kind",
    "union_tag_invalid": "记录类型 kind 不在允许范围内：{expected_tags}",
    "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS+08:00）",
    "datetime_from_date_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS+08:00）",
    "datetime_type": "应为日期时间",
    "date_type": "应为日期",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "bool_type": "应为 true 或 false",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "int_type": "应为整数",
    "greater_than": "应大于 {gt}",
}


def pydantic_errors(
    exc: PydanticValidationError, row: int | None = None, labels: dict[str, str] | None = None
) -> list[FieldError]:
    """Pydantic's errors as FieldErrors in Chinese and English, one per field problem."""
    return field_errors(exc.errors(), row, labels)


def field_errors(
    errors: list[dict[str, Any]],
    row: int | None = None,
    labels: dict[str, str] | None = None,
    skip_loc: int = 0,
) -> list[FieldError]:
    """Pydantic-shaped error dicts as bilingual FieldErrors; skip_loc drops leading parts ("body")."""
    out = []
    for error in errors:
        loc = ".".join(str(part) for part in list(error.get("loc", ()))[skip_loc:]) or "__all__"
        ctx = error.get("ctx") or {}
        zh = ctx.get("zh")
        if zh is None:
            template = PYDANTIC_ZH.get(error.get("type", ""))
            try:
                zh = template.format(**ctx) if template else "格式不正确：" + str(error.get("msg", ""))
            except (KeyError, IndexError):
                zh = template or str(error.get("msg", ""))
        en = str(error.get("msg", "")).removeprefix("Value error, ")
        label = (labels or {}).get(loc.split(".")[0])
        if label:
            zh, en = f"{label}：{zh}", f"{loc}: {en}"
        out.append(FieldError(loc, Bilingual(zh, en), code=error.get("type", "invalid"), row=row))
    return out


def validated(schema: type[BaseModel], data: Any) -> Any:
    """`data` as `schema`, or a DomainError listing every field's problem in Chinese and English."""
    if isinstance(data, schema):
        return data
    found = text.find_forbidden(data)
    if found is not None:
        raise text.refusal(text.forbidden_error(found))
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise DomainError(
            "invalid_request", _("The request has invalid fields."), errors=field_errors(exc.errors())
        ) from None


def column_labels(schema: type[BaseModel]) -> dict[str, str]:
    """Field name → Chinese column header (the field's title)."""
    return {name: (f.title or name) for name, f in schema.model_fields.items()}


@lru_cache(maxsize=64)
def header_map(schema: type[BaseModel]) -> dict[str, str]:
    """Every accepted header text (English name, Chinese title, extra aliases) → field name.

    Cached per schema class (schemas do not change while running): callers must not modify it."""
    mapping = {}
    for name, info in schema.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        for header in [name, info.title or "", *extra.get("aliases", [])]:
            if header:
                mapping[normalise_header(header)] = name
    return mapping


def normalise_header(text: str) -> str:
    return "".join(str(text).split()).lower().strip("*＊").replace("（", "(").replace("）", ")")


@dataclass
class PreparedRow:
    number: int
    raw: dict[str, Any]
    record: BaseModel | None = None
    errors: list[FieldError] = field(default_factory=list)
    duplicate_of: str = ""


class Importer:
    """What one register contributes to the import engine. Subclasses set the class attributes."""

    kind: ClassVar[str]
    schema: ClassVar[type[BaseModel]]
    label: ClassVar[Any]
    required_columns: ClassVar[Sequence[str]] = ()

    def __init__(self, actor: Any = None):
        self.actor = actor

    def keys(self, record: BaseModel) -> list[str]:
        """Identity keys of a record: a later row, or a stored object, with any of them is a duplicate."""
        raise NotImplementedError

    def existing_keys(self, keys: set[str]) -> set[str]:
        raise NotImplementedError

    def check(self, rows: list[PreparedRow]) -> None:
        """Checks that need the database (codes exist, scope allows); append to row.errors."""

    def create(self, records: list[BaseModel]) -> list[Any]:
        raise NotImplementedError

    def export_headers(self) -> list[str]:
        return list(column_labels(self.schema).values())

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        raise NotImplementedError


_REGISTRY: dict[str, type[Importer]] = {}


def register_importer(importer: type[Importer]) -> type[Importer]:
    _REGISTRY[importer.kind] = importer
    return importer


def importer_for(kind: str, actor: Any = None) -> Importer:
    try:
        return _REGISTRY[kind](actor)
    except KeyError:
        raise DomainError("import_kind", lazy_format(_("Unknown import kind “%(k)s”."), {"k": kind})) from None


def import_kinds() -> list[str]:
    return sorted(_REGISTRY)


@dataclass
class Mapping:
    """A person's answer to a file without our headers: their column → our field ("" ignores the
    column), and values for fields their file lacks. A value may name their columns as templates:
    `{编号}` is the row's 编号 cell, `{编号:06}` the same padded with zeros to 6 characters."""

    columns: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)

    def check(self, schema: type[BaseModel]) -> None:
        known = set(schema.model_fields)
        unknown = sorted({f for f in [*self.columns.values(), *self.fixed] if f and f not in known})
        if unknown:
            raise DomainError(
                "mapping_unknown_field",
                lazy_format(
                    _("Not a field of this kind: %(f)s. The fields are: %(all)s."),
                    {"f": "、".join(unknown), "all": "、".join(schema.model_fields)},
                ),
            )


PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::0?(\d+))?\}")


def filled(template: str, raw: dict[str, Any]) -> str:
    """A --set value for one row: each {column} or {column:0N} replaced by that cell."""

    def cell(match: re.Match) -> str:
        value = raw.get(match.group(1).strip())
        text_value = "" if value is None else str(value).strip()
        if text_value.endswith(".0") and text_value[:-2].isdigit():
            text_value = text_value[:-2]  # a spreadsheet's running number read as a float
        width = match.group(2)
        return text_value.zfill(int(width)) if width else text_value

    return PLACEHOLDER.sub(cell, template)


def column_fields(importer: Importer, headers: Sequence[str], mapping: Mapping | None = None) -> dict[str, str | None]:
    """Each header of the file → our field: the person's mapping first, then our headers and aliases."""
    known = header_map(importer.schema)
    chosen = (mapping.columns if mapping else {}) or {}
    return {h: (chosen[h] or None) if h in chosen else known.get(normalise_header(h)) for h in headers if h}


def missing_fields(importer: Importer, headers: Sequence[str], mapping: Mapping | None = None) -> list[str]:
    """The required fields that neither a column nor a set value provides."""
    present = set(column_fields(importer, headers, mapping).values()) | set((mapping.fixed if mapping else {}) or {})
    return [name for name in importer.required_columns if name not in present]


def missing_columns_error(importer: Importer, missing: Sequence[str]) -> DomainError:
    labels = column_labels(importer.schema)
    return DomainError(
        "missing_columns",
        lazy_format(
            _(
                "The file lacks required columns: %(c)s. The first row must hold the column headers; "
                "if your file names them otherwise, map its columns to ours."
            ),
            {"c": "、".join(f"{labels.get(m, m)} ({m})" for m in missing)},
        ),
    )


def _prepare(importer: Importer, table, mapping: Mapping | None = None) -> list[PreparedRow]:
    labels = column_labels(importer.schema)
    if mapping:
        mapping.check(importer.schema)
    columns = column_fields(importer, table.headers, mapping)
    missing = missing_fields(importer, table.headers, mapping)
    if missing:
        raise missing_columns_error(importer, missing)
    fixed = (mapping.fixed if mapping else {}) or {}
    prepared = []
    for number, raw in table.rows:
        values, errors = {}, []
        for header, value in raw.items():
            name = columns.get(header)
            if name is None:
                continue
            if value is FORMULA_WITHOUT_VALUE:
                errors.append(
                    FieldError(
                        name,
                        _(
                            "The cell holds a formula with no calculated value; "
                            "open the file in Excel and save it, or type the value."
                        ),
                        code="formula_without_value",
                        row=number,
                    )
                )
                continue
            values[name] = value
        for name, template in fixed.items():
            if values.get(name) in (None, ""):
                values[name] = filled(template, raw)
        found = text.find_forbidden(values)
        if found is not None:
            errors.append(text.forbidden_error(found, number))
        row = PreparedRow(number, {text.scrubbed(h): _jsonable(v) for h, v in raw.items()})
        if errors:
            row.errors = errors
        else:
            try:
                row.record = importer.schema.model_validate(values)
            except PydanticValidationError as exc:
                row.errors = pydantic_errors(exc, number, labels)
        prepared.append(row)
    return prepared


def _jsonable(value: Any) -> Any:
    if value is FORMULA_WITHOUT_VALUE:
        return "=?"
    if isinstance(value, str):
        return text.scrubbed(value)
    if value is None or isinstance(value, int | float | bool):
        return value
    return text.scrubbed(str(value))


def _mp3(data: bytes) -> bool:
    return data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


# What a file of each type begins with (its magic bytes). A suffix allowed by policy but absent here
# is refused: the platform cannot tell such a file from a disguised one.
SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    ".jpg": lambda data: data.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    ".png": lambda data: data.startswith(b"\x89PNG\r\n\x1a\n"),
    ".pdf": lambda data: data.startswith(b"%PDF-"),
    ".mp3": _mp3,
    ".m4a": lambda data: data[4:8] == b"ftyp",
}


def checked_file(name: str, data: bytes, *, types: Iterable[str], max_bytes: int, kind: str) -> str:
    """An uploaded document (evidence, an attachment): its type by suffix and its size checked;
    returns its SHA-256. Error codes are `<kind>_name`, `<kind>_type`, `<kind>_size` and `<kind>_content`
    (the content does not begin as a file of its type does)."""
    types = list(types)
    found = text.find_forbidden(name or "", "name")
    if found is not None:
        raise DomainError(f"{kind}_name", _("The file name is not valid."), errors=[text.forbidden_error(found)])
    suffix = Path(name or "").suffix.lower()
    if suffix not in types:
        raise DomainError(
            f"{kind}_type", lazy_format(_("Files must be one of: %(types)s."), {"types": "、".join(types)})
        )
    if not data or len(data) > max_bytes:
        raise DomainError(
            f"{kind}_size",
            lazy_format(_("Each file must hold 1 byte to %(mb)d MB."), {"mb": max_bytes // 1024 // 1024}),
        )
    signature = SIGNATURES.get(suffix)
    if signature is None or not signature(data[:16]):
        raise DomainError(
            f"{kind}_content",
            lazy_format(_("The file's content is not a %(type)s file."), {"type": suffix.lstrip(".").upper()}),
        )
    return hashlib.sha256(data).hexdigest()


def check_upload(data: bytes) -> None:
    """Refuse an empty or oversized upload before anything is read."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise DomainError(
            "file_too_large",
            lazy_format(
                _("The file is %(size)s; the limit is %(limit)s."),
                {"size": _megabytes(len(data)), "limit": _megabytes(settings.IMPORT_MAX_BYTES)},
            ),
            status=413,
        )
    if not data:
        raise DomainError("file_empty", _("The file is empty."))


def run_import(
    kind: str,
    data: bytes,
    filename: str,
    *,
    actor: Any = None,
    resubmits: ImportBatch | None = None,
    mapping: Mapping | None = None,
) -> ImportBatch:
    """Import one file and return its batch. Unreadable or oversized files raise and write nothing.
    With `mapping`, their columns are read as our fields and set values fill what the file lacks."""

    importer = importer_for(kind, actor)
    check_upload(data)
    table = read_table(data, filename, max_rows=settings.IMPORT_MAX_ROWS)
    rows = _prepare(importer, table, mapping)

    valid = [r for r in rows if r.record is not None]
    importer.check(valid)
    seen: dict[str, int] = {}
    candidates = []
    for row in valid:
        if row.errors:
            continue
        keys = importer.keys(row.record)
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            row.duplicate_of = f"row {earlier}"
            continue
        for key in keys:
            seen[key] = row.number
        candidates.append((row, keys))
    stored = importer.existing_keys({k for _row, keys in candidates for k in keys})
    accepted = []
    for row, keys in candidates:
        hit = next((k for k in keys if k in stored), None)
        if hit is not None:
            row.duplicate_of = hit
        else:
            accepted.append(row)

    rejected = [r for r in rows if r.errors]
    duplicates = [r for r in rows if not r.errors and r.duplicate_of]
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind,
            filename=text.scrubbed(filename)[:255],
            file_sha256=hashlib.sha256(data).hexdigest(),
            status=ImportStatus.COMPLETED,
            received=len(rows),
            accepted=len(accepted),
            rejected=len(rejected),
            duplicates=len(duplicates),
            headers=[text.scrubbed(h) for h in table.headers if h],
            resubmits=resubmits,
            created_by=staff_user(actor),
            department=getattr(actor, "department", None),
        )
        created = importer.create([r.record for r in accepted])
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    batch=batch,
                    row_number=r.number,
                    outcome=RowOutcome.REJECTED,
                    **quarantined(r.raw),
                    errors=[e.as_dict() for e in r.errors],
                )
                for r in rejected
            ]
            + [
                ImportRow(
                    batch=batch,
                    row_number=r.number,
                    outcome=RowOutcome.DUPLICATE,
                    **quarantined(r.raw),
                    errors=[_duplicate_error(r)],
                )
                for r in duplicates
            ],
            batch_size=1000,
        )
        record_batch(
            actor,
            f"import.{kind}",
            "import_batch",
            [r.record.model_dump(mode="json") for r in accepted],
            object_id=batch.pk,
            summary={
                "file_sha256": batch.file_sha256,
                "received": batch.received,
                "accepted": batch.accepted,
                "rejected": batch.rejected,
                "duplicates": batch.duplicates,
                "created": len(created),
                **({"mapping": {"columns": mapping.columns, "fixed": mapping.fixed}} if mapping else {}),
            },
        )
    return batch


def preview(kind: str, data: bytes, filename: str, rows: int = 5) -> tuple[list[str], list[list[Any]]]:
    """A file's headers and its first rows, for the mapping screen. Nothing is written."""
    check_upload(data)
    table = read_table(data, filename, max_rows=settings.IMPORT_MAX_ROWS)
    headers = [h for h in table.headers if h]
    first = []
    for _number, raw in table.rows:
        if len(first) >= rows:
            break
        first.append([_jsonable(raw.get(h)) for h in headers])
    return headers, first


def field_guide(kind: str) -> list[dict[str, Any]]:
    """Our fields of a kind, each explained: name, Chinese header, description, required."""
    importer = importer_for(kind)
    properties = importer.schema.model_json_schema().get("properties", {})
    return [
        {
            "name": name,
            "title": info.title or name,
            "description": info.description or _value_hint(properties.get(name, {})),
            "required": name in importer.required_columns,
        }
        for name, info in importer.schema.model_fields.items()
    ]


def _value_hint(prop: dict[str, Any]) -> Any:
    """What a field's value looks like, from its JSON schema (for fields without a description)."""
    options = prop.get("anyOf") or [prop]
    kinds = {o.get("format") or o.get("type") for o in options} - {"null", None}
    enum = next((o["enum"] for o in options if "enum" in o), None)
    if enum:
        return lazy_format(_("One of: %(v)s"), {"v": "、".join(str(v) for v in enum)})
    if "date" in kinds:
        return _("A date (YYYY-MM-DD)")
    if "boolean" in kinds:
        return _("Yes or no (是/否)")
    if "integer" in kinds:
        return _("A whole number")
    limit = next((o["maxLength"] for o in options if "maxLength" in o), None)
    if limit:
        return lazy_format(_("Text, up to %(n)s characters"), {"n": limit})
    return _("Text")


def remembered_mapping(kind: str, source: str) -> Mapping | None:
    stored = ImportMapping.objects.filter(kind=kind, source=source.strip()).first()
    return Mapping(dict(stored.columns), dict(stored.fixed)) if stored else None


def remember_mapping(kind: str, source: str, mapping: Mapping, actor: Any = None) -> ImportMapping:
    """Keep a source's mapping for its next file of this kind (audited)."""
    importer = importer_for(kind, actor)
    mapping.check(importer.schema)
    source = text.scrubbed(source.strip())[:200]
    if not source:
        raise DomainError("mapping_source", _("Name the source whose mapping is to be remembered."))
    with transaction.atomic():
        stored, _created = ImportMapping.objects.update_or_create(
            kind=kind,
            source=source,
            defaults={"columns": mapping.columns, "fixed": mapping.fixed, "updated_by": staff_user(actor)},
        )
        record_event(
            actor,
            "import.remember_mapping",
            "import_mapping",
            stored.pk,
            after={"kind": kind, "source": source, "columns": mapping.columns, "fixed": mapping.fixed},
        )
    return stored


def _duplicate_error(row: PreparedRow) -> dict[str, Any]:
    if row.duplicate_of.startswith("row "):
        message = FieldError(
            "__all__",
            lazy_format(
                _("Same code as row %(n)s of this file; only the first was imported."),
                {"n": row.duplicate_of[4:]},
            ),
            code="duplicate_in_file",
            row=row.number,
        )
    else:
        message = FieldError(
            "__all__",
            lazy_format(_("Already registered (%(k)s); not imported again."), {"k": row.duplicate_of}),
            code="duplicate_existing",
            row=row.number,
        )
    return message.as_dict()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "received": batch.received,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "duplicates": batch.duplicates,
    }


def quarantined(data: dict, whole: dict | None = None) -> dict[str, Any]:
    """The fields of an ImportRow that keeps `data`: personal data masked, the row as sent sealed."""
    shown, sealed = kept_row(data, whole)
    return {"data": shown, "personal_sealed": sealed}


def row_data(row: ImportRow, reveal: bool) -> dict:
    """A kept row as a viewer sees it: as sent for the people correcting it, masked for the others."""
    return unsealed_row(row.data, row.personal_sealed) if reveal else row.data


def rejected_rows_file(batch: ImportBatch, fmt: str = "xlsx", *, reveal: bool = False) -> bytes:
    """The rejected and duplicate rows, as submitted, with a reason column: correct them and resubmit.
    Personal data shows masked unless `reveal` (the viewer corrects the batch)."""
    rows = [(row, row_data(row, reveal)) for row in batch.rows.all()]
    headers: list[str] = list(batch.headers)
    for _row, data in rows:
        for header in data:
            if header not in headers:
                headers.append(header)
    reason_header = "错误原因 (errors)"
    table = [
        [data.get(h) for h in headers] + ["; ".join(f"{e['message']} / {e['message_en']}" for e in row.errors)]
        for row, data in rows
    ]
    if fmt == "csv":
        return write_csv([*headers, reason_header], table)
    return write_xlsx([*headers, reason_header], table, title="rejected")


def export_file(kind: str, queryset, fmt: str = "xlsx", actor: Any = None) -> bytes:
    importer = importer_for(kind, actor)
    headers, rows = importer.export_headers(), importer.export_rows(queryset)
    return write_csv(headers, rows) if fmt == "csv" else write_xlsx(headers, rows, title=kind)
