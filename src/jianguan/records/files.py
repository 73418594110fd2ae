"""Excel and CSV rows → records of the data standard.

Offices type codes as numbers (1 for 01), dates as text or serials, lists in one cell separated by
、or ;, and choices by their Chinese labels. This module turns such a row into the same JSON object
a department system would send, so that one schema judges both.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import types
import typing
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation

from jianguan.core.errors import Bilingual, FieldError
from jianguan.core.fields import parse_bool, parse_code, parse_date, parse_list, parse_text
from jianguan.core.tabular import FORMULA_WITHOUT_VALUE, Table
from jianguan.platform.importing import header_map, normalise_header
from jianguan.records.choices import CHECK_RESULT_ALIASES, RecordKind
from jianguan.records.schemas import SCHEMAS, RecordBase

# Columns that have no field of their own: an inspection's officers come as two parallel lists.
OFFICER_CERTIFICATES = "执法证号"
CODE_FIELDS = {"item_code", "region", "subject_code", "department"}


class CellError(ValueError):
    def __init__(self, field: str, zh: str, en: str):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


def _base_type(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if args else annotation
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    return annotation


@functools.cache
def _labels(enum_type: type[enum.Enum]) -> dict[str, str]:
    """A code list's labels in Chinese and English → codes (offices type 罚款, not 02)."""
    labels = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels.update({str(member.label): member.value for member in enum_type if hasattr(member, "label")})
    return labels


def _choice(enum_type: type[enum.Enum], value: Any) -> Any:
    text = parse_code(value) if not isinstance(value, str) else value.strip()
    if text is None:
        return None
    codes = [member.value for member in enum_type]
    labels = _labels(enum_type)
    if text in labels:
        return labels[text]
    width = max(len(c) for c in codes)
    if text.isdigit() and len(text) < width and text.zfill(width) in codes:
        return text.zfill(width)
    return text


