"""Who may see which supervision actions: the implementing department and the region, by scope;
and, on a subject's one file, every other department's actions that are public anyway."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.records.models import Record

# Applications above records that publish actions to anyone (credit: 双公示 licences and penalties
# inside their periods, published spot-check results) register a function here from their hooks:
# given a subject, it returns a queryset of the ids of that subject's actions public today.
_PUBLIC_ACTIONS: list[Callable[[Any], QuerySet]] = []


def register_public_actions(ids: Callable[[Any], QuerySet]) -> None:
    if ids not in _PUBLIC_ACTIONS:
        _PUBLIC_ACTIONS.append(ids)


def visible_records(actor: Any) -> QuerySet[Record]:
    records = Record.objects.filter(is_deleted=False).select_related("department", "region")
    return restrict(records, actor, department="department", region="region__code")


def access_record(actor: Any, pk: Any) -> Record:
    record = visible_records(actor).filter(pk=pk).first()
    if record is None:
        raise NotFound()
    return record


def subject_timeline(actor: Any, subject: Any, kind: str = "") -> QuerySet[Record]:
    """一户一档: every department's actions on one subject that the actor may see, newest first:
    those in the actor's scope, and the other departments' actions that the public may read on the
    portal (what anyone sees, staff see too). Each row carries `in_scope` (False: public only)."""
    in_scope = Q(pk__in=visible_records(actor).filter(subject=subject).values("pk"))
    public = Q(pk__in=[])
    for ids in _PUBLIC_ACTIONS:
        public |= Q(pk__in=ids(subject))
    records = (
        Record.objects.filter(is_deleted=False, subject=subject)
        .filter(in_scope | public)
        .annotate(in_scope=Case(When(in_scope, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .select_related("department", "region")
    )
    if kind:
        records = records.filter(kind=kind)
    return records.order_by("-action_date", "-id")
