"""Demo 12345 work orders: a year of demands across the province with their handling histories
(imported as a 12345 system's history), a classifier trained from them, a surge, and live orders in
every state for the walk-through."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.complaints import services
from jianguan.complaints.analysis import detect_surges
from jianguan.complaints.history import import_history
from jianguan.complaints.models import Category
from jianguan.complaints.policy import load_taxonomy, policy, sla_for
from jianguan.complaints.routing import Catalogue
from jianguan.core.calendar import calendar_session, deadline_after
from jianguan.core.models import Department, Region
from jianguan.demo import complaint_texts as texts
from jianguan.subjects.models import Subject

SURGE_COUNTY = "370112"  # 历城区: a food-safety surge in the last complete week
CHANNELS = [("phone", 90.0), ("wechat", 4.0), ("portal", 3.0), ("sms", 1.5), ("mailbox", 1.0), ("hotline_system", 0.5)]


class DemoComplaints:
    def __init__(self, rng: random.Random, total: int, progress: Callable[[str], None]):
        self.rng, self.total, self.progress = rng, total, progress
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.serial = 0

    def build(self) -> dict[str, Any]:
        load_taxonomy()
        self.leaves = {
            c.code: c for c in Category.objects.filter(children__isnull=True).select_related("parent__parent")
        }
        self.counties = list(
            Region.objects.filter(code__startswith="37", level=3, is_historical=False).select_related("parent")
        )
        self.shops = self._shops()
        self.hot = self.rng.sample([s for shops in self.shops.values() for s in shops], 20)
        self.routes: dict[tuple[str, str], Any] = {}
        self.catalogue = Catalogue()
        self.city_units = self._city_units()
        rows, merged = [], []
        with calendar_session():
            for index in range(self.total):
                row = self._row(self._moment(), self.rng.choice(self.counties))
                rows.append(row)
                if index % 30 == 0 and row["steps"]:
                    merged.append(self._repeat(row))
            rows += [self._row(self._last_week(), self._county(SURGE_COUNTY), "060101") for _ in range(30)]
        rows.sort(key=lambda r: r["received_at"])
        result = import_history(rows)
        again = import_history(merged)
        self.progress(
            f"12345 work orders: {result['accepted'] + again['accepted']} with their histories "
            f"({again['accepted']} repeats merged, {result['rejected'] + again['rejected']} rejected)"
        )
        trained = services.train_from_orders(limit=4000)
        self.progress(f"classifier trained on {trained['trained_on']} confirmed orders")
        surges = detect_surges(timezone.localdate())
        self.progress(f"surges: {len(surges)}")
        live = self._live()
        return {"orders": result["accepted"] + again["accepted"], "surges": len(surges), "live": live}

    # ---- generation ----

    def _shops(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for name, uscc, region in (
            Subject.objects.filter(region__code__startswith="37")
            .exclude(kind="person")
            .values_list("name", "uscc", "region_id")
        ):
            out.setdefault(region, []).append((name, uscc or ""))
        return out

    def _city_units(self) -> dict[str, list[Department]]:
        units: dict[str, list[Department]] = {}
        for department in (
            Department.objects.filter(region__level=2)
            .exclude(sector__code=policy()["office_sector"])
            .select_related("sector")
        ):
            units.setdefault(department.region_id, []).append(department)
        return units

    def _county(self, code: str) -> Region:
        return next(c for c in self.counties if c.code == code)

    def _moment(self) -> dt.datetime:
        day = self.now - dt.timedelta(days=self.rng.uniform(0.2, 364))
        local = timezone.localtime(day, self.tz)
        hour = self.rng.choices(
            range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 12, 9, 10, 12, 12, 11, 10, 9, 8, 6, 4, 3, 2]
        )[0]
        return local.replace(hour=hour, minute=self.rng.randrange(60), second=self.rng.randrange(60), microsecond=0)

    def _last_week(self) -> dt.datetime:
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday() + 7)
        moment = dt.datetime.combine(monday, dt.time(9), tzinfo=self.tz)
        return moment + dt.timedelta(hours=self.rng.uniform(0, 24 * 6))

    def _number(self, at: dt.datetime) -> str:
        self.serial += 1
        return timezone.localtime(at, self.tz).strftime("%y%m%d%H%M%S") + f"{self.serial % 10**6:06d}"

    def _person(self) -> dict[str, str]:
        return {
            "name": self.rng.choice(texts.SURNAMES) + self.rng.choice(texts.GIVEN),
            "phone": "1" + self.rng.choice("35789") + "".join(self.rng.choice("0123456789") for _ in range(9)),
        }

    def _category(self) -> str:
        top = self.rng.choices(list(texts.CLASS_WEIGHTS), weights=list(texts.CLASS_WEIGHTS.values()))[0]
        return self.rng.choice([code for code in texts.TEXTS if code.startswith(top)])

    def _row(self, at: dt.datetime, county: Region, code: str | None = None) -> dict[str, Any]:
        rng = self.rng
        code = code or self._category()
        kind, template = rng.choice(texts.TEXTS[code])
        shops = self.shops.get(county.code) or [("本地一家商店", "")]
        shop = rng.choice(self.hot) if code.startswith("06") and rng.random() < 0.08 else rng.choice(shops)
        content = template.format(
            shop=shop[0],
            road=rng.choice(texts.ROADS),
            community=rng.choice(texts.COMMUNITIES),
            product=rng.choice(texts.PRODUCTS),
            when=rng.choice(texts.WHEN),
            amount=rng.choice([58, 120, 260, 800, 1500, 3000, 6800]),
            bus=rng.choice(texts.BUSES),
        )
        road = rng.choice(texts.ROADS)
        # Citizens name their place in different ways: full, county only, or not at all.
        address = rng.choices(
            [f"{county.parent.name}{county.name}{road}{rng.randint(1, 300)}号", f"{county.name}{road}", f"{road}附近"],
            weights=[6, 3, 1],
        )[0]
        channel = rng.choices([c for c, _w in CHANNELS], weights=[w for _c, w in CHANNELS])[0]
        row = {
            "number": self._number(at),
            "received_at": at.isoformat(),
            "channel": channel,
            "kind": kind,
            "category": code,
            "title": content[:20],
            "content": content,
            "address": address,
            "complainant": self._person() if rng.random() > 0.05 else {"anonymous": True},
            "subject_uscc": shop[1] if shop[1] and "{shop}" in template and rng.random() < 0.5 else None,
        }
        steps = self._steps(at, county, code, kind)
        # Orders of the last days are still open: their history stops at the present.
        cut = next((i for i, s in enumerate(steps) if dt.datetime.fromisoformat(s["at"]) > self.now), len(steps))
        row["steps"] = steps[:cut]
        return row

    def _route(self, code: str, county: Region):
        key = (code, county.code)
        if key not in self.routes:
            self.routes[key] = self.catalogue.route(self.leaves[code], county.code)
        return self.routes[key]

    def _later(self, at: dt.datetime, low_hours: float, high_hours: float) -> dt.datetime:
        return at + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))

    def _steps(self, at: dt.datetime, county: Region, code: str, kind: str) -> list[dict[str, Any]]:
        rng, steps = self.rng, []
        step = lambda action, when, **extra: steps.append({"action": action, "at": when.isoformat(), **extra})  # noqa: E731
        if kind in ("consultation", "thanks") and rng.random() < 0.6:
            step("answer_directly", self._later(at, 0.05, 0.5), comment=rng.choice(texts.CONSULTATION_ANSWERS))
            return steps
        found = self._route(code, county)
        lead = found.lead or rng.choice(self.city_units[county.parent_id])
        t = self._later(at, 0.1, 3)
        step("dispatch", t, department=lead.pk)
        category = self.leaves[code]
        sla = sla_for(category, kind)
        due, _p = deadline_after(t, working_days=sla.working_days, hours=sla.hours)
        if rng.random() < 0.04:
            t = self._later(t, 1, 12)
            step("return", t, comment=rng.choice(texts.RETURN_REASONS))
            t = self._later(t, 0.5, 4)
            other = rng.choice([d for d in self.city_units[county.parent_id] if d.pk != lead.pk])
            if rng.random() < 0.8:
                step("reassign", t, department=other.pk, comment="改派")
                lead = other
                due, _p = deadline_after(t, working_days=sla.working_days, hours=sla.hours)
            else:
                step("refuse_return", t, comment="经审核属于本单位职责，请办理")
        t = self._later(t, 0.2, 8 if sla.hours is None else 0.3)
        step("accept", t)
        if sla.working_days and rng.random() < 0.05:
            t = self._later(t, 4, 30)
            days = rng.choice([3, 5])
            step("extend", t, working_days=days, comment="需检测鉴定，申请延期")
            due, _p = deadline_after(due - dt.timedelta(seconds=1), working_days=days)
        late = rng.random() < 0.07
        if late:
            flagged = max(t, due) + dt.timedelta(hours=1)
            step("supervise", flagged, reason="overdue", comment="超期督办")
            t = flagged + dt.timedelta(hours=rng.uniform(2, 96))
        else:
            t = t + (max(due, t + dt.timedelta(minutes=30)) - t) * rng.uniform(0.2, 0.95)
        found_true = rng.random() < 0.62
        form = {
            "is_true": found_true,
            "is_resolved": found_true or rng.random() < 0.5,
            "handling_notes": rng.choice(texts.REPLIES[found_true]),
            "public_reply": rng.choice(texts.REPLIES[found_true]),
        }
        if not form["is_resolved"]:
            form["unresolved_reason"] = "当事人拒不配合，已移交执法部门立案处理"
        step("reply", t, form=form)
        t = self._later(t, 2, 40)
        outcome = rng.choices(["satisfied", "basic", "dissatisfied"], weights=[85, 8, 7])[0]
        if outcome == "dissatisfied":
            step("redo", t, satisfaction="dissatisfied", comment="问题没有解决")
            step("supervise", t + dt.timedelta(minutes=5), reason="dissatisfied", comment="回访不满意督办")
            t = self._later(t, 24, 90)
            step(
                "reply",
                t,
                form={**form, "is_resolved": True, "unresolved_reason": "", "public_reply": texts.REPLIES[True][2]},
            )
            t = self._later(t, 2, 30)
            outcome = rng.choice(["satisfied", "basic"])
        step("resolve", t, satisfaction=outcome)
        return steps

    def _repeat(self, row: dict[str, Any]) -> dict[str, Any]:
        at = dt.datetime.fromisoformat(row["received_at"]) + dt.timedelta(hours=self.rng.uniform(2, 96))
        return {
            **row,
            "number": self._number(at),
            "received_at": at.isoformat(),
            "content": row["content"] + "，之前反映过还没解决",
            "complainant": self._person(),
            "steps": [],
            "merged_into": row["number"],
        }

    # ---- live orders for the walk-through ----

    def _live(self) -> list[dict[str, str]]:
        officer = User.objects.get(username="lixia_officer")
        food = "我在济南市历下区泉城路{n}号一家超市买的酸奶已经过期，喝完后肚子疼，要求退款并查处商家"
        out = []

        def file(n: int, **extra):
            order, code = services.receive(
                {
                    "content": food.format(n=n),
                    "address": f"济南市历下区泉城路{n}号",
                    # The pin the citizen placed on the map, along 泉城路.
                    "latitude": round(36.6608 + (n - 101) * 0.0004, 6),
                    "longitude": round(117.0245 + (n - 101) * 0.0012, 6),
                    "complainant": self._person(),
                    **extra,
                },
                channel="portal",
            )
            return order, code

        order, code = file(101)
        out.append({"state": "received (portal, to classify)", "number": order.number, "code": code})
        order, code = file(102, kind="complaint", category="060101")
        out.append({"state": "dispatched to 历下区 (to sign)", "number": order.number, "code": code})
        order, code = file(103, kind="complaint", category="060101")
        services.accept(order, officer)
        services.request_extension(order, officer, 3, "样品送检，需等待检测报告")
        out.append({"state": "handling, extension asked", "number": order.number, "code": code})
        order, code = file(104, kind="complaint", category="060101")
        services.accept(order, officer)
        services.reply(
            order,
            officer,
            {
                "is_true": True,
                "is_resolved": True,
                "handling_notes": "执法人员现场检查，过期酸奶已下架，责令商家退款",
                "public_reply": "经核查情况属实，已责令商家下架过期商品并为您退款，商家已立案调查",
            },
        )
        out.append({"state": "replied: rate it on the portal", "number": order.number, "code": code})
        order, code = file(105, kind="complaint", category="060101")
        services.return_order(order, officer, "该超市位于历城区，不在本辖区")
        out.append({"state": "returned, to review", "number": order.number, "code": code})
        # One that went the whole way: filed on the portal, routed, handled, answered, rated.
        order, code = file(106, kind="complaint", category="060101")
        services.accept(order, officer)
        services.reply(
            order,
            officer,
            {
                "is_true": True,
                "is_resolved": True,
                "handling_notes": "执法人员到店检查，过期酸奶已下架销毁，商家已退款",
                "public_reply": "经核查属实，已责令商家下架过期酸奶、为您退款，并对商家立案调查",
            },
        )
        services.rate_by_citizen(order.number, code, {"satisfaction": "satisfied", "comment": "处理及时"})
        out.append(
            {"state": "closed: filed, routed, handled, answered and rated", "number": order.number, "code": code}
        )
        return out


def build_complaints(rng: random.Random, progress: Callable[[str], None], total: int = 20_000) -> dict[str, Any]:
    return DemoComplaints(rng, total, progress).build()
