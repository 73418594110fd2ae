"""审管联动: a licence record becomes a claim task for its supervising unit; first inspections close the loop; the never-supervised report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.audit.services import record_batch
from jianguan.catalog.models import SupervisionItem
from jianguan.core.calendar import calendar_session
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, Sector
from jianguan.joint.choices import CLAIM_WORKFLOW
from jianguan.joint.models import (
    ClaimTask,
)
from jianguan.joint.permissions import visible_claims
from jianguan.joint.policy import policy
from jianguan.platform.services import unit_for_region
from jianguan.records.models import Record
from jianguan.workflow.models import WorkflowDefinition, WorkflowItem
from jianguan.workflow.services import new_item, perform_action


class _Units:
    """The supervising units of one sync: the linkage policy and its sectors read once, each
    (sector, region, level) looked up once (a sync meets the same few hundred for thousands of licences)."""

    LEVEL = {"county": 3, "city": 2, "province": 1}

    def __init__(self) -> None:
        self.rules = policy()["linkage"]
        self.sectors: dict[str, int | None] = {}
        self.units: dict[tuple[int, str, int], Department | None] = {}

    def sector(self, code: str) -> int | None:
        if code not in self.sectors:
            self.sectors[code] = Sector.objects.filter(code=code).values_list("pk", flat=True).first()
        return self.sectors[code]

    def unit(self, sector_id: int, region: str, level: int) -> Department | None:
        key = (sector_id, region, level)
        if key not in self.units:
            self.units[key] = unit_for_region(sector_id, region, level)
        return self.units[key]


def _supervising_unit(record: Record, items: dict[int, SupervisionItem], units: _Units) -> Department | None:
    for rule in units.rules:
        if not record.item_code.startswith(rule["item_prefix"]):
            continue
        sector_id = None
        if rule["supervising_sector"]:
            sector_id = units.sector(rule["supervising_sector"])
        elif record.item_id in items:
            sector_id = items[record.item_id].sector_id
        if sector_id and record.region_id:
            return units.unit(sector_id, record.region_id, units.LEVEL[rule["level"]])
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
    units = _Units()
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
                unit = _supervising_unit(licence, items, units)
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
    require_department_staff(actor, task.department)
    now = now or timezone.now()
    with transaction.atomic():
        perform_action(task.item, "claim", actor, now=now)
        ClaimTask.objects.filter(pk=task.pk).update(claimed_at=now)
    task.refresh_from_db()
    return task


def end_claim(task: ClaimTask, actor: Any, reason: str, now: dt.datetime | None = None) -> ClaimTask:
    require_department_staff(actor, task.department)
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
