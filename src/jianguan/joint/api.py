"""Joint supervision over the API: claims and the never-supervised report, notices, assistance
requests, campaigns, key matters, overlapping visits, and the national
joint-task message (export and import through the gateway)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from jianguan.accounts.models import ApiClient
from jianguan.accounts.scope import scope_for
from jianguan.catalog.key_matters import current_key_matters
from jianguan.core.errors import DomainError, Forbidden, NotFound
from jianguan.core.fields import ObjectId
from jianguan.core.models import Department
from jianguan.joint import national, services
from jianguan.joint.models import AssistRequest, CampaignTask
from jianguan.joint.permissions import (
    access,
    visible_assistance,
    visible_campaigns,
    visible_claims,
    visible_notices,
)
from jianguan.platform.apitools import page
from jianguan.platform.services import active_department
from jianguan.subjects.permissions import access_subject

router = Router(tags=["joint"])


def _own(request) -> Department:
    department = getattr(request.auth, "department", None)
    if department is None:
        raise Forbidden(_("Your account has no department."))
    return department


def _when(value) -> str | None:
    return value.isoformat() if value else None


def claim_out(task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "licence": task.licence_id,
        "subject_id": task.subject_id,
        "department": task.department.name,
        "issued_on": _when(task.issued_on),
        "state": task.item.state,
        "due_at": _when(task.item.next_due_at),
        "claimed_at": _when(task.claimed_at),
        "first_inspection_on": _when(task.first_inspection_on),
    }


def assistance_out(request: AssistRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "number": request.number,
        "requester": request.requester.name,
        "assignee": request.assignee.name,
        "forwarded_from": request.forwarded_from.name if request.forwarded_from_id else None,
        "subject_id": request.subject_id,
        "subject": request.subject.name,
        "matters": request.matters,
        "working_days": request.working_days,
        "state": request.state,
        "due_at": _when(request.item.due_at),
        "decline_reason": request.decline_reason,
        "findings": request.findings,
        "records": request.records,
        "requested_at": _when(request.requested_at),
        "replied_at": _when(request.replied_at),
    }


@router.get("/claims", response=dict, summary="Licence claim tasks in your scope")
def list_claims(request, state: str = "", limit: int = 50, offset: int = 0):
    claims = visible_claims(request.auth).select_related("department", "item")
    if state:
        claims = claims.filter(item__state=state)
    return page(claims.order_by("-issued_on", "-id"), limit, offset, claim_out)


@router.get("/claims/never-supervised", response=list, summary="Licences approved but never supervised")
def never_supervised(request, on: dt.date | None = None):
    return services.never_supervised(request.auth, on)


class ReasonIn(Schema):
    reason: str = Field(min_length=2, max_length=2000)


@router.post("/claims/{claim_id}/claim", response=dict)
def claim(request, claim_id: int):
    return claim_out(services.claim(access(visible_claims(request.auth), claim_id), request.auth))


@router.post("/claims/{claim_id}/end", response=dict)
def end_claim(request, claim_id: int, payload: ReasonIn):
    return claim_out(services.end_claim(access(visible_claims(request.auth), claim_id), request.auth, payload.reason))


class NoticeIn(Schema):
    recipients: list[ObjectId] = Field(min_length=1)
    title: str = Field(min_length=2, max_length=200)
    body: str = Field(min_length=2, max_length=10_000)
    subject_id: ObjectId | None = None
    case_reference: str = Field("", max_length=64)
    reply_within_working_days: int | None = Field(None, ge=1, le=30)


@router.get("/notices", response=dict)
def list_notices(request, limit: int = 50, offset: int = 0):
    notices = visible_notices(request.auth).select_related("sender").prefetch_related("recipients__department")
    return page(
        notices.order_by("-sent_at", "-id"),
        limit,
        offset,
        lambda n: {
            "id": n.pk,
            "sender": n.sender.name,
            "title": n.title,
            "subject_id": n.subject_id,
            "sent_at": _when(n.sent_at),
            "reply_due": _when(n.reply_due),
            "recipients": [
                {
                    "department": r.department.name,
                    "read_at": _when(r.read_at),
                    "replied_at": _when(r.replied_at),
                    "reply": r.reply,
                }
                for r in n.recipients.all()
            ],
        },
    )


@router.post("/notices", response={201: dict})
def post_notice(request, payload: NoticeIn):
    subject = access_subject(request.auth, payload.subject_id) if payload.subject_id else None
    notice = services.send_notice(
        _own(request),
        [active_department(pk) for pk in payload.recipients],
        title=payload.title,
        body=payload.body,
        subject=subject,
        case_reference=payload.case_reference,
        reply_within=payload.reply_within_working_days,
        actor=request.auth,
    )
    return 201, {"id": notice.pk, "reply_due": _when(notice.reply_due)}


def _recipient(request, notice_id: int):
    notice = access(visible_notices(request.auth), notice_id)
    recipient = notice.recipients.filter(department=_own(request)).first()
    if recipient is None:
        raise NotFound()
    return recipient


class TextIn(Schema):
    text: str = Field(min_length=1, max_length=10_000)


@router.post("/notices/{notice_id}/read", response=dict)
def read_notice(request, notice_id: int):
    return {"read_at": _when(services.read_notice(_recipient(request, notice_id), request.auth).read_at)}


@router.post("/notices/{notice_id}/reply", response=dict)
def reply_notice(request, notice_id: int, payload: TextIn):
    return {
        "replied_at": _when(
            services.reply_notice(_recipient(request, notice_id), request.auth, payload.text).replied_at
        )
    }


class AssistanceIn(Schema):
    assignee: ObjectId
    subject_id: ObjectId
    matters: str = Field(min_length=2, max_length=4000)
    working_days: int | None = Field(None, ge=1, le=30)
    justification: str = Field("", max_length=2000)


@router.get("/assistance", response=dict)
def list_assistance(request, state: str = "", limit: int = 50, offset: int = 0):
    requests = visible_assistance(request.auth).select_related(
        "requester", "assignee", "forwarded_from", "subject", "item"
    )
    if state:
        requests = requests.filter(state=state)
    return page(requests.order_by("-requested_at", "-id"), limit, offset, assistance_out)


@router.post("/assistance", response={201: dict})
def post_assistance(request, payload: AssistanceIn):
    made = services.request_assistance(
        _own(request),
        active_department(payload.assignee),
        access_subject(request.auth, payload.subject_id),
        payload.matters,
        working_days=payload.working_days,
        justification=payload.justification,
        actor=request.auth,
    )
    return 201, assistance_out(made)


@router.get("/assistance/{request_id}", response=dict)
def get_assistance(request, request_id: int):
    return assistance_out(access(visible_assistance(request.auth), request_id))


class AssistReplyIn(Schema):
    findings: str = Field(min_length=2, max_length=10_000)
    records: list[ObjectId] = []


class ForwardIn(Schema):
    to: ObjectId
    reason: str = Field(min_length=2, max_length=2000)


@router.post("/assistance/{request_id}/accept", response=dict)
def accept(request, request_id: int):
    return assistance_out(
        services.accept_assistance(access(visible_assistance(request.auth), request_id), request.auth)
    )


@router.post("/assistance/{request_id}/decline", response=dict)
def decline(request, request_id: int, payload: ReasonIn):
    found = access(visible_assistance(request.auth), request_id)
    return assistance_out(services.decline_assistance(found, request.auth, payload.reason))


@router.post("/assistance/{request_id}/forward", response=dict)
def forward(request, request_id: int, payload: ForwardIn):
    found = access(visible_assistance(request.auth), request_id)
    return assistance_out(
        services.forward_assistance(found, request.auth, active_department(payload.to), payload.reason)
    )


@router.post("/assistance/{request_id}/reply", response=dict)
def reply(request, request_id: int, payload: AssistReplyIn):
    found = access(visible_assistance(request.auth), request_id)
    return assistance_out(services.reply_assistance(found, request.auth, payload.findings, payload.records))


class CampaignIn(Schema):
    title: str = Field(min_length=2, max_length=200)
    participants: list[ObjectId] = []
    items: list[ObjectId] = Field(min_length=1)
    starts_on: dt.date
    ends_on: dt.date
    target_filter: dict[str, Any] = {}
    justification: str = Field("", max_length=2000)


@router.get("/campaigns", response=list)
def list_campaigns(request):
    return [
        {
            "id": c.pk,
            "title": c.title,
            "lead": c.lead.name,
            "starts_on": _when(c.starts_on),
            "ends_on": _when(c.ends_on),
        }
        for c in visible_campaigns(request.auth).select_related("lead").order_by("-starts_on")[:200]
    ]


@router.post("/campaigns", response={201: dict})
def post_campaign(request, payload: CampaignIn):
    campaign = services.create_campaign(
        _own(request),
        title=payload.title,
        participants=[active_department(pk) for pk in payload.participants],
        item_ids=payload.items,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        target_filter=payload.target_filter,
        justification=payload.justification,
        actor=request.auth,
    )
    return 201, {"id": campaign.pk, "form": campaign.form, **services.campaign_progress(campaign)}


@router.get("/campaigns/{campaign_id}", response=dict)
def get_campaign(request, campaign_id: int):
    campaign = access(visible_campaigns(request.auth), campaign_id)
    return {"id": campaign.pk, "title": campaign.title, "form": campaign.form, **services.campaign_progress(campaign)}


@router.post(
    "/campaigns/{campaign_id}/targets", response={201: dict}, summary="Add targets from an Excel/CSV list of USCCs"
)
def campaign_targets(request, campaign_id: int, file: UploadedFile = File(...), justification: str = Form("")):
    campaign = access(visible_campaigns(request.auth), campaign_id)
    return 201, services.import_campaign_targets(
        campaign, file.read(), file.name or "targets", request.auth, justification
    )


class ResultIn(Schema):
    results: dict[str, str]
    checked_on: dt.date | None = None


@router.post("/campaigns/tasks/{task_id}/result", response=dict)
def campaign_result(request, task_id: int, payload: ResultIn):
    task = CampaignTask.objects.filter(pk=task_id, campaign__in=visible_campaigns(request.auth)).first()
    if task is None:
        raise NotFound()
    task = services.record_campaign_result(task, request.auth, payload.results, payload.checked_on)
    return {"id": task.pk, "status": task.status, "finding": task.finding}


@router.get("/key-matters", response=list)
def key_matters(request):
    return [
        {
            "code": m.code,
            "version": m.version,
            "name": m.name,
            "lead_sector": m.lead_sector.name,
            "cooperating_sectors": [s.name for s in m.cooperating_sectors.all()],
            "items": [i.code for i in m.items.all()],
            "measures": m.measures,
            "review_on": _when(m.review_on),
        }
        for m in current_key_matters()
    ]


@router.get("/overlaps", response=list, summary="Subjects inspected by several departments within the window")
def overlaps(request, on: dt.date | None = None):
    return services.overlapping_inspections(request.auth, on)


@router.get("/national/tasks/{number}", response=dict, summary="A joint task in the national message format")
def export_task(request, number: str):
    found = visible_assistance(request.auth).filter(number=number).first()
    if found is not None:
        return national.export_assistance(found)
    if number.startswith("ZX") and number[2:].isdigit():
        campaign = visible_campaigns(request.auth).filter(pk=int(number[2:])).first()
        if campaign is not None:
            return national.export_campaign(campaign)
    raise NotFound()


@router.post(
    "/national/tasks",
    response={201: dict},
    summary="Bring in a joint task in the national message format",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}},
)
def import_task(request):
    if not (isinstance(request.auth, ApiClient) or scope_for(request.auth).has_role("platform_admin")):
        raise Forbidden(_("Only a gateway client or a platform administrator may bring tasks in."))
    try:
        message = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise DomainError("invalid_json", _("The body is not valid JSON.")) from None
    if not isinstance(message, dict):
        raise DomainError("invalid_body", _("Send one task message as a JSON object."))
    created = national.import_task(message, request.auth)
    return 201, {"requests": [r.number for r in created]}
