"""Who reads which rectification orders: the issuing department and those whose scope covers it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.rectification.models import Rectification


def visible_rectifications(actor: Any) -> QuerySet[Rectification]:
    return restrict(Rectification.objects.all(), actor, department="department", region=None)


def access_rectification(actor: Any, pk: Any) -> Rectification:
    found = visible_rectifications(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
