"""Rectification orders over the API: the staff list, opening from an inspection record, the report
and the review; and the subject's own report (public, by number and access code)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

from jianguan.core.errors import NotFound
from jianguan.core.fields import ObjectId
from jianguan.core.ratelimit import check_public_rate, client_address
from jianguan.platform.apitools import page
from jianguan.records.permissions import visible_records
from jianguan.rectification import services
from jianguan.rectification.permissions import access_rectification, visible_rectifications

router = Router(tags=["rectification"])
public_router = Router(tags=["public"])


def _when(value) -> str | None:
    return value.isoformat() if value else None


def rectification_out(order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "source": f"{order.source_kind}:{order.source_ref}",
        "subject_id": order.subject_id,
        "department": order.department.name,
        "requirement": order.requirement,
        "due_on": _when(order.due_on),
        "state": order.state,
        "report": order.report,
        "reported_via": order.reported_via,
        "review": order.review,
    }


class RectificationIn(Schema):
    record: ObjectId
    working_days: int | None = Field(None, ge=1, le=90)


class ReportIn(Schema):
    text: str = Field(min_length=1, max_length=10_000)


class ReviewIn(Schema):
    decision: str
    comment: str = Field("", max_length=2000)


@router.get("", response=dict)
def list_rectifications(request, state: str = "", limit: int = 50, offset: int = 0):
    orders = visible_rectifications(request.auth).select_related("department")
    if state:
        orders = orders.filter(state=state)
    return page(orders.order_by("-issued_at", "-id"), limit, offset, rectification_out)


@router.post("", response={201: dict}, summary="Open a rectification order from an inspection record's failed items")
def post_rectification(request, payload: RectificationIn):
    record = visible_records(request.auth).filter(pk=payload.record).first()
    if record is None:
        raise NotFound()
    order, code = services.rectification_from_record(record, request.auth, working_days=payload.working_days)
    return 201, {**rectification_out(order), "access_code": code}


@router.post("/{order_id}/report", response=dict)
def report(request, order_id: int, payload: ReportIn):
    order = access_rectification(request.auth, order_id)
    return rectification_out(services.report_rectification(order, request.auth, payload.text))


@router.post("/{order_id}/review", response=dict)
def review(request, order_id: int, payload: ReviewIn):
    order = access_rectification(request.auth, order_id)
    return rectification_out(services.review_rectification(order, request.auth, payload.decision, payload.comment))


class PublicReportIn(Schema):
    code: str = Field(min_length=6, max_length=6)
    text: str = Field(min_length=2, max_length=4000)


@public_router.post("/{number}/report", auth=None, response=dict, summary="A subject reports its rectification")
def public_report(request, number: str, payload: PublicReportIn):
    check_public_rate(client_address(request), "public-rectification")
    order = services.report_by_subject(number, payload.code, payload.text)
    return {"number": order.number, "state": order.state, "due_on": _when(order.due_on)}
