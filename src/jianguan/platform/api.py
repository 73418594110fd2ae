"""Platform API: regions, departments, calendar, code validation, imports, and the audit trail's verification."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import File, Router, UploadedFile

from jianguan.accounts.choices import Role
from jianguan.accounts.permissions import access_department, can_write_department, visible_departments
from jianguan.accounts.scope import scope_for
from jianguan.audit.services import verify_chain
from jianguan.core import calendar
from jianguan.core.codes import CodeError, validate_id_number, validate_registration_no, validate_uscc
from jianguan.core.errors import DomainError, Forbidden, NotFound
from jianguan.core.fields import ObjectId
from jianguan.core.models import Department, Region, Sector
from jianguan.core.schemas import CodeCheckOut, DepartmentIn, DepartmentOut, RegionOut, WorkingDaysOut
from jianguan.platform.apitools import file_response, page, require_master_data_writer
from jianguan.platform.importing import import_kinds, rejected_rows_file, run_import, summary
from jianguan.platform.permissions import access_batch, corrects_import
from jianguan.platform.services import create_department, find_department, resolve_region

router = Router(tags=["core"])
audit_router = Router(tags=["audit"])


def _region_out(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "parent_code": region.parent_id,
        "is_historical": region.is_historical,
        "successor_code": region.successor_id,
    }


def _department_out(d: Department) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.name,
        "uscc": d.uscc,
        "region_code": d.region_id,
        "region_name": d.region.name,
        "sector_code": d.sector.code if d.sector else None,
        "parent_id": d.parent_id,
    }


@router.get("/regions", response=list[RegionOut], summary="Regions under a parent (provinces when none)")
def list_regions(request, parent: str | None = None):
    regions = (
        Region.objects.filter(parent_id=parent, is_historical=False)
        if parent
        else Region.objects.filter(parent__isnull=True)
    )
    return [_region_out(r) for r in regions]


@router.get("/regions/{code}", response=RegionOut, summary="One region; historical codes resolve to successors")
def get_region(request, code: str, historical: bool = False):
    region = resolve_region(code) if not historical else Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("Unknown region code."))
    return _region_out(region)


@router.get("/departments", response=dict, summary="Departments in the caller's scope")
def list_departments(request, q: str = "", limit: int = 50, offset: int = 0):
    departments = visible_departments(request.auth)
    if q:
        departments = departments.filter(name__contains=q)
    return page(departments, limit, offset, _department_out)


@router.get("/departments/{department_id}", response=DepartmentOut)
def get_department(request, department_id: int):
    return _department_out(access_department(request.auth, department_id))


@router.post("/departments", response={201: DepartmentOut})
def post_department(request, payload: DepartmentIn):
    parent = find_department(payload.parent) if payload.parent else None
    if payload.parent and parent is None:
        raise DomainError("unknown_parent", _("Unknown parent department."))
    if not can_write_department(request.auth, parent):
        raise Forbidden(_("You may not add departments here."))
    region = resolve_region(payload.region_code)
    if region is None:
        raise DomainError("unknown_region", _("Unknown region code."))
    sector = Sector.objects.filter(code=payload.sector_code).first() if payload.sector_code else None
    department = create_department(
        name=payload.name, region=region, sector=sector, parent=parent, uscc=payload.uscc, actor=request.auth
    )
    return 201, _department_out(department)


@router.get("/calendar/add-working-days", response=WorkingDaysOut, summary="The date n working days after start")
def add_working_days(request, start: dt.date, days: int):
    if abs(days) > 1000:
        raise DomainError("days_out_of_range", _("days must be between -1000 and 1000."))
    result = calendar.add_working_days(start, days)
    return {
        "start": start.isoformat(),
        "days": days,
        "date": result.isoformat(),
        "provisional": result.provisional,
        "missing_years": list(result.missing_years),
    }


@router.get("/codes/validate", response=CodeCheckOut, summary="Check a USCC, registration number or ID number")
def validate_code(request, kind: str, value: str):
    validators = {
        "uscc": validate_uscc,
        "registration_no": validate_registration_no,
        "id_number": validate_id_number,
    }
    if kind not in validators:
        raise DomainError("unknown_code_kind", _("kind must be uscc, registration_no or id_number."))
    try:
        normalised = validators[kind](value)
    except CodeError as exc:
        body = exc.as_body()
        return {
            "kind": kind,
            "valid": False,
            "code": exc.code,
            "message": body["message"],
            "message_en": body["message_en"],
        }
    shown = normalised if kind != "id_number" else None  # never echo a personal identifier back
    return {"kind": kind, "valid": True, "normalised": shown}


# Before POST /imports/{kind}: the two paths have the same shape, and the first that matches answers.
@router.get("/imports/{int:batch_id}", response=dict, summary="One import batch with its rows")
def get_import(request, batch_id: int):
    batch = access_batch(request.auth, batch_id)
    return {
        **summary(batch),
        "kind": batch.kind,
        "filename": batch.filename,
        "rows": [{"row": r.row_number, "outcome": r.outcome, "errors": r.errors} for r in batch.rows.all()],
    }


@router.post("/imports/{kind}", response={201: dict}, summary="Import a register file (.xlsx or .csv)")
def post_import(request, kind: str, file: UploadedFile = File(...), resubmits: ObjectId | None = None):
    require_master_data_writer(request.auth)
    if kind not in import_kinds():
        raise NotFound(_("Unknown import kind."))
    previous = access_batch(request.auth, resubmits) if resubmits else None
    batch = run_import(kind, file.read(), file.name or "upload", actor=request.auth, resubmits=previous)
    return 201, summary(batch)


@router.get("/imports/{batch_id}/rejected", summary="Rejected and duplicate rows with reasons, for correction")
def get_rejected(request, batch_id: int, format: str = "xlsx"):
    batch = access_batch(request.auth, batch_id)
    fmt = "csv" if format == "csv" else "xlsx"
    reveal = corrects_import(request.auth, batch)
    return file_response(rejected_rows_file(batch, fmt, reveal=reveal), f"rejected-{batch.pk}.{fmt}", fmt)


@audit_router.get("/verify", response=dict)
def verify_audit_trail(request):
    if not scope_for(request.auth).has_role(Role.AUDITOR, Role.PLATFORM_ADMIN):
        raise Forbidden(_("Only auditors may verify the audit trail."))
    result = verify_chain()
    return {"ok": result.ok, "count": result.count, "broken_seq": result.broken_seq, "reason": result.reason}
