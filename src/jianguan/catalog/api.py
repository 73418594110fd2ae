"""Catalogue API: search, detail with check points, create, export."""

from __future__ import annotations

from typing import Any

from ninja import Router

from jianguan.catalog.permissions import access_item, search_items
from jianguan.catalog.schemas import SupervisionItemIn, SupervisionItemOut
from jianguan.catalog.services import create_item
from jianguan.platform.apitools import export_format, file_response, page, require_master_data_writer
from jianguan.platform.importing import export_file

router = Router(tags=["catalog"])


def item_out(i) -> dict[str, Any]:
    return {
        "id": i.pk,
        "code": i.code,
        "version": i.version,
        "name": i.name,
        "parent_code": i.parent.code if i.parent_id else None,
        "department_id": i.department_id,
        "department_name": i.department.name,
        "level": i.level,
        "status": i.status,
        "is_key": i.is_key,
        "random_check": i.random_check,
        "legal_basis": i.legal_basis,
        "effective_from": i.effective_from,
        "effective_to": i.effective_to,
    }


@router.get("/items", response=dict)
def list_items(request, q: str = "", random_check: bool | None = None, limit: int = 50, offset: int = 0):
    items = search_items(request.auth, q)
    if random_check is not None:
        items = items.filter(random_check=random_check)
    return page(items, limit, offset, item_out)


@router.get("/items/export")
def export_items(request, q: str = "", format: str = "xlsx"):
    fmt = export_format(format)
    return file_response(export_file("catalog", search_items(request.auth, q), fmt), f"catalog.{fmt}", fmt)


@router.get("/items/{item_id}", response=dict)
def get_item(request, item_id: int):
    item = access_item(request.auth, item_id)
    points = [
        {
            "code": p.code,
            "content": p.content,
            "check_type": p.check_type,
            "guidance": p.guidance,
            "penalty_basis": p.penalty_basis,
        }
        for p in item.check_points.all()
    ]
    return {**item_out(item), "check_points": points}


@router.post("/items", response={201: SupervisionItemOut})
def post_item(request, payload: SupervisionItemIn):
    require_master_data_writer(request.auth)
    return 201, item_out(create_item(payload, actor=request.auth))
