"""Workflow operations: define, start, act (compare-and-set), and escalate overdue items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scope import scope_for, staff_user
from jianguan.audit.services import record_event
from jianguan.core.calendar import add_working_days, deadline_after
from jianguan.core.errors import DomainError, Forbidden, NotFound
from jianguan.core.models import Department
from jianguan.facts.services import publish
from jianguan.workflow.choices import DeadlineColour, SkipReason
from jianguan.workflow.models import WorkflowDefinition, WorkflowItem, WorkflowTransition
from jianguan.workflow.schemas import Sla, WorkflowSpec


def define_workflow(spec: dict[str, Any], actor: Any = None) -> WorkflowDefinition:
    """Store a definition as a new version of its code (the previous versions stay for running items)."""
    parsed = WorkflowSpec.model_validate(spec)
    with transaction.atomic():
        latest = WorkflowDefinition.objects.filter(code=parsed.code).aggregate(v=Max("version"))["v"] or 0
        current = WorkflowDefinition.objects.filter(code=parsed.code, version=latest).first()
        if current is not None and WorkflowSpec.model_validate(current.spec) == parsed:
            return current
        WorkflowDefinition.objects.filter(code=parsed.code).update(is_active=False)
        definition = WorkflowDefinition.objects.create(
            code=parsed.code,
            version=latest + 1,
            name=parsed.name,
            spec=parsed.model_dump(by_alias=True),
        )
        record_event(
            actor,
            "workflow.define",
            "workflow_definition",
            definition.pk,
            after={"code": parsed.code, "version": definition.version},
        )
    return definition


def _sla_deadline(start: dt.datetime, sla: Sla | None, fraction: float = 1.0) -> tuple[dt.datetime | None, bool]:
    if sla is None:
        return None, False
    return deadline_after(start, working_days=sla.working_days, hours=sla.hours, fraction=fraction)


def _warn_point(
    deadline: dt.datetime, start: dt.datetime, sla: Sla | None, spec: WorkflowSpec
) -> tuple[dt.datetime | None, bool]:
    """Where the yellow warning starts: `warn_before` ahead of the deadline, else at warn_ratio of the SLA.

    With a deadline at the close of working day D, "one working day before" starts at 00:00 of D.
    """
    before = spec.warn_before
    # An hour-level SLA (urgent matters) warns at warn_ratio: "a working day before" means nothing there.
    if before is None or (before.working_days is not None and sla is not None and sla.hours is not None):
        return _sla_deadline(start, sla, spec.warn_ratio)
    if before.hours is not None:
        return max(start, deadline - dt.timedelta(hours=before.hours)), False
    local = timezone.localtime(deadline)
    last_day = (local - dt.timedelta(microseconds=1)).date()
    day = add_working_days(last_day, -(before.working_days - 1))
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=local.tzinfo)
    return max(start, moment), day.provisional


def _extended(due_at: dt.datetime, working_days: int) -> tuple[dt.datetime, bool]:
    """A working-day deadline (the close of day D) moved `working_days` working days later."""
    local = timezone.localtime(due_at)
    day = add_working_days((local - dt.timedelta(microseconds=1)).date(), working_days)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=local.tzinfo), day.provisional


def _overall(item: WorkflowItem, spec: WorkflowSpec) -> Sla | None:
    return Sla.model_validate(item.overall_sla) if item.overall_sla else spec.overall_sla


def _schedule(item: WorkflowItem, spec: WorkflowSpec, now: dt.datetime) -> None:
    """Restart the state deadline (a new state from `now`), then the nearest deadline and its warning."""
    state = spec.states[item.state]
    if state.final:
        item.state_due_at = item.next_due_at = item.warn_at = None
        return
    item.state_due_at, state_provisional = _sla_deadline(now, state.sla)
    item.due_is_provisional = item.due_is_provisional or state_provisional
    _reschedule(item, spec)


def _reschedule(item: WorkflowItem, spec: WorkflowSpec) -> None:
    """The nearest of the state and overall deadlines, and its warning point (the state clock unchanged)."""
    candidates = [
        (d, start, sla)
        for d, start, sla in [
            (item.state_due_at, item.state_entered_at, spec.states[item.state].sla),
            (item.due_at, item.started_at, _overall(item, spec)),
        ]
        if d is not None
    ]
    if not candidates:
        item.next_due_at = item.warn_at = None
        return
    nearest, start, sla = min(candidates, key=lambda c: c[0])
    item.next_due_at = nearest
    item.warn_at, warn_provisional = _warn_point(nearest, start, sla, spec)
    item.due_is_provisional = item.due_is_provisional or warn_provisional


def set_state_deadline(item: WorkflowItem, due_at: dt.datetime) -> WorkflowItem:
    """Give the item's current state a deadline of its own (an alert's sign-for time, which depends
    on its level), so that cards, warnings and escalation follow it as they follow a state SLA."""
    spec = item.definition.parsed()
    item.state_due_at = due_at
    _reschedule(item, spec)
    item.save(update_fields=["state_due_at", "next_due_at", "warn_at", "due_is_provisional"])
    return item


def new_item(
    definition: WorkflowDefinition,
    reference: str,
    title: str,
    department: Department,
    now: dt.datetime,
    *,
    region_id: str | None = None,
    overall_sla: Sla | None = None,
) -> WorkflowItem:
    """An item in its initial state with its deadlines computed, not yet saved."""
    spec = definition.parsed()
    item = WorkflowItem(
        definition=definition,
        reference=reference,
        title=title,
        state=spec.initial,
        department=department,
        region_id=region_id or department.region_id,
        started_at=now,
        state_entered_at=now,
    )
    item.overall_sla = overall_sla.model_dump(exclude_none=True) if overall_sla else None
    item.due_at, item.due_is_provisional = _sla_deadline(now, overall_sla or spec.overall_sla)
    _schedule(item, spec, now)
    return item


def replay_action(
    item: WorkflowItem,
    action_code: str,
    at: dt.datetime,
    *,
    comment: str = "",
    restart_overall: Sla | None = None,
    department: Department | None = None,
    extend_working_days: int = 0,
) -> WorkflowTransition:
    """Apply a historical step in memory (an imported history): the action must be possible in the
    item's state and not earlier than its last step; deadlines are computed as live. Nothing is
    written and no role is checked: the caller stores items and transitions in bulk and audits them.
    `action_code` may also be a step that keeps the state ("supervise", "extend", notes)."""
    spec = item.definition.parsed()
    if at < item.state_entered_at:
        raise DomainError("step_out_of_order", _("A step is dated before the step that preceded it."))
    if item.is_closed:
        raise DomainError("closed", _("A step follows the closing of the item."))
    action = spec.action(action_code)
    old_state, old_department = item.state, item.department
    if action is None:
        if extend_working_days:
            item.due_at, provisional = _extended(item.due_at, extend_working_days)
            item.due_is_provisional = item.due_is_provisional or provisional
            _reschedule(item, spec)
        return WorkflowTransition(
            item=item, action=action_code, from_state=old_state, to_state=old_state, at=at, comment=comment
        )
    if item.state not in action.sources:
        raise DomainError("wrong_state", _("This action is not possible in the item's current state."), status=409)
    item.state = action.target
    item.state_entered_at = at
    item.is_closed = spec.states[action.target].final
    item.closed_at = at if item.is_closed else None
    moved = department is not None and department.pk != item.department_id
    if moved:
        item.department, item.region_id = department, department.region_id
    if restart_overall is not None:
        item.started_at = at
        item.overall_sla = restart_overall.model_dump(exclude_none=True)
        item.due_at, item.due_is_provisional = _sla_deadline(at, restart_overall)
    _schedule(item, spec, at)
    item.version += 1
    return WorkflowTransition(
        item=item,
        action=action.code,
        from_state=old_state,
        to_state=action.target,
        at=at,
        comment=comment,
        from_department=old_department if moved else None,
        to_department=department if moved else None,
    )


def start_workflow(
    code: str,
    *,
    reference: str,
    title: str,
    department: Department,
    actor: Any = None,
    now: dt.datetime | None = None,
    region_id: str | None = None,
    overall_sla: Sla | None = None,
    acting_role: str | None = None,
) -> WorkflowItem:
    """Open an item in the active version of workflow `code`, responsible department `department`.

    `overall_sla` replaces the definition's overall SLA for this item (a per-category deadline);
    `region_id` is the item's region when it is not the department's.
    """
    now = now or timezone.now()
    definition = WorkflowDefinition.objects.filter(code=code, is_active=True).first()
    if definition is None:
        raise NotFound(_("There is no active workflow with this code."))
    with transaction.atomic():
        item = new_item(definition, reference, title, department, now, region_id=region_id, overall_sla=overall_sla)
        item.save()
        record_event(
            actor,
            "workflow.start",
            "workflow_item",
            item.pk,
            after={
                "definition": code,
                "version": definition.version,
                "state": item.state,
                "department": department.pk,
                "due_at": item.due_at,
                **({"role": acting_role} if acting_role else {}),
            },
        )
    return item


def perform_action(
    item: WorkflowItem,
    action_code: str,
    actor: Any,
    *,
    comment: str = "",
    evidence: list[str] | None = None,
    now: dt.datetime | None = None,
    acting_role: str | None = None,
    restart_overall: Sla | None = None,
    department: Department | None = None,
) -> WorkflowItem:
    """Take an action on an item: role and state checked, state changed by compare-and-set, audited.

    `acting_role` is for callers without a staff account ("public": a citizen proven by the calling
    service; "system": a scheduled job); it must be one of the action's roles. `restart_overall`
    starts a new overall deadline from now (dispatch, re-handling); `department` moves the item.
    """
    now = now or timezone.now()
    spec = item.definition.parsed()
    action = spec.action(action_code)
    if action is None:
        raise DomainError("unknown_action", _("This workflow has no such action."))
    if item.state not in action.sources:
        raise DomainError("wrong_state", _("This action is not possible in the item's current state."), status=409)
    if acting_role is not None:
        if actor is not None or acting_role not in action.roles:
            raise Forbidden(_("Your role may not take this action."))
    elif not scope_for(actor).has_role(*action.roles):
        raise Forbidden(_("Your role may not take this action."))
    if action.evidence_required and not evidence:
        raise DomainError("evidence_required", _("This action needs evidence attached."))
    if action.comment_required and not comment.strip():
        raise DomainError("comment_required", _("This action needs a comment."))
    before = {"state": item.state, "version": item.version}
    old_state, old_version = item.state, item.version
    item.state = action.target
    item.state_entered_at = now
    item.is_closed = spec.states[action.target].final
    item.closed_at = now if item.is_closed else None
    item.version = old_version + 1
    item.next_escalation_at = None  # a new state starts a new deadline: escalation may happen again
    from_department = item.department if department is not None and department != item.department else None
    if from_department is not None:
        item.department, item.region_id = department, department.region_id
    if restart_overall is not None:
        item.started_at = now
        item.overall_sla = restart_overall.model_dump(exclude_none=True)
        item.due_at, item.due_is_provisional = _sla_deadline(now, restart_overall)
    _schedule(item, spec, now)
    with transaction.atomic():
        fields = [
            "state",
            "state_entered_at",
            "is_closed",
            "closed_at",
            "version",
            "state_due_at",
            "next_due_at",
            "warn_at",
            "due_is_provisional",
            "next_escalation_at",
            "started_at",
            "due_at",
            "overall_sla",
            "department",
            "region_id",
        ]
        updated = WorkflowItem.objects.filter(pk=item.pk, state=old_state, version=old_version).update(
            **{name: getattr(item, name) for name in fields}
        )
        if updated != 1:
            raise DomainError(
                "concurrent_change",
                _("Someone else changed this item first; reload and try again."),
                status=409,
            )
        WorkflowTransition.objects.create(
            item=item,
            action=action.code,
            from_state=old_state,
            to_state=action.target,
            actor=staff_user(actor),
            at=now,
            comment=comment,
            evidence=evidence or [],
            from_department=from_department,
            to_department=department if from_department is not None else None,
        )
        record_event(
            actor,
            f"workflow.{action.code}",
            "workflow_item",
            item.pk,
            before=before,
            after={
                "state": item.state,
                "version": item.version,
                "comment": comment,
                "evidence": evidence or [],
                "due_at": item.due_at,
                **({"role": acting_role} if acting_role else {}),
                **({"department": department.pk} if from_department is not None else {}),
            },
        )
    return item


def _save_deadlines(item: WorkflowItem, old_version: int) -> None:
    updated = WorkflowItem.objects.filter(pk=item.pk, version=old_version).update(
        due_at=item.due_at,
        state_due_at=item.state_due_at,
        next_due_at=item.next_due_at,
        warn_at=item.warn_at,
        due_is_provisional=item.due_is_provisional,
        next_escalation_at=item.next_escalation_at,
        version=item.version,
    )
    if updated != 1:
        raise DomainError(
            "concurrent_change", _("Someone else changed this item first; reload and try again."), status=409
        )


def extend_deadline(
    item: WorkflowItem, working_days: int, actor: Any, *, comment: str = "", now: dt.datetime | None = None
) -> WorkflowItem:
    """Move the overall deadline `working_days` working days later (an approved extension), audited."""
    now = now or timezone.now()
    if item.is_closed:
        raise DomainError("closed", _("A closed item has no deadline to extend."), status=409)
    if item.due_at is None or working_days < 1:
        raise DomainError("no_deadline", _("This item has no overall deadline to extend."))
    spec = item.definition.parsed()
    before = {"due_at": item.due_at, "version": item.version}
    old_version = item.version
    item.due_at, provisional = _extended(item.due_at, working_days)
    item.due_is_provisional = item.due_is_provisional or provisional
    item.version += 1
    item.next_escalation_at = None
    _reschedule(item, spec)
    with transaction.atomic():
        _save_deadlines(item, old_version)
        WorkflowTransition.objects.create(
            item=item,
            action="extend",
            from_state=item.state,
            to_state=item.state,
            actor=staff_user(actor),
            at=now,
            comment=comment,
        )
        record_event(
            actor,
            "workflow.extend",
            "workflow_item",
            item.pk,
            before=before,
            after={"due_at": item.due_at, "working_days": working_days, "version": item.version},
        )
    return item


def note_action(
    item: WorkflowItem,
    code: str,
    actor: Any,
    *,
    comment: str = "",
    now: dt.datetime | None = None,
    acting_role: str | None = None,
) -> WorkflowTransition:
    """A step in an item's history that does not change its state (督办, an extension request), audited."""
    now = now or timezone.now()
    with transaction.atomic():
        transition = WorkflowTransition.objects.create(
            item=item,
            action=code,
            from_state=item.state,
            to_state=item.state,
            actor=staff_user(actor),
            at=now,
            comment=comment,
        )
        record_event(
            actor,
            f"workflow.{code}",
            "workflow_item",
            item.pk,
            after={"state": item.state, "comment": comment, **({"role": acting_role} if acting_role else {})},
        )
    return transition


