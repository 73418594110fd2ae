"""How a record is shown: one serialisation for the API, the one-file view and exports."""

from __future__ import annotations

from typing import Any

from jianguan.records.choices import PartyNature
from jianguan.records.models import Record


def masked_name(record: Record) -> str:
    """A citizen's name shows its first character only (e.g. 张**); organisations show in full."""
    if record.subject_nature == PartyNature.CITIZEN and record.subject_name:
        return record.subject_name[0] + "*" * (len(record.subject_name) - 1)
    return record.subject_name


def record_out(record: Record) -> dict[str, Any]:
    return {
        "id": record.pk,
        "kind": record.kind,
        "kind_label": str(record.get_kind_display()),
        "source": record.source,
        "source_id": record.source_id,
        "standard": record.standard,
        "item_code": record.item_code,
        "department_id": record.department_id,
        "department_name": record.department.name,
        "subject_id": record.subject_id,
        "subject_nature": record.subject_nature,
        "subject_id_type": record.subject_id_type,
        "subject_code": record.subject_code,
        "subject_name": masked_name(record),
        "region_code": record.region_id,
        "action_date": record.action_date,
        "reported_at": record.reported_at,
        "received_at": record.received_at,
        "document_no": record.document_no,
        "result": record.result,
        "plan_id": record.plan_id,
        "report_lag": record.report_lag,
        "completeness": record.completeness,
        "version": record.version,
        "details": record.details,
    }
