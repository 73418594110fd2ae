"""Analysis of demands within the viewer's scope: counts by region, class, channel, kind and month;
deadline compliance and satisfaction per unit; top subjects; and surges (a first-level class in a
county rising above its own baseline), which are stored as signals for the alerts."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from jianguan.accounts.scope import scope_for, scope_q
from jianguan.audit.services import record_event
from jianguan.complaints.choices import Channel, Kind, Satisfaction, State
from jianguan.complaints.models import Category, Surge, WorkOrder
from jianguan.complaints.permissions import visible_orders
from jianguan.complaints.policy import policy
from jianguan.core.models import Region
from jianguan.core.tabular import write_xlsx_sheets
from jianguan.facts.services import publish


def _window(orders, start: dt.date | None, end: dt.date | None):
    if start:
        orders = orders.filter(received_at__date__gte=start)
    if end:
        orders = orders.filter(received_at__date__lte=end)
    return orders


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def report(actor: Any, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any]:
    orders = _window(visible_orders(actor), start, end).order_by()
    tops = dict(Category.objects.filter(level=1).values_list("code", "name"))
    cities = dict(Region.objects.filter(level__lte=2).values_list("code", "name"))
    provinces = set(Region.objects.filter(level=1).values_list("code", flat=True))
    totals = orders.aggregate(
        demands=Count("id"),
        merged=Count("id", filter=Q(state=State.MERGED)),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        overdue=Count("id", filter=Q(overdue=True)),
        open=Count("id", filter=~Q(state__in=[State.CLOSED, State.MERGED])),
    )
    by_city: dict[str, int] = defaultdict(int)
    for region, n in orders.values_list("region_id").annotate(n=Count("id")):
        by_city[region[:4] + "00"] += n
    months = [
        {"month": row["month"].strftime("%Y-%m"), "demands": row["n"]}
        for row in orders.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
        if row["month"]
    ]
    units = []
    per_unit = (
        orders.exclude(lead_department=None)
        .values("lead_department_id", "lead_department__name")
        .annotate(
            dispatched=Count("id", distinct=True),
            answered=Count("id", distinct=True, filter=Q(replied_at__isnull=False)),
            on_time=Count(
                "id", distinct=True, filter=Q(replied_at__isnull=False, overdue=False, replied_at__lte=F("due_at"))
            ),
            overdue=Count("id", distinct=True, filter=Q(overdue=True)),
            rated=Count("id", distinct=True, filter=~Q(satisfaction="")),
            satisfied=Count(
                "id", distinct=True, filter=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])
            ),
            redone=Count("id", distinct=True, filter=Q(redo_count__gt=0)),
            returns=Count("assignments", distinct=True, filter=Q(assignments__returned_at__isnull=False)),
        )
        .order_by("-dispatched")
    )
    for row in per_unit:
        units.append(
            {
                "department": row["lead_department__name"],
                "dispatched": row["dispatched"],
                "answered": row["answered"],
                "on_time_rate": _share(row["on_time"], row["answered"]),
                "overdue": row["overdue"],
                "satisfaction_rate": _share(row["satisfied"], row["rated"]),
                "rated": row["rated"],
                "redone": row["redone"],
                "returns": row["returns"],
            }
        )
    top_subjects = [
        {"subject_id": row["subject_id"], "name": row["subject__name"], "demands": row["n"]}
        for row in orders.exclude(subject=None)
        .values("subject_id", "subject__name")
        .annotate(n=Count("id"))
        .order_by("-n", "subject_id")[:20]
    ]
    surges = [
        {
            "region": s.region.name,
            "region_code": s.region_id,
            "class": tops.get(s.top_category, s.top_category),
            "week_start": s.week_start.isoformat(),
            "demands": s.count,
            "baseline": round(s.baseline_mean, 1),
            "threshold": round(s.threshold, 1),
        }
        for s in visible_surges(actor).select_related("region")[:50]
    ]
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "totals": totals,
        # An order placed at the province itself (its office, no city found) is counted as 省级.
        "by_city": sorted(
            (
                {
                    "code": code,
                    "city": gettext("Province level") if code in provinces else cities.get(code, code),
                    "demands": v,
                }
                for code, v in by_city.items()
            ),
            key=lambda r: -r["demands"],
        ),
        "by_class": [
            {"code": code, "class": tops.get(code, gettext("Unclassified")), "demands": n}
            for code, n in orders.values_list("top_category").annotate(n=Count("id")).order_by("-n")
        ],
        "by_channel": [
            {"channel": str(Channel(c).label) if c in Channel.values else c, "demands": n}
            for c, n in orders.values_list("channel").annotate(n=Count("id")).order_by("-n")
        ],
        "by_kind": [
            {"kind": str(Kind(k).label) if k in Kind.values else gettext("Unclassified"), "demands": n}
            for k, n in orders.values_list("kind").annotate(n=Count("id")).order_by("-n")
        ],
        "by_month": months,
        "units": units,
        "top_subjects": top_subjects,
        "surges": surges,
    }


def visible_surges(actor: Any):
    """Surges in the regions the viewer's scope covers."""

    condition = scope_q(scope_for(actor), department=None, region="region__code")
    if condition is None:
        return Surge.objects.none()
    return Surge.objects.filter(condition)


