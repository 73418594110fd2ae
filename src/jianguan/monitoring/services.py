"""Readings in: every submitted reading checked, stored once by (device, time), or kept with its
reason; hourly aggregates and the devices' last-seen times kept up; the rules evaluated on what was
stored (`monitoring.rules`). One delivery is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jianguan.audit.services import record_event
from jianguan.core.errors import DomainError, FieldError, lazy_format
from jianguan.core.text import first_forbidden
from jianguan.exchange.models import SourceSystem
from jianguan.monitoring import rules
from jianguan.monitoring.choices import DeviceStatus
from jianguan.monitoring.models import BadReading, Delivery, Device
from jianguan.monitoring.policy import policy

REASONS = {
    "malformed": _("A reading is an object with device, time, value and unit (and an optional id)."),
    "bad_time": _("The time is not an ISO 8601 time with its offset, such as 2026-12-07T08:00:00+08:00."),
    "bad_value": _("The value is not a finite number."),
    "bad_id": _("The reading id is not a text of at most 64 characters."),
    "forbidden_character": _("The reading holds a control character."),
    "unknown_device": _("No device in service with this code belongs to this source system."),
    "wrong_unit": _("The unit is not the one of the device's quantity."),
    "future_time": _("The time is in the future."),
    "out_of_range": _("The value is outside the physical range of the device's quantity."),
}


@dataclass
class Outcome:
    delivery: Delivery
    errors: list[dict[str, Any]] = field(default_factory=list)
    clues: list[Any] = field(default_factory=list)


def _refused(position: int, code: str, device: str = "", detail: Any = None) -> FieldError:
    message = REASONS[code] if detail is None else format_lazy("{}（{}）", REASONS[code], detail)
    return FieldError(device or "reading", message, code=code, row=position)


def _text(value: Any) -> bool:
    return isinstance(value, str) and first_forbidden(value) is None


def check(position: int, raw: Any, devices: dict[str, Device], now: dt.datetime):
    """(device, time, value, reading id) of one submitted reading, or the FieldError refusing it."""
    if not isinstance(raw, dict) or not {"device", "time", "value", "unit"} <= raw.keys():
        return _refused(position, "malformed")
    code, when, value, unit, reading_id = raw["device"], raw["time"], raw["value"], raw["unit"], raw.get("id", "")
    if not all(isinstance(v, str) for v in (code, when, unit)) or (
        reading_id is not None and not isinstance(reading_id, str | int)
    ):
        return _refused(position, "malformed", code if isinstance(code, str) else "")
    if not all(_text(v) for v in (code, when, unit, str(reading_id or ""))):
        return _refused(position, "forbidden_character")
    reading_id = str(reading_id or "")
    if len(reading_id) > 64:
        return _refused(position, "bad_id", code)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return _refused(position, "bad_value", code)
    try:
        moment = dt.datetime.fromisoformat(when)
    except ValueError:
        return _refused(position, "bad_time", code)
    if moment.tzinfo is None:
        return _refused(position, "bad_time", code)
    device = devices.get(code)
    if device is None:
        return _refused(position, "unknown_device", code)
    settings = policy()
    quantity = settings["quantities"].get(device.quantity)
    if quantity is None or unit != quantity["unit"]:
        return _refused(position, "wrong_unit", code, quantity["unit"] if quantity else "—")
    if moment > now + dt.timedelta(minutes=settings["future_tolerance_minutes"]):
        return _refused(position, "future_time", code)
    if not quantity["min"] <= value <= quantity["max"]:
        return _refused(position, "out_of_range", code, f"{quantity['min']:g}–{quantity['max']:g} {quantity['unit']}")
    return device, moment.astimezone(dt.UTC), float(value), reading_id


def check_rate(source: SourceSystem, now: dt.datetime) -> None:
    recent = Delivery.objects.filter(source=source, received_at__gt=now - dt.timedelta(minutes=1)).count()
    if recent >= source.requests_per_minute:
        raise DomainError(
            "rate_limited",
            lazy_format(
                _("This source may send %(n)d calls per minute; wait a minute and send again."),
                {"n": source.requests_per_minute},
            ),
            status=429,
        )


def load_body(body: bytes, source: SourceSystem) -> Any:
    """The JSON of one HTTP call, within the source's size limit."""
    if len(body) > source.max_bytes:
        raise DomainError(
            "payload_too_large",
            lazy_format(
                _("The request is %(size)d bytes; this source may send at most %(limit)d bytes per call."),
                {"size": len(body), "limit": source.max_bytes},
            ),
            status=413,
        )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise DomainError("invalid_json", _("The request body is not JSON (UTF-8).")) from None
    return data


