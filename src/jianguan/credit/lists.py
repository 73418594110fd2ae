"""经营异常名录 and 严重违法失信名单: listing, removal, escalation and early removal (domain §4).

Deadlines are a versioned policy (`credit.lists`, read by `list_rules`) and count working days on the platform calendar where the rules
say working days. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from jianguan.audit.services import record_event
from jianguan.core.calendar import add_working_days
from jianguan.core.errors import Bilingual, DomainError, FieldError
from jianguan.credit.models import CreditRecord, ListEntry
from jianguan.facts.services import publish
from jianguan.platform.policies import PolicyBase, current_policy, register_policy
from jianguan.subjects.models import Subject


class ListRules(PolicyBase):
    """The rules of the two lists (reference/domain.md §4)."""

    abnormal_reasons: dict[str, str] = Field(min_length=1)
    listing_within_working_days: int = Field(ge=1, le=60)
    removal_within_days: int = Field(ge=1, le=60)
    abnormal_years_to_escalate: int = Field(ge=1, le=10)
    escalation_notice_days: int = Field(ge=1, le=365)
    escalation_within_working_days: int = Field(ge=1, le=60)
    serious_years: int = Field(ge=1, le=10)
    early_removal_after_years: int = Field(ge=0, le=10)


register_policy(
    "credit.lists", Path(__file__).resolve().parent / "data" / "list_rules.json", ListRules, _("Credit lists")
)


def list_rules() -> dict[str, Any]:
    """The list rules in force (the newest published version, else the shipped file)."""
    return current_policy("credit.lists")


def _actor_user(actor: Any):
    return actor if getattr(getattr(actor, "_meta", None), "model_name", "") == "user" else None


def _publish_listing(name: str, entry: ListEntry, event: Any) -> None:
    """`credit.listed` / `credit.delisted`: {"list", "reason", "entry"} about the subject."""
    publish(
        name,
        department=entry.department_id,
        subject=entry.subject_id,
        object_type="list_entry",
        object_id=entry.pk,
        payload={"list": entry.kind, "reason": entry.reason, "entry": entry.pk, "status": entry.status},
        audit_event=event,
    )


def list_abnormal(
    subject: Subject, reason: str, basis_on: dt.date, department, *, on: dt.date | None = None, actor: Any = None
) -> ListEntry:
    """List a subject as abnormal; due within 10 working days of the grounds being established."""
    if reason not in list_rules()["abnormal_reasons"]:
        message = _("Unknown listing reason.")
        raise DomainError("unknown_reason", message, [FieldError("reason", message, "unknown_reason")])
    if ListEntry.objects.filter(
        subject=subject, kind=ListEntry.Kind.ABNORMAL, reason=reason, status=ListEntry.Status.LISTED
    ).exists():
        message = _("The subject is already listed for this reason.")
        raise DomainError("already_listed", message, [FieldError("reason", message, "already_listed")], status=409)
    on = on or timezone.localdate()
    listed = on
    years = list_rules()["abnormal_years_to_escalate"]
    with transaction.atomic():
        entry = ListEntry.objects.create(
            subject=subject,
            kind=ListEntry.Kind.ABNORMAL,
            reason=reason,
            department=department,
            basis_on=basis_on,
            listing_due=add_working_days(basis_on, list_rules()["listing_within_working_days"]),
            listed_on=listed,
            notice_due=listed + relativedelta(years=years) - dt.timedelta(days=list_rules()["escalation_notice_days"]),
            normal_end=listed + relativedelta(years=years),
        )
        event = record_event(
            actor, "credit.list_abnormal", "list_entry", entry.pk, after={"subject": subject.pk, "reason": reason}
        )
        _publish_listing("credit.listed", entry, event)
    return entry


def record_cure(entry: ListEntry, cured_on: dt.date, actor: Any = None) -> ListEntry:
    """The cause is cured (report filed, information published, contact restored): removal is due within 7 days."""
    if entry.status != ListEntry.Status.LISTED or entry.kind != ListEntry.Kind.ABNORMAL:
        raise DomainError("not_listed", _("Only a current abnormal-list entry can be cured."), status=409)
    with transaction.atomic():
        ListEntry.objects.filter(pk=entry.pk).update(
            cured_on=cured_on, removal_due=cured_on + dt.timedelta(days=list_rules()["removal_within_days"])
        )
        record_event(actor, "credit.cure", "list_entry", entry.pk, after={"cured_on": cured_on.isoformat()})
    entry.refresh_from_db()
    return entry


def remove(entry: ListEntry, on: dt.date, reason: str, actor: Any = None) -> ListEntry:
    if entry.status != ListEntry.Status.LISTED:
        raise DomainError("not_listed", _("The entry is not current."), status=409)
    if not reason.strip():
        message = _("A removal needs a reason.")
        raise DomainError("reason_required", message, [FieldError("reason", message, "reason_required")])
    with transaction.atomic():
        ListEntry.objects.filter(pk=entry.pk).update(
            status=ListEntry.Status.REMOVED, removed_on=on, removal_reason=reason
        )
        event = record_event(
            actor, "credit.remove_from_list", "list_entry", entry.pk, after={"on": on.isoformat(), "reason": reason}
        )
        entry.refresh_from_db()
        _publish_listing("credit.delisted", entry, event)
    entry.refresh_from_db()
    return entry


def list_serious(
    subject: Subject,
    reason: str,
    department,
    *,
    on: dt.date | None = None,
    basis_on: dt.date | None = None,
    actor: Any = None,
) -> ListEntry:
    """List a subject as a serious violator for 3 years; flag its legal representative's other companies.
    Without stated grounds the entry's reason is the general one, a serious violation."""
    reason = (reason or "").strip() or "serious_violation"
    on = on or timezone.localdate()
    related = []
    if subject.legal_representative:
        related = list(
            Subject.objects.filter(legal_representative=subject.legal_representative)
            .exclude(pk=subject.pk)
            .values_list("pk", flat=True)[:50]
        )
    with transaction.atomic():
        entry = ListEntry.objects.create(
            subject=subject,
            kind=ListEntry.Kind.SERIOUS,
            reason=reason,
            department=department,
            basis_on=basis_on or on,
            listing_due=on,
            listed_on=on,
            normal_end=on + relativedelta(years=list_rules()["serious_years"]),
            related_subjects=related,
        )
        event = record_event(
            actor,
            "credit.list_serious",
            "list_entry",
            entry.pk,
            after={"subject": subject.pk, "reason": reason, "related": related},
        )
        _publish_listing("credit.listed", entry, event)
    return entry


