"""Writes of complaints and 12345 work orders: intake, classification, routing, dispatch, signing,
return and its review, extension, urging (督办), reply, return call or citizen rating, re-handling.

Every order runs on the `complaints_order` workflow (definitions/complaints_order.json): the
workflow item holds the state, the deadlines (the category's SLA from dispatch, yellow one working
day before, red when overdue) and the transition history; this module keeps the order's own
columns in step inside the same transaction, and audits each step.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.complaints import classifier, geo
from jianguan.complaints.choices import (
    PUBLIC_ROLE,
    SYSTEM_ROLE,
    WORKFLOW_CODE,
    AssignmentRole,
    Channel,
    ExtensionStatus,
    Kind,
    ReturnStatus,
    RoutingOutcome,
    Satisfaction,
    State,
    UrgingReason,
)
from jianguan.complaints.duplicates import find_duplicate
from jianguan.complaints.models import Assignment, Category, Extension, Urging, WorkOrder
from jianguan.complaints.permissions import is_handler, is_operator, mask_name, mask_phone, sealed_order_text
from jianguan.complaints.policy import check_return_window, policy, sla_for
from jianguan.complaints.routing import find_subject, locate, office_for, route
from jianguan.complaints.schemas import Demand, HandlingForm, HotlineOrder, Rating
from jianguan.core.errors import DomainError, FieldError, Forbidden, NotFound, lazy_format
from jianguan.core.models import Department
from jianguan.core.pii import encrypt, keyed_hash
from jianguan.core.ratelimit import check_public_rate
from jianguan.core.text import first_forbidden
from jianguan.facts.services import publish
from jianguan.platform.importing import checked_file, validated
from jianguan.workflow.models import WorkflowItem
from jianguan.workflow.services import extend_deadline, note_action, perform_action, start_workflow


@dataclass
class Attachment:
    name: str
    data: bytes


def _operator_or_system(actor: Any, order: WorkOrder) -> None:
    if actor is not None and not is_operator(actor, order):
        raise Forbidden(_("Only the 12345 office's operators may do this."))


def _handler(actor: Any, order: WorkOrder, *, lead_only: bool = True) -> None:
    if not is_handler(actor, order, lead_only=lead_only):
        raise Forbidden(_("Only the staff of the unit handling this order may do this."))


def new_number(now: dt.datetime) -> str:
    """yyMMddHHmmss of intake and 6 random digits; the unique constraint catches the rare clash."""
    return timezone.localtime(now).strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10**6):06d}"


def _store_attachments(files: list[Attachment]) -> list[dict[str, Any]]:
    rules = policy()["attachments"]
    if len(files) > rules["max_files"]:
        raise DomainError(
            "too_many_attachments",
            lazy_format(_("At most %(n)d attachments per demand."), {"n": rules["max_files"]}),
        )
    stored = []
    for file in files:
        digest = checked_file(
            file.name, file.data, types=rules["types"], max_bytes=rules["max_bytes"], kind="attachment"
        )
        suffix = Path(file.name).suffix.lower()
        path = default_storage.save(f"complaints/{digest[:2]}/{digest[:16]}{suffix}", ContentFile(file.data))
        stored.append({"name": file.name[:200], "sha256": digest, "size": len(file.data), "path": path})
    return stored


# A pin decides the county when the address (and text) locate it less surely than this; the pin's
# county is then held with PIN_CONFIDENCE (a point near a boundary may fall in the neighbour).
PIN_OVER_ADDRESS = 0.5
PIN_CONFIDENCE = 0.8


def check_public_filing_rate(client_address: str) -> None:
    """Filings from the public (portal, public API) per address and minute, as the policy allows."""

    check_public_rate(client_address, "public-complaint", per_minute=policy()["public_filings_per_minute"])


def classify(text: str) -> dict[str, Any]:
    """The trained models' proposals for kind and category, each with a confidence (empty if untrained)."""
    out: dict[str, Any] = {}
    for target in classifier.TARGETS:
        model = classifier.proposer(target)
        if model is not None:
            label, confidence = classifier.propose(model, text)
            out[target] = (label, confidence)
    return out


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise DomainError(
            "unknown_category", lazy_format(_("There is no active category with code %(code)s."), {"code": code})
        )
    return category


