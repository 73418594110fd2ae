"""Reads of the exchange gateway, each within the actor's department scope."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, QuerySet, Value, When

from jianguan.accounts.choices import Role
from jianguan.accounts.models import ApiClient
from jianguan.accounts.scope import restrict, scope_for
from jianguan.core.choices import RowOutcome
from jianguan.core.errors import NotFound
from jianguan.core.models import ImportRow
from jianguan.exchange.models import Message, OutboxBatch, QualityDay, RejectionDay, SourceSystem
from jianguan.platform.permissions import visible_batches

# The kind of the import batches the gateway writes (exchange.services.BATCH_KIND).
BATCH_KIND = "records"


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


def visible_quarantine(actor: Any) -> QuerySet:
    """The rejected rows of the exchange batches in the actor's scope, each with `reveal`: whether the
    actor corrects its batch (`corrects`) and so sees it as sent; everyone else sees it masked."""
    rows = ImportRow.objects.filter(
        batch__in=visible_batches(actor).filter(kind=BATCH_KIND).values("pk"), outcome=RowOutcome.REJECTED
    ).select_related("batch")
    sources = list(submittable_sources(actor).values_list("name", flat=True))
    if not sources:
        return rows.annotate(reveal=Value(False, output_field=BooleanField()))
    return rows.annotate(
        reveal=Case(
            When(batch__source__in=sources, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )
