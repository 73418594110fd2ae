"""Demo non-site monitoring and risk warnings: 济南's IoT platform with cold-chain loggers in food
shops, gas sensors in restaurants and effluent monitors at chemical works, a year of hourly readings
with the faults of a real year (offline spells, cold rooms warming over weeks, sensors drifting until
recalibrated, doors left open, compressor failures, gas leaks, COD exceedances): the month before now
through the same intake as a real platform (`monitoring.services.receive`, rules evaluated, clues,
devices gone silent and a few refused readings), the eleven months before it loaded as the platform's
archive (`monitoring.services.load_history`: the same readings and hourly aggregates, no rules); the
clues the rules raise, two national warnings, and the alerts handled by 济南's staff in every state,
some found true (one with a rectification order), some false, so that the precision table has
numbers."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
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
    ("cold_chain", "temperature", "℃", "F5212", 100, 4.0, 0.35, "冷藏柜温度记录仪"),
    ("gas", "ch4_lel", "%LEL", "H6210", 60, 1.0, 0.4, "后厨可燃气体探测器"),
    ("env_sensor", "cod", "mg/L", "C2614", 40, 45.0, 5.0, "污水排放口COD在线监测"),
]
DAYS = 365  # a year of readings: the month before now through `receive`, the rest as the archive
RECENT_DAYS = 30
# A logger beyond its alarm level samples every ten minutes until it is back (the hour's reading
# stays on the hour): the duration rules see the excursion, the hourly band shows its spread.
ALARM = {"cold_chain": 8.0, "gas": 20.0, "env_sensor": 100.0}
ALARM_MINUTES = (10, 20, 30, 40, 50)


@dataclass
class Series:
    """One device's year: hourly values (NaN where it was offline) and the alarm-mode readings."""

    values: Any  # numpy array, one per hour of `hours`
    extra: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # hour index: (minute, value)


def _normal(kind: str, mean: float, spread: float, hours: list[dt.datetime], gen) -> Any:
    """A device's values without faults: its own level, the time of day and of year, noise."""
    import numpy as np

    n = len(hours)
    local = np.array([(h.hour + 8) % 24 for h in hours])
    weekday = np.array([(h + dt.timedelta(hours=8)).weekday() for h in hours]) if kind == "env_sensor" else None
    yearly = np.sin(2 * np.pi * (np.array([h.timetuple().tm_yday for h in hours]) - 110) / 365)  # July high
    if kind == "cold_chain":  # its set point, summer a little warmer, a defrost every six hours
        level = mean + gen.uniform(-1.5, 1.0) + 0.4 * yearly
        defrost = ((np.arange(n) + gen.integers(6)) % 6 == 0) * gen.uniform(1.0, 2.0)
        values = level + defrost + gen.normal(0, spread, n)
    elif kind == "gas":  # cooking at lunch and dinner
        cooking = ((local >= 10) & (local <= 13)) | ((local >= 17) & (local <= 20))
        values = mean * gen.uniform(0.5, 1.5) + cooking * gen.uniform(0.8, 1.6) + gen.normal(0, spread, n)
    else:  # effluent: heavier on working days' shifts
        working = (weekday < 5) & (local >= 8) & (local <= 18)
        values = mean + gen.uniform(-10, 10) + working * gen.uniform(4, 10) + 2 * yearly + gen.normal(0, spread, n)
    return np.clip(values, 0.0 if kind != "cold_chain" else -2.0, None)


