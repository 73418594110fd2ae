"""Reads of platform data that is not a register of its own: import batches."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
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
