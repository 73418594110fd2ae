"""Writes of joint supervision: licence claims, notices, assistance requests, campaigns, key matters,
rectification orders and the inspection-cap justifications. Claims, assistance requests and
rectification orders run on workflows (definitions/joint_*.json): deadlines on the working-day
calendar, yellow one working day before, escalation up the department chain when overdue."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_batch, record_event
from jianguan.catalog.key_matters import current_key_matters, load_key_matters, required_sectors
from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.calendar import calendar_session, deadline_after
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Department, Region, Sector
from jianguan.core.tabular import read_table
from jianguan.facts.services import publish
from jianguan.joint.choices import ASSIST_WORKFLOW, CLAIM_WORKFLOW, CampaignTaskStatus
from jianguan.joint.models import (
    AssistRequest,
    Campaign,
    CampaignTask,
    CapJustification,
    ClaimTask,
    Notice,
    NoticeRecipient,
)
from jianguan.joint.permissions import visible_claims
from jianguan.joint.policy import WORKFLOWS, policy
from jianguan.platform.importing import check_upload, normalise_header
from jianguan.platform.services import region_prefix, unit_for_region
from jianguan.records.models import Record
from jianguan.records.permissions import visible_records
from jianguan.subjects.models import Subject
from jianguan.workflow.models import WorkflowDefinition, WorkflowItem
from jianguan.workflow.schemas import Sla
from jianguan.workflow.services import define_workflow, new_item, perform_action, start_workflow


def _acts_for(actor: Any, department: Department) -> None:
    require_department_staff(actor, department)


def _number(prefix: str, now: dt.datetime) -> str:
    return f"{prefix}{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"


def setup() -> dict[str, int]:
    """Define the joint workflows and load the key-matter list (sectors and items of this deployment)."""
    for path in WORKFLOWS:
        define_workflow(json.loads(path.read_text(encoding="utf-8")))
    return {"key_matters": load_key_matters()}


# ---- inspection burden ----


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


# ---- approval linkage (审管联动) ----


def _supervising_unit(record: Record, items: dict[int, SupervisionItem]) -> Department | None:
    level = {"county": 3, "city": 2, "province": 1}
    for rule in policy()["linkage"]:
        if not record.item_code.startswith(rule["item_prefix"]):
            continue
        sector_id = None
        if rule["supervising_sector"]:
            sector_id = Sector.objects.filter(code=rule["supervising_sector"]).values_list("pk", flat=True).first()
        elif record.item_id in items:
            sector_id = items[record.item_id].sector_id
        if sector_id and record.region_id:
            return unit_for_region(sector_id, record.region_id, level[rule["level"]])
    return None


def sync_claims(now: dt.datetime | None = None, chunk: int = 2000, since: dt.date | None = None) -> dict[str, int]:
    """Create a claim task for every licence that has none (the supervising unit, due N working
    days after the approval), and note each claim's first later inspection by the supervising unit.
    Licences approved before the linkage window (policy `link_licences_from_days`) are not linked."""
    now = now or timezone.now()
    since = since or timezone.localtime(now).date() - dt.timedelta(days=policy()["link_licences_from_days"])
    definition = WorkflowDefinition.objects.filter(code=CLAIM_WORKFLOW, is_active=True).first()
    if definition is None:
        raise DomainError("not_set_up", _("The joint workflows are not defined; run `jianguan joint setup`."))
    created = skipped = 0
    last = 0
    with calendar_session():
        while True:
            licences = list(
                Record.objects.filter(kind="licence", is_deleted=False, pk__gt=last, action_date__gte=since)
                .exclude(pk__in=ClaimTask.objects.values("licence_id"))
                .order_by("pk")[:chunk]
            )
            if not licences:
                break
            last = licences[-1].pk
            items = {i.pk: i for i in SupervisionItem.objects.filter(pk__in={r.item_id for r in licences if r.item_id})}
            built = []
            for licence in licences:
                unit = _supervising_unit(licence, items)
                if unit is None or licence.subject_id is None:
                    skipped += 1
                    continue
                # The claim deadline runs from the approval (09:00 on its day), not from this sync.
                approved = dt.datetime.combine(licence.action_date, dt.time(9), tzinfo=timezone.get_current_timezone())
                start = min(now, approved)
                item = new_item(
                    definition,
                    f"LIC-{licence.pk}",
                    f"许可认领 {licence.subject_name}"[:255],
                    unit,
                    start,
                )
                built.append((licence, unit, item))
            with transaction.atomic():
                saved = WorkflowItem.objects.bulk_create([b[2] for b in built])
                ClaimTask.objects.bulk_create(
                    [
                        ClaimTask(
                            licence=licence,
                            subject_id=licence.subject_id,
                            department=unit,
                            issued_on=licence.action_date,
                            item=item,
                        )
                        for (licence, unit, _i), item in zip(built, saved, strict=True)
                    ]
                )
                record_batch(
                    None,
                    "joint.sync_claims",
                    "claim_task",
                    [[b[0].pk, b[1].pk] for b in built],
                    summary={"created": len(built)},
                )
            created += len(built)
    return {"created": created, "skipped": skipped, "inspected": note_first_inspections()}


def note_first_inspections() -> int:
    """Fill in the first inspection of the holder by the supervising unit (or its subordinates) after
    the licence: one query per supervising unit and chunk of subjects, not one per claim."""

    open_claims = defaultdict(list)
    for claim_task in ClaimTask.objects.filter(first_inspection_on__isnull=True).select_related("department"):
        open_claims[claim_task.department.path].append(claim_task)
    noted = []
    for path, claims in open_claims.items():
        for start in range(0, len(claims), 1000):
            part = claims[start : start + 1000]
            dates = defaultdict(list)
            for subject_id, day in Record.objects.filter(
                kind="inspection",
                is_deleted=False,
                subject_id__in={c.subject_id for c in part},
                action_date__gte=min(c.issued_on for c in part),
                department__path__startswith=path,
            ).values_list("subject_id", "action_date"):
                dates[subject_id].append(day)
            for claim_task in part:
                later = [d for d in dates.get(claim_task.subject_id, ()) if d >= claim_task.issued_on]
                if later:
                    claim_task.first_inspection_on = min(later)
                    noted.append(claim_task)
    ClaimTask.objects.bulk_update(noted, ["first_inspection_on"], batch_size=1000)
    return len(noted)


def claim(task: ClaimTask, actor: Any, now: dt.datetime | None = None) -> ClaimTask:
    _acts_for(actor, task.department)
    now = now or timezone.now()
    with transaction.atomic():
        perform_action(task.item, "claim", actor, now=now)
        ClaimTask.objects.filter(pk=task.pk).update(claimed_at=now)
    task.refresh_from_db()
    return task


def end_claim(task: ClaimTask, actor: Any, reason: str, now: dt.datetime | None = None) -> ClaimTask:
    _acts_for(actor, task.department)
    perform_action(task.item, "end", actor, comment=reason, now=now)
    task.refresh_from_db()
    return task


def never_supervised(actor: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Licences approved but never supervised: not claimed in time, or no inspection within the period."""

    today = today or timezone.localdate()
    period = policy()["supervise_within_days"]
    claims = visible_claims(actor).select_related("department", "subject", "item").order_by("issued_on")
    out = []
    for claim_task in claims.filter(
        Q(item__state="pending") | Q(first_inspection_on__isnull=True, issued_on__lte=today - dt.timedelta(days=period))
    ):
        unclaimed = claim_task.item.state == "pending"
        if not unclaimed and claim_task.item.state == "ended":
            continue
        out.append(
            {
                "claim": claim_task.pk,
                "licence": claim_task.licence_id,
                "subject_id": claim_task.subject_id,
                "subject": claim_task.subject.name,
                "department": claim_task.department.name,
                "issued_on": claim_task.issued_on.isoformat(),
                "reason": "unclaimed" if unclaimed else "not_inspected",
                "overdue": bool(claim_task.item.next_due_at and timezone.now() > claim_task.item.next_due_at),
            }
        )
    return out


