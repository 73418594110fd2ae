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
import operator
import uuid
from typing import Any

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


def _advance(rule: dict[str, Any], state: RuleState, moment: dt.datetime, value: float) -> bool:
    """Move one rule's state over one reading; True when the reading is a hit."""
    holds = COMPARE[rule["op"]]
    kind = rule["kind"]
    newer = state.last_at is None or moment > state.last_at
    hit = False
    if kind == "threshold":
        hit = holds(value, rule["value"])
    elif kind == "duration" and newer:
        window = dt.timedelta(minutes=rule["minutes"])
        if not holds(value, rule["value"]):
            state.holding_since = None
        else:
            if state.holding_since is None or (state.last_at is not None and moment - state.last_at > window):
                state.holding_since = moment  # a gap longer than the window does not count as holding
            hit = moment - state.holding_since >= window
    elif kind == "rate" and newer and state.last_at is not None:
        minutes = (moment - state.last_at).total_seconds() / 60
        hit = minutes > 0 and holds((value - state.last_value) / minutes, rule["value"])
    if newer:
        state.last_at, state.last_value = moment, value
    return hit


def evaluate(readings: list[tuple]) -> list[Clue]:
    """The reading rules over newly stored readings (time order per device); the clues they touched."""
    if not readings:
        return []
    settings = policy()
    devices = {r[0].pk: r[0] for r in readings}
    applicable = {
        (rule["code"], pk): rule
        for rule in settings["rules"]
        if rule["kind"] in READING_KINDS
        for pk, device in devices.items()
        if _applies(rule, device)
    }
    if not applicable:
        return []
    codes = {code for code, _pk in applicable}
    states = {(s.rule, s.device_id): s for s in RuleState.objects.filter(rule__in=codes, device_id__in=devices)}
    for key in applicable:
        states.setdefault(key, RuleState(rule=key[0], device_id=key[1]))
    hits: dict[tuple[str, int], list[tuple[dt.datetime, float]]] = {}
    for device, moment, value, _id in readings:
        for rule in settings["rules"]:
            key = (rule["code"], device.pk)
            if key in applicable and _advance(rule, states[key], moment, value):
                hits.setdefault(key, []).append((moment, value))
    for state in states.values():
        if state.pk is None:
            state.save()
        else:
            state.save(update_fields=["last_at", "last_value", "holding_since"])
    unit = {code: q["unit"] for code, q in settings["quantities"].items()}
    return [
        _record_hits(
            applicable[key],
            devices[key[1]],
            [{"at": m.isoformat(), "value": v, "unit": unit[devices[key[1]].quantity]} for m, v in found],
            settings,
        )
        for key, found in hits.items()
    ]


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
