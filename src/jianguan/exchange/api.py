"""The exchange gateway's API: bulk intake for source systems, batches, quarantine, receipts,
data quality and the national outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from jianguan.accounts.models import ApiClient
from jianguan.core.errors import DomainError
from jianguan.core.models import ImportBatch
from jianguan.exchange import services
from jianguan.exchange.outbox import backlog
from jianguan.exchange.permissions import corrects, visible_messages, visible_outbox, visible_sources
from jianguan.exchange.quality import quality_report
from jianguan.platform.apitools import export_format, file_response, page
from jianguan.platform.importing import rejected_rows_file, row_data, summary
from jianguan.platform.permissions import access_batch, visible_batches
from jianguan.records.schemas import RECORD_ADAPTER, STANDARD_VERSION

router = Router(tags=["exchange"])

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "A JSON array of records in data standard v1 (GET /api/v1/exchange/standard), "
        'or {"records": [...]}; at most 10,000 per call. {"source_id": ..., "deleted": true} withdraws a record.',
        "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}, "maxItems": 10000}}},
    }
}


def _batch_out(batch: ImportBatch, with_errors: bool = False) -> dict[str, Any]:
    body = {
        **summary(batch),
        "status": batch.status,
        "source": batch.source,
        "processed": batch.processed,
        "created_at": batch.created_at,
        "resubmits": batch.resubmits_id,
    }
    if with_errors:
        body["errors"] = [
            error for row in batch.rows.filter(outcome="rejected").order_by("row_number") for error in row.errors
        ]
    return body


@router.post("/records", response=dict, summary="Bulk intake of supervision records", openapi_extra=_BODY_DOC)
def post_records(request):
    client = request.auth
    if not isinstance(client, ApiClient):
        raise DomainError("api_client_only", _("Only a source system's API client may send records."), status=403)
    source = services.source_of_client(client)
    message, batch = services.receive_api(source, client, request.body)
    return {
        **_batch_out(batch, with_errors=True),
        "receipt": services.receipt(message),
        "signature": message.receipt_signature,
    }


@router.get("/standard", response=dict, summary="The data standard's JSON schema (all record kinds)")
def standard(request):
    return {"version": STANDARD_VERSION, "schema": RECORD_ADAPTER.json_schema()}


@router.get("/batches", response=dict, summary="Record batches in scope, newest first")
def list_batches(request, source: str = "", limit: int = 50, offset: int = 0):
    batches = visible_batches(request.auth).filter(kind=services.BATCH_KIND)
    if source:
        batches = batches.filter(source=source)
    return page(batches, limit, offset, _batch_out)


@router.get("/batches/{batch_id}", response=dict)
def get_batch(request, batch_id: int):
    return _batch_out(access_batch(request.auth, batch_id), with_errors=True)


@router.get("/batches/{batch_id}/rejected", summary="Rejected and duplicate rows with reasons (json, xlsx or csv)")
def rejected(request, batch_id: int, format: str = "json"):
    batch = access_batch(request.auth, batch_id)
    reveal = corrects(request.auth, batch)
    if format == "json":
        rows = batch.rows.all().order_by("row_number")
        return {
            "batch": batch.pk,
            "rows": [
                {
                    "row": r.row_number,
                    "outcome": r.outcome,
                    "data": row_data(r, reveal),
                    "masked": bool(r.personal_sealed) and not reveal,
                    "errors": r.errors,
                    "corrected_in": r.resolved_by_id,
                }
                for r in rows
            ],
        }
    fmt = export_format(format)
    return file_response(rejected_rows_file(batch, fmt, reveal=reveal), f"rejected-{batch.pk}.{fmt}", fmt)


class Correction(Schema):
    record: dict[str, Any]


@router.post("/batches/{batch_id}/rows/{row_number}/correct", response=dict, summary="Resubmit one corrected row")
def correct(request, batch_id: int, row_number: int, payload: Correction):
    batch = access_batch(request.auth, batch_id)
    new_batch = services.correct_row(batch, row_number, payload.record, actor=request.auth)
    return _batch_out(new_batch, with_errors=True)


class ReceiptCheck(Schema):
    receipt: dict[str, Any]
    signature: str


@router.post("/receipts/verify", response=dict, summary="Check that a receipt is the centre's and unaltered")
def verify(request, payload: ReceiptCheck):
    return {"valid": services.verify_receipt(payload.receipt, payload.signature)}


@router.get("/messages", response=dict, summary="The message log in scope")
def messages(request, limit: int = 50, offset: int = 0):
    def out(m):
        return {**services.receipt(m), "channel": m.channel, "actor": m.actor, "signature": m.receipt_signature}

    return page(visible_messages(request.auth), limit, offset, out)


@router.get("/sources", response=dict, summary="Registered source systems in scope")
def sources(request, limit: int = 50, offset: int = 0):
    def out(s):
        return {
            "id": s.pk,
            "name": s.name,
            "title": s.title,
            "department_id": s.department_id,
            "department_name": s.department.name,
            "max_records_per_call": s.max_records_per_call,
            "max_bytes": s.max_bytes,
            "requests_per_minute": s.requests_per_minute,
            "is_active": s.is_active,
        }

    return page(visible_sources(request.auth), limit, offset, out)


@router.get("/quality", response=dict, summary="Data quality per department or source system, with a monthly trend")
def quality(request, by: str = "department", start: dt.date | None = None, end: dt.date | None = None):
    if by not in ("department", "source"):
        raise DomainError("invalid_grouping", _("by must be department or source."))
    return quality_report(request.auth, by, start, end)


@router.get("/outbox", response=dict, summary="The national outbox backlog in scope")
def outbox(request):
    return backlog(visible_outbox(request.auth))
