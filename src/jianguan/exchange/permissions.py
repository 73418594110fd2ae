"""Reads of the exchange gateway, each within the actor's department scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.models import ApiClient
from jianguan.accounts.scope import restrict, scope_for
from jianguan.core.errors import NotFound
from jianguan.exchange.models import Message, OutboxBatch, QualityDay, RejectionDay, SourceSystem


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


def visible_outbox(actor: Any) -> QuerySet[OutboxBatch]:
    return restrict(OutboxBatch.objects.all(), actor, department="source__department")


SUBMITTERS = frozenset({Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN, Role.OFFICER})


def submittable_sources(actor: Any) -> QuerySet[SourceSystem]:
    """Sources whose records the actor may upload or correct: their department's, for staff who record actions."""
    if not scope_for(actor).has_role(*SUBMITTERS):
        return SourceSystem.objects.none()
    return visible_sources(actor).filter(is_active=True)


def access_submittable_source(actor: Any, pk: Any) -> SourceSystem:
    source = submittable_sources(actor).filter(pk=pk).first()
    if source is None:
        raise NotFound()
    return source


def corrects(actor: Any, batch: Any) -> bool:
    """Whether the actor corrects this batch's rows, and so sees them as sent: the sending system's
    API client, or staff who may submit for the batch's source. Everyone else sees them masked."""

    if isinstance(actor, ApiClient):
        return SourceSystem.objects.filter(client=actor, name=batch.source, is_active=True).exists()
    return submittable_sources(actor).filter(name=batch.source).exists()
