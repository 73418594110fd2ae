"""Workflow items: list with deadline colours, detail with history, actions."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from jianguan.platform.apitools import page
from jianguan.workflow.permissions import access_item, visible_items
from jianguan.workflow.services import deadline_colour, perform_action

router = Router(tags=["workflow"])


class ActionIn(Schema):
    comment: str = ""
    evidence: list[str] = []


def _item_out(item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "reference": item.reference,
        "title": item.title,
        "workflow": item.definition.code,
        "state": item.state,
        "department_id": item.department_id,
        "is_closed": item.is_closed,
        "next_due_at": item.next_due_at,
        "due_at": item.due_at,
        "colour": deadline_colour(item),
        "due_is_provisional": item.due_is_provisional,
        "escalation_level": item.escalation_level,
    }


@router.get("/items", response=dict)
def list_items(request, state: str = "", limit: int = 50, offset: int = 0):
    items = visible_items(request.auth)
    if state:
        items = items.filter(state=state)
    return page(items, limit, offset, _item_out)


@router.get("/items/{item_id}", response=dict)
def get_item(request, item_id: int):
    item = access_item(request.auth, item_id)
    history = [
        {"action": t.action, "from": t.from_state, "to": t.to_state, "at": t.at, "comment": t.comment}
        for t in item.transitions.all()
    ]
    return {**_item_out(item), "history": history}


@router.post("/items/{item_id}/actions/{action}", response=dict)
def post_action(request, item_id: int, action: str, payload: ActionIn):
    item = access_item(request.auth, item_id)
    item = perform_action(item, action, request.auth, comment=payload.comment, evidence=payload.evidence)
    return _item_out(item)