# ---- notices (抄告) ----


def send_notice(
    sender: Department,
    recipients: list[Department],
    *,
    title: str,
    body: str,
    actor: Any,
    subject: Subject | None = None,
    case_reference: str = "",
    reply_within: int | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    _acts_for(actor, sender)
    now = now or timezone.now()
    recipients = [d for d in dict.fromkeys(recipients) if d.pk != sender.pk]
    if not recipients:
        raise DomainError("no_recipients", _("Name at least one other department to notify."))
    if not title.strip() or not body.strip():
        raise DomainError("empty_notice", _("A notice needs a title and content."))
    reply_due = None
    if reply_within:
        reply_due, _p = deadline_after(now, working_days=reply_within)
    with transaction.atomic():
        notice = Notice.objects.create(
            sender=sender,
            subject=subject,
            case_reference=case_reference,
            title=title.strip(),
            body=body.strip(),
            reply_due=reply_due,
            sent_by=staff_user(actor),
            sent_at=now,
        )
        NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, department=d) for d in recipients])
        record_event(
            actor, "joint.notice", "notice", notice.pk, after={"to": [d.pk for d in recipients], "reply_due": reply_due}
        )
    return notice


def read_notice(recipient: NoticeRecipient, actor: Any, now: dt.datetime | None = None) -> NoticeRecipient:
    """The read receipt: the first reader of the receiving department."""
    _acts_for(actor, recipient.department)
    now = now or timezone.now()
    if NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
        read_at=now, read_by=staff_user(actor)
    ):
        record_event(
            actor, "joint.notice_read", "notice", recipient.notice_id, after={"department": recipient.department_id}
        )
    recipient.refresh_from_db()
    return recipient


