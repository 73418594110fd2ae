"""Who may see which plans, batches and tasks: the plan's department, by scope; an officer also the plans
of his own and superior departments (whose batches draw him) and his own tasks; the public sees published work."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from jianguan.accounts.choices import Role
from jianguan.accounts.scope import restrict, scope_for
from jianguan.core.errors import NotFound
from jianguan.officers.models import Officer
from jianguan.officers.permissions import officer_for
from jianguan.spotcheck.choices import BatchStatus, TaskStatus
from jianguan.spotcheck.models import Batch, Plan, Task


def acting_officer(actor: Any) -> Officer | None:
    """The officer record of a user holding the officer role, else None."""
    if not scope_for(actor).has_role(Role.OFFICER):
        return None
    return officer_for(actor)


def _ancestor_ids(officer: Officer) -> list[int]:
    """The officer's department and its superiors: the departments whose batches may draw him."""
    return [int(part) for part in officer.department.path.strip("/").split("/") if part]


def _only_officer(actor: Any) -> bool:
    """A user whose every role is the officer's: he sees tasks only through his own assignments."""
    roles = scope_for(actor).roles
    return bool(roles) and roles <= {Role.OFFICER}


def visible_plans(actor: Any) -> QuerySet[Plan]:
    plans = restrict(Plan.objects.all(), actor, department="department")
    officer = acting_officer(actor)
    if officer is not None:
        ancestors = _ancestor_ids(officer)
        mine = Plan.objects.filter(
            Q(department_id__in=ancestors)
            | Q(batches__cooperators__in=ancestors)
            | Q(batches__draw__tasks__team__officer=officer)
        )
        plans = Plan.objects.filter(Q(pk__in=plans.values("pk")) | Q(pk__in=mine.values("pk")))
    return plans.select_related("department")


def access_plan(actor: Any, pk: Any) -> Plan:
    plan = visible_plans(actor).filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    return plan


def visible_batches(actor: Any, *, staff_only: bool = False) -> QuerySet[Batch]:
    """Batches by scope; with `staff_only` False also those of the plans an officer may see."""
    batches = restrict(Batch.objects.all(), actor, department="plan__department")
    if not staff_only and acting_officer(actor) is not None:
        batches = Batch.objects.filter(Q(pk__in=batches.values("pk")) | Q(plan__in=visible_plans(actor).values("pk")))
    return batches.select_related("plan__department")


def access_batch(actor: Any, pk: Any, *, staff_only: bool = False) -> Batch:
    """A batch the actor may see; `staff_only` for what an officer does not get (the graded pool)."""
    batch = visible_batches(actor, staff_only=staff_only).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def visible_tasks(actor: Any) -> QuerySet[Task]:
    """Tasks by scope, and the tasks an officer is on the team of; an officer alone sees only his own."""
    officer = acting_officer(actor)
    base = Task.objects.select_related("draw__batch__plan__department", "subject")
    if officer is None:
        return restrict(base, actor, department="draw__batch__plan__department")
    own = Task.objects.filter(team__officer=officer).values("pk")
    if _only_officer(actor):
        return base.filter(pk__in=own)
    scoped = restrict(Task.objects.all(), actor, department="draw__batch__plan__department").values("pk")
    return base.filter(Q(pk__in=scoped) | Q(pk__in=own))


def access_task(actor: Any, pk: Any) -> Task:
    task = visible_tasks(actor).filter(pk=pk).first()
    if task is None:
        raise NotFound()
    return task


def my_open_tasks(user: Any) -> QuerySet[Task]:
    """The spot-check tasks the user's officer is on the team of and whose result his department has not
    entered, in a batch still taking results; each with `due_on`, the last day of the batch's checks."""
    officer = acting_officer(user)
    if officer is None:
        return Task.objects.none()
    return (
        Task.objects.filter(
            team__officer=officer,
            status=TaskStatus.ASSIGNED,
            draw__batch__status__in=(BatchStatus.DRAWN, BatchStatus.IN_PROGRESS),
        )
        .exclude(results__department_id__in=_ancestor_ids(officer))
        .select_related("draw__batch__plan__department", "subject")
        .annotate(due_on=F("draw__batch__ends_on"))
        .order_by("due_on", "pk")
    )


# What the public may see (一公开): a batch's commitment (seed hash, blinding-key hash, time, items,
# pool filter, quotas) from the moment its seed is committed, before the pool is frozen; the draw as
# soon as it is made (seed, the pseudonymous pool, the selection); results once published; never the
# grade of a subject.
PUBLIC_STATUSES = (
    BatchStatus.APPROVED,
    BatchStatus.DRAWN,
    BatchStatus.IN_PROGRESS,
    BatchStatus.COMPLETED,
    BatchStatus.PUBLISHED,
    BatchStatus.CANCELLED,
)


def public_batches() -> QuerySet[Batch]:
    """Batches whose seed is committed: public from that moment, drawn or not."""
    return (
        Batch.objects.filter(status__in=PUBLIC_STATUSES, committed_at__isnull=False)
        .exclude(seed_hash="")
        .select_related("plan__department", "draw")
    )


def public_batch(pk: Any) -> Batch:
    batch = public_batches().filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch
