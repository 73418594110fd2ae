"""Who may see which catalogue items: the actor's department subtree plus the items its superiors define."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from jianguan.accounts.scope import restrict
from jianguan.catalog.models import SupervisionItem
from jianguan.core.errors import NotFound


def visible_items(actor: Any) -> QuerySet[SupervisionItem]:
    # A county bureau implements the items its city and provincial superiors define, so it sees them.
    return restrict(
        SupervisionItem.objects.select_related("department", "parent", "sector"),
        actor,
        department="department",
        department_ancestors="department_id",
    )


def access_item(actor: Any, pk: Any) -> SupervisionItem:
    item = visible_items(actor).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def search_items(actor: Any, query: str) -> QuerySet[SupervisionItem]:
    return matching_items(visible_items(actor), query)


def matching_items(items: QuerySet[SupervisionItem], query: str) -> QuerySet[SupervisionItem]:
    query = (query or "").strip()
    if not query:
        return items
    return items.filter(Q(name__contains=query) | Q(code__startswith=query) | Q(legal_basis__contains=query))
