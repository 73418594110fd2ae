"""Readings in: every submitted reading checked, stored once by (device, time), or kept with its
reason; hourly aggregates and the devices' last-seen times kept up; the rules evaluated on what was
stored (`monitoring.rules`). One delivery is one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jianguan.audit.services import record_event
from jianguan.core.bulk import gc_paused
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


@dataclass(frozen=True, slots=True)
class Point:
    """What the checks and the rules read of a device in service, taken once per delivery (a row,
    not a model instance: a delivery of 5,000 readings may name hundreds of devices)."""

    id: int
    code: str
    kind: str
    quantity: str


def points_of(source: SourceSystem, codes: set[str]) -> dict[str, Point]:
    """The source's devices in service among `codes`, by code."""
    rows = Device.objects.filter(source=source, status=DeviceStatus.ACTIVE, code__in=codes).values_list(
        "id", "code", "kind", "quantity"
    )
    return {code: Point(pk, code, kind, quantity) for pk, code, kind, quantity in rows}


class Checks:
    """The checks of one delivery's readings (see `check`). What repeats within a delivery is judged
    once and remembered for the rest of it: a (device code, unit)'s device, unit verdict and range,
    and whether either text holds a control character; a time text's UTC moment, whether it lies in
    the future and whether it holds a control character. A delivery's readings share few codes,
    units and times (devices report on the minute), so most readings cost two dictionary look-ups
    instead of a parse, a conversion and a pattern search."""

    def __init__(self, points: dict[str, Point], now: dt.datetime, settings: dict):
        self.points = points
        self.quantities = settings["quantities"]
        self.latest = now + dt.timedelta(minutes=settings["future_tolerance_minutes"])
        # (code, unit) -> (clean, device id or None, refusal code or None, detail, min, max)
        self.devices: dict[tuple[str, str], tuple] = {}
        # time text -> (clean, UTC moment or None when not a time with its offset, in the future)
        self.times: dict[str, tuple] = {}

    def _device(self, code: str, unit: str) -> tuple:
        clean = first_forbidden(f"{code}\t{unit}") is None
        point = self.points.get(code)
        if point is None:
            return clean, None, "unknown_device", None, 0, 0
        quantity = self.quantities.get(point.quantity)
        if quantity is None:
            return clean, None, "wrong_unit", "—", 0, 0
        if unit != quantity["unit"]:
            return clean, None, "wrong_unit", quantity["unit"], 0, 0
        detail = f"{quantity['min']:g}–{quantity['max']:g} {quantity['unit']}"
        return clean, point.id, None, detail, quantity["min"], quantity["max"]

    def _time(self, text: str) -> tuple:
        clean = first_forbidden(text) is None
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return clean, None, False
        if moment.tzinfo is None:
            return clean, None, False
        return clean, moment.astimezone(dt.UTC), moment > self.latest

    def __call__(self, position: int, raw: Any):
        """(device id, UTC time, value, reading id) of one submitted reading, or the FieldError refusing it."""
        if not isinstance(raw, dict):
            return _refused(position, "malformed")
        try:
            code, when, value, unit = raw["device"], raw["time"], raw["value"], raw["unit"]
        except KeyError:
            return _refused(position, "malformed")
        reading_id = raw.get("id", "")
        if type(reading_id) is not str:
            if reading_id is not None and not isinstance(reading_id, str | int):
                return _refused(position, "malformed", code if isinstance(code, str) else "")
            reading_id = str(reading_id or "")
        if not (isinstance(code, str) and isinstance(when, str) and isinstance(unit, str)):
            return _refused(position, "malformed", code if isinstance(code, str) else "")
        key = (code, unit)
        device = self.devices.get(key)
        if device is None:
            device = self.devices[key] = self._device(code, unit)
        moment = self.times.get(when)
        if moment is None:
            moment = self.times[when] = self._time(when)
        # The reading id is new with every reading: printable ASCII (the usual id) holds no forbidden
        # character; anything else is searched.
        if not (
            device[0]
            and moment[0]
            and (reading_id.isascii() and reading_id.isprintable() or first_forbidden(reading_id) is None)
        ):
            return _refused(position, "forbidden_character")
        if len(reading_id) > 64:
            return _refused(position, "bad_id", code)
        if type(value) is not float and (
            isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
        ):
            return _refused(position, "bad_value", code)
        if value - value != 0:  # a float that is not finite: inf - inf and nan - nan are nan
            return _refused(position, "bad_value", code)
        if moment[1] is None:
            return _refused(position, "bad_time", code)
        if device[1] is None:
            return _refused(position, device[2], code, device[3])
        if moment[2]:
            return _refused(position, "future_time", code)
        if not device[4] <= value <= device[5]:
            return _refused(position, "out_of_range", code, device[3])
        return device[1], moment[1], float(value), reading_id