def surge_bound(reference: list[int], alpha: float) -> tuple[float, float, float]:
    """(mean, dispersion, upper bound) of a week's count from its reference weeks: a quasi-Poisson
    bound in the manner of Farrington et al. (1996). The dispersion is the variance over the mean,
    never below 1; the bound is taken on the 2/3-power scale, where counts are nearly symmetric, and
    includes the uncertainty of the estimated mean, so few or small reference counts widen it."""
    n = len(reference)
    mean = statistics.fmean(reference) if reference else 0.0
    if mean <= 0:
        return 0.0, 1.0, 0.0
    dispersion = max(1.0, statistics.pvariance(reference) / mean) if n > 1 else 1.0
    z = statistics.NormalDist().inv_cdf(1 - alpha)
    spread = (2 / 3) * mean ** (-1 / 3) * math.sqrt(dispersion * mean * (1 + 1 / n))
    return mean, dispersion, (mean ** (2 / 3) + z * spread) ** 1.5


def _reference(weeks: dict[int, int], settings: dict[str, Any], earliest: int | None) -> list[int]:
    """The recent baseline weeks, and the same season (the week ± window) of each earlier year the
    data reaches: a count model for seasonal demands (heating in winter, noise in summer)."""
    recent = [weeks.get(-k, 0) for k in range(1, settings["baseline_weeks"] + 1)]
    seasonal = []
    for year in range(1, settings["reference_years"] + 1):
        centre = -52 * year
        span = range(centre - settings["window_weeks"], centre + settings["window_weeks"] + 1)
        if earliest is not None and earliest <= span[0]:
            seasonal += [weeks.get(k, 0) for k in span]
    return recent + seasonal


