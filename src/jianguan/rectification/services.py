"""整改: the one door for rectification orders.

An order is opened by staff from an inspection record, or by this app's subscribers when another
application publishes a finding (`complaints.rectification_requested`, `spotcheck.result_recorded`,
`joint.campaign_finding`). The subject reports through staff or the portal; review closes the order,
sends it back or orders a re-inspection, and a closed order is published as `rectification.closed`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.catalog.models import CheckPoint
from jianguan.core.codes import issue_number
from jianguan.core.errors import DomainError, FieldError
from jianguan.core.models import Department
from jianguan.core.pii import keyed_hash
from jianguan.facts.services import publish
from jianguan.platform.importing import checked_file
from jianguan.records.models import Record
from jianguan.rectification.choices import (
    MAX_PHOTOS,
    PHOTO_MAX_BYTES,
    PHOTO_TYPES,
    RECTIFY_WORKFLOW,
    ReportChannel,
    SourceKind,
)
from jianguan.rectification.models import Evidence, Rectification
from jianguan.rectification.policy import WORKFLOW, policy
from jianguan.subjects.models import Subject
from jianguan.workflow.models import WorkflowDefinition
from jianguan.workflow.schemas import Sla
from jianguan.workflow.services import define_workflow, perform_action, start_workflow


def setup() -> None:
    """Define the rectification workflow (a new version only if the shipped definition changed)."""
    define_workflow(json.loads(WORKFLOW.read_text(encoding="utf-8")))


def _ensure_workflow() -> None:
    """The first order of a fresh deployment defines the workflow it runs on."""
    if not WorkflowDefinition.objects.filter(code=RECTIFY_WORKFLOW, is_active=True).exists():
        setup()


def open_rectification(
    source_kind: str,
    source_ref: str,
    subject: Subject,
    department: Department,
    requirement: str,
    *,
    actor: Any,
    working_days: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Rectification, str]:
    """An order to put a finding right; returns it and the subject's access code for the portal."""
    require_department_staff(actor, department)
    if source_kind not in SourceKind.values:
        raise DomainError("unknown_source", _("Unknown source of the finding."))
    if not requirement.strip():
        raise DomainError("no_requirement", _("Say what must be put right."))
    now = now or timezone.now()
    working_days = working_days or policy()["default_working_days"]
    code = f"{secrets.randbelow(10**6):06d}"
    _ensure_workflow()
    with transaction.atomic():
        number = issue_number("ZG", now)
        item = start_workflow(
            RECTIFY_WORKFLOW,
            reference=number,
            title=f"整改 {subject.name}"[:255],
            department=department,
            actor=actor,
            now=now,
            overall_sla=Sla(working_days=working_days),
        )
        try:
            with transaction.atomic():
                order = Rectification.objects.create(
                    number=number,
                    source_kind=source_kind,
                    source_ref=source_ref,
                    subject=subject,
                    department=department,
                    requirement=requirement.strip(),
                    due_on=timezone.localtime(item.due_at).date() - dt.timedelta(days=1),
                    item=item,
                    state=item.state,
                    access_code_hash=keyed_hash(code),
                    issued_by=staff_user(actor),
                    issued_at=now,
                )
        except IntegrityError:
            raise DomainError(
                "rectification_exists", _("This finding already has a rectification order."), status=409
            ) from None
        record_event(
            actor,
            "rectification.open",
            "rectification",
            order.pk,
            after={"source": f"{source_kind}:{source_ref}", "due_on": order.due_on},
        )
    return order, code


def _already_opened(source_kind: str, source_ref: str) -> bool:
    return Rectification.objects.filter(source_kind=source_kind, source_ref=source_ref).exists()


def _user(pk: Any) -> Any:
    """The staff member who asked, by id; None (the system) if the account is gone."""
    return get_user_model().objects.filter(pk=pk).first() if pk else None


def _open_for_facts(facts: list, kind: str, ref, requirement, actor_key: str) -> None:
    """One order per fact about a subject and its department, unless the finding has one already
    (a fact received again finds its order and does nothing)."""
    subjects = Subject.objects.in_bulk({f.subject_id for f in facts})
    departments = Department.objects.in_bulk({f.department_id for f in facts})
    for fact in facts:
        if _already_opened(kind, ref(fact.payload)):
            continue
        open_rectification(
            kind,
            ref(fact.payload),
            subjects[fact.subject_id],
            departments[fact.department_id],
            requirement(fact.payload),
            actor=_user(fact.payload.get(actor_key)),
        )


def rectifications_requested(facts: list) -> None:
    """Subscriber of `complaints.rectification_requested`: the order the 12345 handler asked for."""
    _open_for_facts(facts, SourceKind.COMPLAINT, lambda p: p["number"], lambda p: p["requirement"], "requested_by")


def rectifications_for_campaigns(facts: list) -> None:
    """Subscriber of `joint.campaign_finding`: one order listing a campaign check's failed points."""
    _open_for_facts(
        facts,
        SourceKind.CAMPAIGN,
        lambda p: f"campaign-task-{p['task']}",
        lambda p: "；".join(p["failed"]),
        "recorded_by",
    )


def rectifications_for_findings(facts: list) -> None:
    """Subscriber of `spotcheck.result_recorded`: a result that asks for rectification (follow-up
    责令整改) and failed check points opens one order from the inspection record, once."""
    for fact in facts:
        payload = fact.payload
        if payload.get("follow_up") != "rectification" or not payload.get("failed"):
            continue
        if _already_opened(SourceKind.RECORD, f"record-{payload['record']}"):
            continue
        record = Record.objects.select_related("subject", "department").get(pk=payload["record"])
        rectification_from_record(record, _user(payload.get("entered_by")))