def escalate(today: dt.date | None = None, actor: Any = None) -> dict[str, int]:
    """Daily: the 60-day notice before 3 years on the abnormal list, then the move to the serious list;
    and the normal end of serious listings."""
    today = today or timezone.localdate()
    noticed = moved = ended = 0
    delisted: list[int] = []
    with transaction.atomic():
        current = ListEntry.objects.filter(kind=ListEntry.Kind.ABNORMAL, status=ListEntry.Status.LISTED)
        for entry in current.filter(notice_due__lte=today, notice_sent_on__isnull=True):
            ListEntry.objects.filter(pk=entry.pk).update(notice_sent_on=today)
            record_event(actor, "credit.escalation_notice", "list_entry", entry.pk, after={"on": today.isoformat()})
            noticed += 1
        for entry in current.filter(normal_end__lte=today).select_related("subject", "department"):
            serious = list_serious(
                entry.subject,
                "abnormal_three_years",
                entry.department,
                on=today,
                basis_on=entry.normal_end,
                actor=actor,
            )
            ListEntry.objects.filter(pk=entry.pk).update(
                status=ListEntry.Status.MOVED, escalated_to=serious, removed_on=today
            )
            moved += 1
            delisted.append(entry.pk)
        ending = ListEntry.objects.filter(
            kind=ListEntry.Kind.SERIOUS, status=ListEntry.Status.LISTED, normal_end__lte=today
        )
        ending_ids = list(ending.values_list("pk", flat=True))
        ended = ListEntry.objects.filter(pk__in=ending_ids).update(status=ListEntry.Status.ENDED, removed_on=today)
        delisted += ending_ids
        if noticed or moved or ended:
            event = record_event(
                actor, "credit.escalate", "list_entry", after={"noticed": noticed, "moved": moved, "ended": ended}
            )
            for entry in ListEntry.objects.filter(pk__in=delisted):
                _publish_listing("credit.delisted", entry, event)
    return {"noticed": noticed, "moved": moved, "ended": ended}


def early_removal_checks(entry: ListEntry, on: dt.date, *, performed: bool, remedied: bool) -> list[FieldError]:
    """Failed conditions for early removal from the serious list (SAMR 2021); empty when all hold."""
    failures = []
    if entry.kind != ListEntry.Kind.SERIOUS or entry.status != ListEntry.Status.LISTED:
        failures.append(
            FieldError(
                "entry",
                Bilingual("仅适用于正在列入严重违法失信名单的记录", "Only a current serious-list entry."),
                "not_serious_listed",
            )
        )
    if on < entry.listed_on + relativedelta(years=list_rules()["early_removal_after_years"]):
        failures.append(
            FieldError("listed_on", Bilingual("列入未满 1 年", "Listed for less than a year."), "too_early")
        )
    if not performed:
        failures.append(
            FieldError(
                "performed",
                Bilingual("处罚或决定尚未履行", "The penalty or decision has not been performed."),
                "not_performed",
            )
        )
    if not remedied:
        failures.append(
            FieldError("remedied", Bilingual("危害后果尚未消除", "The harm has not been remedied."), "not_remedied")
        )
    heavier = CreditRecord.objects.filter(
        subject=entry.subject, kind="penalty", decided_on__gt=entry.listed_on, level="严重"
    ).exists()
    if heavier:
        failures.append(
            FieldError(
                "penalties",
                Bilingual("列入后又受到较重行政处罚", "A heavier penalty has been imposed since the listing."),
                "new_heavier_penalty",
            )
        )
    return failures


def remove_early(entry: ListEntry, on: dt.date, *, performed: bool, remedied: bool, actor: Any = None) -> ListEntry:
    failures = early_removal_checks(entry, on, performed=performed, remedied=remedied)
    if failures:
        raise DomainError("early_removal_refused", _("The conditions for early removal are not met."), failures)
    return remove(entry, on, "提前移出严重违法失信名单（信用修复）", actor=actor)