def check(position: int, raw: Any, points: dict[str, Point], now: dt.datetime, settings: dict | None = None):
    """(device id, time, value, reading id) of one submitted reading, or the FieldError refusing it:
    not an object of the required fields, a control character, an id over 64 characters, a value
    that is not a finite number, a time that is not ISO 8601 with its offset, a device not in service
    of this source, another unit than its quantity's, a time in the future beyond the policy's
    tolerance, a value outside the quantity's physical range (in that order). One reading; a
    delivery's readings go through one `Checks`."""
    return Checks(points, now, settings or policy())(position, raw)


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
    with gc_paused():  # thousands of small objects per delivery: the collector's passes would cost more than the work
        return _receive(source, items, channel=channel, actor=actor, digest=digest)


def _receive(source: SourceSystem, items: Sequence[Any], *, channel: str, actor: Any, digest: str) -> Outcome:
    now = timezone.now()
    codes = {raw["device"] for raw in items if isinstance(raw, dict) and isinstance(raw.get("device"), str)}
    points = points_of(source, codes)
    settings = policy()
    checks = Checks(points, now, settings)
    good, bad = [], []
    for position, raw in enumerate(items, start=1):
        checked = checks(position, raw)
        if type(checked) is tuple:
            good.append(checked)
        else:
            bad.append((position, raw, checked))
    with transaction.atomic():
        delivery = open_delivery(source, channel, items, bad, now, digest)
        stored = store(good, now)
        count_stored(delivery, len(good), len(stored))
        clues = rules.evaluate(stored, {p.id: p for p in points.values()}, settings)
        audit_delivery(delivery, actor, "monitoring.readings", clues)
    return Outcome(delivery, [error.as_dict() for _p, _r, error in bad], clues)


def open_delivery(
    source: SourceSystem,
    channel: str,
    items: Sequence[Any],
    bad: list[tuple[int, Any, FieldError]],
    now: dt.datetime,
    digest: str,
    kind: str = "",
    kept: Any = None,
) -> Delivery:
    """A delivery with every refused item kept beside it, its reason and what was sent (`kept` renders
    an item for keeping; readings keep their JSON)."""
    kept = kept or (lambda raw: orjson.dumps(raw, default=str).decode()[:2000])
    delivery = Delivery.objects.create(
        source=source,
        **({"kind": kind} if kind else {}),
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
            payload=kept(raw),
        )
        for position, raw, error in bad
    )
    return delivery


def count_stored(delivery: Delivery, good: int, stored: int) -> None:
    delivery.accepted, delivery.duplicates = stored, good - stored
    delivery.save(update_fields=["accepted", "duplicates"])


def audit_delivery(delivery: Delivery, actor: Any, action: str, clues: list, **extra: Any) -> None:
    """One audit event per delivery: its counts and the clues it opened or added to."""
    record_event(
        actor,
        action,
        "monitoring.delivery",
        delivery.pk,
        after={
            "source": delivery.source.name,
            "channel": delivery.channel,
            "submitted": delivery.submitted,
            "accepted": delivery.accepted,
            "duplicates": delivery.duplicates,
            "rejected": delivery.rejected,
            **extra,
            "clues": [c.number for c in clues],
        },
    )


# ---------------------------------------------------------------- history


