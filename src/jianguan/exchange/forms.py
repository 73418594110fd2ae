"""The staff forms of the gateway: the upload of a file, the choice of a rejected row's kind, and the
correction form of a quarantined row: every field of the record kind's schema, named and
explained, its value as plain text (lists separated by commas, yes/no, choices by name), parsed back
into a record of the data standard by the same conversion an uploaded spreadsheet goes through."""

from __future__ import annotations

import datetime as dt
import enum
import typing
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, lazy_format
from jianguan.exchange.permissions import access_submittable_source, submittable_sources
from jianguan.platform.forms import StaffForm
from jianguan.records.choices import RecordKind
from jianguan.records.fieldnames import field_label, plain_text
from jianguan.records.files import (
    KIND_LABELS,
    KIND_NAMES,
    OFFICER_CERTIFICATES,
    CellError,
    base_type,
    cell_value,
    column_fields,
    record_from_cells,
)
from jianguan.records.schemas import SCHEMAS

FIELD_HELP = {
    "source_id": _("The record's id in the sending system; resubmitting it updates the record."),
    "item_code": _("The 14 digits of the supervision item's catalogue code."),
    "department": _("The implementing department's unified social credit code."),
    "subject_code": _("Unified social credit code, or the person's ID number."),
    "region": _("Six-digit administrative division code (GB/T 2260), e.g. 370102."),
    "officers": _("At least two names, separated by commas."),
    OFFICER_CERTIFICATES: _("The officers' certificate numbers, in the same order, separated by commas."),
    "check_items": _(
        "Check point code and result, separated by commas, e.g. 01:合格, 02:不合格 (合格, 不合格, 未检查 or 合理缺项)."
    ),
}
YES_NO = [("", "—"), ("是", _("Yes")), ("否", _("No"))]
SKIPPED = {"attachments"}  # carried over unchanged: files are not retyped in a form


def error_field_label(field: str) -> str:
    """The name of the field an error points at (`officers.0.name` → 检查人员), '' for the whole record."""
    name = str(field or "").split(".")[0]
    for kind, schema in SCHEMAS.items():
        if name in schema.model_fields:
            return field_label(kind, name)
    return ""


def _type_help(annotation: Any) -> Any:
    base = base_type(annotation)
    if typing.get_origin(base) is list:
        inner = typing.get_args(base)[0]
        if isinstance(inner, type) and issubclass(inner, enum.Enum):
            return lazy_format(
                _("One or more of: %(choices)s; separated by commas."),
                {"choices": "、".join(f"{m.value} {m.label}" for m in inner)},
            )
        return _("Separate several values with commas.")
    if base is dt.date:
        return _("A date, e.g. 2026-03-02.")
    if base is dt.datetime:
        return _("A date and time, e.g. 2026-03-04 10:00.")
    if base is Decimal:
        return _("An amount in yuan, e.g. 1500.00.")
    return ""


def row_kind(data: dict[str, Any], default: str | None) -> str | None:
    """The record kind a quarantined row says it is (its 记录类型 cell or kind), else the batch's."""
    for key in ("kind", "记录类型"):
        found = KIND_LABELS.get(str(data.get(key) or "").strip())
        if found:
            return found
    return default if default in SCHEMAS else None


def row_cells(data: dict[str, Any], from_file: bool) -> dict[str, str]:
    """The row's values by field name, as plain text (a file row's cells are keyed by its headers)."""
    if from_file:
        columns = column_fields(list(data))
        return {columns[h]: plain_text(columns[h], v) for h, v in data.items() if h in columns}
    cells = {name: plain_text(name, value) for name, value in data.items()}
    officers = data.get("officers")
    if isinstance(officers, list) and all(isinstance(o, dict) for o in officers):
        cells[OFFICER_CERTIFICATES] = ", ".join(str(o.get("certificate_no", "")) for o in officers)
    return cells