def parse_body(body: bytes, source: SourceSystem) -> list[Any]:
    """The readings of one HTTP call: a JSON array, or {"readings": [...]}, within the source's limits."""
    data = load_body(body, source)
    if isinstance(data, dict):
        data = data.get("readings")
    if not isinstance(data, list):
        raise DomainError("not_a_list", _('Send a JSON array of readings, or {"readings": [...]}.'))
    limit = policy()["max_readings_per_call"]
    if len(data) > limit:
        raise DomainError(
            "too_many_readings",
            lazy_format(_("At most %(n)d readings per call."), {"n": limit}),
            status=413,
        )
    return data


def receive(
    source: SourceSystem, items: Sequence[Any], *, channel: str, actor: Any = None, digest: str = ""
) -> Outcome:
    """One delivery of readings: checked, stored, aggregated and evaluated in one transaction."""
    now = timezone.now()
    codes = {raw["device"] for raw in items if isinstance(raw, dict) and isinstance(raw.get("device"), str)}
    devices = {
        d.code: d
        for d in Device.objects.filter(source=source, status=DeviceStatus.ACTIVE, code__in=codes).select_related(
            "subject"
        )
    }
    good, bad = [], []
    for position, raw in enumerate(items, start=1):
        checked = check(position, raw, devices, now)
        (bad if isinstance(checked, FieldError) else good).append((position, raw, checked))
    with transaction.atomic():
        delivery = Delivery.objects.create(
            source=source,
            channel=channel,
            received_at=now,
            submitted=len(items),
            accepted=0,
            duplicates=0,
            rejected=len(bad),
            payload_sha256=digest or hashlib.sha256(orjson.dumps(list(items))).hexdigest(),
        )
        BadReading.objects.bulk_create(
            BadReading(
                delivery=delivery,
                position=position,
                device_code=str(raw.get("device", ""))[:64] if isinstance(raw, dict) else "",
                reason=error.code,
                payload=orjson.dumps(raw, default=str).decode()[:2000],
            )
            for position, raw, error in bad
        )
        stored = store([checked for _p, _r, checked in good], now)
        delivery.accepted, delivery.duplicates = len(stored), len(good) - len(stored)
        delivery.save(update_fields=["accepted", "duplicates"])
        clues = rules.evaluate(stored)
        record_event(
            actor,
            "monitoring.readings",
            "monitoring.delivery",
            delivery.pk,
            after={
                "source": source.name,
                "channel": channel,
                "submitted": delivery.submitted,
                "accepted": delivery.accepted,
                "duplicates": delivery.duplicates,
                "rejected": delivery.rejected,
                "clues": [c.number for c in clues],
            },
        )
    return Outcome(delivery, [error.as_dict() for _p, _r, error in bad], clues)


# ---------------------------------------------------------------- storage


def store(readings: list[tuple[Device, dt.datetime, float, str]], now: dt.datetime) -> list[tuple]:
    """Write the readings not stored yet (first one wins for a repeated (device, time)); the written
    ones, in time order per device, with the hourly aggregates and last-seen times updated."""
    unique: dict[tuple[int, dt.datetime], tuple] = {}
    for reading in readings:
        unique.setdefault((reading[0].pk, reading[1]), reading)
    if not unique:
        return []
    rows = list(unique.values())
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_sqlite
    written = insert(rows, now)
    fresh = [unique[key] for key in written]
    fresh.sort(key=lambda r: (r[0].pk, r[1]))
    _aggregate(fresh)
    _seen(fresh)
    return fresh


def _months(rows) -> set[dt.date]:
    return {dt.date(r[1].year, r[1].month, 1) for r in rows}


_partitions: set[dt.date] = set()


def ensure_partitions(months: set[dt.date]) -> None:
    """Monthly partitions of the reading table on PostgreSQL, created when a month first arrives."""
    missing = months - _partitions
    if not missing:
        return
    with connection.cursor() as cursor:
        for month in sorted(missing):
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('monitoring_reading_partition'))")
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS monitoring_reading_{month:%Y%m} PARTITION OF monitoring_reading "
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
            )
    transaction.on_commit(lambda: _partitions.update(missing))  # a rolled-back creation is not remembered