@dataclass
class HistoryOutcome:
    devices: int
    submitted: int
    stored: int


def load_history(
    source: SourceSystem,
    series: Sequence[tuple[str, str, Sequence[dt.datetime], Sequence[float]]],
    *,
    actor: Any = None,
    chunk: int = 50_000,
) -> HistoryOutcome:
    """A device archive loaded in bulk (a platform joining with months of history behind it, the demo):
    per device its code, unit, aware times and values. Each series is checked as `check` checks a
    reading (a device in service of the source, the quantity's unit, finite values in its physical
    range, times with an offset and not in the future) and refused whole, naming the device, when one
    value fails; the readings are then written by `store`, the same statements and hourly aggregates
    as `receive`, first one kept for a repeated (device, time). No rules are evaluated: clues are for
    readings as they arrive, not for history. One audit event for the load."""
    now = timezone.now()
    settings = policy()
    limit = now + dt.timedelta(minutes=settings["future_tolerance_minutes"])
    codes = {code for code, _unit, _times, _values in series}
    devices = {d.code: d for d in Device.objects.filter(source=source, status=DeviceStatus.ACTIVE, code__in=codes)}
    checked: list[tuple[Device, Sequence[dt.datetime], Sequence[float]]] = []
    for position, (code, unit, times, values) in enumerate(series, start=1):
        device = devices.get(code)
        quantity = settings["quantities"].get(device.quantity) if device else None
        problem = _history_problem(device, quantity, unit, times, values, limit)
        if problem is not None:
            error = _refused(position, problem, code)
            raise DomainError(problem, error.message, errors=[error])
        checked.append((device, times, values))
    submitted = sum(len(times) for _device, times, _values in checked)
    stored = 0
    with gc_paused(), transaction.atomic():
        if submitted:
            stored = _store_columns(_columns(checked), now, chunk)
        record_event(
            actor,
            "monitoring.history_loaded",
            "monitoring.source",
            source.pk,
            after={"source": source.name, "devices": len(checked), "submitted": submitted, "stored": stored},
        )
    return HistoryOutcome(len(checked), submitted, stored)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_HOUR_US = 3_600_000_000


