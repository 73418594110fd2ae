"""Importing a 12345 system's past work orders with their handling history.

When a city's hotline system is connected, its orders of the last year or more come over with
every step they went through. Each history is replayed on the `complaints_order` workflow, in
memory: every step must be allowed in the state it follows and dated after it, and deadlines are
computed exactly as for live orders (category SLA from dispatch, extensions on the working-day
calendar, yellow and red cards). A row whose history does not replay is rejected with the step
and the reason; the rest are written in bulk, one transaction and one audit event per chunk.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from jianguan.audit.services import record_batch
from jianguan.complaints.choices import WORKFLOW_CODE, AssignmentRole, ReturnStatus, State
from jianguan.complaints.models import Assignment, Category, Extension, Urging, WorkOrder
from jianguan.complaints.permissions import mask_name, mask_phone, sealed_order_text
from jianguan.complaints.policy import check_return_window, policy, sla_for
from jianguan.complaints.routing import find_subjects, locate, office_for
from jianguan.complaints.schemas import HandlingForm, HotlineOrder, Strict
from jianguan.core.bulk import bulk_insert, insert_objects
from jianguan.core.calendar import calendar_session
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Department
from jianguan.core.pii import encrypt, keyed_hash
from jianguan.platform.importing import validated
from jianguan.workflow.models import WorkflowDefinition, WorkflowItem, WorkflowTransition
from jianguan.workflow.services import new_item, replay_action

CHUNK = 1000

Action = Literal[
    "dispatch",
    "accept",
    "return",
    "reassign",
    "refuse_return",
    "extend",
    "supervise",
    "reply",
    "resolve",
    "redo",
    "answer_directly",
]


class Step(Strict):
    action: Action
    at: dt.datetime
    department: int | None = Field(None, description="dispatch/reassign: the unit's id")
    comment: str = Field("", max_length=2000)
    working_days: int | None = Field(None, ge=1, le=30, description="extend: approved working days")
    reason: str = Field("manual", description="supervise: overdue/dissatisfied/manual")
    form: HandlingForm | None = None
    satisfaction: str | None = None


class HistoryOrder(HotlineOrder):
    steps: list[Step] = Field(default_factory=list, max_length=60)
    merged_into: str | None = Field(None, pattern=r"^\d{18}$")


class _Replay:
    """One order's rows, built in memory."""

    def __init__(self, order: WorkOrder, item: WorkflowItem):
        self.order, self.item = order, item
        self.transitions: list[WorkflowTransition] = []
        self.assignments: list[Assignment] = []
        self.urgings: list[Urging] = []
        self.extensions: list[Extension] = []


