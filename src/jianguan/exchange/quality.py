"""The data-quality report: per department or per source system, with a monthly trend.

Figures (all from the counters the gateway keeps as it ingests):
- validity: accepted ÷ (accepted + rejected); duplicates are neither good nor bad data;
- completeness: the mean share of optional fields filled in, over accepted records;
- timeliness: the mean lag from the action to its report, in working days, and the share
  reported within 7 working days;
- duplicates, and rejections by rule code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from jianguan.core.models import Department
from jianguan.exchange.permissions import visible_quality, visible_rejections
from jianguan.records.rules import describe

_SUMS = ("received", "accepted", "rejected", "duplicates", "completeness_sum", "lag_sum", "within_7")


def _figures(totals: dict[str, Any]) -> dict[str, Any]:
    accepted, rejected = totals.get("accepted") or 0, totals.get("rejected") or 0
    judged = accepted + rejected
    return {
        "received": totals.get("received") or 0,
        "accepted": accepted,
        "rejected": rejected,
        "duplicates": totals.get("duplicates") or 0,
        "validity_rate": round(accepted / judged, 4) if judged else None,
        "completeness": round((totals.get("completeness_sum") or 0) / accepted, 4) if accepted else None,
        "mean_lag_days": round((totals.get("lag_sum") or 0) / accepted, 2) if accepted else None,
        "timely_share": round((totals.get("within_7") or 0) / accepted, 4) if accepted else None,
    }


def quality_report(
    actor: Any, by: str = "department", start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """Quality figures grouped by department or source system, over report days in [start, end]."""
    counters = visible_quality(actor)
    rejections = visible_rejections(actor)
    if start:
        counters, rejections = counters.filter(day__gte=start), rejections.filter(day__gte=start)
    if end:
        counters, rejections = counters.filter(day__lte=end), rejections.filter(day__lte=end)
    key = "department_id" if by == "department" else "source"
    sums = {name: Sum(name) for name in _SUMS}
    groups = counters.values(key).annotate(**sums).order_by(key)
    names = (
        dict(Department.objects.filter(pk__in=[g[key] for g in groups]).values_list("pk", "name"))
        if by == "department"
        else {}
    )
    rows = [{"key": g[key], "name": names.get(g[key], g[key]), **_figures(g)} for g in groups]
    rows.sort(key=lambda r: (-(r["received"]), str(r["name"])))
    trend = [
        {"month": g["month"].strftime("%Y-%m"), **_figures(g)}
        for g in counters.annotate(month=TruncMonth("day")).values("month").annotate(**sums).order_by("month")
    ]
    codes = rejections.values("code").annotate(count=Sum("count")).order_by("-count", "code")
    return {
        "by": by,
        "start": start,
        "end": end,
        "total": _figures(counters.aggregate(**sums)),
        "rows": rows,
        "trend": trend,
        "rejections": [
            {"code": c["code"], "count": c["count"], "message": zh, "message_en": en}
            for c in codes
            for zh, en in [describe(c["code"])]
        ],
    }
