"""Work orders over the API: 12345 systems send orders (single, batch, file); staff list, read and
act on them within scope; the public files, tracks and rates a demand (no login, rate-limited)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import orjson
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from jianguan.accounts.models import ApiClient
from jianguan.accounts.scope import scope_for
from jianguan.complaints import analysis, services
from jianguan.complaints.display import order_out, public_out
from jianguan.complaints.models import Category, Extension
from jianguan.complaints.permissions import OPERATOR_ROLES, access_order, visible_orders, with_current_assignments
from jianguan.complaints.schemas import Demand, HandlingForm, Rating
from jianguan.core.errors import DomainError, Forbidden, NotFound
from jianguan.core.fields import ObjectId
from jianguan.core.ratelimit import check_public_rate, client_address
from jianguan.platform.apitools import file_response, page
from jianguan.platform.importing import run_import, summary
from jianguan.platform.services import active_department

router = Router(tags=["complaints"])
public_router = Router(tags=["public"])
MAX_BATCH = 1000


def _by_number(request, number: str):
    return access_order(request.auth, number=number)


@router.post(
    "/orders",
    response=dict,
    summary="12345 systems: send work orders (a JSON array, at most 1,000), each with its own 18-digit number",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}, "maxItems": MAX_BATCH}}
            },
        }
    },
)
def post_orders(request):
    client = request.auth
    if not isinstance(client, ApiClient):
        raise DomainError("api_client_only", _("Only a 12345 system's API client may send work orders."), status=403)
    try:
        rows = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise DomainError("invalid_json", _("The body is not valid JSON.")) from None
    if isinstance(rows, dict) and isinstance(rows.get("orders"), list):
        rows = rows["orders"]
    if not isinstance(rows, list) or not rows:
        raise DomainError("invalid_body", _("Send a non-empty JSON array of work orders."))
    if len(rows) > MAX_BATCH:
        raise DomainError("too_many_orders", _("At most 1,000 work orders per call; split the batch."), status=413)
    return services.receive_many(rows, client, source_system=client.name)


@router.post("/orders/import", response={201: dict}, summary="Import work orders from an .xlsx or .csv file")
def import_orders(request, file: UploadedFile = File(...)):
    if not scope_for(request.auth).has_role(*OPERATOR_ROLES):
        raise Forbidden(_("Only the 12345 office's operators may import work orders."))
    batch = run_import("work_orders", file.read(), file.name or "upload", actor=request.auth)
    return 201, summary(batch)


class StaffDemand(Demand):
    channel: str = "phone"


@router.post("/orders/intake", response={201: dict}, summary="An operator enters a demand taken by phone")
def staff_intake(request, payload: StaffDemand):
    if not scope_for(request.auth).has_role(*OPERATOR_ROLES):
        raise Forbidden(_("Only the 12345 office's operators may enter demands."))
    data = payload.model_dump(exclude={"channel"})
    order, _code = services.receive(Demand.model_validate(data), channel=payload.channel, actor=request.auth)
    return 201, order_out(order, request.auth)


@router.get("/orders", response=dict, summary="Work orders in your scope")
def list_orders(
    request,
    state: str = "",
    kind: str = "",
    category: str = "",
    overdue: bool | None = None,
    q: str = "",
    limit: int = 50,
    offset: int = 0,
):
    orders = with_current_assignments(visible_orders(request.auth))
    if state:
        orders = orders.filter(state=state)
    if kind:
        orders = orders.filter(kind=kind)
    if category:
        orders = orders.filter(category__code__startswith=category)
    if overdue is not None:
        orders = orders.filter(overdue=overdue)
    if q:
        orders = orders.filter(content__contains=q) | orders.filter(number=q)
    return page(
        orders.order_by("-received_at", "-id"), limit, offset, lambda o: order_out(o, request.auth, in_scope=True)
    )


@router.get("/orders/{number}", response=dict)
def get_order(request, number: str):
    return order_out(_by_number(request, number), request.auth, history=True)


class ClassifyIn(Schema):
    kind: str
    category: str


class DispatchIn(Schema):
    lead_department: ObjectId
    co_departments: list[ObjectId] = []


class ReasonIn(Schema):
    reason: str = Field(min_length=2, max_length=2000)


class ReviewIn(Schema):
    accept: bool
    comment: str = Field(min_length=2, max_length=2000)
    lead_department: ObjectId | None = None


class ExtensionIn(Schema):
    working_days: int = Field(ge=1, le=30)
    reason: str = Field(min_length=2, max_length=2000)


class DecideIn(Schema):
    approve: bool
    comment: str = Field("", max_length=2000)


class SuperviseIn(Schema):
    note: str = Field("", max_length=2000)


class AnswerIn(Schema):
    answer: str = Field(min_length=5, max_length=2000)


@router.post("/orders/{number}/classify", response=dict, summary="Confirm or correct kind and category; routes it")
def classify(request, number: str, payload: ClassifyIn):
    order = services.confirm_classification(
        _by_number(request, number), request.auth, kind=payload.kind, category_code=payload.category
    )
    return order_out(order, request.auth)


@router.post("/orders/{number}/dispatch", response=dict, summary="Dispatch by hand (派单)")
def dispatch(request, number: str, payload: DispatchIn):
    order = services.dispatch(
        _by_number(request, number),
        request.auth,
        lead=active_department(payload.lead_department),
        co=[active_department(pk) for pk in payload.co_departments],
    )
    return order_out(order, request.auth)


@router.post("/orders/{number}/accept", response=dict, summary="Accept (sign for) the order (签收)")
def accept(request, number: str):
    return order_out(services.accept(_by_number(request, number), request.auth), request.auth)


@router.post("/orders/{number}/return", response=dict, summary="Return an order outside your duties (退单)")
def return_order(request, number: str, payload: ReasonIn):
    return order_out(services.return_order(_by_number(request, number), request.auth, payload.reason), request.auth)


@router.post("/orders/{number}/review-return", response=dict, summary="Review a return: reassign or refuse")
def review_return(request, number: str, payload: ReviewIn):
    lead = active_department(payload.lead_department) if payload.accept else None
    order = services.review_return(
        _by_number(request, number), request.auth, accept=payload.accept, comment=payload.comment, lead=lead
    )
    return order_out(order, request.auth)


@router.post("/orders/{number}/extensions", response={201: dict}, summary="Ask for an extension (延期)")
def request_extension(request, number: str, payload: ExtensionIn):
    extension = services.request_extension(
        _by_number(request, number), request.auth, payload.working_days, payload.reason
    )
    return 201, {"id": extension.pk, "status": extension.status, "working_days": extension.working_days}


@router.post("/extensions/{extension_id}/decide", response=dict, summary="Approve or refuse an extension")
def decide_extension(request, extension_id: int, payload: DecideIn):
    extension = Extension.objects.filter(pk=extension_id).select_related("order").first()
    if extension is None:
        raise NotFound()
    access_order(request.auth, extension.order_id)
    extension = services.decide_extension(extension, request.auth, approve=payload.approve, comment=payload.comment)
    return {"id": extension.pk, "status": extension.status, "due_at": extension.order.due_at}


@router.post("/orders/{number}/supervise", response={201: dict}, summary="Issue a 督办单")
def urge(request, number: str, payload: SuperviseIn):
    urging = services.urge(_by_number(request, number), request.auth, note=payload.note)
    return 201, {"id": urging.pk, "reason": urging.reason}


@router.post("/orders/{number}/reply", response=dict, summary="The handler's reply (办理情况, 公开答复)")
def reply(request, number: str, payload: HandlingForm):
    return order_out(services.reply(_by_number(request, number), request.auth, payload), request.auth)


@router.post("/orders/{number}/return-call", response=dict, summary="Record the return call (回访)")
def return_call(request, number: str, payload: Rating):
    return order_out(services.return_call(_by_number(request, number), request.auth, payload), request.auth)


@router.post("/orders/{number}/answer", response=dict, summary="Answer a consultation at intake (直接办结)")
def answer(request, number: str, payload: AnswerIn):
    return order_out(services.answer_directly(_by_number(request, number), request.auth, payload.answer), request.auth)


@router.get("/categories", response=list, summary="The category tree (with deadlines)")
def categories(request):
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent.code if c.parent_id else None,
            "level": c.level,
            "sla_working_days": c.sla_working_days,
            "sla_hours": c.sla_hours,
            "urgent": c.is_urgent,
        }
        for c in Category.objects.filter(is_active=True).select_related("parent")
    ]


@router.get("/analysis", response=dict, summary="Counts, SLA compliance, satisfaction, top subjects, surges")
def get_analysis(request, start: dt.date | None = None, end: dt.date | None = None):
    return analysis.report(request.auth, start, end)


@router.get("/analysis.xlsx", summary="The analysis as an Excel workbook")
def get_analysis_xlsx(request, start: dt.date | None = None, end: dt.date | None = None):
    data = analysis.workbook(analysis.report(request.auth, start, end))
    return file_response(data, "complaints-analysis.xlsx", "xlsx")


# ---- public (no login) ----


class AttachmentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(max_length=15_000_000)


class PublicDemand(Demand):
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


def _decoded(files: list[AttachmentIn]) -> list[services.Attachment]:
    out = []
    for file in files:
        try:
            out.append(services.Attachment(file.name, base64.b64decode(file.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise DomainError("attachment_encoding", _("An attachment is not valid base64.")) from None
    return out


@public_router.post("", auth=None, response={201: dict}, summary="File a demand; returns its number and query code")
def public_file(request, payload: PublicDemand):
    services.check_public_filing_rate(client_address(request))
    data = payload.model_dump(exclude={"attachments", "kind", "category"})
    order, code = services.receive(
        Demand.model_validate(data), channel="portal", attachments=_decoded(payload.attachments)
    )
    return 201, {"number": order.number, "query_code": code, **public_out(order)}


@public_router.get(
    "/{number}",
    auth=None,
    response=dict,
    deprecated=True,
    summary="Track a demand with its number and query code (deprecated: use POST /{number}/lookup)",
    description="The query code in the address ends up in server and proxy logs: post it instead.",
)
def public_track(request, number: str, code: str = ""):
    check_public_rate(client_address(request), "public-complaint-query")
    return public_out(services.find_for_citizen(number, code))


class PublicLookup(Schema):
    code: str = Field(min_length=6, max_length=6)


@public_router.post(
    "/{number}/lookup", auth=None, response=dict, summary="Track a demand: its number, and the query code in the body"
)
def public_lookup(request, number: str, payload: PublicLookup):
    check_public_rate(client_address(request), "public-complaint-query")
    return public_out(services.find_for_citizen(number, payload.code))


class PublicRating(Rating):
    code: str = Field(min_length=6, max_length=6)


@public_router.post("/{number}/rating", auth=None, response=dict, summary="Rate the handling (满意度评价)")
def public_rate(request, number: str, payload: PublicRating):
    check_public_rate(client_address(request), "public-complaint-query")
    order = services.rate_by_citizen(
        number, payload.code, Rating(satisfaction=payload.satisfaction, comment=payload.comment)
    )
    return public_out(order)
