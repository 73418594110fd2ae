"""Who may see which officers: the department and region dimensions of the actor's scope."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db.models import Q, QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.officers.models import Officer


def visible_officers(actor: Any) -> QuerySet[Officer]:
    return restrict(
        Officer.objects.select_related("department", "department__region").prefetch_related("sectors"),
        actor,
        department="department",
        region="department__region__code",
    )


def access_officer(actor: Any, pk: Any) -> Officer:
    officer = visible_officers(actor).filter(pk=pk).first()
    if officer is None:
        raise NotFound()
    return officer


def officer_for(user: Any) -> Officer | None:
    """The officer record a signed-in user acts as, or None (not an officer, or not linked)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return None
    cached = getattr(user, "_jianguan_officer", False)
    if cached is not False:
        return cached
    officer = Officer.objects.select_related("department", "department__region").filter(user_id=user.pk).first()
    with contextlib.suppress(AttributeError):
        user._jianguan_officer = officer
    return officer


def search_officers(actor: Any, query: str) -> QuerySet[Officer]:
    return matching_officers(visible_officers(actor), query)


def matching_officers(officers: QuerySet[Officer], query: str) -> QuerySet[Officer]:
    query = (query or "").strip()
    if not query:
        return officers
    return officers.filter(Q(name__contains=query) | Q(certificate_no=query.upper()))