def _year(
    rng: random.Random, devices: list, hours: list[dt.datetime], recent: int
) -> tuple[list[Series], dict[str, int]]:
    """Every device's year with its faults: offline spells, cold rooms that warm over weeks, a slow
    drift until recalibration, doors left open, compressor failures, gas leaks, COD spikes. Hours
    from index `recent` on are the month sent through `receive`; its faults are the ones the rules
    raise clues on (the archive before it is loaded without rules)."""
    import numpy as np

    gen = np.random.default_rng(rng.getrandbits(64))
    n = len(hours)
    spec = {k[0]: k for k in KINDS}
    series = []
    for device in devices:
        _kind, _q, _unit, _i, _c, mean, spread, _label = spec[device.kind]
        series.append(Series(_normal(device.kind, mean, spread, hours, gen)))
    by_kind: dict[str, list[int]] = {}
    for index, device in enumerate(devices):
        by_kind.setdefault(device.kind, []).append(index)
    faults = {"offline": 0, "warming": 0, "drift": 0, "door": 0, "compressor": 0, "leak": 0, "cod": 0}

    def some(kind: str, count: int) -> list[int]:  # a small demo may hold fewer devices of a kind
        return rng.sample(by_kind.get(kind, []), min(count, len(by_kind.get(kind, []))))

    def excursion(index: int, start: int, length: int, low: float, high: float) -> None:
        values = series[index].values
        for h in range(start, min(start + length, n)):
            values[h] = rng.uniform(low, high)
            series[index].extra[h] = [(m, round(rng.uniform(low, high), 2)) for m in ALARM_MINUTES]

    def when(old: bool, margin: int = 4) -> int:  # an hour in the archive or in the recent month
        return rng.randrange(24, recent - margin) if old else rng.randrange(recent + 24, n - margin)

    archive = recent > 90 * 24  # a demo of a month or two has its faults in the month only

    for index in (some("cold_chain", 3) + some("gas", 2) + some("env_sensor", 3)) if archive else ():  # offline
        for _spell in range(rng.choice([1, 2])):
            start, length = when(True, 200), rng.choice([6, 30, 72, 160])
            series[index].values[start : start + length] = np.nan
            faults["offline"] += 1
    for number, index in enumerate(some("cold_chain", 3 if archive else 1)):  # a compressor losing gas: weeks
        length = rng.randrange(14 * 24, 28 * 24)  # of warming; the first one still warming now
        start = n - length - 6 if number == 0 else rng.randrange(recent // 2, recent - length)
        values = series[index].values
        ramp = np.linspace(0, rng.uniform(5.5, 7.0), length)
        values[start : start + length] += ramp
        for h in range(start, start + length):
            if values[h] > ALARM["cold_chain"]:
                series[index].extra[h] = [(m, round(float(values[h]) + rng.gauss(0, 0.2), 2)) for m in ALARM_MINUTES]
        faults["warming"] += 1
    for index in some("gas", 2) + some("env_sensor", 2):  # a sensor drifting until it is recalibrated
        values = series[index].values
        start, length = rng.randrange(0, n // 6), rng.randrange(n * 100 // 365, n * 150 // 365)
        per_hour = (rng.uniform(2.5, 4.0) if devices[index].kind == "gas" else rng.uniform(15, 25)) / length
        values[start : start + length] += per_hour * np.arange(length)
        faults["drift"] += 1
    for old in (True, False) if archive else (False,):
        for index in some("cold_chain", 12 if old else 6):  # a door left open: 2-3 hours at 9-12 ℃
            excursion(index, when(old), rng.choice([2, 3]), 9.2, 12.0)
            faults["door"] += 1
        for index in some("cold_chain", 3 if old else 2):  # a compressor failure
            excursion(index, when(old), 1, 15.5, 18.0)
            faults["compressor"] += 1
        for index in some("gas", 6 if old else 4):  # leaks
            excursion(index, when(old), rng.choice([1, 2]), 21.0, 35.0)
            faults["leak"] += 1
        for index in some("env_sensor", 8 if old else 3):  # exceedances over three hours
            excursion(index, when(old), 3, 120.0, 160.0)
            faults["cod"] += 1
    return series, faults


def _readings(series: Series, hours: list[dt.datetime], first: int, last: int):
    """(time, value) of the series' hours first ≤ h < last, the alarm-mode readings in their place."""
    values = series.values[first:last].round(2).tolist()
    for offset, value in enumerate(values):
        if value == value:  # not NaN: the device was on line
            hour = hours[first + offset]
            yield hour, value
            for minute, extra in series.extra.get(first + offset, ()):
                yield hour + dt.timedelta(minutes=minute), extra


def build_monitoring(rng: random.Random, progress: Callable[[str], None], days: int = DAYS) -> dict[str, Any]:
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
                    longitude=round(117.0 + rng.uniform(-0.25, 0.25), 5),
                    latitude=round(36.65 + rng.uniform(-0.15, 0.15), 5),
                )
            )
    end = now.replace(minute=0, second=0, microsecond=0)
    hours = [end - dt.timedelta(hours=h) for h in range(days * 24, -1, -1)]  # oldest first, now's hour last
    recent = max(0, len(hours) - RECENT_DAYS * 24 - 1)
    series, faults = _year(rng, devices, hours, recent)
    silent = set(rng.sample(range(len(devices)), min(3, len(devices))))
    stop = len(hours) - 10  # the silent ones stop ten hours ago
    spec = {k[0]: k for k in KINDS}
    archive = []
    for index, device in enumerate(devices):
        old = list(_readings(series[index], hours, 0, recent))
        archive.append((device.code, spec[device.kind][2], [t for t, _v in old], [v for _t, v in old]))
    loaded = monitoring.load_history(source, archive)
    progress(f"monitoring archive: {loaded.stored} readings of {loaded.devices} devices over {days - RECENT_DAYS} days")
    readings = loaded.stored
    for index, device in enumerate(devices):
        unit = spec[device.kind][2]
        batch = [
            {"device": device.code, "time": moment.isoformat(), "value": value, "unit": unit}
            for moment, value in _readings(series[index], hours, recent, stop if index in silent else len(hours))
        ]
        if index == 0:  # a logger that sends in °F once, and one reading from the future: refused, kept
            batch += [
                {"device": device.code, "time": hours[recent].isoformat(), "value": 39.2, "unit": "°F"},
                {"device": device.code, "time": (now + dt.timedelta(days=1)).isoformat(), "value": 4, "unit": unit},
            ]
        monitoring.receive(source, batch, channel=Channel.HTTP)
        readings += len(batch)
    with transaction.atomic():
        silent_clues = check_silence(now)
    progress(
        f"monitoring: {len(devices)} devices, {readings} readings over {days} days, {len(silent_clues)} silent now; "
        "faults: " + ", ".join(f"{k} {v}" for k, v in faults.items())
    )
    detections = build_detections(rng, source, devices, units, now)
    progress(f"detections: {detections} (kitchen cameras and a remote-sensing tile)")
    national_source, _t = register_source("national", "国家“互联网+监管”系统（对接替身）", jn_market)
    food = devices[0].subject if devices else None
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
    ]
    if food is not None:
        warnings.append(
            {
                "warningId": "GJ-DEMO-0002",
                "issuedAt": (now - dt.timedelta(days=1)).isoformat(),
                "level": 3,
                "regionCode": food.region_id,
                "subjectCode": food.uscc or "",
                "title": "经营者冷藏温度异常提示",
                "content": "该经营者冷藏设备温度多次超出规定范围。",
            }
        )
    national.receive(national_source, None, json.dumps(warnings, ensure_ascii=False).encode())
    alerts.setup()
    deliver([key for key in _alert_keys()])
    return {"devices": len(devices), "readings": readings, **handle_alerts(rng, progress)}


