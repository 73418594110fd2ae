"""Reads of the exchange gateway, each within the actor's department scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.exchange.models import Message, OutboxEntry, QualityDay, RejectionDay, SourceSystem


def visible_sources(actor: Any) -> QuerySet[SourceSystem]:
    return restrict(SourceSystem.objects.select_related("department"), actor, department="department")


def access_source(actor: Any, pk: Any) -> SourceSystem:
    source = visible_sources(actor).filter(pk=pk).first()
    if source is None:
        raise NotFound()
    return source


def visible_messages(actor: Any) -> QuerySet[Message]:
    return restrict(Message.objects.select_related("source"), actor, department="source__department")


def visible_quality(actor: Any) -> QuerySet[QualityDay]:
    return restrict(QualityDay.objects.all(), actor, department="department")


def visible_rejections(actor: Any) -> QuerySet[RejectionDay]:
    return restrict(RejectionDay.objects.all(), actor, department="department")


def visible_outbox(actor: Any) -> QuerySet[OutboxEntry]:
    return restrict(OutboxEntry.objects.all(), actor, department="record__department")
