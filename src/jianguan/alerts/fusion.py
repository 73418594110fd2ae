"""The fusion score of every subject with signals in one pass over the signal table: each signal's
points (kind weight × level factor, halved every half-life) summed per subject and kind in the
database, the subject's risk-grade points added, stored in `SubjectRisk` with each part's
contribution. The same arithmetic as `services.fuse` for one alert."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from jianguan.alerts.choices import SignalKind
from jianguan.alerts.policy import policy


def _case(column: str, values: dict[str, float]) -> tuple[str, list]:
    params: list = []
    parts = []
    for key, value in values.items():
        parts.append("WHEN %s THEN %s")
        params += [key, float(value)]
    return f"CASE {column} {' '.join(parts)} ELSE 0 END", params


def fuse_all(now: dt.datetime | None = None) -> int:
    """Recompute every subject's fused risk in one aggregation; returns the number of subjects scored."""
    now = now or timezone.now()
    settings = policy()
    factor, factor_params = _case("s.level", settings["level_factor"])
    grade, grade_params = _case("sub.risk_grade", settings["risk_grade_points"])
    half = float(settings["half_life_days"])
    if connection.vendor == "postgresql":
        age = "GREATEST(EXTRACT(EPOCH FROM (%s::timestamptz - s.at))::float8, 0) / 86400.0"  # float, not numeric
        when = now
    else:
        age = "MAX(julianday(%s) - julianday(s.at), 0)"
        when = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    kinds = list(SignalKind.values)
    points = f"{factor} * POWER(CAST(0.5 AS DOUBLE PRECISION), {age} / %s)"
    sums = ", ".join(f"SUM(CASE WHEN s.kind = %s THEN {points} ELSE 0 END) * %s AS {kind}" for kind in kinds)
    sums_params = []
    for kind in kinds:
        sums_params += [kind, *factor_params, when, half, float(settings["weights"][kind])]
    columns = ", ".join(kinds)
    picked, total = ", ".join(f"q.{k}" for k in kinds), " + ".join(f"q.{k}" for k in kinds)
    sql = f"""
        INSERT INTO alerts_subjectrisk (subject_id, {columns}, risk_grade, score, as_of)
        SELECT q.subject_id, {picked}, {grade}, {total} + {grade}, %s
        FROM (SELECT s.subject_id, {sums} FROM alerts_signal s WHERE s.subject_id IS NOT NULL GROUP BY s.subject_id) q
        JOIN subjects_subject sub ON sub.id = q.subject_id
    """  # noqa: S608 (column names from the model's choices, values as placeholders)
    params = [*grade_params, *grade_params, now, *sums_params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_subjectrisk")
        cursor.execute(sql, params)
        cursor.execute("SELECT COUNT(*) FROM alerts_subjectrisk")
        return cursor.fetchone()[0]