def deadline_colour(item: WorkflowItem, now: dt.datetime | None = None) -> str:
    """Green, yellow from the warning point (75 % of the SLA by default), red once overdue."""
    now = now or timezone.now()
    if item.is_closed or item.next_due_at is None:
        return DeadlineColour.NONE
    if now >= item.next_due_at:
        return DeadlineColour.RED
    if item.warn_at is not None and now >= item.warn_at:
        return DeadlineColour.YELLOW
    return DeadlineColour.GREEN


@dataclass
class EscalationReport:
    escalated: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "escalated": self.escalated, "skipped": self.skipped}


def escalate_overdue(now: dt.datetime | None = None, *, dry_run: bool = False, limit: int = 1000) -> EscalationReport:
    """Move each overdue open item to its department's superior; with dry_run, only say what would happen."""
    now = now or timezone.now()
    report = EscalationReport(dry_run=dry_run)
    overdue = (
        WorkflowItem.objects.filter(is_closed=False, next_due_at__lte=now)
        .select_related("department__parent", "definition")
        .order_by("next_due_at", "id")[:limit]
    )
    for item in overdue:
        entry = {
            "item": item.pk,
            "reference": item.reference,
            "department": item.department_id,
            "due": item.next_due_at.isoformat(),
        }
        if item.next_escalation_at is not None and item.next_escalation_at > now:
            report.skipped.append({**entry, "reason": SkipReason.ESCALATED_RECENTLY.value})
            continue
        parent = item.department.parent
        if parent is None:
            report.skipped.append({**entry, "reason": SkipReason.TOP_OF_CHAIN.value})
            continue
        if dry_run:
            report.escalated.append({**entry, "to_department": parent.pk})
            continue
        spec = item.definition.parsed()
        next_at, _provisional = _sla_deadline(now, spec.escalate_every)
        with transaction.atomic():
            updated = WorkflowItem.objects.filter(pk=item.pk, version=item.version).update(
                department=parent,
                region_id=parent.region_id,
                escalation_level=item.escalation_level + 1,
                next_escalation_at=next_at,
                version=item.version + 1,
            )
            if updated != 1:
                report.skipped.append({**entry, "reason": SkipReason.CHANGED_CONCURRENTLY.value})
                continue
            WorkflowTransition.objects.create(
                item=item,
                action="escalate",
                from_state=item.state,
                to_state=item.state,
                at=now,
                from_department=item.department,
                to_department=parent,
            )
            event = record_event(
                None,
                "workflow.escalate",
                "workflow_item",
                item.pk,
                before={"department": item.department_id, "level": item.escalation_level},
                after={"department": parent.pk, "level": item.escalation_level + 1},
            )
            # The application that owns the item (an alert, a claim, a work order) follows it: the
            # fact says which item moved where; the owner decides what its own rows do.
            publish(
                "workflow.escalated",
                department=parent,
                region=parent.region_id or "",
                object_type="workflow_item",
                object_id=item.pk,
                payload={
                    "workflow": item.definition.code,
                    "reference": item.reference,
                    "from": item.department_id,
                    "to": parent.pk,
                    "level": item.escalation_level + 1,
                },
                audit_event=event,
            )
        report.escalated.append({**entry, "to_department": parent.pk})
    return report
