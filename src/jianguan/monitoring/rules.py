"""The monitoring rules (policy `monitoring`, `rules`), evaluated as readings arrive.

Each reading rule keeps a small state per device (`RuleState`: the last reading it advanced on, and
since when its condition has held), so a delivery is evaluated against that state and never by
rescanning the reading table. States advance only on readings newer than the last one seen: a late
reading is stored and aggregated, and a threshold rule still judges its value, but it does not
rewrite a duration or a rate already measured. A hit opens a clue, or adds to the open clue of the
same rule and device whose last hit lies within the rule's merge window.

A detections rule counts a device's detections of its labels (at its minimum confidence) in a
window of its minutes. Each newly stored detection is judged on the windows that contain it, over
the device's detections around it read by index (never the whole table) and those of the same
delivery before it in time: it is a hit when one such window holds at least the rule's count. A
detection arriving late thus completes a window that later ones had left short, and a delivery's
detections are judged as if they had arrived one by one in time order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import uuid
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jianguan.facts.services import publish
from jianguan.monitoring.choices import ClueState, DeviceStatus
from jianguan.monitoring.models import Clue, Detection, Device, RuleState
from jianguan.monitoring.policy import READING_KINDS, policy

COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
EVIDENCE_KEPT = 20


def rule_name(rule: dict[str, Any], language: str = "zh") -> str:
    return rule["name"] if language.startswith("zh") else rule["name_en"]


def _applies(rule: dict[str, Any], device: Device) -> bool:
    return device.kind in rule["device_kinds"] and (rule["kind"] == "silence" or rule["quantity"] == device.quantity)


def _advance(rule: dict[str, Any], state: tuple, times: list, values: list) -> tuple[tuple, list[int]]:
    """Move one rule's state (last time, last value, holding since) over one device's readings of a
    delivery, in time order; the new state and the positions of the hits.

    A threshold judges every reading, late ones too; a duration or a rate only the readings newer
    than the state's last one (a suffix of them, the times being in order), and those move it. The
    delivery's extreme value settles a threshold, and a duration, without a reading-by-reading pass
    when no reading holds."""
    holds = COMPARE[rule["op"]]
    limit = rule["value"]
    extreme = max if rule["op"] in (">", ">=") else min  # the value that holds first, if any does
    last_at, last_value, holding = state
    start = 0 if last_at is None else bisect.bisect_right(times, last_at)
    hits: list[int] = []
    kind = rule["kind"]
    if kind == "threshold":
        if holds(extreme(values), limit):
            hits = [n for n, value in enumerate(values) if holds(value, limit)]
    elif kind == "duration" and start < len(times):
        if not holds(extreme(values[start:]), limit):
            holding = None
        else:
            window = dt.timedelta(minutes=rule["minutes"])
            previous = last_at
            for n in range(start, len(times)):
                moment = times[n]
                if not holds(values[n], limit):
                    holding = None
                else:
                    if holding is None or (previous is not None and moment - previous > window):
                        holding = moment  # a gap longer than the window does not count as holding
                    if moment - holding >= window:
                        hits.append(n)
                previous = moment
    elif kind == "rate" and start < len(times):
        previous, before = last_at, last_value
        for n in range(start, len(times)):
            moment, value = times[n], values[n]
            if previous is not None:
                minutes = (moment - previous).total_seconds() / 60
                if minutes > 0 and holds((value - before) / minutes, limit):
                    hits.append(n)
            previous, before = moment, value
    if start < len(times):
        last_at, last_value = times[-1], values[-1]
    return (last_at, last_value, holding), hits


def evaluate(readings: list[tuple], devices: dict[int, Any], settings: dict | None = None) -> list[Clue]:
    """The reading rules over newly stored readings ((device id, time, value, reading id), in time
    order per device; `devices`: the delivery's devices by id, with their kind and quantity); the
    clues they touched. Each rule meets a device's readings of the delivery together (`_advance`),
    as it would have met them one by one."""
    if not readings:
        return []
    settings = settings or policy()
    reading_rules = [rule for rule in settings["rules"] if rule["kind"] in READING_KINDS]
    groups = [(pk, list(group)) for pk, group in itertools.groupby(readings, key=operator.itemgetter(0))]
    applicable = {pk: [(i, r) for i, r in enumerate(reading_rules) if _applies(r, devices[pk])] for pk, _g in groups}
    codes = {r["code"] for found in applicable.values() for _i, r in found}
    if not codes:
        return []
    states = {
        (rule, pk): (last_at, last_value, holding)
        for rule, pk, last_at, last_value, holding in RuleState.objects.filter(
            rule__in=codes, device_id__in=list(applicable)
        ).values_list("rule", "device_id", "last_at", "last_value", "holding_since")
    }
    moved: list[tuple] = []
    hits: list[tuple[int, dict[str, Any], list[tuple[dt.datetime, float]]]] = []
    for pk, group in groups:
        if not applicable[pk]:
            continue
        times, values = [r[1] for r in group], [r[2] for r in group]
        found = []
        for index, rule in applicable[pk]:
            before = states.get((rule["code"], pk), (None, None, None))
            after, positions = _advance(rule, before, times, values)
            if after != before:
                moved.append((rule["code"], pk, *after))
            if positions:
                found.append((times[positions[0]], index, rule, [(times[n], values[n]) for n in positions]))
        # In the order the hits would have come one reading at a time: by first hit, then the policy's order.
        hits.extend((pk, rule, pairs) for _first, _index, rule, pairs in sorted(found, key=operator.itemgetter(0, 1)))
    _save_states(moved)
    if not hits:
        return []
    unit = {code: q["unit"] for code, q in settings["quantities"].items()}
    models = Device.objects.in_bulk({pk for pk, _rule, _pairs in hits})  # the subject read for a new clue only
    return [
        _record_hits(
            rule,
            models[pk],
            [{"at": m.isoformat(), "value": v, "unit": unit[devices[pk].quantity]} for m, v in pairs],
            settings,
        )
        for pk, rule, pairs in hits
    ]


def _save_states(states: list[tuple]) -> None:
    """Write the states a delivery moved, (rule, device id, last time, last value, holding since),
    new or known, in one statement (one batch on SQLite)."""
    if not states:
        return
    sql = (
        "INSERT INTO monitoring_rulestate (rule, device_id, last_at, last_value, holding_since) {rows} "
        "ON CONFLICT (rule, device_id) DO UPDATE SET last_at = excluded.last_at, "
        "last_value = excluded.last_value, holding_since = excluded.holding_since"
    )
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                sql.format(
                    rows="SELECT * FROM unnest(%s::text[], %s::bigint[], %s::timestamptz[], %s::float8[], "
                    "%s::timestamptz[])"
                ),
                [list(column) for column in zip(*states, strict=True)],
            )
    else:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                sql.format(rows="VALUES (%s, %s, %s, %s, %s)"),
                [(rule, pk, adapt(last_at), value, adapt(holding)) for rule, pk, last_at, value, holding in states],
            )


def evaluate_detections(detections: list[Detection]) -> list[Clue]:
    """The detections rules over newly stored detections; the clues they touched."""
    settings = policy()
    groups: dict[tuple[str, int], list[Detection]] = {}
    found = {}
    for rule in settings["rules"]:
        if rule["kind"] != "detections":
            continue
        for detection in detections:
            if (
                detection.device.kind in rule["device_kinds"]
                and detection.label in rule["labels"]
                and detection.confidence >= rule["min_confidence"]
            ):
                groups.setdefault((rule["code"], detection.device_id), []).append(detection)
                found[rule["code"]] = rule
    touched = []
    for (code, _device), new in groups.items():
        rule = found[code]
        evidence = _windows(rule, sorted(new, key=lambda d: (d.detected_at, d.pk)))
        if evidence:
            touched.append(_record_hits(rule, new[0].device, evidence, settings))
    return touched


def _windows(rule: dict[str, Any], new: list[Detection]) -> list[dict]:
    window = dt.timedelta(minutes=rule["minutes"])
    fresh = {d.pk for d in new}
    known = sorted(
        (at, pk, sha)
        for pk, at, sha in Detection.objects.filter(
            device_id=new[0].device_id,
            detected_at__gt=new[0].detected_at - window,
            detected_at__lt=new[-1].detected_at + window,
            label__in=rule["labels"],
            confidence__gte=rule["min_confidence"],
        )
        .exclude(pk__in=fresh)
        .values_list("pk", "detected_at", "evidence__sha256")
    )
    times = [k[0] for k in known]
    hits = []
    for detection in new:
        at = detection.detected_at
        entry = (at, detection.pk, detection.evidence.sha256)
        place = bisect.bisect(known, entry)
        known.insert(place, entry)
        times.insert(place, at)
        # Every window containing this detection ends at it or at a known detection less than a window
        # later; the window ending at time e holds the detections after e - window up to e.
        lo, hi = 0, 0
        for end in range(bisect.bisect_left(times, at), bisect.bisect_left(times, at + window)):
            if end + 1 < len(times) and times[end + 1] == times[end]:
                continue
            start = bisect.bisect_right(times, times[end] - window)
            if end + 1 - start > hi - lo:
                lo, hi = start, end + 1
        best = known[lo:hi]
        if len(best) >= rule["count"]:
            hits.append(
                {
                    "at": at.isoformat(),
                    "label": detection.label,
                    "count": len(best),
                    "detections": [pk for _at, pk, _sha in best][-EVIDENCE_KEPT:],
                    "images": list(dict.fromkeys(sha for _at, _pk, sha in best))[-EVIDENCE_KEPT:],
                }
            )
    return hits


def check_silence(now: dt.datetime | None = None) -> list[Clue]:
    """The silence rules: devices in service with no reading for the rule's minutes (run every few minutes)."""
    now = now or timezone.now()
    settings = policy()
    touched = []
    for rule in settings["rules"]:
        if rule["kind"] != "silence":
            continue
        since = now - dt.timedelta(minutes=rule["minutes"])
        silent = Device.objects.filter(status=DeviceStatus.ACTIVE, kind__in=rule["device_kinds"]).filter(
            Q(last_seen_at__lt=since) | Q(last_seen_at__isnull=True, created_at__lt=since)
        )
        for device in silent.select_related("subject"):
            seen = device.last_seen_at.isoformat() if device.last_seen_at else None
            touched.append(_record_hits(rule, device, [{"at": now.isoformat(), "last_seen": seen}], settings, now))
    return touched


def _record_hits(rule, device: Device, evidence: list[dict], settings, now: dt.datetime | None = None) -> Clue:
    last = dt.datetime.fromisoformat(evidence[-1]["at"])
    first = dt.datetime.fromisoformat(evidence[0]["at"])
    window = dt.timedelta(minutes=rule["merge_minutes"])
    clue = (
        Clue.objects.select_for_update()
        .filter(rule=rule["code"], device=device, state=ClueState.OPEN, last_at__gte=first - window)
        .order_by("-last_at")
        .first()
    )
    if clue is not None:
        clue.hits += len(evidence)
        clue.last_at = max(clue.last_at, last)
        clue.first_at = min(clue.first_at, first)
        clue.evidence = (clue.evidence + evidence)[-EVIDENCE_KEPT:]
        clue.save(update_fields=["hits", "last_at", "first_at", "evidence"])
        return clue
    clue = Clue.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        rule=rule["code"],
        rule_version=settings["version"],
        device=device,
        subject=device.subject,
        department_id=device.department_id,
        region_id=device.region_id,
        level=rule["level"],
        first_at=first,
        last_at=last,
        hits=len(evidence),
        evidence=evidence[-EVIDENCE_KEPT:],
    )
    clue.number = f"XS{(now or timezone.now()):%Y%m%d}{clue.pk:08d}"
    clue.save(update_fields=["number"])
    publish(
        "monitoring.clue_raised",
        department=device.department_id,
        region=device.region_id,
        subject=device.subject_id,
        object_type="monitoring.clue",
        object_id=clue.pk,
        payload={"number": clue.number, "rule": rule["code"], "level": rule["level"], "device": device.code},
    )
    return clue