def parse_datetime(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        text = str(value).strip()
        try:
            moment = dt.datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            day = parse_date(text)  # raises with a clear message
            moment = dt.datetime.combine(day, dt.time(0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.isoformat()


def _amount(value: Any) -> Any:
    if value in (None, ""):
        return None
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = re.sub(r"[,，\s元]", "", str(value))
    try:
        return str(Decimal(text))
    except InvalidOperation:
        return text


def _convert(schema: type[RecordBase], name: str, value: Any) -> Any:
    if name in CODE_FIELDS:
        return parse_code(value)
    info = schema.model_fields[name]
    base = _base_type(info.annotation)
    if base is dt.date:
        day = parse_date(value)
        return day.isoformat() if day else None
    if base is dt.datetime:
        return parse_datetime(value)
    if base is bool:
        return parse_bool(value)
    if base is Decimal:
        return _amount(value)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return _choice(base, value)
    if typing.get_origin(base) is list:
        inner = typing.get_args(base)[0]
        items = parse_list(value)
        if isinstance(inner, type) and issubclass(inner, enum.Enum):
            return [_choice(inner, item) for item in items]
        return items
    return parse_text(value)


def base_type(annotation: Any) -> Any:
    """The type a field holds, without Optional or Annotated (a date, a code list, a list of …)."""
    return _base_type(annotation)


def cell_value(kind: str, name: str, value: Any) -> Any:
    """One cell as the data standard's value (a code for 法人, a date for 2026/3/2), or as given
    when it cannot be read (the schema then says what is wrong)."""
    try:
        return _convert(SCHEMAS[kind], name, value)
    except ValueError:
        return value


def _check_items(text: Any) -> list[dict[str, str]]:
    items = []
    for part in parse_list(text):
        code, sep, result = part.partition(":") if ":" in part else part.partition("：")
        items.append({"code": code.strip(), "result": CHECK_RESULT_ALIASES.get(result.strip(), result.strip())})
    return items


def record_from_cells(kind: str, cells: dict[str, Any]) -> dict[str, Any]:
    """One row's cells (keyed by field name) as a JSON record of `kind`; raises CellError."""
    schema = SCHEMAS[kind]
    record: dict[str, Any] = {"kind": kind}
    for name, value in cells.items():
        if value is FORMULA_WITHOUT_VALUE:
            raise CellError(
                name,
                "单元格是没有计算结果的公式；请在 Excel 中打开并保存，或直接填写数值",
                "The cell holds a formula with no calculated value; save the file in Excel or type the value.",
            )
        if name in ("kind", OFFICER_CERTIFICATES):
            continue
        if name == "officers":
            names = parse_list(value)
            certificates = parse_list(cells.get(OFFICER_CERTIFICATES))
            if len(names) != len(certificates):
                raise CellError(
                    "officers",
                    f"检查人员（{len(names)} 人）与执法证号（{len(certificates)} 个）数量不一致",
                    f"{len(names)} officers but {len(certificates)} certificate numbers.",
                )
            record["officers"] = [{"name": n, "certificate_no": c} for n, c in zip(names, certificates, strict=True)]
            continue
        if name == "check_items":
            record["check_items"] = _check_items(value)
            continue
        if name == "attachments":
            continue
        try:
            converted = _convert(schema, name, value)
        except ValueError as exc:  # pydantic's custom errors from the parsers are ValueErrors
            raise CellError(name, getattr(exc, "context", {}).get("zh", str(exc)), str(exc)) from None
        if converted not in (None, "", []):
            record[name] = converted
    return record


def _jsonable(value: Any) -> Any:
    if value is FORMULA_WITHOUT_VALUE:
        return "=?"
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


KIND_HEADER = "记录类型"
KIND_NAMES = {
    "inspection": "行政检查",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "licence": "行政许可",
    "other": "其他行为",
}
# What a 记录类型 cell may say: the Chinese name or the code.
KIND_LABELS = {**{name: kind for kind, name in KIND_NAMES.items()}, **{kind: kind for kind in RecordKind.values}}


def column_fields(headers: list[str]) -> dict[str, str]:
    """Header → field name, for the headers of an uploaded table (any record kind's titles count)."""
    columns: dict[str, str] = {}
    mappings = [header_map(schema) for schema in SCHEMAS.values()]
    for header in headers:
        if not header:
            continue
        normal = normalise_header(header)
        if normal in ("执法证号", "certificate_no", "certificates"):
            columns[header] = OFFICER_CERTIFICATES
            continue
        for mapping in mappings:
            name = mapping.get(normal)
            if name:
                columns[header] = name
                break
    return columns


def table_records(table: Table, kind: str | None) -> Iterator[tuple[int, Any, dict[str, Any]]]:
    """(row number, record or error, original cells) for each row of an uploaded table.

    The original cells keep a 记录类型 cell, so that a quarantined row (and the rejected-rows file)
    says what kind of record it is and can be corrected and resubmitted on its own.
    """

    columns = column_fields(table.headers)
    kind_header = next((h for h, name in columns.items() if name == "kind"), None)
    for number, raw in table.rows:
        cells: dict[str, Any] = {}
        for header, value in raw.items():
            name = columns.get(header)
            if name is not None:
                cells[name] = value
        row_kind = KIND_LABELS.get(str(cells.get("kind") or "").strip(), cells.get("kind")) or kind
        original = {h: _jsonable(v) for h, v in raw.items()}
        if kind_header is None:
            original[KIND_HEADER] = KIND_NAMES.get(row_kind, row_kind)
        if row_kind not in SCHEMAS:
            error = FieldError(
                "kind",
                Bilingual("记录类型应为行政检查、行政处罚、行政强制、行政许可或其他行为", "Unknown record kind."),
                code="kind_unknown",
                row=number,
            )
            yield number, error, original
            continue
        try:
            yield number, record_from_cells(row_kind, cells), original
        except CellError as exc:
            yield number, FieldError(exc.field, Bilingual(exc.zh, exc.en), code="cell_invalid", row=number), original
