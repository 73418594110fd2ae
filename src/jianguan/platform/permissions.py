"""Reads of platform data that is not a register of its own: import batches and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import restrict, scope_for
from jianguan.audit.models import AuditEvent
from jianguan.core.errors import NotFound
from jianguan.core.models import ImportBatch


def visible_batches(actor: Any) -> QuerySet[ImportBatch]:
    return restrict(ImportBatch.objects.all(), actor, department="department")


def access_batch(actor: Any, pk: Any) -> ImportBatch:
    batch = visible_batches(actor).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def corrects_import(actor: Any, batch: ImportBatch) -> bool:
    """Whether the actor corrects this register import, and so sees its kept rows as sent: the person
    who imported it. Everyone else sees personal data in them masked."""

    return isinstance(actor, get_user_model()) and batch.created_by_id is not None and actor.pk == batch.created_by_id


def reads_audit_trail(actor: Any) -> bool:
    return scope_for(actor).has_role(Role.AUDITOR, Role.PLATFORM_ADMIN)


def visible_audit_events(actor: Any) -> QuerySet[AuditEvent]:
    """The whole trail for auditors and platform administrators; nothing for anyone else."""
    events = AuditEvent.objects.exclude(seq__isnull=True)
    return events if reads_audit_trail(actor) else events.none()


def object_history(object_type: str, object_id: Any) -> QuerySet[AuditEvent]:
    """The recorded changes of one object, for people who may see the object (the caller has checked that)."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("-at", "-id")