def receive(
    demand: Demand | dict[str, Any],
    *,
    channel: str,
    actor: Any = None,
    attachments: list[Attachment] | None = None,
    hint_region: str | None = None,
    now: dt.datetime | None = None,
    number: str | None = None,
    source_system: str = "",
) -> tuple[WorkOrder, str]:
    """Take in one demand; returns the order and the citizen's query code (shown once, stored hashed).

    The region comes from the address (the receiving office's city as a hint), the subject from a
    USCC or a registered name in the text, the kind and category from the caller or else from the
    classifier's proposal (then an operator confirms). A repeat of an open order is merged into it.
    An order whose category is given and whose route is found is dispatched at once.
    """
    now = now or timezone.now()
    if isinstance(demand, dict):
        demand = validated(HotlineOrder if number is None and "number" in demand else Demand, demand)
    if isinstance(demand, HotlineOrder):
        number, now, channel = demand.number, demand.received_at, demand.channel
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
    if channel not in Channel.values:
        raise DomainError("unknown_channel", _("Unknown intake channel."))
    pinned = geo.county_at(demand.latitude, demand.longitude) if demand.latitude is not None else None
    hint = hint_region or (pinned.code if pinned else None) or getattr(getattr(actor, "region", None), "code", None)
    region_code, confidence = locate(f"{demand.address or ''} {demand.content}", hint)
    if pinned is not None and (region_code is None or confidence < PIN_OVER_ADDRESS):
        # The citizen's own pin, on simplified boundaries, says more than an address that names no county.
        region_code, confidence = pinned.code, PIN_CONFIDENCE
    office = office_for(region_code)
    if office is None:
        raise DomainError("no_office", _("No 12345 office is registered; run `jianguan complaints setup`."))
    if region_code is None:
        region_code = office.region_id
    category = _category(demand.category)
    proposals = classify(demand.content)
    proposed_kind, kind_confidence = proposals.get("kind", ("", None))
    proposed_code, category_confidence = proposals.get("category", ("", None))
    proposed_category = Category.objects.filter(code=proposed_code).first() if proposed_code else None
    subject, how = find_subject(demand.content, demand.subject_uscc)
    person = demand.complainant
    phone_hash = keyed_hash(person.phone) if person.phone else ""
    query_code = f"{secrets.randbelow(10**6):06d}"
    order = WorkOrder(
        number=number or new_number(now),
        query_code_hash=keyed_hash(query_code),
        channel=channel,
        source_system=source_system,
        kind=demand.kind or "",
        category=category,
        top_category=category.top_code if category else "",
        proposed_kind=proposed_kind if proposed_kind in Kind.values else "",
        proposed_kind_confidence=kind_confidence,
        proposed_category=proposed_category,
        proposed_category_confidence=category_confidence,
        classification_confirmed=bool(demand.kind and category),
        **sealed_order_text(demand.title, demand.content),
        address=demand.address or "",
        latitude=demand.latitude,
        longitude=demand.longitude,
        region_id=region_code,
        region_confidence=confidence,
        anonymous=person.anonymous,
        complainant_name_sealed=encrypt(person.name) if person.name and not person.anonymous else "",
        complainant_name_masked=mask_name(person.name) if person.name and not person.anonymous else "",
        complainant_phone_sealed=encrypt(person.phone) if person.phone else "",
        complainant_phone_masked=mask_phone(person.phone) if person.phone else "",
        complainant_phone_hash=phone_hash,
        subject=subject,
        subject_match=how,
        office=office,
        state=State.RECEIVED,
        received_at=now,
        created_by=staff_user(actor),
    )
    with transaction.atomic():
        order.attachments = _store_attachments(attachments or [])
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            raise DomainError(
                "duplicate_number",
                lazy_format(_("Work order %(number)s already exists."), {"number": order.number}),
                status=409,
            ) from None
        item = start_workflow(
            WORKFLOW_CODE,
            reference=order.number,
            title=order.title,
            department=office,
            region_id=region_code,
            actor=actor,
            now=now,
            acting_role=PUBLIC_ROLE if actor is None else None,
        )
        order.item = item
        order.save(update_fields=["item"])
        record_event(
            actor,
            "complaints.receive",
            "work_order",
            order.pk,
            after={
                "number": order.number,
                "channel": channel,
                "region": region_code,
                "region_confidence": confidence,
                "subject": order.subject_id,
                "category": category.code if category else None,
                "proposed": {k: list(v) for k, v in proposals.items()},
                "attachments": [a["sha256"] for a in order.attachments],
            },
        )
        if order.category is not None and order.kind:
            _merge_or_route(order, actor, now, system=True)
        else:
            _merge_if_repeat(order, actor, now)
    return order, query_code


