"""Subject register API: search, detail, register, export."""

from __future__ import annotations

from typing import Any

from ninja import Router

from jianguan.platform.apitools import export_format, file_response, page, require_master_data_writer
from jianguan.platform.importing import export_file
from jianguan.subjects.permissions import access_subject, search_subjects
from jianguan.subjects.schemas import SubjectIn, SubjectOut
from jianguan.subjects.services import register_subject

router = Router(tags=["subjects"])


def subject_out(s) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "name": s.name,
        "uscc": s.uscc,
        "registration_no": s.registration_no,
        "id_number_masked": s.id_number_masked,
        "legal_representative": s.legal_representative,
        "registered_address": s.registered_address,
        "operating_address": s.operating_address,
        "region_code": s.region_id,
        "region_name": s.region.name,
        "industry_code": s.industry_code,
        "status": s.status,
        "registration_date": s.registration_date,
    }


@router.get("", response=dict, summary="Subjects in scope; q matches a name substring or an exact code")
def list_subjects(request, q: str = "", limit: int = 50, offset: int = 0):
    return page(search_subjects(request.auth, q), limit, offset, subject_out)


@router.get("/export", summary="The subjects in scope matching q, as .xlsx or .csv")
def export_subjects(request, q: str = "", format: str = "xlsx"):
    fmt = export_format(format)
    return file_response(export_file("subjects", search_subjects(request.auth, q), fmt), f"subjects.{fmt}", fmt)


@router.get("/{subject_id}", response=SubjectOut)
def get_subject(request, subject_id: int):
    return subject_out(access_subject(request.auth, subject_id))


@router.post("", response={201: SubjectOut})
def post_subject(request, payload: SubjectIn):
    require_master_data_writer(request.auth)
    return 201, subject_out(register_subject(payload, actor=request.auth))
