"""Random-check plans in the demo province: 济南's, with one batch drawn, checked and published, one
drawn and open, one committed and not yet drawn; and 历下区's own, drawn and open, whose tasks fall to
历下's officers (lixia_officer among them).

Everything goes through the spot-check services (and their results through the gateway), so the
public page shows real draws that `jianguan spotcheck verify` recomputes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.models import Department
from jianguan.spotcheck.services import (
    add_batch,
    approve_batch,
    commit_seed,
    create_plan,
    draw_batch,
    publish_batch,
    record_result,
)


def build_spotchecks(rng: random.Random, progress: Callable[[str], None]) -> int:
    department = Department.objects.get(name="济南市市场监督管理局")
    # The food item's random-check sub-item: its main item's object (食品生产经营者) limits the pool.
    items = list(
        SupervisionItem.objects.filter(
            random_check=True, parent__isnull=False, code__startswith="3701", parent__name__contains="食品"
        )
        .order_by("code")
        .values_list("code", flat=True)[:1]
    )
    today = timezone.localdate()
    plan = create_plan(department, today.year, f"{today.year}年度济南市市场监管双随机抽查计划")
    batches = []
    for number, (start, end) in enumerate([(0, 60), (30, 120)], start=1):
        batch = add_batch(
            plan,
            title=f"第{number}批 食品经营者监督检查",
            starts_on=today - dt.timedelta(days=60 - start),
            ends_on=today + dt.timedelta(days=end),
            item_codes=items,
            pool_filter={"regions": ["3701"]},
            quotas={"A": {"ratio": 0.01}, "B": {"ratio": 0.02}, "C": {"ratio": 0.05}, "D": {"ratio": 0.1}},
            capacity=10,
        )
        approve_batch(batch)
        commit_seed(batch)
        draw_batch(batch, public_entropy=f"demo-{number}")
        batches.append(batch)
    points = list(CheckPoint.objects.filter(item__code__in=items).values_list("code", flat=True))
    first = batches[0]
    for task in first.draw.tasks.filter(status="assigned").order_by("stratum", "rank"):
        result = rng.choices(["01", "02", "03", "06"], [80, 10, 5, 5])[0]
        answers = {code: ("fail" if result != "01" and rng.random() < 0.5 else "pass") for code in points}
        record_result(task, result=result, check_answers=answers)
    first.refresh_from_db()
    publish_batch(first)
    # The next batch is committed and waits for its draw: its commitment is already public.
    upcoming = add_batch(
        plan,
        title="第3批 食品经营者监督检查",
        starts_on=today + dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=150),
        item_codes=items,
        pool_filter={"regions": ["3701"]},
        quotas={"A": {"ratio": 0.01}, "B": {"ratio": 0.02}, "C": {"ratio": 0.05}, "D": {"ratio": 0.1}},
        capacity=10,
    )
    approve_batch(upcoming)
    commit_seed(upcoming)
    lixia = Department.objects.get(name="济南市历下区市场监督管理局")
    county_plan = create_plan(lixia, today.year, f"{today.year}年度历下区市场监管双随机抽查计划")
    county_batch = add_batch(
        county_plan,
        title="第1批 辖区食品经营者抽查",
        starts_on=today - dt.timedelta(days=7),
        ends_on=today + dt.timedelta(days=45),
        item_codes=items,
        pool_filter={"regions": ["370102"]},
        quotas={"A": {"ratio": 0.05}, "B": {"ratio": 0.1}, "C": {"ratio": 0.2}, "D": {"ratio": 0.5}},
        capacity=20,
    )
    approve_batch(county_batch)
    commit_seed(county_batch)
    draw_batch(county_batch, public_entropy="demo-lixia-1")
    # 历下's next batch is being prepared: its seed is not committed, so it still takes subjects on
    # its risk selection (an alert's subject, say).
    add_batch(
        county_plan,
        title="第2批 冷链食品经营者抽查",
        starts_on=today + dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=120),
        item_codes=items,
        pool_filter={"regions": ["370102"]},
        quotas={"A": {"ratio": 0.05}, "B": {"ratio": 0.1}, "C": {"ratio": 0.2}, "D": {"ratio": 0.5}},
        capacity=20,
    )
    tasks = sum(b.draw.tasks.count() for b in [*batches, county_batch])
    progress(
        f"spot checks: 济南 plan with 3 batches (1 published, 1 committed), 历下 plan with one batch drawn, one in preparation; {tasks} tasks"
    )
    return tasks