def _sync(order: WorkOrder, item: WorkflowItem, **fields: Any) -> None:
    """Copy the workflow item's state and deadline onto the order, with any other changed fields."""
    order.state = item.state
    order.due_at = item.due_at
    for name, value in fields.items():
        setattr(order, name, value)
    WorkOrder.objects.filter(pk=order.pk).update(state=order.state, due_at=order.due_at, **fields)


def _merge(order: WorkOrder, master: WorkOrder, score: float, actor: Any, now: dt.datetime) -> None:
    item = perform_action(
        order.item,
        "merge",
        None,
        comment=f"{master.number}",
        now=now,
        acting_role=SYSTEM_ROLE,
    )
    _sync(order, item, merged_into=master, similarity=score, closed_at=now)
    record_event(actor, "complaints.merge", "work_order", order.pk, after={"into": master.number, "similarity": score})


def _merge_if_repeat(order: WorkOrder, actor: Any, now: dt.datetime) -> bool:
    """Merge the order into the open order it repeats, if any."""
    master, score = find_duplicate(
        content=order.content,
        category_id=order.category_id,
        subject_id=order.subject_id,
        phone_hash=order.complainant_phone_hash,
        received_at=order.received_at,
        exclude=order.pk,
    )
    if master is not None:
        _merge(order, master, score, actor, now)
    return master is not None


def _merge_or_route(order: WorkOrder, actor: Any, now: dt.datetime, *, system: bool) -> None:
    """A classified order: merged when it repeats an open one, else routed and, when the catalogue
    finds a unit, dispatched (by the system at intake, by the confirming operator otherwise)."""
    if _merge_if_repeat(order, actor, now):
        return
    found = route(order.category, order.region_id)
    order.routing = found.outcome
    order.save(update_fields=["routing"])
    if found.lead is not None:
        dispatch(order, actor, lead=found.lead, co=found.co, now=now, routing=found.outcome, system=system)


def confirm_classification(
    order: WorkOrder, actor: Any, *, kind: str, category_code: str, now: dt.datetime | None = None
) -> WorkOrder:
    """An operator confirms or corrects the kind and category; the order is then routed and,
    when the catalogue finds a unit, dispatched. Corrections become training data."""
    _operator_or_system(actor, order)
    if order.state != State.RECEIVED:
        raise DomainError("wrong_state", _("Only an order not yet dispatched can be reclassified."), status=409)
    if kind not in Kind.values:
        raise DomainError("unknown_kind", _("Unknown kind of demand."))
    category = _category(category_code)
    corrected = (order.proposed_kind and order.proposed_kind != kind) or (
        order.proposed_category_id is not None and order.proposed_category_id != category.pk
    )
    now = now or timezone.now()
    with transaction.atomic():
        before = {"kind": order.kind, "category": order.category_id}
        fields = {
            "kind": kind,
            "category": category,
            "top_category": category.top_code,
            "classification_confirmed": True,
            "classification_corrected": bool(corrected),
        }
        for name, value in fields.items():
            setattr(order, name, value)
        order.save(update_fields=[*fields, "updated_at"])
        record_event(
            actor,
            "complaints.classify",
            "work_order",
            order.pk,
            before=before,
            after={"kind": kind, "category": category.code, "corrected": bool(corrected)},
        )
        _merge_or_route(order, actor, now, system=False)
    return order


def dispatch(
    order: WorkOrder,
    actor: Any,
    *,
    lead: Department,
    co: list[Department] | None = None,
    now: dt.datetime | None = None,
    routing: str = RoutingOutcome.MANUAL,
    system: bool = False,
) -> WorkOrder:
    """派单: the lead unit (and co-handlers) get the order; its handling deadline starts now."""
    if not system:
        _operator_or_system(actor, order)
    if not order.kind or order.category_id is None:
        raise DomainError("not_classified", _("Confirm the kind and category before dispatching."))
    now = now or timezone.now()
    sla = sla_for(order.category, order.kind)
    with transaction.atomic():
        item = perform_action(
            order.item,
            "dispatch",
            None if system else actor,
            comment=lead.name,
            now=now,
            acting_role=SYSTEM_ROLE if system else None,
            restart_overall=sla,
            department=lead,
        )
        _assign(order, lead, [d for d in (co or []) if d != lead], actor, now)
        _sync(order, item, lead_department=lead, dispatched_at=now, routing=routing)
        record_event(
            actor,
            "complaints.dispatch",
            "work_order",
            order.pk,
            after={"lead": lead.pk, "co": [d.pk for d in co or []], "due_at": item.due_at, "routing": routing},
        )
    return order


