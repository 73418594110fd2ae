"""Officer register API: search, detail, register, conflicts, export."""

from __future__ import annotations

from typing import Any

from ninja import Router

from jianguan.accounts.permissions import can_write_department
from jianguan.core.errors import Forbidden
from jianguan.officers.permissions import access_officer, search_officers
from jianguan.officers.schemas import ConflictIn, OfficerIn, OfficerOut
from jianguan.officers.services import declare_conflict, register_officer
from jianguan.platform.apitools import export_format, file_response, page, require_master_data_writer
from jianguan.platform.importing import export_file
from jianguan.subjects.permissions import access_subject

router = Router(tags=["officers"])


def officer_out(o) -> dict[str, Any]:
    return {
        "id": o.pk,
        "name": o.name,
        "certificate_no": o.certificate_no,
        "department_id": o.department_id,
        "department_name": o.department.name,
        "sectors": [s.code for s in o.sectors.all()],
        "status": o.status,
        "certificate_valid_until": o.certificate_valid_until,
    }


@router.get("", response=dict)
def list_officers(request, q: str = "", limit: int = 50, offset: int = 0):
    return page(search_officers(request.auth, q), limit, offset, officer_out)


@router.get("/export")
def export_officers(request, q: str = "", format: str = "xlsx"):
    fmt = export_format(format)
    return file_response(export_file("officers", search_officers(request.auth, q), fmt), f"officers.{fmt}", fmt)


@router.get("/{officer_id}", response=OfficerOut)
def get_officer(request, officer_id: int):
    return officer_out(access_officer(request.auth, officer_id))


@router.post("", response={201: OfficerOut})
def post_officer(request, payload: OfficerIn):
    require_master_data_writer(request.auth)
    return 201, officer_out(register_officer(payload, actor=request.auth))


@router.post("/{officer_id}/conflicts", response={201: dict})
def post_conflict(request, officer_id: int, payload: ConflictIn):
    officer = access_officer(request.auth, officer_id)
    subject = access_subject(request.auth, payload.subject_id)
    if not can_write_department(request.auth, officer.department):
        raise Forbidden()
    conflict = declare_conflict(officer, subject, payload.reason, actor=request.auth)
    return 201, {
        "officer_id": officer.pk,
        "subject_id": subject.pk,
        "reason": conflict.reason,
        "declared_at": conflict.declared_at,
    }
