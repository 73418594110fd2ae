"""Demo non-site monitoring and risk warnings: 济南's IoT platform with cold-chain loggers in food
shops, gas sensors in restaurants and effluent monitors at chemical works, 30 days of hourly
readings through the same intake as a real platform (with excursions, a leak, an effluent
exceedance, devices gone silent and a few refused readings), the clues the rules raise, two
national warnings, and the alerts handled by 济南's staff in every state, some found true (one
with a rectification order), some false, so that the precision table has numbers."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from jianguan.accounts.models import User
from jianguan.alerts import national
from jianguan.alerts import services as alerts
from jianguan.alerts.models import Alert
from jianguan.core.models import Department
from jianguan.exchange.services import register_source
from jianguan.facts.services import deliver
from jianguan.monitoring import services as monitoring
from jianguan.monitoring.choices import Channel
from jianguan.monitoring.rules import check_silence
from jianguan.subjects.models import Subject

KINDS = [  # kind, quantity, unit, industry, count, normal value and spread, name
    ("cold_chain", "temperature", "℃", "F5212", 60, 4.0, 1.2, "冷藏柜温度记录仪"),
    ("gas", "ch4_lel", "%LEL", "H6210", 40, 1.0, 0.8, "后厨可燃气体探测器"),
    ("env_sensor", "cod", "mg/L", "C2614", 20, 45.0, 8.0, "污水排放口COD在线监测"),
]
DAYS = 30


def _faults(rng: random.Random, devices: list, now: dt.datetime) -> dict[int, list[tuple[dt.datetime, float]]]:
    """Excursions laid over the normal readings: (time, value) per device index."""
    out: dict[int, list[tuple[dt.datetime, float]]] = {}
    hours = [now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=h) for h in range(DAYS * 24)]
    by_kind: dict[str, list[int]] = {}
    for index, device in enumerate(devices):
        by_kind.setdefault(device.kind, []).append(index)
    for index in rng.sample(by_kind["cold_chain"], 6):  # a door left open: 2-3 hours at 9-12 ℃
        start = rng.randrange(24, len(hours) - 4)
        out[index] = [(hours[start - k], rng.uniform(9.2, 12.0)) for k in range(rng.choice([2, 3]))]
    for index in rng.sample(by_kind["cold_chain"], 2):  # a compressor failure
        out.setdefault(index, []).append((hours[rng.randrange(24, len(hours))], rng.uniform(15.5, 18.0)))
    for index in rng.sample(by_kind["gas"], 4):  # leaks
        out[index] = [(hours[rng.randrange(24, len(hours))], rng.uniform(21.0, 35.0))]
    for index in rng.sample(by_kind["env_sensor"], 3):  # exceedances over two hours
        start = rng.randrange(24, len(hours) - 3)
        out[index] = [(hours[start - k], rng.uniform(120.0, 160.0)) for k in range(3)]
    return out


def build_monitoring(rng: random.Random, progress: Callable[[str], None]) -> dict[str, Any]:
    now = timezone.now()
    units = {
        (d.sector.code, d.region_id): d
        for d in Department.objects.select_related("sector").filter(sector__isnull=False)
    }
    jn_market = units[("scjg", "370100")]
    source, _token = register_source("jn-iot", "济南市物联感知平台", jn_market, max_bytes=50_000_000)
    devices = []
    for kind, quantity, _unit, industry, count, _mean, _spread, label in KINDS:
        subjects = list(
            Subject.objects.filter(region__code__startswith="3701", industry_code=industry, provisional=False)
            .exclude(region__code="370100")
            .order_by("pk")[:count]
        )
        for n, subject in enumerate(subjects, start=1):
            sector = "sthj" if kind == "env_sensor" else "scjg"
            department = units.get((sector, subject.region_id)) or units.get((sector, "370100")) or jn_market
            devices.append(
                monitoring.register_device(
                    code=f"JN-{kind.upper().replace('_', '')}-{n:04d}",
                    source=source,
                    kind=kind,
                    name=label,
                    department=department,
                    region=subject.region_id,
                    quantity=quantity,
                    subject=subject,
                    address=subject.operating_address or subject.registered_address,
                )
            )
    faults = _faults(rng, devices, now)
    silent = set(rng.sample(range(len(devices)), 3))
    spec = {k[0]: k for k in KINDS}
    start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=DAYS)
    readings = 0
    for index, device in enumerate(devices):
        _kind, _q, unit, _i, _c, mean, spread, _label = spec[device.kind]
        overrides = dict(faults.get(index, []))
        stop = now - dt.timedelta(hours=10) if index in silent else now
        batch, moment = [], start
        while moment <= stop:
            value = overrides.get(moment, max(0.0, rng.gauss(mean, spread)))
            batch.append({"device": device.code, "time": moment.isoformat(), "value": round(value, 2), "unit": unit})
            moment += dt.timedelta(hours=1)
        if index == 0:  # a logger that sends in °F once, and one reading from the future: refused, kept
            batch += [
                {"device": device.code, "time": start.isoformat(), "value": 39.2, "unit": "°F"},
                {"device": device.code, "time": (now + dt.timedelta(days=1)).isoformat(), "value": 4, "unit": unit},
            ]
        monitoring.receive(source, batch, channel=Channel.HTTP)
        readings += len(batch)
    with transaction.atomic():
        silent_clues = check_silence(now)
    progress(f"monitoring: {len(devices)} devices, {readings} readings, {len(silent_clues)} silent")
    national_source, _t = register_source("national", "国家“互联网+监管”系统（对接替身）", jn_market)
    food = devices[0].subject
    warnings = [
        {
            "warningId": "GJ-DEMO-0001",
            "issuedAt": (now - dt.timedelta(days=3)).isoformat(),
            "level": 2,
            "regionCode": "370102",
            "itemCode": "",
            "title": "进口冷链食品风险提示",
            "content": "请对辖区冷链食品经营者开展专项排查，重点核查进货查验记录和储存温度。",
        },
        {
            "warningId": "GJ-DEMO-0002",
            "issuedAt": (now - dt.timedelta(days=1)).isoformat(),
            "level": 3,
            "regionCode": food.region_id,
            "subjectCode": food.uscc or "",
            "title": "经营者冷藏温度异常提示",
            "content": "该经营者冷藏设备温度多次超出规定范围。",
        },
    ]
    national.receive(national_source, None, json.dumps(warnings, ensure_ascii=False).encode())
    alerts.setup()
    deliver([key for key in _alert_keys()])
    return {"devices": len(devices), "readings": readings, **handle_alerts(rng, progress)}


def _alert_keys() -> list[str]:
    from jianguan.facts.services import status

    return [s.key for s in status().subscribers if s.key.startswith("alerts.")]


def handle_alerts(rng: random.Random, progress: Callable[[str], None]) -> dict[str, int]:
    """济南's staff work through their alerts: about a third closed as true (the first with a
    rectification order), a fifth found false, some being dealt with or verified, the rest waiting."""
    jn_admin = User.objects.get(username="jn_admin")
    open_alerts = list(
        Alert.objects.filter(is_open=True, department__path__startswith=jn_admin.department.path).order_by("raised_at")
    )
    states = {"closed_true": 0, "false": 0, "disposing": 0, "signed": 0, "issued": 0}
    rectified = False
    for alert in open_alerts:
        draw = rng.random()
        signed_at = alert.raised_at + dt.timedelta(hours=rng.uniform(0.5, 30))
        if draw < 0.2:
            states["issued"] += 1
            continue
        alerts.sign(alert, jn_admin, now=min(signed_at, timezone.now()))
        if draw < 0.3:
            states["signed"] += 1
            continue
        if draw < 0.5:
            alerts.verify(alert, jn_admin, "false", "现场核查未发现问题，系设备误报")
            states["false"] += 1
            continue
        alerts.verify(alert, jn_admin, "true", "现场核查属实")
        if draw < 0.6:
            states["disposing"] += 1
            continue
        if not rectified and alert.subject_id:
            alerts.dispose(
                alert, jn_admin, "rectification", "责令限期整改", requirement="检修冷藏设备，温度恢复至0～8℃并留存记录"
            )
            rectified = True
        else:
            alerts.dispose(alert, jn_admin, "notify", "已抄告行业主管部门并督促整改")
        alerts.feedback(alert, jn_admin, "整改完成，复查合格")
        alerts.close(alert, jn_admin)
        states["closed_true"] += 1
    total = Alert.objects.count()
    progress(f"alerts: {total} raised; 济南 handled: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    return {"alerts": total}
