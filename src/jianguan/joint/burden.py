"""检查频次: the annual inspection cap per subject, justifications beyond it, and subjects visited by several departments within a window."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Department
from jianguan.joint.choices import CampaignTaskStatus
from jianguan.joint.models import (
    AssistRequest,
    CampaignTask,
    CapJustification,
)
from jianguan.joint.policy import policy
from jianguan.records.models import Record
from jianguan.records.permissions import visible_records
from jianguan.subjects.models import Subject


def cap_for(subject: Subject) -> int | None:
    rules = policy()["inspection_cap"]
    by_grade = rules.get("by_grade", {})
    grade = subject.risk_grade or "B"
    return by_grade[grade] if grade in by_grade else rules["per_year"]


def inspections_in_year(subject: Subject, year: int) -> int:
    """Inspections recorded on the subject in the year, plus joint tasks still planned for it."""
    done = Record.objects.filter(subject=subject, kind="inspection", action_date__year=year, is_deleted=False).count()
    planned = CampaignTask.objects.filter(
        subject=subject, status=CampaignTaskStatus.ASSIGNED, campaign__starts_on__year=year
    ).count()
    assisting = AssistRequest.objects.filter(subject=subject, state="accepted", requested_at__year=year).count()
    return done + planned + assisting


def check_cap(
    subject: Subject,
    department: Department,
    context: str,
    justification: str,
    actor: Any,
    year: int,
    *,
    extra: int = 0,
) -> CapJustification | None:
    """Refuse a new inspection task beyond the subject's annual cap unless a justification is given;
    record the justification. `extra`: tasks already planned for the subject in the same operation."""
    cap = cap_for(subject)
    if cap is None:
        return None
    count = inspections_in_year(subject, year) + extra
    if count < cap:
        return None
    if not (justification or "").strip():
        raise DomainError(
            "inspection_cap",
            lazy_format(
                _("%(name)s already has %(count)d inspections in %(year)d (cap %(cap)d): give a justification."),
                {"name": subject.name, "count": count, "year": year, "cap": cap},
            ),
            status=409,
        )
    entry = CapJustification.objects.create(
        subject=subject,
        year=year,
        department=department,
        context=context,
        count_before=count,
        cap=cap,
        justification=justification.strip(),
        recorded_by=staff_user(actor),
        recorded_at=timezone.now(),
    )
    record_event(
        actor, "joint.cap_justification", "subject", subject.pk, after={"context": context, "count": count, "cap": cap}
    )
    return entry


def overlapping_inspections(actor: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Subjects inspected by several departments within the window: candidates for one combined visit."""

    rules = policy()["overlap"]
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=rules["window_days"])
    rows = (
        visible_records(actor)
        .filter(kind="inspection", action_date__gte=since, action_date__lte=today, is_deleted=False)
        .values("subject_id", "subject__name")
        .annotate(departments=Count("department", distinct=True), visits=Count("id"))
        .filter(departments__gte=rules["min_departments"])
        .order_by("-departments", "-visits")[:200]
    )
    return [
        {
            "subject_id": r["subject_id"],
            "subject": r["subject__name"],
            "departments": r["departments"],
            "visits": r["visits"],
            "since": since.isoformat(),
            "suggestion": str(_("Merge the next visits into one combined inspection (综合查一次).")),
        }
        for r in rows
    ]