def _moment(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _columns(checked) -> tuple[Any, Any, Any]:
    """The series as three columns (device id, time in microseconds since the epoch, value), sorted
    by device and time, the first of a repeated (device, time) kept in the order submitted."""
    import numpy as np

    ids = np.concatenate([np.full(len(times), device.id, dtype=np.int64) for device, times, _values in checked])
    # timestamp() is exact to well under a microsecond for any date of this era: rounding recovers it.
    seconds = np.concatenate(
        [np.fromiter((t.timestamp() for t in times), dtype=np.float64, count=len(times)) for _d, times, _v in checked]
    )
    micros = np.rint(seconds * 1e6).astype(np.int64)
    values = np.concatenate([np.asarray(values, dtype=np.float64) for _d, _t, values in checked])
    order = np.lexsort((micros, ids))  # stable: equal keys keep the order they were submitted in
    ids, micros, values = ids[order], micros[order], values[order]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = (ids[1:] != ids[:-1]) | (micros[1:] != micros[:-1])
    return ids[first], micros[first], values[first]


def _store_columns(columns, now: dt.datetime, chunk: int) -> int:
    """`store` over columns: on PostgreSQL each chunk through `receive`'s own staged statement; on
    SQLite the readings written chunk by chunk, the hourly aggregates computed over the arrays,
    last-seen times moved once. Returns how many readings were written."""
    import numpy as np

    ids, micros, values = columns
    if connection.vendor == "postgresql":
        # The statement a delivery is written by (`_STORE_STAGED`: readings, hours and last-seen times).
        stored = 0
        for start in range(0, len(ids), chunk):
            part = slice(start, start + chunk)
            distinct, inverse = np.unique(micros[part], return_inverse=True)
            moments = np.array([_moment(us) for us in distinct.tolist()], dtype=object)[inverse].tolist()
            rows = list(zip(ids[part].tolist(), moments, values[part].tolist(), itertools.repeat("")))
            stored += len(rows) - len(_store_postgresql(rows, now))
        return stored
    texts = _text_cache()
    stored = 0
    latest: dict[int, int] = {}
    for start in range(0, len(ids), chunk):
        part = slice(start, start + chunk)
        c_ids, c_micros, c_values = ids[part], micros[part], values[part]
        written = _insert_sqlite_columns(c_ids, c_micros, c_values, now, texts)
        if written is not None:
            c_ids, c_micros, c_values = c_ids[written], c_micros[written], c_values[written]
        if not len(c_ids):
            continue
        stored += len(c_ids)
        _aggregate_columns(c_ids, c_micros, c_values, texts)
        ends = np.flatnonzero(np.r_[c_ids[1:] != c_ids[:-1], True])
        latest.update(zip(c_ids[ends].tolist(), c_micros[ends].tolist(), strict=True))
    _seen([(pk, _moment(us), None, "") for pk, us in latest.items()])
    return stored


def _text_cache():
    """Times as Django's queries write them on SQLite, each distinct time adapted once for the whole
    load (the devices of an archive share their hours)."""
    import numpy as np

    cache: dict[int, str] = {}
    adapt = connection.ops.adapt_datetimefield_value

    def texts(micros) -> list:
        distinct, inverse = np.unique(micros, return_inverse=True)
        out = []
        for us in distinct.tolist():
            found = cache.get(us)
            if found is None:
                found = cache[us] = adapt(_moment(us))
            out.append(found)
        return np.array(out, dtype=object)[inverse].tolist()

    return texts


def _insert_sqlite_columns(ids, micros, values, now, texts):
    """As `_insert_sqlite`, from columns: one `executemany` over the columns zipped (no row list),
    in a savepoint; when some readings were stored before, rolled back and written one by one.
    Returns None when all were written, else the mask of the written ones."""
    import numpy as np

    sql = (
        "INSERT INTO monitoring_reading (device_id, measured_at, value, reading_id, received_at) "
        "VALUES (?, ?, ?, '', ?) ON CONFLICT DO NOTHING"
    )
    received = connection.ops.adapt_datetimefield_value(now)
    params = list(zip(ids.tolist(), texts(micros), values.tolist(), itertools.repeat(received)))
    written = _sqlite_insert_new(sql, params)
    return None if written is None else np.array(written, dtype=bool)


def _aggregate_columns(ids, micros, values, texts) -> None:
    """(SQLite) `_aggregate` over columns sorted by device and time: an hour's sum added up in time order, as
    `_aggregate` adds it (the same float), its count, minimum and maximum."""
    import numpy as np

    hours = micros - micros % _HOUR_US
    starts = np.flatnonzero(np.r_[True, (ids[1:] != ids[:-1]) | (hours[1:] != hours[:-1])])
    counts = np.diff(np.r_[starts, len(ids)])
    totals = values[starts].copy()
    at, offset = np.flatnonzero(counts > 1), 1
    while at.size:  # one pass per position inside the hour: the sum stays sequential
        totals[at] += values[starts[at] + offset]
        offset += 1
        at = at[counts[at] > offset]
    minima, maxima = np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)
    table = "monitoring_readinghour"
    device_ids, hour_micros = ids[starts], hours[starts]
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.connection.executemany(
            f"INSERT INTO {table} (device_id, hour, count, total, minimum, maximum) VALUES (?, ?, ?, ?, ?, ?) "  # noqa: S608
            f"ON CONFLICT (device_id, hour) DO UPDATE SET count = {table}.count + excluded.count, "
            f"total = {table}.total + excluded.total, minimum = MIN({table}.minimum, excluded.minimum), "
            f"maximum = MAX({table}.maximum, excluded.maximum)",
            zip(
                device_ids.tolist(),
                texts(hour_micros),
                counts.tolist(),
                totals.tolist(),
                minima.tolist(),
                maxima.tolist(),
                strict=True,
            ),
        )


