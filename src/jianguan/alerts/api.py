"""Alerts API: alerts in scope with their signals and steps, the handling actions, and the measured
quality per source and rule."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from jianguan.accounts.models import ApiClient
from jianguan.alerts import national, services
from jianguan.alerts.choices import Disposal
from jianguan.alerts.models import Alert
from jianguan.alerts.permissions import access_alert, visible_alerts
from jianguan.core.errors import DomainError
from jianguan.core.models import Department
from jianguan.exchange.services import source_of_client
from jianguan.joint.services import open_campaigns_for_targets
from jianguan.platform.apitools import page
from jianguan.spotcheck.services import open_batches_for_selection
from jianguan.workflow.labels import state_label

router = Router(tags=["alerts"])


def alert_out(alert: Alert, full: bool = False) -> dict[str, Any]:
    body = {
        "id": alert.pk,
        "number": alert.number,
        "title": alert.title,
        "level": alert.level,
        "state": alert.item.state,
        "state_label": state_label(alert.item),
        "open": alert.is_open,
        "subject": alert.subject_id,
        "region": alert.region_id,
        "department": alert.department_id,
        "score": alert.score,
        "contributions": alert.contributions,
        "sources": alert.sources,
        "raised_at": alert.raised_at,
        "sign_due_at": alert.sign_due_at,
        "due_at": alert.item.due_at,
        "verdict": alert.verdict,
        "disposal": alert.disposal,
        "disposal_ref": alert.disposal_ref,
    }
    if full:
        body["signals"] = [
            {
                "kind": s.kind,
                "rule": s.rule,
                "reference": s.reference,
                "level": s.level,
                "at": s.at,
                "summary": s.summary,
            }
            for s in alert.signals.order_by("at")
        ]
        body["steps"] = [
            {
                "action": t.action,
                "from": t.from_state,
                "to": t.to_state,
                "at": t.at,
                "comment": t.comment,
                "from_department": t.from_department_id,
                "to_department": t.to_department_id,
            }
            for t in alert.item.transitions.order_by("at", "pk")
        ]
    return body


@router.get("", response=dict, summary="Alerts in scope, newest first")
def list_alerts(request, level: str = "", open: bool | None = None, limit: int = 50, offset: int = 0):
    alerts = visible_alerts(request.auth).select_related("item__definition").order_by("-raised_at", "-pk")
    if level:
        alerts = alerts.filter(level=level)
    if open is not None:
        alerts = alerts.filter(is_open=open)
    return page(alerts, limit, offset, alert_out)


@router.get("/quality", response=list, summary="Alerts raised, verified and precision per source and rule")
def alert_quality(request):
    return services.quality(visible_alerts(request.auth))


@router.post(
    "/national",
    response=dict,
    summary="National risk warnings in (the national system's gateway client)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": 'A JSON array of warnings, or {"warnings": [...]}; see alerts.national for the fields.',
            "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}},
        }
    },
)
def national_in(request):
    client = request.auth
    if not isinstance(client, ApiClient):
        raise DomainError(
            "api_client_only", _("Only the national system's gateway client may send warnings."), status=403
        )
    return national.receive(source_of_client(client), client, request.body)


@router.get("/{alert_id}/national-reply", response=list, summary="The feedback on the alert's national warnings")
def national_reply(request, alert_id: int):
    return national.reply(access_alert(request.auth, alert_id))


@router.get("/{alert_id}", response=dict)
def get_alert(request, alert_id: int):
    return alert_out(access_alert(request.auth, alert_id), full=True)


class VerdictIn(Schema):
    verdict: str
    reason: str


class DisposalIn(Schema):
    disposal: str
    note: str
    requirement: str = ""
    recipient: int | None = None
    batch: int | None = None
    campaign: int | None = None


class NoteIn(Schema):
    note: str


@router.post("/{alert_id}/sign", response=dict)
def sign(request, alert_id: int):
    return alert_out(services.sign(access_alert(request.auth, alert_id), request.auth))


@router.post("/{alert_id}/verify", response=dict)
def verify(request, alert_id: int, body: VerdictIn):
    return alert_out(services.verify(access_alert(request.auth, alert_id), request.auth, body.verdict, body.reason))


@router.get(
    "/{alert_id}/disposal-options",
    response=dict,
    summary="What the alert may be dealt with by: the ways, and the department's open batches and campaigns",
)
def disposal_options(request, alert_id: int):
    alert = access_alert(request.auth, alert_id)
    return {
        "disposals": [{"code": code, "label": str(label)} for code, label in Disposal.choices],
        "batches": [
            {"id": b.pk, "title": str(b), "status": b.status} for b in open_batches_for_selection(alert.department)
        ],
        "campaigns": [
            {"id": c.pk, "title": c.title, "ends_on": c.ends_on} for c in open_campaigns_for_targets(alert.department)
        ],
    }


@router.post("/{alert_id}/dispose", response=dict)
def dispose(request, alert_id: int, body: DisposalIn):
    alert = access_alert(request.auth, alert_id)
    recipient = Department.objects.filter(pk=body.recipient, is_active=True).first() if body.recipient else None
    if body.recipient and recipient is None:
        raise DomainError("unknown_department", _("Unknown department."))
    batch = open_batches_for_selection(alert.department).filter(pk=body.batch).first() if body.batch else None
    if body.batch and batch is None:
        raise DomainError("unknown_batch", _("Choose a batch of the alert's department whose seed is not committed."))
    campaign = open_campaigns_for_targets(alert.department).filter(pk=body.campaign).first() if body.campaign else None
    if body.campaign and campaign is None:
        raise DomainError("unknown_campaign", _("Choose a running campaign the alert's department leads."))
    return alert_out(
        services.dispose(
            alert,
            request.auth,
            body.disposal,
            body.note,
            requirement=body.requirement,
            recipient=recipient,
            batch=batch,
            campaign=campaign,
            origin_url=reverse("alerts:detail", args=[alert.pk]),
        )
    )


@router.post("/{alert_id}/feedback", response=dict)
def feedback(request, alert_id: int, body: NoteIn):
    return alert_out(services.feedback(access_alert(request.auth, alert_id), request.auth, body.note))


@router.post("/{alert_id}/close", response=dict)
def close(request, alert_id: int):
    return alert_out(services.close(access_alert(request.auth, alert_id), request.auth))
