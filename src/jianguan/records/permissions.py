"""Who may see which supervision actions: the implementing department and the region, by scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.records.models import Record


def visible_records(actor: Any) -> QuerySet[Record]:
    records = Record.objects.filter(is_deleted=False).select_related("department", "region")
    return restrict(records, actor, department="department", region="region__code")


def access_record(actor: Any, pk: Any) -> Record:
    record = visible_records(actor).filter(pk=pk).first()
    if record is None:
        raise NotFound()
    return record


def subject_timeline(actor: Any, subject: Any, kind: str = "") -> QuerySet[Record]:
    """一户一档: every department's actions on one subject that the actor may see, newest first."""
    records = visible_records(actor).filter(subject=subject)
    if kind:
        records = records.filter(kind=kind)
    return records.order_by("-action_date", "-id")
