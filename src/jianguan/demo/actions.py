"""A year of supervision actions for the demo province, sent through the exchange gateway.

One source system per city and sector sends what that city's departments (and their county
departments) did: mostly inspections, then licences, penalties, coercive measures and other
actions. Most are reported within a few working days; some late; about 2 % break a rule of the
data standard and about 1 % are resent unchanged, so the quarantine and the quality page have
real cases. A few parties are unknown to the register and become provisional subjects.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone

from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.calendar import WorkingCalendar
from jianguan.core.codes import uscc_with_check
from jianguan.core.models import Department
from jianguan.exchange.choices import Channel
from jianguan.exchange.services import receive_rows, register_source
from jianguan.officers.models import Officer
from jianguan.records.checks import References
from jianguan.subjects.models import Subject

# The licence a business of an industry (GB/T 4754 prefix) holds; the first prefix that matches.
LICENCES = [
    (("C13", "C14", "C15"), "食品生产许可证"),
    (("F521", "F522", "H62"), "食品经营许可证"),
    (("F527",), "药品经营许可证"),
    (("G54",), "道路运输经营许可证"),
    (("C26",), "危险化学品经营许可证"),
    (("E47", "E48", "E49"), "建筑施工企业安全生产许可证"),
    (("R90", "R87"), "娱乐经营许可证"),
    (("I65", "I64"), "增值电信业务经营许可证"),
    (("K70",), "房地产开发企业资质证书"),
    (("O80",), "家政服务机构备案证明"),
    (("A01",), "农作物种子生产经营许可证"),
    (("C33",), "排污许可证"),
]


def licence_for(industry: str) -> str:
    return next((name for prefixes, name in LICENCES if industry.startswith(prefixes)), "其他行政许可")


KIND_SHARES = [("inspection", 70), ("licence", 15), ("penalty", 10), ("coercion", 3), ("other", 2)]
# Most checks find nothing; about one in ten finds a problem.
RESULTS = ["未发现问题"] * 18 + ["发现问题已责令改正", "发现问题待后续处理"]
FACTS = ["销售超过保质期的食品", "未按规定公示营业执照", "使用未经检验的特种设备", "未取得许可从事经营活动", "虚假宣传"]
BASES = [
    "《中华人民共和国食品安全法》第一百二十四条",
    "《中华人民共和国广告法》第五十五条",
    "《特种设备安全法》第八十四条",
]
BREAKERS: list[tuple[str, Callable[[dict[str, Any], random.Random], None]]] = [
    ("one officer", lambda r, rng: r.__setitem__("officers", r.get("officers", [{}])[:1])),
    (
        "reported first",
        lambda r, rng: r.__setitem__(
            "reported_at",
            (dt.date.fromisoformat(r["action_date"]) - dt.timedelta(days=3)).isoformat() + "T09:00:00+08:00",
        ),
    ),
    ("unknown item", lambda r, rng: r.__setitem__("item_code", "37999999000000")),
    (
        "bad check digit",
        lambda r, rng: r.__setitem__(
            "subject_code", r["subject_code"][:-1] + ("0" if r["subject_code"][-1] != "0" else "1")
        ),
    ),
    ("bad region", lambda r, rng: r.__setitem__("region", "370999")),
    ("missing name", lambda r, rng: r.pop("subject_name")),
    (
        "unknown certificate",
        lambda r, rng: r.__setitem__("officers", [{"name": "张冒名", "certificate_no": "FAKE0001"}] * 2),
    ),
]


class DemoActions:
    def __init__(self, rng: random.Random, total: int, progress: Callable[[str], None]):
        self.rng = rng
        self.total = total
        self.progress = progress
        self.today = timezone.localdate()
        self.start = self.today - dt.timedelta(days=365)
        self.calendar = WorkingCalendar.load(self.start - dt.timedelta(days=10), self.today + dt.timedelta(days=90))
        self.workdays = [
            d for d in (self.start + dt.timedelta(days=i) for i in range(365)) if self.calendar.is_workday(d)
        ]

    def build(self) -> int:
        references = References.load()
        subjects = self._subjects()
        items = self._items()
        officers = self._officers()
        cities = Department.objects.filter(region__level=2, parent__isnull=False).select_related("sector", "region")
        plans = []
        for city in cities.order_by("region_id", "sector__code"):
            departments = [city, *city.children.all()]
            weight = sum(4 if d.region.level == 3 else 2 for d in departments)
            plans.append((city, departments, weight))
        weights = sum(p[2] for p in plans)
        sent = 0
        for number, (city, departments, weight) in enumerate(plans, start=1):
            count = max(20, round(self.total * weight / weights))
            source, _token = register_source(f"{city.sector.code}-{city.region_id}", f"{city.name}执法办案系统", city)
            rows = self._rows(departments, count, subjects, items, officers)
            _message, batch = receive_rows(
                source,
                rows,
                channel=Channel.API,
                actor=source.client,
                payload_sha256="",
                payload_bytes=0,
                filename="demo",
                references=references,
            )
            sent += batch.received
            if number % 20 == 0 or number == len(plans):
                self.progress(f"supervision actions: {sent} rows from {number} source systems")
        return sent

    def _subjects(self) -> dict[str, list[tuple[str, str, str, str, str]]]:
        by_prefix: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
        for code, regno, name, region, industry, address in Subject.objects.filter(uscc__isnull=False).values_list(
            "uscc", "registration_no", "name", "region_id", "industry_code", "operating_address"
        ):
            entry = (code if not regno or self.rng.random() < 0.7 else regno, name, region, industry, address)
            by_prefix[region].append(entry)
            by_prefix[region[:4]].append(entry)
        return by_prefix

    def _items(self) -> dict[int, list[tuple[str, list[str]]]]:
        points: dict[int, list[str]] = defaultdict(list)
        for item_id, code in CheckPoint.objects.values_list("item_id", "code"):
            points[item_id].append(code)
        by_sector: dict[int, list[tuple[str, list[str]]]] = defaultdict(list)
        sub_items = SupervisionItem.objects.filter(parent__isnull=False).annotate(
            sector_ref=Coalesce("sector_id", "parent__sector_id")
        )
        for pk, code, sector_id in sub_items.values_list("pk", "code", "sector_ref"):
            by_sector[sector_id].append((code, points[pk]))
        return by_sector

    def _officers(self) -> dict[int, list[dict[str, str]]]:
        by_department: dict[int, list[dict[str, str]]] = defaultdict(list)
        for department, name, cert in Officer.objects.values_list("department_id", "name", "certificate_no"):
            by_department[department].append({"name": name, "certificate_no": cert})
        return by_department

    def _rows(self, departments, count, subjects, items, officers) -> Iterator[tuple[int, dict[str, Any]]]:
        rng = self.rng
        kinds, shares = zip(*KIND_SHARES, strict=True)
        sent: list[dict[str, Any]] = []
        for number in range(1, count + 1):
            if sent and rng.random() < 0.01:
                yield number, dict(rng.choice(sent))  # resent unchanged
                continue
            department = rng.choice(departments)
            pool = subjects.get(department.region_id if department.region.level == 3 else department.region_id[:4])
            crew = officers.get(department.pk, [])
            sector_items = items.get(department.sector_id)
            if not pool or len(crew) < 2 or not sector_items:
                continue
            kind = rng.choices(kinds, shares)[0]
            # Penalties and coercive measures fall mostly on a minority of repeat offenders.
            offenders = pool[: max(1, len(pool) // 8)]
            party = rng.choice(offenders if kind in ("penalty", "coercion") and rng.random() < 0.8 else pool)
            record = self._record(number, kind, department, party, rng.choice(sector_items), crew)
            if rng.random() < 0.02:
                _label, breaker = rng.choice(BREAKERS)
                breaker(record, rng)
            sent.append(record)
            if len(sent) > 200:
                sent.pop(0)
            yield number, record

    def _record(self, number, kind, department, party, item, crew) -> dict[str, Any]:
        rng = self.rng
        code, name, region, industry, address = party
        index = rng.randrange(len(self.workdays))
        action = self.workdays[index]
        lag = rng.choices([0, 1, 2, 3, 5, 7, 10, 20, 40], [10, 25, 20, 15, 10, 8, 6, 4, 2])[0]
        reported = self.workdays[min(index + lag, len(self.workdays) - 1)]
        provisional = rng.random() < 0.004
        if provisional:
            code = uscc_with_check("92" + region + f"MA{rng.randrange(10**6):06d}X")
            name = f"{name[:4]}某个体经营户"
        record: dict[str, Any] = {
            "kind": kind,
            "source_id": f"{department.pk}-{kind[:3].upper()}-{number:07d}",
            "item_code": item[0],
            "department": department.uscc,
            "subject_nature": "2",
            "subject_id_type": "001" if len(code) == 18 else "099",
            "subject_code": code,
            "subject_name": name,
            "region": region,
            "action_date": action.isoformat(),
            "reported_at": f"{reported.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00+08:00",
        }
        if address and rng.random() < 0.6:
            record["operating_address"] = address
        if rng.random() < 0.5:
            record["reporter"] = crew[0]["name"]
        if kind == "inspection":
            team = rng.sample(crew, 2)
            record.update(
                form=rng.choice(["01", "01", "01", "02"]),
                officers=team,
                result=rng.choice(RESULTS),
                check_items=[
                    {"code": c, "result": rng.choice(["pass", "pass", "pass", "fail", "not_applicable"])}
                    for c in item[1]
                ],
            )
            if rng.random() < 0.3:
                record["plan_id"] = f"SJ{action.year}{department.pk:04d}{rng.randrange(1, 5):02d}"
        elif kind == "penalty":
            opened = action - dt.timedelta(days=rng.randrange(5, 60))
            kinds = rng.choice([["01"], ["02"], ["01", "02"], ["02", "03"], ["08"]])
            record.update(
                facts=rng.choice(FACTS),
                basis=rng.choice(BASES),
                procedure="02" if rng.random() < 0.8 else "01",
                decision_no=f"{department.name[:2]}市监罚〔{action.year}〕{number}号",
                kinds=kinds,
                opened_on=opened.isoformat(),
                document_no=f"{department.name[:2]}市监罚〔{action.year}〕{number}号",
            )
            if "02" in kinds:
                record["fine_amount"] = str(rng.choice([500, 2000, 5000, 10000, 50000]))
            if rng.random() < 0.6 and action <= reported:
                record["closed_on"] = action.isoformat()
        elif kind == "licence":
            record.update(
                licence_no=f"JY{department.region_id}{number:08d}",
                licence_name=licence_for(industry),
                licence_kind="1",
                valid_from=action.isoformat(),
                valid_to=(action + dt.timedelta(days=5 * 365)).isoformat(),
            )
        elif kind == "coercion":
            record.update(
                coercion_kind="1",
                measure_type=rng.choice(["02", "03"]),
                facts=rng.choice(FACTS),
                decision_no=f"{department.name[:2]}市监强〔{action.year}〕{number}号",
                ended_on=(action + dt.timedelta(days=30)).isoformat(),
            )
        else:
            record.update(measure=rng.choice(["约谈", "责令改正", "信用承诺"]), ended_on=action.isoformat())
        return record