def _local_moment(text: str) -> str:
    """2026-11-24T15:30:00+08:00 as a person types it: 2026-11-24 15:30 (local time)."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if moment.second else "%Y-%m-%d %H:%M")


class CorrectionForm(forms.Form):
    """Every field of `kind`'s schema (required ones marked), its value as plain text."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        schema = SCHEMAS[kind]
        names = ["kind", *(n for n in schema.model_fields if n != "kind" and n not in SKIPPED)]
        for name in names:
            info = schema.model_fields[name]
            self.fields[name] = self._field(kind, name, info)
            if name == "officers":
                self.fields[OFFICER_CERTIFICATES] = forms.CharField(
                    label=field_label(kind, OFFICER_CERTIFICATES),
                    help_text=FIELD_HELP[OFFICER_CERTIFICATES],
                    required=True,
                )

    @staticmethod
    def _field(kind: str, name: str, info: Any) -> forms.Field:
        label = field_label(kind, name)
        required = info.is_required()
        help_text = FIELD_HELP.get(name) or _type_help(info.annotation)
        base = base_type(info.annotation)
        if name == "kind":
            return forms.ChoiceField(label=label, choices=[(kind, KIND_NAMES[kind])], required=True)
        if isinstance(base, type) and issubclass(base, enum.Enum):
            choices = [("", "—"), *((m.value, f"{m.value} {m.label}") for m in base)]
            return forms.ChoiceField(label=label, choices=choices, required=required, help_text=help_text)
        if base is bool:
            return forms.ChoiceField(label=label, choices=YES_NO, required=False, help_text=help_text)
        long_text = name in {"facts", "basis", "result", "legal_review_opinion", "collective_conclusion"}
        widget = forms.Textarea(attrs={"rows": 2}) if long_text else forms.TextInput
        return forms.CharField(label=label, required=required, help_text=help_text, widget=widget)

    @classmethod
    def initial_for(cls, kind: str, cells: dict[str, str]) -> dict[str, str]:
        """The form's initial values: choices as their codes (a file may say 法人 for 2)."""
        schema = SCHEMAS[kind]
        initial = {"kind": kind}
        for name, text in cells.items():
            if name == "kind":
                continue
            info = schema.model_fields.get(name)
            base = base_type(info.annotation) if info is not None else None
            if isinstance(base, type) and issubclass(base, enum.Enum):
                initial[name] = str(cell_value(kind, name, text) or "")
            elif base is bool and text:
                initial[name] = "是" if cell_value(kind, name, text) else "否"
            elif base is dt.datetime and text:
                initial[name] = _local_moment(text)
            else:
                initial[name] = text
        return initial

    def clean(self) -> dict[str, Any]:
        """Each cell read on its own, so that every unreadable cell is named beside its field."""
        data = super().clean()
        for name, value in list(data.items()):
            if name in ("kind", OFFICER_CERTIFICATES) or value in ("", None):
                continue
            cells = {name: value}
            if name == "officers":
                cells[OFFICER_CERTIFICATES] = data.get(OFFICER_CERTIFICATES, "")
            try:
                record_from_cells(self.kind, cells)
            except CellError as exc:
                self.add_error(name, exc.en if (get_language() or "").startswith("en") else exc.zh)
        return data

    def record(self) -> dict[str, Any]:
        """The corrected record of the data standard; a cell that cannot be read is a field error."""
        cells = {name: value for name, value in self.cleaned_data.items() if name != "kind" and value not in ("", None)}
        try:
            return record_from_cells(self.kind, cells)
        except CellError as exc:
            field = exc.field if exc.field in self.fields else None
            message = exc.en if (get_language() or "").startswith("en") else exc.zh
            self.add_error(field, message)
            raise forms.ValidationError(message) from None


class UploadForm(StaffForm):
    """A file of records from one of the source systems the user submits for."""

    source = forms.ChoiceField(
        label=_("Source system"),
        error_messages={"required": _("Choose a source system."), "invalid_choice": _("Choose a source system.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of records"),
        choices=RecordKind.choices,
        error_messages={
            "required": _("Choose what kind of records the file holds."),
            "invalid_choice": _("Choose what kind of records the file holds."),
        },
    )
    file = forms.FileField(
        label=_("File"),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.jsonl,.json"}),
    )

    def __init__(self, actor: Any, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["source"].choices = [(s.pk, f"{s.title} ({s.name})") for s in submittable_sources(actor)]

    def clean_source(self) -> Any:
        try:
            return access_submittable_source(self.actor, self.cleaned_data["source"])
        except DomainError:
            raise forms.ValidationError(_("Choose a source system."), code="invalid_choice") from None

    def refuse(self, exc: DomainError, fields: dict[str, str] | None = None) -> None:
        """A refusal of the upload itself (size, format, columns) is about the file: shown beside it."""
        super().refuse(exc, {"": "file", **(fields or {})})


class KindForm(StaffForm):
    """Which kind of record a rejected row is, so that its kind's fields are offered for correction."""

    kind = forms.ChoiceField(
        label=_("Record kind"),
        choices=list(KIND_NAMES.items()),
        error_messages={
            "required": _("Choose what kind of record this row is to see its fields."),
            "invalid_choice": _("Choose what kind of record this row is to see its fields."),
        },
        widget=forms.Select(attrs={"id": "kind-choice", "class": "form-select form-select-sm w-auto"}),
    )