def _insert_postgresql(rows, now) -> list[tuple[int, dt.datetime]]:
    ensure_partitions(_months(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitoring_reading (device_id, measured_at, value, reading_id, received_at) "
            "SELECT d, m, v, i, %s FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[], %s::text[]) "
            "AS t(d, m, v, i) ON CONFLICT DO NOTHING RETURNING device_id, measured_at",
            [now, [r[0].pk for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
        )
        return [(d, m.astimezone(dt.UTC)) for d, m in cursor.fetchall()]


def _insert_sqlite(rows, now) -> list[tuple[int, dt.datetime]]:
    from jianguan.monitoring.models import Reading

    by_device = defaultdict(list)
    for r in rows:
        by_device[r[0].pk].append(r[1])
    stored = set()
    for device, times in by_device.items():
        stored.update(
            (device, m.astimezone(dt.UTC))
            for m in Reading.objects.filter(
                device_id=device, measured_at__gte=min(times), measured_at__lte=max(times)
            ).values_list("measured_at", flat=True)
        )
    new = [r for r in rows if (r[0].pk, r[1]) not in stored]
    Reading.objects.bulk_create(
        [Reading(device_id=r[0].pk, measured_at=r[1], value=r[2], reading_id=r[3], received_at=now) for r in new],
        batch_size=500,
    )
    return [(r[0].pk, r[1]) for r in new]


def _aggregate(rows) -> None:
    hours: dict[tuple[int, dt.datetime], list[float]] = {}
    for device, moment, value, _id in rows:
        key = (device.pk, moment.replace(minute=0, second=0, microsecond=0))
        entry = hours.setdefault(key, [0, 0.0, value, value])
        entry[0] += 1
        entry[1] += value
        entry[2] = min(entry[2], value)
        entry[3] = max(entry[3], value)
    if not hours:
        return
    table = "monitoring_readinghour"
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    sql = (
        f"INSERT INTO {table} (device_id, hour, count, total, minimum, maximum) VALUES (%s, %s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT (device_id, hour) DO UPDATE SET count = {table}.count + excluded.count, "
        f"total = {table}.total + excluded.total, minimum = {least}({table}.minimum, excluded.minimum), "
        f"maximum = {greatest}({table}.maximum, excluded.maximum)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(d, h, *v) for (d, h), v in hours.items()])


def _seen(rows) -> None:
    latest: dict[int, tuple[Device, dt.datetime]] = {}
    for device, moment, _value, _id in rows:
        if device.pk not in latest or moment > latest[device.pk][1]:
            latest[device.pk] = (device, moment)
    for device, moment in latest.values():
        if device.last_seen_at is None or moment > device.last_seen_at:
            Device.objects.filter(Q(last_seen_at__lt=moment) | Q(last_seen_at__isnull=True), pk=device.pk).update(
                last_seen_at=moment
            )
            device.last_seen_at = moment


# ---------------------------------------------------------------- reading back


def offline_q() -> Q:
    since = timezone.now() - dt.timedelta(minutes=policy()["offline_after_minutes"])
    return Q(status=DeviceStatus.ACTIVE) & (Q(last_seen_at__lt=since) | Q(last_seen_at__isnull=True))


def is_offline(device: Device) -> bool:
    if device.status != DeviceStatus.ACTIVE:
        return False
    since = timezone.now() - dt.timedelta(minutes=policy()["offline_after_minutes"])
    return device.last_seen_at is None or device.last_seen_at < since


def hours(device: Device, start: dt.datetime | None = None, end: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The device's hourly aggregates (at most 31 days, the last 7 by default)."""
    end = end or timezone.now()
    start = max(start or end - dt.timedelta(days=7), end - dt.timedelta(days=31))
    return [
        {"hour": h.hour, "count": h.count, "mean": h.total / h.count, "min": h.minimum, "max": h.maximum}
        for h in device.hours.filter(hour__gte=start, hour__lte=end).order_by("hour")
    ]


# ---------------------------------------------------------------- the register


def register_device(
    *,
    code: str,
    source: SourceSystem,
    kind: str,
    name: str,
    department: Any,
    region: str,
    quantity: str = "",
    subject: Any = None,
    address: str = "",
    longitude: float | None = None,
    latitude: float | None = None,
    items: Sequence[Any] = (),
    actor: Any = None,
) -> Device:
    """Register a monitoring point; its quantity must be one the policy knows (cameras have none)."""
    if Device.objects.filter(code=code).exists():
        raise DomainError("device_exists", _("A device with this code is already registered."))
    if quantity and quantity not in policy()["quantities"]:
        raise DomainError("unknown_quantity", _("The policy knows no such measured quantity."))
    for value in (longitude, latitude):
        if value is not None and not math.isfinite(value):
            raise DomainError("bad_coordinates", _("Coordinates are finite WGS-84 degrees."))
    if longitude is not None and not -180 <= longitude <= 180 or latitude is not None and not -90 <= latitude <= 90:
        raise DomainError("bad_coordinates", _("Coordinates are finite WGS-84 degrees."))
    with transaction.atomic():
        device = Device.objects.create(
            code=code,
            source=source,
            kind=kind,
            name=name,
            department=department,
            region_id=region,
            quantity=quantity,
            subject=subject,
            address=address,
            longitude=longitude,
            latitude=latitude,
        )
        device.items.set(items)
        record_event(
            actor,
            "monitoring.register_device",
            "monitoring.device",
            device.pk,
            after={"code": code, "kind": kind, "department": department.pk, "region": region, "quantity": quantity},
        )
    return device