def dispatch_together(
    orders: list[WorkOrder],
    actor: Any,
    *,
    lead: Department,
    co: list[Department] | None = None,
    now: dt.datetime | None = None,
) -> list[WorkOrder]:
    """派单 of several orders to one lead unit, all or none: each goes through `dispatch`; when any
    is refused, nothing is written and the error names every refused order with its reason."""
    now = now or timezone.now()
    refused: list[FieldError] = []
    with transaction.atomic():
        for order in orders:
            try:
                with transaction.atomic():  # a refused order leaves the transaction usable for the next
                    dispatch(order, actor, lead=lead, co=co, now=now)
            except DomainError as exc:
                refused.append(FieldError(order.number, exc.message, exc.code))
        if refused:
            raise DomainError(
                "dispatch_refused",
                lazy_format(
                    _("%(n)s of the chosen orders cannot be dispatched: none was dispatched."), {"n": len(refused)}
                ),
                errors=refused,
            )
    return orders


def _assign(order: WorkOrder, lead: Department, co: list[Department], actor: Any, now: dt.datetime) -> None:
    order.assignments.filter(is_current=True).update(is_current=False)
    by = staff_user(actor)
    Assignment.objects.bulk_create(
        [Assignment(order=order, department=lead, role=AssignmentRole.LEAD, dispatched_at=now, dispatched_by=by)]
        + [
            Assignment(order=order, department=d, role=AssignmentRole.CO, dispatched_at=now, dispatched_by=by)
            for d in co
        ]
    )


def _lead_assignment(order: WorkOrder) -> Assignment:
    return order.assignments.get(is_current=True, role=AssignmentRole.LEAD)


def accept(order: WorkOrder, actor: Any, now: dt.datetime | None = None) -> WorkOrder:
    """签收: the lead unit takes the order on."""
    _handler(actor, order)
    now = now or timezone.now()
    with transaction.atomic():
        item = perform_action(order.item, "accept", actor, now=now)
        order.assignments.filter(is_current=True, role=AssignmentRole.LEAD).update(signed_at=now)
        _sync(order, item)
    return order


def return_order(order: WorkOrder, actor: Any, reason: str, now: dt.datetime | None = None) -> WorkOrder:
    """退单: a unit sends back an order outside its duties, within the return window, with a reason."""
    _handler(actor, order)
    now = now or timezone.now()
    assignment = _lead_assignment(order)
    check_return_window(assignment.dispatched_at, now)
    if not reason.strip():
        raise DomainError("reason_required", _("A return needs a reason."))
    with transaction.atomic():
        item = perform_action(order.item, "return", actor, comment=reason, now=now)
        Assignment.objects.filter(pk=assignment.pk).update(
            return_status=ReturnStatus.PENDING, return_reason=reason, returned_at=now
        )
        _sync(order, item)
    return order


