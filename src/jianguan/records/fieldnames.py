"""Names and plain text of the data standard's fields, for people: the Chinese column header (the
schema's title) or the field's English name, and a stored value as a person would type it."""

from __future__ import annotations

import enum
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.records.choices import CHECK_RESULT_ALIASES
from jianguan.records.files import OFFICER_CERTIFICATES, base_type
from jianguan.records.schemas import SCHEMAS

# English names of the data standard's fields (the Chinese name is the schema's title, the column header).
FIELD_LABELS = {
    "kind": _("Record kind"),
    "source_id": _("Source record id"),
    "item_code": _("Supervision item code"),
    "name": _("Action name"),
    "number": _("Action number"),
    "department": _("Implementing department code"),
    "entrusted_department": _("Entrusted department"),
    "subject_nature": _("Nature of the party"),
    "subject_id_type": _("Party's identity document type"),
    "subject_code": _("Party's code"),
    "subject_name": _("Party's name"),
    "subject_type": _("Kind of supervised subject"),
    "registered_address": _("Registered address"),
    "operating_address": _("Operating address"),
    "region": _("Administrative division code"),
    "action_date": _("Date of the action"),
    "reported_at": _("Reported at"),
    "reporter": _("Reported by"),
    "document_no": _("Document number"),
    "result": _("Result"),
    "attachments": _("Attachments"),
    "plan_id": _("Random-check plan id"),
    "implementation_code": _("Inspection checklist code"),
    "form": _("Form of inspection"),
    "category": _("Inspection category"),
    "method": _("Inspection method"),
    "officers": _("Inspecting officers"),
    OFFICER_CERTIFICATES: _("Certificate numbers"),
    "check_items": _("Check point results"),
    "case_source": _("Case source"),
    "inspection_no": _("Inspection number"),
    "facts": _("Facts of the violation"),
    "basis": _("Legal basis"),
    "procedure": _("Penalty procedure"),
    "hearing": _("Hearing held"),
    "criminal": _("Criminal case"),
    "major": _("Major case"),
    "legal_review_on": _("Legal review date"),
    "legal_review_opinion": _("Legal review opinion"),
    "collective_on": _("Collective discussion date"),
    "collective_conclusion": _("Collective discussion conclusion"),
    "opened_on": _("Case opened on"),
    "decision_no": _("Decision number"),
    "kinds": _("Penalty kinds"),
    "fine_amount": _("Fine (yuan)"),
    "confiscated_amount": _("Illegal gains confiscated (yuan)"),
    "property_amount": _("Illegal property confiscated (yuan)"),
    "licence_affected": _("Licence suspended or revoked"),
    "reconsideration": _("Administrative reconsideration"),
    "litigation": _("Administrative litigation"),
    "execution_method": _("Execution method"),
    "execution_result": _("Execution result"),
    "paid_amount": _("Fine paid (yuan)"),
    "not_penalised": _("No penalty imposed"),
    "closed_on": _("Case closed on"),
    "transferred_on": _("Transferred on"),
    "coercion_kind": _("Kind of coercive action"),
    "measure_type": _("Coercive measure"),
    "execution_type": _("Coercive execution"),
    "extension": _("Extension"),
    "ended_on": _("Ended on"),
    "licence_kind": _("Licence category"),
    "licence_no": _("Licence number"),
    "licence_name": _("Licence name"),
    "valid_from": _("Valid from"),
    "valid_to": _("Valid until"),
    "matter_source": _("Source of the matter"),
    "measure": _("Supervision measure"),
    "closing": _("Closing"),
}
RESULT_NAMES = {code: name for name, code in CHECK_RESULT_ALIASES.items()}


def field_label(kind: str, name: str) -> str:
    """The field's name in the reader's language: the data standard's header in Chinese."""
    info = SCHEMAS[kind].model_fields.get(name) if kind in SCHEMAS else None
    title = OFFICER_CERTIFICATES if name == OFFICER_CERTIFICATES else info.title if info else None
    if title is None:
        return str(FIELD_LABELS.get(name, name))
    if (get_language() or "").startswith("en"):
        return str(FIELD_LABELS.get(name, title))
    return title


def any_field_label(name: str) -> str:
    """The name of a field of any record kind (the first kind that has it), else the name itself."""
    for kind, schema in SCHEMAS.items():
        if name in schema.model_fields:
            return field_label(kind, name)
    return name


def plain_text(name: str, value: Any) -> str:
    """A stored value as a person types it: lists joined with commas, yes/no, codes as sent."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if name == "officers":
            return ", ".join(str(o.get("name", "")) if isinstance(o, dict) else str(o) for o in value)
        if name == "check_items":
            return ", ".join(
                f"{i.get('code', '')}:{RESULT_NAMES.get(i.get('result'), i.get('result', ''))}"
                if isinstance(i, dict)
                else str(i)
                for i in value
            )
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def display_value(kind: str, name: str, value: Any) -> str:
    """A stored value for reading: a code with its name (01 日常检查), lists and yes/no as text."""
    info = SCHEMAS[kind].model_fields.get(name) if kind in SCHEMAS else None
    base = base_type(info.annotation) if info is not None else None
    if isinstance(base, type) and issubclass(base, enum.Enum):
        names = {m.value: m.label for m in base}
        return f"{value} {names[value]}" if value in names else plain_text(name, value)
    inner = getattr(base, "__args__", (None,))[0] if base is not None else None
    if isinstance(value, list) and isinstance(inner, type) and issubclass(inner, enum.Enum):
        names = {m.value: m.label for m in inner}
        return "、".join(str(names.get(v, v)) for v in value)
    if name == "officers" and isinstance(value, list):
        return "、".join(
            f"{o.get('name', '')}（{o.get('certificate_no', '')}）" if isinstance(o, dict) else str(o) for o in value
        )
    if name == "attachments" and isinstance(value, list):
        return "、".join(str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in value) or "—"
    return plain_text(name, value)