def rectification_from_record(
    record: Record, actor: Any, *, working_days: int | None = None, now: dt.datetime | None = None
) -> tuple[Rectification, str]:
    """From an inspection record's failed check items."""
    failed = [c.get("code") for c in (record.details or {}).get("check_items", []) if c.get("result") == "fail"]
    if record.kind != "inspection" or not failed:
        raise DomainError("no_failed_items", _("The record has no failed check item."))
    contents = dict(CheckPoint.objects.filter(item_id=record.item_id, code__in=failed).values_list("code", "content"))
    requirement = "；".join(contents.get(code, code) for code in failed)
    return open_rectification(
        SourceKind.RECORD,
        f"record-{record.pk}",
        record.subject,
        record.department,
        requirement,
        actor=actor,
        working_days=working_days,
        now=now,
    )


def _rectify_step(
    order: Rectification, action: str, actor: Any, *, comment: str = "", now=None, acting_role=None, **changes
) -> Rectification:
    if acting_role is None:
        require_department_staff(actor, order.department)
    with transaction.atomic():
        item = perform_action(order.item, action, actor, comment=comment, now=now, acting_role=acting_role)
        Rectification.objects.filter(pk=order.pk).update(state=item.state, **changes)
        if item.closed_at is not None:
            publish(
                "rectification.closed",
                department=order.department_id,
                subject=order.subject_id,
                object_type="rectification",
                object_id=order.number,
                payload={
                    "number": order.number,
                    "source": f"{order.source_kind}:{order.source_ref}",
                    "outcome": item.state,
                    "action": action,
                    "overdue": bool(item.due_at and item.closed_at > item.due_at),
                },
            )
    order.refresh_from_db()
    return order


def report_rectification(order: Rectification, actor: Any, text: str, now=None) -> Rectification:
    """The subject's report entered by staff; like the subject's own, it says what was put right."""
    if not (text or "").strip():
        message = _("Describe what was put right.")
        raise DomainError("empty_report", message, [FieldError("text", message, "empty_report")])
    now = now or timezone.now()
    return _rectify_step(
        order, "report", actor, comment=text, now=now, report=text, reported_at=now, reported_via=ReportChannel.STAFF
    )


def report_by_subject(number: str, code: str, text: str, now=None) -> Rectification:
    """The subject's own report through the portal, with the order's number and access code."""
    order = Rectification.objects.filter(number=(number or "").strip()).first()
    if order is None or not secrets.compare_digest(order.access_code_hash, keyed_hash((code or "").strip())):
        raise DomainError("not_found", _("No rectification order matches this number and code."), status=404)
    if not text.strip():
        raise DomainError("empty_report", _("Describe what was put right."))
    now = now or timezone.now()
    return _rectify_step(
        order,
        "report",
        None,
        comment=text,
        now=now,
        acting_role="public",
        report=text,
        reported_at=now,
        reported_via=ReportChannel.PORTAL,
    )


def requirement_points(order: Rectification) -> list[str]:
    """The points of what must be put right, each answered on its own at the re-inspection."""
    return [p.strip() for p in re.split(r"[；;\n]+", order.requirement) if p.strip()]


def record_reinspection(
    order: Rectification,
    actor: Any,
    answers: dict[str, bool],
    photos: list[tuple[str, bytes]],
    comment: str = "",
    now=None,
) -> Rectification:
    """The re-inspection on site (现场复查): each point found put right or not, with photos. Every
    point put right closes the order; any other goes back to 整改中 naming the points still open."""
    if order.state != "reinspection":
        raise DomainError("not_reinspecting", _("This order is not waiting for a re-inspection."), status=409)
    points = requirement_points(order)
    if set(answers) != set(points):
        raise DomainError("reinspection_points", _("Answer every point of the requirement, and only those."))
    if not photos:
        raise DomainError("photo_required", _("Take at least one photo on site."))
    if len(photos) > MAX_PHOTOS:
        raise DomainError("too_many_photos", _("Take at most 6 photos per re-inspection."))
    checked = [
        (name, data, checked_file(name, data, types=PHOTO_TYPES, max_bytes=PHOTO_MAX_BYTES, kind="evidence"))
        for name, data in photos
    ]
    now = now or timezone.now()
    open_points = [p for p in points if not answers[p]]
    if open_points:
        text = str(_("Still to put right: %(points)s") % {"points": "；".join(open_points)})
        action, comment = "reject_report", f"{text}{'。' + comment.strip() if comment.strip() else ''}"
    else:
        action, comment = "pass_reinspection", comment.strip()
    result = [{"point": p, "rectified": answers[p]} for p in points]
    with transaction.atomic():
        order = _rectify_step(order, action, actor, comment=comment, now=now, review=comment, reinspection=result)
        for name, data, digest in checked:
            photo = Evidence(order=order, name=name[:200], sha256=digest, size=len(data), taken_at=now)
            photo.file.save(f"{digest[:16]}{Path(name).suffix.lower()}", ContentFile(data), save=False)
            photo.save()
        record_event(
            actor,
            "rectification.reinspect",
            "rectification",
            order.pk,
            after={"points": result, "photos": [digest for _n, _d, digest in checked], "outcome": order.state},
        )
    return order


def review_rectification(order: Rectification, actor: Any, decision: str, comment: str = "", now=None) -> Rectification:
    """accept → closed; reinspect → a re-inspection is due; reject → back to 整改中."""
    actions = {
        "accept": "accept_report",
        "reinspect": "reinspect",
        "reject": "reject_report",
        "pass": "pass_reinspection",
    }
    if decision not in actions:
        raise DomainError("unknown_decision", _("Decide accept, reinspect, reject or pass."))
    return _rectify_step(order, actions[decision], actor, comment=comment, now=now, review=comment)
