"""The fusion score of every subject with signals in one pass over the signal table: each signal's
points (kind weight × level factor, halved every half-life) summed per subject and kind in the
database, the subject's risk-grade points added, stored in `SubjectRisk` with each part's
contribution. The same arithmetic as `services.fuse` for one alert.

One statement reads the signals in subject order from the covering index `alerts_signal_fusion`
(subject, kind, level, at: an index-only scan, no sort and no hash table), aggregates each subject
as it passes, merges with the subject register on its primary key for the risk grade and writes the
rows. On PostgreSQL the decay is computed in double precision from the epoch (EXTRACT returns
numeric there). The rows are replaced by DELETE and INSERT in one transaction (readers keep the
previous scores until it commits): the application role may write rows, not create tables."""

from __future__ import annotations

import datetime as dt
import math

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


def _select(now: dt.datetime, settings: dict) -> tuple[str, list]:
    """The SELECT of every subject's row: subject, the points of each kind, grade points, score, as of."""
    factor, factor_params = _case("s.level", settings["level_factor"])
    grade, grade_params = _case("sub.risk_grade", settings["risk_grade_points"])
    half_days = float(settings["half_life_days"])
    if connection.vendor == "postgresql":
        # 0.5 ** (age / half) as exp(age × -ln 2 / half), the age in seconds from the epoch in float8.
        decay = "EXP(GREATEST(%s - date_part('epoch', s.at), 0) * %s)"
        decay_params: list = [now.timestamp(), -math.log(2) / (half_days * 86400)]
    else:
        decay = "POWER(CAST(0.5 AS DOUBLE PRECISION), MAX(julianday(%s) - julianday(s.at), 0) / %s)"
        decay_params = [now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"), half_days]
    kinds = list(SignalKind.values)
    sums, sums_params = [], []
    for kind in kinds:
        sums.append(f"SUM(CASE WHEN s.kind = %s THEN {factor} * {decay} ELSE 0 END) * %s AS {kind}")
        sums_params += [kind, *factor_params, *decay_params, float(settings["weights"][kind])]
    picked, total = ", ".join(f"q.{k}" for k in kinds), " + ".join(f"q.{k}" for k in kinds)
    sql = f"""
        SELECT q.subject_id, {picked}, {grade}, {total} + {grade}, %s
        FROM (SELECT s.subject_id, {", ".join(sums)}
              FROM alerts_signal s WHERE s.subject_id IS NOT NULL GROUP BY s.subject_id) q
        JOIN subjects_subject sub ON sub.id = q.subject_id
    """  # noqa: S608 (column names from the model's choices, values as placeholders)
    return sql, [*grade_params, *grade_params, now, *sums_params]


def fuse_all(now: dt.datetime | None = None) -> int:
    """Recompute every subject's fused risk in one aggregation; returns the number of subjects scored."""
    now = now or timezone.now()
    select, params = _select(now, policy())
    columns = ", ".join(["subject_id", *SignalKind.values, "risk_grade", "score", "as_of"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_subjectrisk")
        cursor.execute(f"INSERT INTO alerts_subjectrisk ({columns}) {select}", params)  # noqa: S608
        return cursor.rowcount
