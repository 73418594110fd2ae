"""How a work order is shown: to staff (personal data by role), to the citizen, and to Open311 clients."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.complaints.choices import Channel, Kind, State
from jianguan.complaints.models import WorkOrder
from jianguan.complaints.permissions import complainant, order_text, visible_orders
from jianguan.records.panels import Panel
from jianguan.workflow.services import deadline_colour


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else ""


def order_out(order: WorkOrder, actor: Any, *, history: bool = False, in_scope: bool = False) -> dict[str, Any]:
    body = {
        "id": order.pk,
        "number": order.number,
        "state": order.state,
        "state_label": _label(State, order.state),
        "card": deadline_colour(order.item) if order.item_id else "none",
        "channel": order.channel,
        "channel_label": _label(Channel, order.channel),
        "kind": order.kind,
        "kind_label": _label(Kind, order.kind),
        "category": order.category.code if order.category_id else None,
        "category_name": order.category.name if order.category_id else "",
        "proposed_kind": order.proposed_kind,
        "proposed_kind_confidence": order.proposed_kind_confidence,
        "proposed_category": order.proposed_category.code if order.proposed_category_id else None,
        "proposed_category_confidence": order.proposed_category_confidence,
        "classification_confirmed": order.classification_confirmed,
        **order_text(actor, order, in_scope=in_scope),
        "address": order.address,
        "region": order.region_id,
        "region_name": order.region.name,
        "region_confidence": order.region_confidence,
        "subject_id": order.subject_id,
        "subject_match": order.subject_match,
        "office": order.office.name,
        "lead_department": order.lead_department.name if order.lead_department_id else None,
        "routing": order.routing,
        "received_at": order.received_at,
        "dispatched_at": order.dispatched_at,
        "due_at": order.due_at,
        "replied_at": order.replied_at,
        "closed_at": order.closed_at,
        "overdue": order.overdue,
        "merged_into": order.merged_into.number if order.merged_into_id else None,
        "redo_count": order.redo_count,
        "extended_days": order.extended_days,
        "complainant": complainant(actor, order, in_scope=in_scope),
        "handling": {
            "is_true": order.is_true,
            "beyond_duty": order.beyond_duty,
            "is_resolved": order.is_resolved,
            "unresolved_reason": order.unresolved_reason,
            "handling_notes": order.handling_notes,
            "public_reply": order.public_reply,
        },
        "satisfaction": order.satisfaction,
        "attachments": [{k: a[k] for k in ("name", "sha256", "size")} for a in order.attachments],
    }
    if history:
        body["assignments"] = [
            {
                "department": a.department.name,
                "role": a.role,
                "current": a.is_current,
                "dispatched_at": a.dispatched_at,
                "signed_at": a.signed_at,
                "return_status": a.return_status,
                "return_reason": a.return_reason,
            }
            for a in order.assignments.select_related("department")
        ]
        body["history"] = (
            [
                {"action": t.action, "from": t.from_state, "to": t.to_state, "at": t.at, "comment": t.comment}
                for t in order.item.transitions.all()
            ]
            if order.item_id
            else []
        )
        body["demands"] = [
            {"number": d.number, "content": d.content, "received_at": d.received_at, "similarity": d.similarity}
            for d in order.merged_demands.all()
        ]
        body["extensions"] = [
            {"id": e.pk, "working_days": e.working_days, "reason": e.reason, "status": e.status}
            for e in order.extensions.all()
        ]
        body["urgings"] = [{"reason": s.reason, "note": s.note, "issued_at": s.issued_at} for s in order.urgings.all()]
    return body


def public_out(order: WorkOrder) -> dict[str, Any]:
    """What the citizen sees: the state, the unit, the public reply; a merged demand shows its master's."""
    shown = order.merged_into or order
    return {
        "number": order.number,
        "title": order.title,
        "received_at": order.received_at,
        "state": shown.state,
        "state_label": _label(State, shown.state),
        "merged_into": order.merged_into.number if order.merged_into_id else None,
        "unit": shown.lead_department.name if shown.lead_department_id else shown.office.name,
        "due_at": shown.due_at,
        "public_reply": shown.public_reply if shown.state in (State.REPLIED, State.CLOSED) else "",
        "replied_at": shown.replied_at,
        "can_rate": _can_rate(order),
        "satisfaction": order.satisfaction,
    }


def _can_rate(order: WorkOrder) -> bool:
    if order.merged_into_id is not None:
        return not order.satisfaction and order.merged_into.state in (State.REPLIED, State.CLOSED)
    return order.state == State.REPLIED


def when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def subject_panel(actor: Any, subject: Any):
    """The subject's work orders that the viewer may see, for the one-file view."""

    orders = visible_orders(actor).filter(subject=subject).select_related("category").order_by("-received_at")
    rows = [
        (
            when(o.received_at),
            f"{o.number} · {o.get_kind_display()} · {o.category.name if o.category_id else ''} · {o.title} · {o.get_state_display()}",
            reverse("complaints:detail", args=[o.number]),
        )
        for o in orders[:50]
    ]
    return Panel("complaints", _("Complaints and reports (12345)"), rows, orders.count())
