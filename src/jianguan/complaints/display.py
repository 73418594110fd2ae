"""How a work order is shown: to staff (personal data by role), to the citizen, and to Open311 clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jianguan.complaints.choices import AssignmentRole, Channel, Kind, ReturnStatus, Satisfaction, State, UrgingReason
from jianguan.complaints.models import WorkOrder
from jianguan.complaints.permissions import complainant, order_text, visible_orders
from jianguan.records.panels import Panel
from jianguan.workflow.labels import action_label, state_label
from jianguan.workflow.services import deadline_colour

# Steps written beside the state machine (notes that change no state), with the words people read.
NOTE_LABELS = {
    "extend": _("Deadline extended"),
    "request_extension": _("Extension asked"),
    "refuse_extension": _("Extension refused"),
    "supervise": _("Supervision order (督办)"),
}
# What the citizen sees of an order's history: the steps that move it (no comments, no names) and
# the deadline moving; internal notes (an extension asked or refused, 督办) stay with the staff.
PUBLIC_NOTES = {"extend"}


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else ""


def _state_name(order: WorkOrder) -> str:
    """The state's name in the order's workflow definition (the words the staff screens use too)."""
    return state_label(order.item) if order.item_id else _label(State, order.state)


def confidence_text(value: float | None) -> str:
    """A classifier's confidence as a share people read (0.9 → 90%)."""
    return "" if value is None else f"{round(value * 100)}%"


def step_label(item, action: str) -> str:
    return str(NOTE_LABELS[action]) if action in NOTE_LABELS else action_label(item, action)


def _step_comment(action: str, comment: str) -> str:
    """A 督办 note is stored as "reason: note" with the reason's code: shown with its label."""
    if action == "supervise":
        reason, _sep, note = comment.partition(":")
        if reason.strip() in UrgingReason.values:
            label = str(UrgingReason(reason.strip()).label)
            return f"{label}：{note.strip()}" if note.strip() else label
    if action == "request_extension":
        days, _sep, reason = comment.partition(":")
        if days.strip().isdigit():
            return gettext("%(days)s working days: %(reason)s") % {"days": days.strip(), "reason": reason.strip()}
    return comment


def history_out(item) -> list[dict[str, Any]]:
    """Every step of the order's workflow item, with action and state names (staff view)."""
    return [
        {
            "action": t.action,
            "action_label": step_label(item, t.action),
            "from": t.from_state,
            "to": t.to_state,
            "from_label": state_label(item, t.from_state),
            "to_label": state_label(item, t.to_state),
            "moved": t.from_state != t.to_state,
            "at": t.at,
            "comment": _step_comment(t.action, t.comment),
        }
        for t in item.transitions.all()
    ]


def public_steps(order: WorkOrder) -> list[dict[str, Any]]:
    """The steps a citizen sees, each with its time: intake, then each move of the order and each
    deadline extension. No comments and no names of staff: they may hold personal data."""
    steps = [{"label": gettext("Taken in by the 12345 office"), "state": "", "at": order.received_at}]
    item = order.item
    if item is None:
        return steps
    for t in item.transitions.all():
        if t.from_state == t.to_state and t.action not in PUBLIC_NOTES:
            continue
        steps.append(
            {
                "label": step_label(item, t.action),
                "state": state_label(item, t.to_state) if t.from_state != t.to_state else "",
                "at": t.at,
            }
        )
    return steps


def current_step_deadline(order: WorkOrder) -> dt.datetime | None:
    """The deadline of the step the order is in (signing, review, return call), else the overall one."""
    item = order.item
    if item is None or item.is_closed:
        return None
    return item.state_due_at or item.due_at


def order_out(order: WorkOrder, actor: Any, *, history: bool = False, in_scope: bool = False) -> dict[str, Any]:
    body = {
        "id": order.pk,
        "number": order.number,
        "state": order.state,
        "state_label": _state_name(order),
        "card": deadline_colour(order.item) if order.item_id else "none",
        "channel": order.channel,
        "channel_label": _label(Channel, order.channel),
        "kind": order.kind,
        "kind_label": _label(Kind, order.kind),
        "category": order.category.code if order.category_id else None,
        "category_name": order.category.name if order.category_id else "",
        "proposed_kind": order.proposed_kind,
        "proposed_kind_label": _label(Kind, order.proposed_kind),
        "proposed_kind_confidence": order.proposed_kind_confidence,
        "proposed_kind_share": confidence_text(order.proposed_kind_confidence),
        "proposed_category": order.proposed_category.code if order.proposed_category_id else None,
        "proposed_category_name": order.proposed_category.name if order.proposed_category_id else "",
        "proposed_category_confidence": order.proposed_category_confidence,
        "proposed_category_share": confidence_text(order.proposed_category_confidence),
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
        "satisfaction_label": _label(Satisfaction, order.satisfaction),
        "latitude": order.latitude,
        "longitude": order.longitude,
        "attachments": [{k: a[k] for k in ("name", "sha256", "size")} for a in order.attachments],
    }
    if history:
        body["assignments"] = [
            {
                "department": a.department.name,
                "role": a.role,
                "role_label": _label(AssignmentRole, a.role),
                "return_status_label": _label(ReturnStatus, a.return_status) if a.return_status else "",
                "current": a.is_current,
                "dispatched_at": a.dispatched_at,
                "signed_at": a.signed_at,
                "return_status": a.return_status,
                "return_reason": a.return_reason,
            }
            for a in order.assignments.select_related("department")
        ]
        body["history"] = history_out(order.item) if order.item_id else []
        body["demands"] = [
            {"number": d.number, "content": d.content, "received_at": d.received_at, "similarity": d.similarity}
            for d in order.merged_demands.all()
        ]
        body["extensions"] = [
            {"id": e.pk, "working_days": e.working_days, "reason": e.reason, "status": e.status}
            for e in order.extensions.all()
        ]
        body["urgings"] = [
            {
                "reason": s.reason,
                "reason_label": _label(UrgingReason, s.reason),
                "note": s.note,
                "issued_at": s.issued_at,
            }
            for s in order.urgings.all()
        ]
    return body


def public_out(order: WorkOrder) -> dict[str, Any]:
    """What the citizen sees: the state, the unit, the public reply; a merged demand shows its master's."""
    shown = order.merged_into or order
    return {
        "number": order.number,
        "title": order.title,
        "received_at": order.received_at,
        "state": shown.state,
        "state_label": _state_name(shown),
        "merged_into": order.merged_into.number if order.merged_into_id else None,
        "unit": shown.lead_department.name if shown.lead_department_id else shown.office.name,
        "due_at": shown.due_at,
        "step_due_at": current_step_deadline(shown),
        "steps": public_steps(shown),
        "public_reply": shown.public_reply if shown.state in (State.REPLIED, State.CLOSED) else "",
        "replied_at": shown.replied_at,
        "can_rate": _can_rate(order),
        "satisfaction": order.satisfaction,
        "satisfaction_label": _label(Satisfaction, order.satisfaction),
        "latitude": order.latitude,
        "longitude": order.longitude,
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