def review_return(
    order: WorkOrder,
    actor: Any,
    *,
    accept: bool,
    comment: str,
    lead: Department | None = None,
    co: list[Department] | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """The office reviews a return: accepted → reassigned to another unit; refused → back to the same unit."""
    _operator_or_system(actor, order)
    now = now or timezone.now()
    assignment = _lead_assignment(order)
    if assignment.return_status != ReturnStatus.PENDING:
        raise DomainError("no_pending_return", _("This order has no return to review."), status=409)
    if accept and (lead is None or lead.pk == assignment.department_id):
        raise DomainError("reassign_needs_unit", _("Name a different unit to reassign the order to."))
    sla = sla_for(order.category, order.kind)
    with transaction.atomic():
        Assignment.objects.filter(pk=assignment.pk).update(
            return_status=ReturnStatus.ACCEPTED if accept else ReturnStatus.REFUSED, return_review=comment
        )
        if accept:
            item = perform_action(
                order.item, "reassign", actor, comment=comment, now=now, restart_overall=sla, department=lead
            )
            _assign(order, lead, [d for d in (co or []) if d != lead], actor, now)
            _sync(order, item, lead_department=lead, dispatched_at=now, routing=RoutingOutcome.MANUAL)
        else:
            item = perform_action(order.item, "refuse_return", actor, comment=comment, now=now)
            _sync(order, item)
    return order


def request_extension(
    order: WorkOrder, actor: Any, working_days: int, reason: str, now: dt.datetime | None = None
) -> Extension:
    """The lead unit asks for more working days (at most the policy's total, normally 10)."""
    _handler(actor, order)
    if order.state not in (State.HANDLING,):
        raise DomainError(
            "wrong_state", _("An extension can be asked for only while the order is handled."), status=409
        )
    limit = policy()["extension_max_working_days"]
    if working_days < 1 or order.extended_days + working_days > limit:
        raise DomainError(
            "extension_too_long",
            lazy_format(
                _("Extensions may add up to %(limit)d working days in all; %(used)d already granted."),
                {"limit": limit, "used": order.extended_days},
            ),
        )
    if not reason.strip():
        raise DomainError("reason_required", _("An extension needs a reason."))
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                extension = Extension.objects.create(
                    order=order,
                    working_days=working_days,
                    reason=reason,
                    status=ExtensionStatus.PENDING,
                    requested_by=actor,
                    requested_at=now,
                )
        except IntegrityError:
            raise DomainError(
                "extension_pending", _("An extension request is already waiting for a decision."), status=409
            ) from None
        note_action(order.item, "request_extension", actor, comment=f"{working_days}: {reason}", now=now)
    return extension


def decide_extension(
    extension: Extension, actor: Any, *, approve: bool, comment: str = "", now: dt.datetime | None = None
) -> Extension:
    """The office approves (the deadline moves by the working days asked) or refuses."""
    order = extension.order
    _operator_or_system(actor, order)
    now = now or timezone.now()
    with transaction.atomic():
        updated = Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED,
            decided_by=staff_user(actor),
            decided_at=now,
            decision_comment=comment,
        )
        if updated != 1:
            raise DomainError("already_decided", _("This extension request was already decided."), status=409)
        if approve:
            item = extend_deadline(order.item, extension.working_days, actor, comment=comment, now=now)
            _sync(order, item, extended_days=order.extended_days + extension.working_days)
        else:
            note_action(order.item, "refuse_extension", actor, comment=comment, now=now)
    extension.refresh_from_db()
    return extension


def urge(
    order: WorkOrder,
    actor: Any,
    *,
    reason: str = UrgingReason.MANUAL,
    note: str = "",
    now: dt.datetime | None = None,
) -> Urging:
    """督办单 to the lead unit (by the office, or by the job for overdue orders and dissatisfied calls)."""
    _operator_or_system(actor, order)
    if order.lead_department_id is None or order.state in (State.CLOSED, State.MERGED):
        raise DomainError("cannot_supervise", _("Only an open, dispatched order can be supervised."), status=409)
    now = now or timezone.now()
    with transaction.atomic():
        urging = Urging.objects.create(
            order=order,
            reason=reason,
            department_id=order.lead_department_id,
            note=note,
            issued_by=staff_user(actor),
            issued_at=now,
        )
        note_action(
            order.item,
            "supervise",
            actor,
            comment=f"{reason}: {note}",
            now=now,
            acting_role=None if actor else "system",
        )
    return urging


def reply(
    order: WorkOrder, actor: Any, form: HandlingForm | dict[str, Any], now: dt.datetime | None = None
) -> WorkOrder:
    """答复: the lead unit's handling form; the order waits for the return call."""
    _handler(actor, order)
    form = validated(HandlingForm, form)
    now = now or timezone.now()
    with transaction.atomic():
        item = perform_action(order.item, "reply", actor, comment=form.public_reply, now=now)
        overdue = order.overdue or (order.due_at is not None and now > order.due_at)
        _sync(
            order,
            item,
            is_true=form.is_true,
            beyond_duty=form.beyond_duty,
            contacted_at=now if form.contacted else None,
            is_resolved=form.is_resolved,
            unresolved_reason=form.unresolved_reason,
            handling_notes=form.handling_notes,
            public_reply=form.public_reply,
            replied_at=now,
            overdue=overdue,
        )
        if form.is_true:
            _publish(order, "complaints.found_true", {"kind": order.kind, "category": order.category_id})
    return order


