"""Helpers every app's API uses: paging, file downloads, the import and export endpoints' bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import writes_master_data
from jianguan.core.errors import DomainError, Forbidden, lazy_format

MAX_LIMIT = 500
# Deeper than any list is read page by page, and well inside a 64-bit integer (the database's OFFSET).
MAX_OFFSET = 1_000_000_000
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def page(queryset, limit: int, offset: int, serialise: Callable[[Any], Any]) -> dict[str, Any]:
    if not (1 <= limit <= MAX_LIMIT and 0 <= offset <= MAX_OFFSET):
        raise DomainError(
            "invalid_paging",
            lazy_format(_("limit must be 1-%(m)d and offset 0-%(o)d."), {"m": MAX_LIMIT, "o": MAX_OFFSET}),
        )
    items = [serialise(obj) for obj in queryset[offset : offset + limit]]
    return {"count": queryset.count(), "limit": limit, "offset": offset, "items": items}


def file_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def export_format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise DomainError("export_format", _("Export format must be xlsx or csv."))
    return fmt


def require_master_data_writer(actor: Any) -> None:
    if not writes_master_data(actor):
        raise Forbidden(_("Only administrators may change master data."))
