"""Who may see which workflow items: the responsible department and the region in the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.workflow.models import WorkflowItem


def visible_items(actor: Any) -> QuerySet[WorkflowItem]:
    return restrict(
        WorkflowItem.objects.select_related("definition", "department"),
        actor,
        department="department",
        region="region__code",
    )


def access_item(actor: Any, pk: Any) -> WorkflowItem:
    item = visible_items(actor).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item