def _publish(order: WorkOrder, name: str, payload: dict[str, Any], audit_event: Any = None) -> None:
    """A fact about a work order: its lead unit, region and subject, the number in the payload."""
    publish(
        name,
        department=order.lead_department_id,
        region=order.region_id,
        subject=order.subject_id,
        object_type="work_order",
        object_id=order.number,
        payload={"number": order.number, **payload},
        audit_event=audit_event,
    )


REQUIREMENT_LIMIT = 1000


def request_rectification(order: WorkOrder, actor: Any, requirement: str) -> None:
    """整改: the lead unit asks for a rectification order on a demand found true about a known subject.

    Published as `complaints.rectification_requested`; the rectification service opens the order
    (at once, or within a task cycle when tasks are queued).
    """
    _handler(actor, order)
    if not (order.is_true and order.subject_id and order.lead_department_id):
        raise DomainError(
            "cannot_rectify", _("Only a demand found true on a known subject can open a rectification order.")
        )
    requirement = (requirement or "").strip()
    if not requirement:
        raise DomainError("no_requirement", _("Say what must be put right."))
    if len(requirement) > REQUIREMENT_LIMIT or first_forbidden(requirement) is not None:
        raise DomainError("invalid_requirement", _("The requirement is too long or holds control characters."))
    with transaction.atomic():
        event = record_event(
            actor, "complaints.rectification_requested", "work_order", order.pk, after={"number": order.number}
        )
        _publish(
            order,
            "complaints.rectification_requested",
            {"requirement": requirement, "requested_by": getattr(actor, "pk", None)},
            event,
        )


def _rate(order: WorkOrder, actor: Any, rating: Rating, now: dt.datetime, *, citizen: bool) -> WorkOrder:
    dissatisfied = rating.satisfaction == Satisfaction.DISSATISFIED
    with transaction.atomic():
        if dissatisfied:
            item = perform_action(
                order.item,
                "redo",
                None if citizen else actor,
                comment=rating.comment,
                now=now,
                acting_role=PUBLIC_ROLE if citizen else None,
                restart_overall=sla_for(order.category, order.kind),
            )
        else:
            item = perform_action(
                order.item,
                "resolve",
                None if citizen else actor,
                comment=rating.comment,
                now=now,
                acting_role=PUBLIC_ROLE if citizen else None,
            )
        _sync(
            order,
            item,
            satisfaction=rating.satisfaction,
            rating_comment=rating.comment,
            rated_at=now,
            rated_by_citizen=citizen,
            redo_count=order.redo_count + (1 if dissatisfied else 0),
            closed_at=None if dissatisfied else now,
        )
        if dissatisfied and "dissatisfied" in policy()["supervise_on"]:
            urge(order, None, reason=UrgingReason.DISSATISFIED, note=rating.comment, now=now)
    return order


def return_call(
    order: WorkOrder, actor: Any, rating: Rating | dict[str, Any], now: dt.datetime | None = None
) -> WorkOrder:
    """回访 by the office: satisfied → 办结; dissatisfied → 重办 with a new deadline and a 督办单."""
    _operator_or_system(actor, order)
    rating = validated(Rating, rating)
    return _rate(order, actor, rating, now or timezone.now(), citizen=False)


def find_for_citizen(number: str, query_code: str) -> WorkOrder:
    """The order a citizen may see: its number and the query code given at intake must both match."""

    order = WorkOrder.objects.filter(number=(number or "").strip()).select_related("merged_into").first()
    if order is None or not secrets.compare_digest(order.query_code_hash, keyed_hash((query_code or "").strip())):
        raise NotFound(_("No work order matches this number and query code."))
    return order


def rate_by_citizen(
    number: str, query_code: str, rating: Rating | dict[str, Any], now: dt.datetime | None = None
) -> WorkOrder:
    """The citizen's own rating on the portal; on a replied order it is the return call's answer.
    A merged demand is rated on its own record (its master's handling answers it)."""
    return rate_found_order(find_for_citizen(number, query_code), rating, now)


def rate_found_order(order: WorkOrder, rating: Rating | dict[str, Any], now: dt.datetime | None = None) -> WorkOrder:
    """The citizen's rating of an order already found by its number and query code (`find_for_citizen`:
    the portal keeps that proof in the visitor's session, never the code itself)."""
    rating = validated(Rating, rating)
    now = now or timezone.now()
    if order.merged_into_id is not None:
        if order.merged_into.state not in (State.REPLIED, State.CLOSED) or order.satisfaction:
            raise DomainError("cannot_rate", _("This demand cannot be rated now."), status=409)
        WorkOrder.objects.filter(pk=order.pk).update(
            satisfaction=rating.satisfaction, rating_comment=rating.comment, rated_at=now, rated_by_citizen=True
        )
        record_event(None, "complaints.rate", "work_order", order.pk, after={"satisfaction": rating.satisfaction})
        order.refresh_from_db()
        return order
    if order.state != State.REPLIED:
        raise DomainError("cannot_rate", _("A demand can be rated once it has been answered."), status=409)
    return _rate(order, None, rating, now, citizen=True)