def reply_notice(recipient: NoticeRecipient, actor: Any, text: str, now: dt.datetime | None = None) -> NoticeRecipient:
    if not text.strip():
        raise DomainError("empty_reply", _("A reply needs content."))
    read_notice(recipient, actor, now)
    now = now or timezone.now()
    if not NoticeRecipient.objects.filter(pk=recipient.pk, replied_at__isnull=True).update(
        reply=text.strip(), replied_at=now
    ):
        raise DomainError("already_replied", _("This notice was already answered."), status=409)
    record_event(
        actor, "joint.notice_reply", "notice", recipient.notice_id, after={"department": recipient.department_id}
    )
    recipient.refresh_from_db()
    return recipient


# ---- assistance requests (协查协办) ----


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
    _acts_for(actor, requester)
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
        number = number or _number("XC", now)
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
    _acts_for(actor, request.assignee)
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


# ---- campaigns (专项整治) ----


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
    _acts_for(actor, lead)
    if ends_on < starts_on:
        raise DomainError("window", _("The campaign ends before it starts."))
    units = list(dict.fromkeys([lead, *participants]))
    items = list(SupervisionItem.objects.filter(pk__in=item_ids))
    if not items:
        raise DomainError("no_items", _("Choose at least one supervision item."))
    present = {d.sector_id for d in units}
    for code, sectors in required_sectors({i.pk for i in items}).items():
        missing = sectors - present
        if missing:
            names = "、".join(Sector.objects.filter(pk__in=missing).values_list("name", flat=True))
            raise DomainError(
                "key_matter_departments",
                lazy_format(
                    _("Key matter %(code)s requires these sectors to take part: %(names)s."),
                    {"code": code, "names": names},
                ),
            )
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

    _acts_for(actor, campaign.lead)
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


def record_campaign_result(
    task: CampaignTask, actor: Any, results: dict[str, str], checked_on: dt.date | None = None
) -> CampaignTask:
    """Results of the merged form (every point answered pass/fail/not_checked/not_applicable);
    a failed point is published as a finding, for which a rectification order is opened."""
    _acts_for(actor, task.department)
    if task.status != CampaignTaskStatus.ASSIGNED:
        raise DomainError("task_done", _("This task already has its result."), status=409)
    codes = {p["code"] for p in task.campaign.form}
    allowed = {"pass", "fail", "not_checked", "not_applicable"}
    if set(results) != codes or not set(results.values()) <= allowed:
        raise DomainError(
            "form_incomplete", _("Answer every check point of the form with pass, fail, not checked or not applicable.")
        )
    checked_on = checked_on or timezone.localdate()
    finding = "fail" in results.values()
    with transaction.atomic():
        CampaignTask.objects.filter(pk=task.pk, status=CampaignTaskStatus.ASSIGNED).update(
            status=CampaignTaskStatus.DONE, results=results, finding=finding, checked_on=checked_on
        )
        event = record_event(actor, "joint.campaign_result", "campaign_task", task.pk, after={"finding": finding})
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
