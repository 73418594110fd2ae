"""Who may see which plans, batches and tasks: the plan's department, by scope; the public sees published work."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.errors import NotFound
from jianguan.spotcheck.choices import BatchStatus
from jianguan.spotcheck.models import Batch, Plan, Task


def visible_plans(actor: Any) -> QuerySet[Plan]:
    return restrict(Plan.objects.select_related("department"), actor, department="department")


def access_plan(actor: Any, pk: Any) -> Plan:
    plan = visible_plans(actor).filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    return plan


def access_batch(actor: Any, pk: Any) -> Batch:
    batch = restrict(Batch.objects.select_related("plan__department"), actor, department="plan__department")
    batch = batch.filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def visible_tasks(actor: Any) -> QuerySet[Task]:
    return restrict(
        Task.objects.select_related("draw__batch__plan__department", "subject"),
        actor,
        department="draw__batch__plan__department",
    )


def access_task(actor: Any, pk: Any) -> Task:
    task = visible_tasks(actor).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


# What the public may see (一公开): draws as soon as they are made (seed, hashes, selection), and
# results once published; never the grades of the pool.
PUBLIC_STATUSES = (
    BatchStatus.DRAWN,
    BatchStatus.IN_PROGRESS,
    BatchStatus.COMPLETED,
    BatchStatus.PUBLISHED,
    BatchStatus.CANCELLED,
)


def public_batches() -> QuerySet[Batch]:
    return Batch.objects.filter(status__in=PUBLIC_STATUSES, draw__isnull=False).select_related(
        "plan__department", "draw"
    )


def public_batch(pk: Any) -> Batch:
    batch = public_batches().filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch
