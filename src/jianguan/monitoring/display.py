"""How monitoring reads on screen: quantities and rules by their policy names in the reader's
language, levels as coloured badges, the hourly chart's data, and a device's clues on the
subject's one-file view. Read-only; every read goes through `monitoring.permissions`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.monitoring import detections, rules, services
from jianguan.monitoring.choices import DeliveryKind, Level
from jianguan.monitoring.models import Device
from jianguan.monitoring.permissions import visible_clues, visible_detections
from jianguan.monitoring.policy import policy
from jianguan.records.panels import Panel

# The levels' order (red first) for sorting and the workbench; their colours are app.css's `level-*`.
LEVEL_ORDER = [Level.RED, Level.ORANGE, Level.YELLOW, Level.BLUE]
CHART_DAYS = (7, 30, 365)
HOURLY_UP_TO = 31  # days; a longer range is drawn one point per day


def _english() -> bool:
    return (get_language() or "").startswith("en")


def quantity_name(code: str) -> str:
    """The measured quantity's name (with its unit) from the policy; "" for a camera, which has none."""
    quantity = policy()["quantities"].get(code)
    if quantity is None:
        return str(_("Unknown quantity")) if code else ""
    return f"{quantity['name_en'] if _english() else quantity['name']}（{quantity['unit']}）"


def quantity_unit(code: str) -> str:
    quantity = policy()["quantities"].get(code)
    return quantity["unit"] if quantity else ""


def rule_of(code: str) -> dict[str, Any] | None:
    return next((rule for rule in policy()["rules"] if rule["code"] == code), None)


def rule_label(code: str) -> str:
    """The rule's name in the reader's language; a rule no longer in the policy says so, not its code."""
    rule = rule_of(code)
    if rule is None:
        return str(_("Rule no longer in the policy"))
    return rules.rule_name(rule, get_language() or "zh")


def rule_choices() -> list[tuple[str, str]]:
    return [(rule["code"], rules.rule_name(rule, get_language() or "zh")) for rule in policy()["rules"]]


def level_label(level: str) -> str:
    return str(Level(level).label) if level in Level.values else ""


def level_badge(level: str) -> str:
    return format_html('<span class="badge level-badge level-{}">{}</span>', level, level_label(level))


def offline_badge() -> str:
    return format_html('<span class="badge text-bg-secondary">{}</span>', _("Offline"))


def reason_text(code: str, kind: str = DeliveryKind.READINGS) -> str:
    """A refusal's reason in words: a detection's own where the delivery carried detections."""
    reasons = detections.REASONS if kind == DeliveryKind.DETECTIONS else services.REASONS
    text = reasons.get(code) or services.REASONS.get(code) or detections.REASONS.get(code)
    return str(text or _("Refused for a reason this version does not know."))


def reason_choices() -> list[tuple[str, str]]:
    """Every refusal reason once, in words (a reading's wording where both kinds share the code)."""
    merged = {**detections.REASONS, **services.REASONS}
    return [(code, str(text)) for code, text in merged.items()]


def label_name(code: str) -> str:
    """An analysis model's label (未戴口罩, 老鼠 …) by its policy name."""
    label = policy().get("labels", {}).get(code)
    if label is None:
        return str(_("Unknown label")) if code else ""
    return label["name_en"] if _english() else label["name"]


def chart_data(device: Device, days: int = 7, now: dt.datetime | None = None) -> dict[str, Any]:
    """The mean with its minimum–maximum band for the last `days` (7, 30 or 365): one point per
    local hour up to a month, one per local day for the year (the hourly aggregates summed by the
    database); a period without readings is null, so the line breaks where the device was silent."""
    days = days if days in CHART_DAYS else CHART_DAYS[0]
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0)
    points: list[tuple[str, dict[str, Any] | None]] = []
    if days <= HOURLY_UP_TO:
        start = end - dt.timedelta(days=days) + dt.timedelta(hours=1)
        found = {h["hour"]: h for h in services.hours(device, start, now)}
        hour = start
        while hour <= end:
            points.append((timezone.localtime(hour).strftime("%m-%d %H:00"), found.get(hour)))
            hour += dt.timedelta(hours=1)
        names = {
            "mean": str(_("Hourly mean")),
            "title": str(_("Hourly values")),
            "caption": str(
                _(
                    "The line is the mean of each hour; the band runs from the hour's lowest to its highest value. "
                    "A gap is an hour without any value."
                )
            ),
        }
    else:
        last = timezone.localdate(now)
        first = last - dt.timedelta(days=days - 1)
        start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
        found = {d["day"]: d for d in services.days(device, start, now)}
        points = [(f"{day:%Y-%m-%d}", found.get(day)) for day in (first + dt.timedelta(days=n) for n in range(days))]
        names = {
            "mean": str(_("Daily mean")),
            "title": str(_("Daily values")),
            "caption": str(
                _(
                    "The line is the mean of each day; the band runs from the day's lowest to its highest value. "
                    "A gap is a day without any value."
                )
            ),
        }
    return {
        "days": days,
        "quantity": quantity_name(device.quantity),
        "unit": quantity_unit(device.quantity),
        "categories": [label for label, _row in points],
        "mean": [round(row["mean"], 3) if row else None for _label, row in points],
        "min": [row["min"] if row else None for _label, row in points],
        "max": [row["max"] if row else None for _label, row in points],
        "count": [row["count"] if row else 0 for _label, row in points],
        "names": {**names, "band": str(_("Minimum to maximum")), "count": str(_("Readings"))},
        "empty": not found,
    }


def evidence_rows(clue) -> list[dict[str, Any]]:
    """The clue's evidence for the screen, oldest first: a reading's time, value and unit; a silence's
    last-seen time; a detections hit's label and how many detections its window held."""
    rows = []
    for entry in clue.evidence:
        at = dt.datetime.fromisoformat(entry["at"]) if entry.get("at") else None
        seen = dt.datetime.fromisoformat(entry["last_seen"]) if entry.get("last_seen") else None
        kind = "reading" if "value" in entry else "detections" if "label" in entry else "silence"
        rows.append(
            {
                "kind": kind,
                "at": timezone.localtime(at) if at else None,
                "value": entry.get("value"),
                "unit": entry.get("unit", ""),
                "last_seen": timezone.localtime(seen) if seen else None,
                "label": label_name(entry.get("label", "")),
                "count": entry.get("count"),
            }
        )
    return rows


def evidence_images(actor: Any, clue, shown: int = 12) -> list[Any]:
    """The detections behind a clue's hits that the viewer may read, one per image, newest first."""
    ids = [pk for entry in clue.evidence for pk in entry.get("detections", [])]
    if not ids:
        return []
    found, seen = [], set()
    for detection in visible_detections(actor).filter(pk__in=ids).select_related("evidence").order_by("-detected_at"):
        if detection.evidence.sha256 not in seen:
            seen.add(detection.evidence.sha256)
            detection.label_name = label_name(detection.label)
            found.append(detection)
    return found[:shown]


def clues_panel(actor: Any, subject: Any) -> Panel | None:
    """The subject's monitoring clues the viewer may see, on its one-file view."""
    clues = visible_clues(actor).filter(subject=subject).order_by("-last_at", "-pk")
    total = clues.count()
    if not total:
        return None
    rows = [
        (
            timezone.localtime(c.last_at).strftime("%Y-%m-%d"),
            f"{level_label(c.level)} · {rule_label(c.rule)} · {c.number}",
            reverse("monitoring:clue", args=[c.pk]),
        )
        for c in clues[:30]
    ]
    return Panel("monitoring_clues", _("Monitoring clues"), rows, total)
