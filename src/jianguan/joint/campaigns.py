"""专项整治: campaigns with a lead, participants, items and targets; the merged form; results and progress. A failed point is published as `joint.campaign_finding`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.catalog.key_matters import current_key_matters, require_sectors
from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Department, Region
from jianguan.core.tabular import read_table
from jianguan.facts.services import publish
from jianguan.joint.burden import check_cap
from jianguan.joint.choices import CampaignTaskStatus
from jianguan.joint.models import (
    Campaign,
    CampaignTask,
)
from jianguan.platform.importing import check_upload, normalise_header
from jianguan.platform.services import region_prefix
from jianguan.subjects.models import Subject


def merged_form(item_ids: list[int]) -> list[dict[str, Any]]:
    """一表通查: the check points of all items, the same content once, in item order."""
    form, seen = [], {}
    points = (
        CheckPoint.objects.filter(Q(item_id__in=item_ids) | Q(item__parent_id__in=item_ids))
        .select_related("item")
        .order_by("item__code", "code")
    )
    for point in points:
        key = "".join(point.content.split())
        if key in seen:
            seen[key]["sources"].append(f"{point.item.code}-{point.code}")
            continue
        entry = {
            "code": f"F{len(form) + 1:02d}",
            "content": point.content,
            "sources": [f"{point.item.code}-{point.code}"],
        }
        seen[key] = entry
        form.append(entry)
    return form


def _targets(target_filter: dict[str, Any]):
    subjects = Subject.objects.filter(provisional=False).exclude(kind="person")
    if target_filter.get("subject_ids"):
        return subjects.filter(pk__in=target_filter["subject_ids"])
    if target_filter.get("uscc"):
        return subjects.filter(uscc__in=target_filter["uscc"])
    condition = Q()
    for prefix in target_filter.get("regions", []):
        condition |= Q(region__code__startswith=region_prefix(prefix))
    subjects = subjects.filter(condition) if condition else subjects
    if target_filter.get("industries"):
        industries = Q()
        for code in target_filter["industries"]:
            industries |= Q(industry_code__startswith=code)
        subjects = subjects.filter(industries)
    if target_filter.get("statuses"):
        subjects = subjects.filter(status__in=target_filter["statuses"])
    return subjects


def create_campaign(
    lead: Department,
    *,
    title: str,
    participants: list[Department],
    item_ids: list[int],
    starts_on: dt.date,
    ends_on: dt.date,
    target_filter: dict[str, Any],
    actor: Any,
    justification: str = "",
    limit: int = 5000,
) -> Campaign:
    """Create the campaign and one task per target subject and participating sector (the sector's
    unit for the subject's region among the participants). Items of a key matter require its sectors."""
    require_department_staff(actor, lead)
    if ends_on < starts_on:
        raise DomainError("window", _("The campaign ends before it starts."))
    units = list(dict.fromkeys([lead, *participants]))
    items = list(SupervisionItem.objects.filter(pk__in=item_ids))
    if not items:
        raise DomainError("no_items", _("Choose at least one supervision item."))
    require_sectors({i.pk for i in items}, {d.sector_id for d in units})
    subjects = list(_targets(target_filter).select_related("region")[: limit + 1])
    if len(subjects) > limit:
        raise DomainError(
            "too_many_targets", lazy_format(_("Narrow the targets: at most %(n)d subjects."), {"n": limit})
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            lead=lead,
            target_filter=target_filter,
            starts_on=starts_on,
            ends_on=ends_on,
            form=merged_form([i.pk for i in items]),
            created_by=staff_user(actor),
        )
        campaign.participants.set(units)
        campaign.items.set(items)
        matters = [m for m in current_key_matters() if {i.pk for i in m.items.all()} & {i.pk for i in items}]
        if matters:
            campaign.key_matter = matters[0]
            campaign.save(update_fields=["key_matter"])
        tasks = [
            task for subject in subjects for task in _subject_tasks(campaign, subject, units, justification, actor)
        ]
        CampaignTask.objects.bulk_create(tasks, batch_size=2000)
        record_event(
            actor,
            "joint.campaign",
            "campaign",
            campaign.pk,
            after={"items": [i.code for i in items], "tasks": len(tasks), "participants": [d.pk for d in units]},
        )
    return campaign


def _subject_tasks(
    campaign: Campaign, subject: Subject, units: list[Department], justification: str, actor: Any
) -> list[CampaignTask]:
    """One task per participating sector for the subject (its deepest participating unit), each
    checked against the subject's annual inspection cap, counting the tasks planned here before it."""
    tasks = []
    for sector_id in sorted({d.sector_id for d in units}):
        unit = _unit_among(units, sector_id, subject.region_id)
        if unit is None:
            continue
        context = f"campaign:{campaign.pk}"
        note = check_cap(subject, unit, context, justification, actor, campaign.starts_on.year, extra=len(tasks))
        tasks.append(
            CampaignTask(
                campaign=campaign, subject=subject, department=unit, justification=justification if note else ""
            )
        )
    return tasks


def _unit_among(units: list[Department], sector_id: int, region_code: str) -> Department | None:
    """The participating unit of the sector whose region contains the subject's (the deepest)."""
    best = None
    for unit in units:
        if unit.sector_id != sector_id:
            continue
        prefix = region_prefix(unit.region_id)
        if region_code.startswith(prefix) and (best is None or len(prefix) > len(region_prefix(best.region_id))):
            best = unit
    return best


def import_campaign_targets(
    campaign: Campaign, data: bytes, filename: str, actor: Any, justification: str = ""
) -> dict[str, Any]:
    """A target list from Excel/CSV (a column 统一社会信用代码 or uscc): each row is added (tasks
    for every participating sector), unknown, or already a target. Every row is accounted for."""

    require_department_staff(actor, campaign.lead)
    check_upload(data)
    table = read_table(data, filename, max_rows=20_000)
    column = next((h for h in table.headers if h and normalise_header(h) in {"统一社会信用代码", "uscc"}), None)
    if column is None:
        raise DomainError("missing_columns", _("The file needs a column 统一社会信用代码 (uscc)."))
    codes = {number: str(raw.get(column) or "").strip().upper() for number, raw in table.rows}
    known = {s.uscc: s for s in Subject.objects.filter(uscc__in=set(codes.values())).select_related("region")}
    already = set(campaign.tasks.values_list("subject__uscc", flat=True))
    units = list(campaign.participants.all())
    outcome: dict[str, list[int]] = {"added": [], "unknown": [], "duplicate": []}
    tasks, seen = [], set()
    with transaction.atomic():
        for number, code in codes.items():
            subject = known.get(code)
            if subject is None:
                outcome["unknown"].append(number)
                continue
            if code in already or code in seen:
                outcome["duplicate"].append(number)
                continue
            seen.add(code)
            tasks += _subject_tasks(campaign, subject, units, justification, actor)
            outcome["added"].append(number)
        CampaignTask.objects.bulk_create(tasks, batch_size=2000)
        record_event(
            actor, "joint.campaign_targets", "campaign", campaign.pk, after={k: len(v) for k, v in outcome.items()}
        )
    return {"received": len(codes), **{k: len(v) for k, v in outcome.items()}, "rows": outcome, "tasks": len(tasks)}


def add_campaign_target(
    campaign: Campaign, subject: Subject, *, origin: str, actor: Any, justification: str = ""
) -> list[CampaignTask]:
    """Add one subject to a running campaign's targets (a task for every participating sector), from
    `origin` (an alert's number, say). Already a target, or the campaign over: refused."""
    require_department_staff(actor, campaign.lead)
    if campaign.ends_on < timezone.localdate():
        raise DomainError("campaign_over", _("The campaign has ended: it takes no more targets."), status=409)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if campaign.tasks.filter(subject=subject).exists():
            raise DomainError("already_a_target", _("The subject is already a target of this campaign."), status=409)
        tasks = _subject_tasks(campaign, subject, list(campaign.participants.all()), justification, actor)
        if not tasks:
            raise DomainError(
                "no_unit_for_target", _("No participating department covers the subject's region."), status=409
            )
        for task in tasks:
            task.origin = origin[:64]
        CampaignTask.objects.bulk_create(tasks)
        record_event(
            actor,
            "joint.campaign_target",
            "campaign",
            campaign.pk,
            after={"subject": subject.pk, "origin": origin[:64], "tasks": len(tasks)},
        )
    return tasks


def open_campaigns_for_targets(department: Department):
    """The campaigns the department leads that have not ended (they still take targets)."""
    return Campaign.objects.filter(lead=department, ends_on__gte=timezone.localdate()).order_by("-starts_on", "-id")


def record_campaign_result(
    task: CampaignTask,
    actor: Any,
    results: dict[str, str],
    checked_on: dt.date | None = None,
    notes: dict[str, str] | None = None,
) -> CampaignTask:
    """Results of the merged form (every point answered pass/fail/not_checked/not_applicable, with
    an optional note per point); a failed point is published as a finding, for which a
    rectification order is opened (its note says what was found)."""
    require_department_staff(actor, task.department)
    if task.status != CampaignTaskStatus.ASSIGNED:
        raise DomainError("task_done", _("This task already has its result."), status=409)
    codes = {p["code"] for p in task.campaign.form}
    allowed = {"pass", "fail", "not_checked", "not_applicable"}
    if set(results) != codes or not set(results.values()) <= allowed:
        raise DomainError(
            "form_incomplete", _("Answer every check point of the form with pass, fail, not checked or not applicable.")
        )
    notes = {code: text.strip() for code, text in (notes or {}).items() if code in codes and text and text.strip()}
    if any(len(text) > 500 for text in notes.values()):
        raise DomainError("note_too_long", _("A note on a check point is at most 500 characters."))
    checked_on = checked_on or timezone.localdate()
    finding = "fail" in results.values()
    with transaction.atomic():
        CampaignTask.objects.filter(pk=task.pk, status=CampaignTaskStatus.ASSIGNED).update(
            status=CampaignTaskStatus.DONE, results=results, notes=notes, finding=finding, checked_on=checked_on
        )
        event = record_event(
            actor, "joint.campaign_result", "campaign_task", task.pk, after={"finding": finding, "notes": len(notes)}
        )
        if finding:
            # Published as `joint.campaign_finding`; the rectification service opens the order.
            publish(
                "joint.campaign_finding",
                department=task.department_id,
                subject=task.subject_id,
                object_type="campaign_task",
                object_id=task.pk,
                payload={
                    "campaign": task.campaign_id,
                    "task": task.pk,
                    "failed": [p["content"] for p in task.campaign.form if results[p["code"]] == "fail"],
                    "notes": [
                        notes[p["code"]]
                        for p in task.campaign.form
                        if p["code"] in notes and results[p["code"]] == "fail"
                    ],
                    "recorded_by": getattr(staff_user(actor), "pk", None),
                },
                audit_event=event,
            )
    task.refresh_from_db()
    return task


def campaign_progress(campaign: Campaign) -> dict[str, Any]:
    cities = dict(Region.objects.filter(level=2).values_list("code", "name"))
    rows = campaign.tasks.values("department__name", "subject__region_id", "status", "finding").annotate(n=Count("id"))
    by_department: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, int]] = {}
    for row in rows:
        for key, table in (
            (row["department__name"], by_department),
            (cities.get(row["subject__region_id"][:4] + "00", row["subject__region_id"]), by_region),
        ):
            entry = table.setdefault(key, {"tasks": 0, "done": 0, "findings": 0})
            entry["tasks"] += row["n"]
            if row["status"] == CampaignTaskStatus.DONE:
                entry["done"] += row["n"]
                entry["findings"] += row["n"] if row["finding"] else 0
    total = sum(e["tasks"] for e in by_department.values())
    done = sum(e["done"] for e in by_department.values())
    return {
        "tasks": total,
        "done": done,
        "share_done": round(done / total, 4) if total else None,
        "by_department": [{"department": k, **v} for k, v in sorted(by_department.items())],
        "by_region": [{"region": k, **v} for k, v in sorted(by_region.items())],
    }
