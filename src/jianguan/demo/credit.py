"""Demo credit work, through the credit services: the 经营异常名录 (annual reports not filed by
30 June, businesses not found at their address; some cured and removed), the 严重违法失信名单 for
the subjects with the heaviest penalties, and credit repair requests (信用修复) on published
penalties, some approved, one rejected, the rest waiting for a decision."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.utils import timezone

from jianguan.core.errors import DomainError
from jianguan.core.models import Department
from jianguan.credit import lists
from jianguan.credit.models import CreditRecord
from jianguan.credit.services import decide_repair, repair_eligibility, request_repair
from jianguan.records.models import Record
from jianguan.subjects.models import Subject

STATEMENTS = [
    "已按处罚决定书缴清罚款，违法行为已整改完毕，特申请信用修复",
    "已履行行政处罚决定，主动消除不良影响，并作出信用承诺",
    "罚款已于规定期限内缴纳，整改报告已报市场监管部门",
]


def _market_unit(units: dict[str, Department], region: str) -> Department | None:
    """The market-regulation unit of the subject's county, else of its city."""
    return units.get(region) or units.get(region[:4] + "00")


def build_credit(rng: random.Random, progress: Callable[[str], None], actor: Any) -> dict[str, int]:
    today = timezone.localdate()
    units = {d.region_id: d for d in Department.objects.filter(sector__code="scjg", is_active=True)}
    businesses = list(
        Subject.objects.filter(provisional=False, kind="enterprise", status="operating")
        .exclude(uscc__isnull=True)
        .order_by("pk")
        .values_list("pk", "region_id")[:4000]
    )
    rng.shuffle(businesses)
    # 济南 first (the demo accounts work there; 历下 most of all), then the rest of the province.
    lixia = [b for b in businesses if b[1] == "370102"][:12]
    jinan = [b for b in businesses if b[1].startswith("3701") and b[1] != "370102"][:18]
    businesses = lixia + jinan + [b for b in businesses if not b[1].startswith("3701")][: 60 - len(lixia) - len(jinan)]
    subjects = Subject.objects.in_bulk([pk for pk, _region in businesses[:60]])
    # 经营异常名录: the annual report was due on 30 June; the listing follows within 10 working days.
    report_year = today.year if today >= dt.date(today.year, 7, 15) else today.year - 1
    abnormal = []
    for n, (pk, region) in enumerate(businesses[:60]):
        unit = _market_unit(units, region)
        if unit is None:
            continue
        if n % 5 == 4:
            reason, basis_on = "unreachable", today - dt.timedelta(days=rng.randint(20, 120))
        else:
            reason, basis_on = "annual_report", dt.date(report_year, 7, 1)
        on = min(today, basis_on + dt.timedelta(days=rng.randint(3, 12)))
        try:
            abnormal.append(lists.list_abnormal(subjects[pk], reason, basis_on, unit, on=on, actor=actor))
        except DomainError:
            continue
    # A few filed the report afterwards: the cure is recorded, and the entry removed.
    removed = 0
    for entry in abnormal[:8]:
        cured = min(today, entry.listed_on + dt.timedelta(days=rng.randint(5, 40)))
        entry = lists.record_cure(entry, cured, actor=actor)
        if entry.reason == "annual_report":
            lists.remove(entry, cured, "已补报年度报告并公示", actor=actor)
            removed += 1
    # 严重违法失信名单: the subjects with the most penalties (repeat offenders), by the deciding unit.
    repeat = (
        Record.objects.filter(kind="penalty", subject__kind="enterprise", subject__provisional=False)
        .values("subject_id", "department_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by("-n", "subject_id")[:6]
    )
    serious = 0
    departments = Department.objects.in_bulk({r["department_id"] for r in repeat})
    listed: Counter[int] = Counter()
    for row in repeat:
        if listed[row["subject_id"]]:
            continue
        subject = Subject.objects.get(pk=row["subject_id"])
        on = today - dt.timedelta(days=rng.randint(10, 200))
        lists.list_serious(subject, "serious_violation", departments[row["department_id"]], on=on, actor=actor)
        listed[row["subject_id"]] += 1
        serious += 1
    # 信用修复: published penalties old enough to be repaired, asked for by the business.
    published = CreditRecord.objects.filter(kind="penalty", is_public=True, repaired_at__isnull=True).select_related(
        "subject"
    )
    jinan = published.filter(subject__region__code__startswith="3701")
    candidates = [*jinan.order_by("publish_from", "pk")[:200], *published.order_by("publish_from", "pk")[:200]]
    asked = []
    for credit in dict.fromkeys(candidates):
        if len(asked) >= 9:
            break
        if not all(check.ok for check in repair_eligibility(credit, today, performed=True)):
            continue
        asked.append(
            request_repair(
                credit,
                applicant=credit.subject.name,
                performed=True,
                statement=rng.choice(STATEMENTS),
                actor=actor,
            )
        )
    for request in asked[:3]:
        decide_repair(request, True, "已履行处罚决定，符合修复条件，同意停止公示", actor=actor)
    if len(asked) > 3:
        decide_repair(asked[3], False, "申请材料中缺少罚款缴纳凭证，请补正后重新申请", actor=actor)
    progress(
        f"credit lists: {len(abnormal)} abnormal ({removed} removed), {serious} serious; "
        f"repair requests: {len(asked)} ({min(3, len(asked))} approved)"
    )
    return {"abnormal": len(abnormal), "serious": serious, "repairs": len(asked)}