def _history_problem(device, quantity, unit, times, values, limit) -> str | None:
    """The reason (a `REASONS` code) refusing one device's series, or None."""
    if device is None:
        return "unknown_device"
    if quantity is None or unit != quantity["unit"]:
        return "wrong_unit"
    if len(times) != len(values):
        return "malformed"
    if not times:
        return None
    # Over the whole series at C speed: the set of tzinfos and of value types, then numpy.
    if None in set(map(operator.attrgetter("tzinfo"), times)):
        return "bad_time"
    if any(kind is bool or not issubclass(kind, int | float) for kind in set(map(type, values))):
        return "bad_value"
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    if not np.isfinite(array).all():
        return "bad_value"
    if max(times) > limit:
        return "future_time"
    if not (quantity["min"] <= array.min() and array.max() <= quantity["max"]):
        return "out_of_range"
    return None


# ---------------------------------------------------------------- storage


def store(readings: list[tuple[int, dt.datetime, float, str]], now: dt.datetime) -> list[tuple]:
    """Write the readings (device id, UTC time, value, reading id) not stored yet (the first one wins
    for a repeated (device, time)), with the hourly aggregates and last-seen times updated; the
    written ones, in time order per device."""
    if not readings:
        return []
    if connection.vendor == "postgresql":
        lost = _store_postgresql(readings, now)
        fresh = [r for n, r in enumerate(readings) if n not in lost] if lost else list(readings)
    else:
        unique: dict[tuple[int, dt.datetime], tuple] = {}
        for reading in readings:
            unique.setdefault((reading[0], reading[1]), reading)
        written = _insert_sqlite(list(unique.values()), now)
        fresh = [unique[key] for key in written]
        _aggregate(fresh)
        _seen(fresh)
    fresh.sort()  # by device, then time: no two written readings share both, so values are never compared
    return fresh


def _months(rows) -> set[dt.date]:
    """The months of the readings' times (most deliveries fall in one: the earliest and the latest decide)."""
    earliest, latest = min(r[1] for r in rows), max(r[1] for r in rows)
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return {dt.date(earliest.year, earliest.month, 1)}
    return {dt.date(r[1].year, r[1].month, 1) for r in rows}


_partitions: set[dt.date] = set()
_may_create: list[bool] = []  # whether this process's database role may create tables (asked once)