def answer_directly(order: WorkOrder, actor: Any, answer: str, now: dt.datetime | None = None) -> WorkOrder:
    """A consultation answered by the operator at intake (直接办结)."""
    _operator_or_system(actor, order)
    now = now or timezone.now()
    with transaction.atomic():
        item = perform_action(order.item, "answer_directly", actor, comment=answer, now=now)
        _sync(order, item, public_reply=answer, replied_at=now, closed_at=now, is_resolved=True)
    return order


def flag_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Mark open orders past their deadline (red card) and, by policy, issue one 督办单 for each."""
    now = now or timezone.now()
    late = list(
        WorkOrder.objects.filter(
            overdue=False,
            state__in=[State.DISPATCHED, State.HANDLING, State.RETURNED],
            item__is_closed=False,
            item__due_at__lte=now,
        ).select_related("item")
    )
    supervised = 0
    for order in late:
        with transaction.atomic():
            WorkOrder.objects.filter(pk=order.pk).update(overdue=True)
            record_event(None, "complaints.overdue", "work_order", order.pk, after={"due_at": order.item.due_at})
            if "overdue" in policy()["supervise_on"] and order.lead_department_id:
                urge(order, None, reason=UrgingReason.OVERDUE, now=now)
                supervised += 1
    return {"overdue": len(late), "supervised": supervised}


def receive_many(rows: list[Any], actor: Any, *, source_system: str) -> dict[str, Any]:
    """A 12345 system's batch: each row is accepted, rejected with reasons, or a duplicate of a number
    already held (or sent earlier in the batch). Each accepted row is written in its own transaction."""
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        number = row.get("number") if isinstance(row, dict) else None
        try:
            if not isinstance(row, dict):
                raise DomainError("invalid_row", _("Each work order must be a JSON object."))
            order_in = validated(HotlineOrder, row)
            if order_in.number in seen or WorkOrder.objects.filter(number=order_in.number).exists():
                results.append({"row": index, "number": order_in.number, "outcome": "duplicate"})
                continue
            order, _code = receive(order_in, channel=order_in.channel, actor=actor, source_system=source_system)
            seen.add(order.number)
            results.append({"row": index, "number": order.number, "outcome": "accepted", "state": order.state})
        except DomainError as exc:
            errors = [dict(e.as_dict(), row=index) for e in exc.errors] or [
                {"row": index, "field": "__all__", "code": exc.code, **_both(exc)}
            ]
            results.append({"row": index, "number": number, "outcome": "rejected", "errors": errors})
    counts = {k: sum(r["outcome"] == k for r in results) for k in ("accepted", "rejected", "duplicate")}
    return {"received": len(rows), **counts, "results": results}


def _both(exc: DomainError) -> dict[str, str]:
    body = exc.as_body()
    return {"message": body["message"], "message_en": body["message_en"]}


def train_from_orders(limit: int | None = None) -> dict[str, Any]:
    """Retrain the kind and category models from orders whose classification a person confirmed
    (corrections included): the deployment's own labelled history. The newest `limit` orders."""
    import pandas as pd

    orders = (
        WorkOrder.objects.filter(classification_confirmed=True, category__isnull=False)
        .exclude(kind="")
        .order_by("-received_at")
        .values_list("title", "content", "kind", "category__code")
    )
    rows = list(orders[:limit] if limit else orders)
    frame = pd.DataFrame(rows, columns=["title", "content", "kind", "category"])
    if frame.empty:
        raise DomainError("no_training_data", _("No confirmed work orders to train on."))
    frame["text"] = frame["content"]
    classifier.train_targets(
        frame["text"],
        {target: frame[target] for target in classifier.TARGETS},
        {target: classifier.model_path(target) for target in classifier.TARGETS},
    )
    return {
        "trained_on": int(len(frame)),
        "kinds": int(frame["kind"].nunique()),
        "categories": int(frame["category"].nunique()),
    }