def import_history(rows: list[Any], actor: Any = None, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Import past orders with their steps; returns counts and each rejected row's reason."""
    now = now or timezone.now()
    definition = WorkflowDefinition.objects.filter(code=WORKFLOW_CODE, is_active=True).first()
    if definition is None:
        raise DomainError("not_set_up", _("The work-order workflow is not defined; run `jianguan complaints setup`."))
    categories = {c.code: c for c in Category.objects.select_related("parent__parent")}
    departments = {d.pk: d for d in Department.objects.filter(is_active=True)}
    offices: dict[str | None, Department | None] = {}
    known = set()
    results = {"received": len(rows), "accepted": 0, "rejected": 0, "duplicate": 0, "errors": []}
    with calendar_session():
        for start in range(0, len(rows), CHUNK):
            built: list[_Replay] = []
            numbers = [r.get("number") for r in rows[start : start + CHUNK] if isinstance(r, dict)]
            held = set(WorkOrder.objects.filter(number__in=numbers).values_list("number", flat=True))
            errors: list[tuple[int, DomainError]] = []
            entries: list[tuple[int, HistoryOrder]] = []
            for index, row in enumerate(rows[start : start + CHUNK], start=start + 1):
                try:
                    entries.append((index, validated(HistoryOrder, row)))
                except DomainError as exc:
                    errors.append((index, exc))
            subjects = find_subjects([(entry.content, entry.subject_uscc) for _index, entry in entries])
            for (index, entry), found in zip(entries, subjects, strict=True):
                try:
                    if entry.number in held or entry.number in known:
                        results["duplicate"] += 1
                        continue
                    built.append(_replay(entry, definition, categories, departments, offices, now, found))
                    known.add(entry.number)
                except DomainError as exc:
                    errors.append((index, exc))
            for index, exc in sorted(errors, key=lambda error: error[0]):
                results["rejected"] += 1
                body = exc.as_body()
                results["errors"].append(
                    {
                        "row": index,
                        "code": exc.code,
                        "message": body["message"],
                        "message_en": body["message_en"],
                        "errors": body.get("errors", []),
                    }
                )
            _write(built, actor)
            results["accepted"] += len(built)
    return results


def _when(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _replay(entry: HistoryOrder, definition, categories, departments, offices, now, found) -> _Replay:
    category = categories.get(entry.category or "")
    if entry.category and category is None:
        raise DomainError(
            "unknown_category", lazy_format(_("There is no category with code %(code)s."), {"code": entry.category})
        )
    received = _when(entry.received_at)
    region_code, confidence = locate(f"{entry.address or ''} {entry.content}", None)
    if region_code not in offices:
        offices[region_code] = office_for(region_code)
    office = offices[region_code]
    if office is None:
        raise DomainError("no_office", _("No 12345 office is registered; run `jianguan complaints setup`."))
    person = entry.complainant
    subject, how = found  # the subject named in the text (routing.find_subjects, a chunk at a time)
    order = WorkOrder(
        number=entry.number,
        query_code_hash="",
        channel=entry.channel,
        source_system="history",
        kind=entry.kind or "",
        category=category,
        top_category=category.top_code if category else "",
        classification_confirmed=bool(entry.kind and category),
        **sealed_order_text(entry.title, entry.content),
        address=entry.address or "",
        region_id=region_code or office.region_id,
        region_confidence=confidence,
        anonymous=person.anonymous,
        complainant_name_sealed=encrypt(person.name) if person.name and not person.anonymous else "",
        complainant_name_masked=mask_name(person.name) if person.name and not person.anonymous else "",
        complainant_phone_sealed=encrypt(person.phone) if person.phone else "",
        complainant_phone_masked=mask_phone(person.phone) if person.phone else "",
        complainant_phone_hash=keyed_hash(person.phone) if person.phone else "",
        subject=subject,
        subject_match=how,
        office=office,
        state=State.RECEIVED,
        received_at=received,
    )
    item = new_item(definition, order.number, order.title, office, received, region_id=order.region_id)
    replay = _Replay(order, item)
    if entry.merged_into:
        master = WorkOrder.objects.filter(number=entry.merged_into).first()
        if master is None:
            raise DomainError("unknown_master", _("The order it was merged into is not held."))
        replay.transitions.append(replay_action(item, "merge", received, comment=master.number))
        order.merged_into, order.closed_at = master, received
    for number, step in enumerate(entry.steps, start=1):
        try:
            _apply(replay, step, departments, now)
        except DomainError as exc:
            raise DomainError(
                exc.code,
                lazy_format(
                    _("Step %(n)d (%(action)s): %(reason)s"),
                    {"n": number, "action": step.action, "reason": exc.message},
                ),
            ) from None
    order.state = item.state
    order.due_at = item.due_at
    open_late = not item.is_closed and item.due_at is not None and now > item.due_at and order.lead_department_id
    order.overdue = order.overdue or bool(open_late)
    return replay


def _apply(replay: _Replay, step: Step, departments: dict[int, Department], now: dt.datetime) -> None:
    order, item = replay.order, replay.item
    at = _when(step.at)
    if at > now:
        raise DomainError("step_in_future", _("A step is dated in the future."))
    sla = sla_for(order.category, order.kind) if order.category_id else None
    if step.action in ("dispatch", "reassign"):
        unit = departments.get(step.department or 0)
        if unit is None or sla is None:
            raise DomainError("unknown_department", _("A dispatch names no known unit, or the order has no category."))
        if step.action == "reassign" and replay.assignments:
            lead = replay.assignments[-1]
            lead.return_status = ReturnStatus.ACCEPTED
        for assignment in replay.assignments:
            assignment.is_current = False
        replay.transitions.append(
            replay_action(
                item, step.action, at, comment=step.comment or unit.name, restart_overall=sla, department=unit
            )
        )
        replay.assignments.append(Assignment(department=unit, role=AssignmentRole.LEAD, dispatched_at=at))
        order.lead_department, order.dispatched_at = unit, at
    elif step.action == "accept":
        replay.transitions.append(replay_action(item, "accept", at))
        replay.assignments[-1].signed_at = at
    elif step.action == "return":
        check_return_window(replay.assignments[-1].dispatched_at, at)
        replay.transitions.append(replay_action(item, "return", at, comment=step.comment))
        lead = replay.assignments[-1]
        lead.return_status, lead.return_reason, lead.returned_at = ReturnStatus.PENDING, step.comment, at
    elif step.action == "refuse_return":
        replay.transitions.append(replay_action(item, "refuse_return", at, comment=step.comment))
        replay.assignments[-1].return_status = ReturnStatus.REFUSED
    elif step.action == "extend":
        days = step.working_days or 0
        if not days or order.extended_days + days > policy()["extension_max_working_days"]:
            raise DomainError("extension_too_long", _("Extensions exceed the allowed working days."))
        if item.due_at is None:
            raise DomainError("no_deadline", _("This item has no overall deadline to extend."))
        replay.transitions.append(replay_action(item, "extend", at, comment=step.comment, extend_working_days=days))
        replay.extensions.append(
            Extension(working_days=days, reason=step.comment or "-", status="approved", requested_at=at, decided_at=at)
        )
        order.extended_days += days
    elif step.action == "supervise":
        if order.lead_department is None:
            raise DomainError("cannot_supervise", _("Only an open, dispatched order can be supervised."))
        replay.transitions.append(replay_action(item, "supervise", at, comment=step.reason))
        replay.urgings.append(
            Urging(reason=step.reason, department=order.lead_department, note=step.comment, issued_at=at)
        )
        if step.reason == "overdue":
            order.overdue = True
    elif step.action == "reply":
        if step.form is None:
            raise DomainError("form_required", _("A reply step carries the handling form."))
        if order.due_at is not None and at > order.due_at:
            order.overdue = True
        replay.transitions.append(replay_action(item, "reply", at, comment=step.form.public_reply))
        form = step.form
        order.is_true, order.beyond_duty, order.is_resolved = form.is_true, form.beyond_duty, form.is_resolved
        order.unresolved_reason, order.handling_notes, order.public_reply = (
            form.unresolved_reason,
            form.handling_notes,
            form.public_reply,
        )
        order.contacted_at = at if form.contacted else None
        order.replied_at = at
        order.due_at = item.due_at
    elif step.action in ("resolve", "redo"):
        satisfaction = step.satisfaction or ("satisfied" if step.action == "resolve" else "dissatisfied")
        replay.transitions.append(
            replay_action(
                item, step.action, at, comment=step.comment, restart_overall=sla if step.action == "redo" else None
            )
        )
        order.satisfaction, order.rating_comment, order.rated_at = satisfaction, step.comment, at
        if step.action == "redo":
            order.redo_count += 1
        else:
            order.closed_at = at
    elif step.action == "answer_directly":
        replay.transitions.append(replay_action(item, "answer_directly", at, comment=step.comment))
        order.public_reply, order.replied_at, order.closed_at, order.is_resolved = step.comment, at, at, True
    order.state = item.state
    order.due_at = item.due_at


@transaction.atomic
def _write(built: list[_Replay], actor: Any) -> None:
    if not built:
        return
    items = insert_objects(WorkflowItem, [r.item for r in built])
    for replay, item in zip(built, items, strict=True):
        replay.order.item = item
    orders = insert_objects(WorkOrder, [r.order for r in built])
    transitions, assignments, urgings, extensions = [], [], [], []
    for replay, order in zip(built, orders, strict=True):
        for t in replay.transitions:
            t.item = replay.order.item
            transitions.append(t)
        for rows, out in (
            (replay.assignments, assignments),
            (replay.urgings, urgings),
            (replay.extensions, extensions),
        ):
            for row in rows:
                row.order = order
                out.append(row)
    # Transitions and assignments are many and need no ids back: the fast path.
    bulk_insert(
        WorkflowTransition,
        [
            "item_id",
            "action",
            "from_state",
            "to_state",
            "actor_id",
            "at",
            "comment",
            "evidence",
            "from_department_id",
            "to_department_id",
        ],
        (
            (
                t.item.pk,
                t.action,
                t.from_state,
                t.to_state,
                None,
                t.at,
                t.comment,
                "[]",
                t.from_department.pk if t.from_department else None,
                t.to_department.pk if t.to_department else None,
            )
            for t in transitions
        ),
    )
    bulk_insert(
        Assignment,
        [
            "order_id",
            "department_id",
            "role",
            "is_current",
            "dispatched_at",
            "dispatched_by_id",
            "signed_at",
            "return_status",
            "return_reason",
            "returned_at",
            "return_review",
        ],
        (
            (
                a.order.pk,
                a.department.pk,
                a.role,
                a.is_current,
                a.dispatched_at,
                None,
                a.signed_at,
                a.return_status,
                a.return_reason,
                a.returned_at,
                a.return_review,
            )
            for a in assignments
        ),
    )
    Urging.objects.bulk_create(urgings, batch_size=2000)
    Extension.objects.bulk_create(extensions, batch_size=2000)
    record_batch(
        actor,
        "complaints.import_history",
        "work_order",
        [[o.number, o.state, o.lead_department_id] for o in orders],
        summary={"orders": len(orders), "steps": len(transitions)},
    )