def detect_surges(today: dt.date | None = None) -> list[Surge]:
    """For the last complete week (Monday to Sunday): each county × first-level class whose count
    exceeds the quasi-Poisson upper bound of its reference weeks (`surge_bound`) and the minimum
    count becomes a Surge."""
    settings = policy()["surges"]
    today = today or timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday() + 7)
    back = max(settings["baseline_weeks"], 52 * settings["reference_years"] + settings["window_weeks"])
    first = week_start - dt.timedelta(weeks=back)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    until = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(0), tzinfo=tz)
    counts: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    rows = (
        WorkOrder.objects.filter(received_at__gte=since, received_at__lt=until, region__level=3)
        .exclude(top_category="")
        .values_list("region_id", "top_category", "received_at")
    )
    earliest: int | None = None
    for region, top, received in rows.iterator(chunk_size=5000):
        week = (timezone.localtime(received, tz).date() - week_start).days // 7  # 0 = the week judged
        earliest = week if earliest is None else min(earliest, week)
        counts[(region, top)][week] = counts[(region, top)].get(week, 0) + 1
    found = []
    with transaction.atomic():
        for (region, top), weeks in counts.items():
            current = weeks.get(0, 0)
            mean, dispersion, bound = surge_bound(_reference(weeks, settings, earliest), settings["alpha"])
            sd = math.sqrt(dispersion * mean)
            threshold = max(bound, settings["min_count"])
            if current <= threshold:
                continue
            surge, created = Surge.objects.update_or_create(
                region_id=region,
                top_category=top,
                week_start=week_start,
                defaults={
                    "count": current,
                    "baseline_mean": mean,
                    "baseline_sd": sd,
                    "threshold": threshold,
                    "detected_at": timezone.now(),
                },
            )
            if created:
                after = {"region": region, "class": top, "week": week_start.isoformat(), "count": current}
                event = record_event(None, "complaints.surge", "surge", surge.pk, after=after)
                name = Category.objects.filter(code=top).values_list("name", flat=True).first() or top
                publish(
                    "complaints.surge_detected",
                    region=region,
                    object_type="surge",
                    object_id=surge.pk,
                    payload={
                        **after,
                        "class_name": name,
                        "baseline_mean": round(mean, 2),
                        "threshold": round(threshold, 2),
                    },
                    audit_event=event,
                )
            found.append(surge)
    return found


def workbook(data: dict[str, Any]) -> bytes:
    """The analysis as an Excel workbook, one sheet per table."""

    def pct(value):
        return None if value is None else round(value * 100, 1)

    return write_xlsx_sheets(
        [
            (gettext("Totals"), [gettext("Measure"), gettext("Value")], [[k, v] for k, v in data["totals"].items()]),
            (
                gettext("By city"),
                [gettext("City"), gettext("Demands")],
                [[r["city"], r["demands"]] for r in data["by_city"]],
            ),
            (
                gettext("By class"),
                [gettext("Class"), gettext("Demands")],
                [[r["class"], r["demands"]] for r in data["by_class"]],
            ),
            (
                gettext("By channel"),
                [gettext("Channel"), gettext("Demands")],
                [[r["channel"], r["demands"]] for r in data["by_channel"]],
            ),
            (
                gettext("By kind"),
                [gettext("Kind"), gettext("Demands")],
                [[r["kind"], r["demands"]] for r in data["by_kind"]],
            ),
            (
                gettext("By month"),
                [gettext("Month"), gettext("Demands")],
                [[r["month"], r["demands"]] for r in data["by_month"]],
            ),
            (
                gettext("Units"),
                [
                    gettext("Unit"),
                    gettext("Dispatched"),
                    gettext("Answered"),
                    gettext("On time %"),
                    gettext("Overdue"),
                    gettext("Satisfied %"),
                    gettext("Rated"),
                    gettext("Re-handled"),
                    gettext("Returns"),
                ],
                [
                    [
                        u["department"],
                        u["dispatched"],
                        u["answered"],
                        pct(u["on_time_rate"]),
                        u["overdue"],
                        pct(u["satisfaction_rate"]),
                        u["rated"],
                        u["redone"],
                        u["returns"],
                    ]
                    for u in data["units"]
                ],
            ),
            (
                gettext("Top subjects"),
                [gettext("Subject"), gettext("Demands")],
                [[s["name"], s["demands"]] for s in data["top_subjects"]],
            ),
            (
                gettext("Surges"),
                [
                    gettext("County"),
                    gettext("Class"),
                    gettext("Week from"),
                    gettext("Demands"),
                    gettext("Baseline"),
                    gettext("Threshold"),
                ],
                [
                    [s["region"], s["class"], s["week_start"], s["demands"], s["baseline"], s["threshold"]]
                    for s in data["surges"]
                ],
            ),
        ]
    )
