"""协查协办: one department asks another to check or hand over; accept, decline, forward, reply with findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.core.codes import issue_number
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Department
from jianguan.joint.burden import check_cap
from jianguan.joint.choices import ASSIST_WORKFLOW
from jianguan.joint.models import (
    AssistRequest,
)
from jianguan.joint.policy import policy
from jianguan.records.permissions import visible_records
from jianguan.subjects.models import Subject
from jianguan.workflow.schemas import Sla
from jianguan.workflow.services import perform_action, start_workflow


def request_assistance(
    requester: Department,
    assignee: Department,
    subject: Subject,
    matters: str,
    *,
    actor: Any,
    working_days: int | None = None,
    justification: str = "",
    now: dt.datetime | None = None,
    number: str | None = None,
) -> AssistRequest:
    require_department_staff(actor, requester)
    rules = policy()
    working_days = working_days or rules["assistance_default_working_days"]
    if not 1 <= working_days <= rules["assistance_max_working_days"]:
        raise DomainError(
            "working_days_out_of_range",
            lazy_format(
                _("The deadline must be 1 to %(max)d working days."), {"max": rules["assistance_max_working_days"]}
            ),
        )
    if assignee.pk == requester.pk:
        raise DomainError("same_department", _("Ask another department for assistance."))
    if not matters.strip():
        raise DomainError("no_matters", _("Say which matters to check."))
    now = now or timezone.now()
    with transaction.atomic():
        check_cap(subject, assignee, "assistance", justification, actor, timezone.localtime(now).year)
        number = number or issue_number("XC", now)
        if AssistRequest.objects.filter(number=number).exists():
            raise DomainError(
                "duplicate_task", lazy_format(_("Task %(no)s is already held."), {"no": number}), status=409
            )
        item = start_workflow(
            ASSIST_WORKFLOW,
            reference=number,
            title=f"协查 {subject.name}"[:255],
            department=assignee,
            actor=actor,
            now=now,
            overall_sla=Sla(working_days=working_days),
        )
        request = AssistRequest.objects.create(
            number=number,
            requester=requester,
            assignee=assignee,
            subject=subject,
            matters=matters.strip(),
            working_days=working_days,
            item=item,
            state=item.state,
            requested_by=staff_user(actor),
            requested_at=now,
            justification=justification.strip(),
        )
    return request


def _assist_step(
    request: AssistRequest, action: str, actor: Any, *, comment: str = "", now=None, **changes
) -> AssistRequest:
    require_department_staff(actor, request.assignee)
    with transaction.atomic():
        item = perform_action(request.item, action, actor, comment=comment, now=now, department=changes.get("assignee"))
        AssistRequest.objects.filter(pk=request.pk).update(state=item.state, **changes)
    request.refresh_from_db()
    return request


def accept_assistance(request: AssistRequest, actor: Any, now=None) -> AssistRequest:
    return _assist_step(request, "accept", actor, now=now)


def decline_assistance(request: AssistRequest, actor: Any, reason: str, now=None) -> AssistRequest:
    return _assist_step(request, "decline", actor, comment=reason, now=now, decline_reason=reason)


def forward_assistance(request: AssistRequest, actor: Any, to: Department, reason: str, now=None) -> AssistRequest:
    if to.pk in (request.assignee_id, request.requester_id):
        raise DomainError("forward_target", _("Forward to a third department."))
    return _assist_step(
        request, "forward", actor, comment=reason, now=now, assignee=to, forwarded_from=request.assignee
    )


def reply_assistance(
    request: AssistRequest, actor: Any, findings: str, record_ids: list[int] | None = None, now=None
) -> AssistRequest:
    """The reply carries findings and may attach supervision records of the assisting department."""

    record_ids = list(dict.fromkeys(record_ids or []))
    if record_ids:
        allowed = (
            set(visible_records(actor).filter(pk__in=record_ids, subject=request.subject).values_list("pk", flat=True))
            if actor is not None
            else set(record_ids)
        )
        missing = [r for r in record_ids if r not in allowed]
        if missing:
            raise DomainError(
                "unknown_records",
                lazy_format(
                    _("These records are not on this subject or not in your scope: %(ids)s."),
                    {"ids": ", ".join(map(str, missing))},
                ),
            )
    now = now or timezone.now()
    return _assist_step(
        request,
        "reply",
        actor,
        comment=findings,
        now=now,
        findings=findings.strip(),
        records=record_ids,
        replied_at=now,
    )