def _picture(rng: random.Random, colour: tuple[int, int, int]) -> str:
    """A small JPEG standing for a camera frame (the demo has no real footage)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 120), (60, 60, 60))
    draw = ImageDraw.Draw(image)
    x, y = rng.randrange(10, 100), rng.randrange(10, 60)
    draw.rectangle([x, y, x + 40, y + 40], outline=colour, width=3)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return base64.b64encode(out.getvalue()).decode()


def build_detections(rng: random.Random, source, devices: list, units: dict, now: dt.datetime) -> int:
    """Three kitchen cameras (a rat, staff without masks three times in an hour, a cap left off) and a
    remote-sensing tile whose polygon covers an effluent monitor's site."""
    from jianguan.monitoring import detections

    restaurants = [d for d in devices if d.kind == "gas"][:3]
    sites = [d for d in devices if d.kind == "env_sensor"]
    if len(restaurants) < 3 or not sites:
        return 0  # a demo too small to hold the restaurants and the works
    cameras = [
        monitoring.register_device(
            code=f"JN-KITCHEN-{n:04d}",
            source=source,
            kind="kitchen",
            name="明厨亮灶后厨摄像头",
            department=gas.department,
            region=gas.region_id,
            subject=gas.subject,
            address=gas.address,
            longitude=gas.longitude,
            latitude=gas.latitude,
        )
        for n, gas in enumerate(restaurants, start=1)
    ]
    site = sites[0]
    tile = monitoring.register_device(
        code="JN-RS-TILE-0001",
        source=source,
        kind="remote_sensing",
        name="济南市遥感影像（季度）",
        department=units.get(("sthj", "370100")) or site.department,
        region="370100",
    )
    model = {"model": "kitchen-yolo", "model_version": "2026.10"}
    items = [
        {"device": cameras[0].code, "time": (now - dt.timedelta(hours=5)).isoformat(), "label": "rat",
         "confidence": 0.91, "box": [40, 52, 30, 18], "image": _picture(rng, (255, 0, 0)), "id": "K1-0001", **model},
        *[
            {"device": cameras[1].code, "time": (now - dt.timedelta(hours=3, minutes=m)).isoformat(), "label": "no_mask",
             "confidence": 0.8, "box": [60, 20, 30, 60], "image": _picture(rng, (255, 200, 0)), "id": f"K2-{m}", **model}
            for m in (0, 15, 40)
        ],
        {"device": cameras[2].code, "time": (now - dt.timedelta(hours=1)).isoformat(), "label": "no_cap",
         "confidence": 0.7, "box": [10, 10, 40, 40], "image": _picture(rng, (0, 200, 255)), "id": "K3-0001", **model},
        {"device": tile.code, "time": (now - dt.timedelta(days=2)).isoformat(), "label": "illegal_land_use",
         "confidence": 0.76, "model": "landuse-seg", "model_version": "3.1", "id": "RS-2026Q4-0001",
         "polygon": {"type": "Polygon", "coordinates": [[
             [site.longitude - 0.002, site.latitude - 0.002], [site.longitude + 0.002, site.latitude - 0.002],
             [site.longitude + 0.002, site.latitude + 0.002], [site.longitude - 0.002, site.latitude + 0.002],
             [site.longitude - 0.002, site.latitude - 0.002]]]},
         "image": _picture(rng, (0, 255, 0))},
    ]  # fmt: skip
    outcome = detections.receive(source, items, channel=Channel.HTTP)
    return outcome.delivery.accepted