def _following(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def create_partition(month: dt.date) -> bool:
    """The month's partition of the reading table, if it can be made: False when the default partition
    already holds readings of that month (they stay there, still read through the table)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('monitoring_reading_partition'))")
        try:
            with transaction.atomic():
                cursor.execute(
                    f"CREATE TABLE IF NOT EXISTS monitoring_reading_{month:%Y%m} PARTITION OF monitoring_reading "
                    f"FOR VALUES FROM ('{month.isoformat()}') TO ('{_following(month).isoformat()}')"
                )
        except DatabaseError:
            return False
    return True


def ensure_partitions(months: set[dt.date]) -> None:
    """Monthly partitions of the reading table on PostgreSQL, created when a month first arrives.

    A least-privileged application role may not create tables: its readings then land in the default
    partition (migration 0004), and the owner makes the months ahead (`jianguan monitoring partitions`,
    run after every migration by deploy/stack.sh)."""
    missing = months - _partitions
    if not missing:
        return
    if not _may_create:
        with connection.cursor() as cursor:
            cursor.execute("SELECT has_schema_privilege('public', 'CREATE')")
            _may_create.append(bool(cursor.fetchone()[0]))
    if _may_create[0]:
        for month in sorted(missing):
            create_partition(month)
    transaction.on_commit(lambda: _partitions.update(missing))  # a rolled-back creation is not remembered


def partitions_ahead(months: int, today: dt.date | None = None) -> list[tuple[dt.date, bool]]:
    """This month's partition and the next `months` ones, as the owner runs it: (month, made)."""
    month = (today or timezone.localdate()).replace(day=1)
    out = []
    for _step in range(months + 1):
        out.append((month, create_partition(month)))
        month = _following(month)
    return out


@contextlib.contextmanager
def _driver_cursor():
    """A plain driver cursor on Django's connection and transaction (PostgreSQL): parameters bound on
    the server, so arrays of thousands of values go as parameters, never quoted into the statement's
    text; driver errors wrapped as Django's, as its own cursors do."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


# One statement for a staged delivery: the first of each repeated (device, time) written where no
# reading is stored yet; the written ones counted into their hours and moving their devices' last-seen
# times (never back: a concurrent delivery may have moved one further); the positions of the staged
# readings not written returned (repeats and readings already stored: few).
_STORE_STAGED = """
WITH staged AS (
    SELECT DISTINCT ON (device_id, measured_at) n, device_id, measured_at, value, reading_id
    FROM monitoring_reading_staged ORDER BY device_id, measured_at, n
), written AS (
    INSERT INTO monitoring_reading (device_id, measured_at, value, reading_id, received_at)
    SELECT device_id, measured_at, value, reading_id, %(now)s FROM staged
    ON CONFLICT DO NOTHING RETURNING device_id, measured_at, value
), hours AS (
    INSERT INTO monitoring_readinghour AS h (device_id, hour, count, total, minimum, maximum)
    SELECT device_id, date_trunc('hour', measured_at, 'UTC'), count(*), sum(value), min(value), max(value)
    FROM written GROUP BY 1, 2
    ON CONFLICT (device_id, hour) DO UPDATE SET count = h.count + excluded.count, total = h.total + excluded.total,
        minimum = LEAST(h.minimum, excluded.minimum), maximum = GREATEST(h.maximum, excluded.maximum)
), seen AS (
    UPDATE monitoring_device AS d SET last_seen_at = w.latest
    FROM (SELECT device_id, max(measured_at) AS latest FROM written GROUP BY device_id) AS w
    WHERE d.id = w.device_id AND (d.last_seen_at IS NULL OR d.last_seen_at < w.latest)
)
SELECT n FROM monitoring_reading_staged
EXCEPT ALL
SELECT s.n FROM staged AS s JOIN written AS w USING (device_id, measured_at)
"""


def _store_postgresql(rows, now) -> set[int]:
    """Binary COPY of the delivery into a session's temporary table, then one statement from it
    (`_STORE_STAGED`): COPY sends the rows as the driver encodes them in C, and the repeats, the
    hours and the last-seen times are worked out by the database from the staged rows instead of
    value by value in Python. The positions in `rows` of the readings not written."""
    ensure_partitions(_months(rows))
    with _driver_cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS monitoring_reading_staged (n int4, device_id int8, "
            "measured_at timestamptz, value float8, reading_id text) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY monitoring_reading_staged FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int8", "timestamptz", "float8", "text"])
            write = copy.write_row
            for n, (device, moment, value, reading_id) in enumerate(rows):
                write((n, device, moment, value, reading_id))
        cursor.execute(_STORE_STAGED, {"now": now})
        lost = {n for (n,) in cursor.fetchall()}
        cursor.execute("TRUNCATE monitoring_reading_staged")  # another delivery may follow in this transaction
        return lost


def _sqlite_times():
    """Django's own adaptation of aware times for SQLite (the text its queries write and look up),
    kept for the call: a delivery's readings share their hours, and adapting one costs microseconds."""
    adapt = connection.ops.adapt_datetimefield_value
    cache: dict[dt.datetime, str] = {}

    def text(moment: dt.datetime) -> str:
        found = cache.get(moment)
        if found is None:
            found = cache[moment] = adapt(moment)
        return found

    return text


class _Repeated(Exception):
    """Some readings of a batch were stored before: written one by one instead."""


def _insert_sqlite(rows, now) -> list[tuple[int, dt.datetime]]:
    """INSERT … ON CONFLICT DO NOTHING on the driver's own cursor (SQLite runs in the process: a
    statement costs a few microseconds there, a model instance and Django's cursor ten times as
    much). First all in one `executemany` in a savepoint: when the connection's change count rose by
    the number of rows, every one was written; else (some stored before) rolled back and written
    one by one, a row counted as changed being a reading written."""
    text = _sqlite_times()  # the times written as Django's queries write them
    received = text(now)
    sql = (
        "INSERT INTO monitoring_reading (device_id, measured_at, value, reading_id, received_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
    )
    params = [(device, text(moment), value, reading_id, received) for device, moment, value, reading_id in rows]
    written = _sqlite_insert_new(sql, params)
    if written is None:
        return [(device, moment) for device, moment, _value, _id in rows]
    return [(row[0], row[1]) for row, new in zip(rows, written, strict=True) if new]


def _sqlite_insert_new(sql: str, params: list) -> list[bool] | None:
    """Run an INSERT … ON CONFLICT DO NOTHING for every row of `params` on the driver's connection:
    first all in one `executemany` in a savepoint, and when the connection's change count rose by
    the number of rows, None (every one was written); else (some stored before) rolled back and run
    one by one, answering for each row whether it was written."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        try:
            with transaction.atomic():
                before = raw.total_changes
                raw.executemany(sql, params)
                if raw.total_changes - before != len(params):
                    raise _Repeated
            return None
        except _Repeated:
            pass
        cursor = raw.cursor()
        try:
            written = []
            for values in params:
                cursor.execute(sql, values)
                written.append(cursor.rowcount == 1)
            return written
        finally:
            cursor.close()


def _aggregate(rows) -> None:
    """The written readings counted into their hours (SQLite; PostgreSQL does it in `_STORE_STAGED`)."""
    hours: dict[tuple[int, dt.datetime], list[float]] = {}
    for device, moment, value, _id in rows:
        key = (device, moment.replace(minute=0, second=0, microsecond=0))
        entry = hours.get(key)
        if entry is None:
            hours[key] = [1, value, value, value]
        else:
            entry[0] += 1
            entry[1] += value
            if value < entry[2]:
                entry[2] = value
            if value > entry[3]:
                entry[3] = value
    if not hours:
        return
    table = "monitoring_readinghour"
    text = _sqlite_times()  # the hour written as Django's queries write it, so that they find it again by equality
    connection.ensure_connection()
    with connection.wrap_database_errors:
        connection.connection.executemany(
            f"INSERT INTO {table} (device_id, hour, count, total, minimum, maximum) VALUES (?, ?, ?, ?, ?, ?) "  # noqa: S608
            f"ON CONFLICT (device_id, hour) DO UPDATE SET count = {table}.count + excluded.count, "
            f"total = {table}.total + excluded.total, minimum = MIN({table}.minimum, excluded.minimum), "
            f"maximum = MAX({table}.maximum, excluded.maximum)",
            [(d, text(h), *v) for (d, h), v in hours.items()],
        )


def _seen(rows) -> None:
    """The devices' last-seen times moved to their newest written reading, never back: a concurrent
    delivery may have moved one further meanwhile (SQLite; PostgreSQL does it in `_STORE_STAGED`)."""
    latest: dict[int, dt.datetime] = {}
    for device, moment, _value, _id in rows:
        if device not in latest or moment > latest[device]:
            latest[device] = moment
    if not latest:
        return
    adapt = connection.ops.adapt_datetimefield_value  # stored as Django's queries store it
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE monitoring_device SET last_seen_at = %s WHERE id = %s AND (last_seen_at IS NULL OR last_seen_at < %s)",
            [(adapt(moment), device, adapt(moment)) for device, moment in latest.items()],
        )


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


def days(device: Device, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """The device's hourly aggregates summed to local days (for a year's chart), summed by the database."""
    from django.db.models import Max, Min, Sum
    from django.db.models.functions import TruncDay

    rows = (
        device.hours.filter(hour__gte=start, hour__lte=end)
        .annotate(day=TruncDay("hour", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Sum("count"), total=Sum("total"), minimum=Min("minimum"), maximum=Max("maximum"))
        .order_by("day")
    )
    return [
        {"day": timezone.localdate(r["day"]), "count": r["count"], "mean": r["total"] / r["count"], "min": r["minimum"],
         "max": r["maximum"]}
        for r in rows
    ]  # fmt: skip


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