def _alert_keys() -> list[str]:
    from jianguan.facts.services import status

    return [s.key for s in status().subscribers if s.key.startswith("alerts.")]


def _other_disposals(actor) -> list[Callable[[Alert], bool]]:
    """Dealing with an alert by the other ways the demo's data allows, each where the alert's
    department has the means: its subject put on a batch's risk selection (a batch whose seed is not
    committed) or on the targets of a campaign the department leads."""
    from jianguan.core.errors import DomainError
    from jianguan.joint.models import Campaign
    from jianguan.spotcheck.services import open_batches_for_selection

    today = timezone.localdate()

    def spot_check(alert: Alert) -> bool:
        batch = open_batches_for_selection(alert.department).first()
        if batch is None:
            return False
        alerts.dispose(alert, actor, "spot_check", "列入本批次风险名单，必抽", batch=batch)
        return True

    def campaign(alert: Alert) -> bool:
        running = Campaign.objects.filter(lead=alert.department, starts_on__lte=today, ends_on__gte=today).first()
        if running is None:
            return False
        try:
            alerts.dispose(alert, actor, "campaign", "纳入专项整治对象", campaign=running)
        except DomainError:  # no participant of the campaign covers the subject: another alert may fit
            alert.refresh_from_db()
            return False
        return True

    return [spot_check, campaign]


def _disposed_otherwise(alert: Alert, ways: list) -> bool:
    """The first of the ways not used yet that takes the alert (each used once)."""
    for way in list(ways):
        if way(alert):
            ways.remove(way)
            return True
    return False


def handle_alerts(rng: random.Random, progress: Callable[[str], None]) -> dict[str, int]:
    """济南's staff work through their alerts: about a third closed as true (the first with a
    rectification order), a fifth found false, some being dealt with or verified, the rest waiting."""
    jn_admin = User.objects.get(username="jn_admin")
    open_alerts = list(
        Alert.objects.filter(is_open=True, department__path__startswith=jn_admin.department.path).order_by("raised_at")
    )
    jn_env = Department.objects.get(sector__code="sthj", region_id="370100")
    states = {"closed_true": 0, "false": 0, "disposing": 0, "signed": 0, "issued": 0}
    rectified = False
    ways = _other_disposals(jn_admin)
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
        elif not (alert.subject_id and _disposed_otherwise(alert, ways)):
            alerts.dispose(alert, jn_admin, "notify", "已抄告生态环境部门并督促整改", recipient=jn_env)
        alerts.feedback(alert, jn_admin, "整改完成，复查合格")
        alerts.close(alert, jn_admin)
        states["closed_true"] += 1
    total = Alert.objects.count()
    progress(f"alerts: {total} raised; 济南 handled: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    return {"alerts": total}
