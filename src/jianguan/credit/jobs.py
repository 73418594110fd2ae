"""Risk grading as one Ibis expression: the same job on SQLite, PostgreSQL, DuckDB or PySpark.

The model (indicators, weights, caps, thresholds) is data in credit/data/risk_model.json. Each
indicator counts a subject's records of a kind within the window (or tests its age), is capped,
and adds weight × count points; the score's threshold band is the grade. Every indicator's points
are kept as a column: they are the grade's explanation.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import ibis
from dateutil.relativedelta import relativedelta

MODEL_FILE = Path(__file__).resolve().parent / "data" / "risk_model.json"


def load_model() -> dict[str, Any]:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def indicators(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [indicator for dimension in model["dimensions"] for indicator in dimension["indicators"]]


def grading(
    subjects: ibis.Table, records: ibis.Table, as_of: dt.date, model: dict[str, Any], scheme: str
) -> ibis.Table:
    """(subject_id, score, grade, one points column per indicator) for every subject."""
    since = as_of - relativedelta(years=int(model["window_years"]))
    recent = records.filter(
        (records.action_date >= ibis.literal(since))
        & (records.action_date <= ibis.literal(as_of))
        & ~records.is_deleted
    )
    counts = {}
    for indicator in indicators(model):
        if indicator["source"] != "records":
            continue
        condition = recent.kind == indicator["kind"]
        if "result_not_in" in indicator:
            condition &= ~recent.result.isin(indicator["result_not_in"])
        counts[indicator["name"]] = condition.ifelse(1, 0).sum()
    per_subject = recent.group_by(subject_id=recent.subject_id).aggregate(**counts) if counts else None
    table = subjects.select(subject_id=subjects.id, registration_date=subjects.registration_date)
    if per_subject is not None:
        table = table.left_join(per_subject, table.subject_id == per_subject.subject_id).drop("subject_id_right")
    points = {}
    for indicator in indicators(model):
        name = indicator["name"]
        if indicator["source"] == "records":
            count = table[name].fill_null(0)
        else:  # subject_age_under_years
            cutoff = as_of - relativedelta(years=int(indicator["years"]))
            count = (table.registration_date.notnull() & (table.registration_date > ibis.literal(cutoff))).ifelse(1, 0)
        capped = ibis.least(count, int(indicator["cap"]))
        points[f"p_{name}"] = (capped * int(indicator["points"])).cast("int64")
    table = table.mutate(**points)
    score = sum((table[column] for column in points), ibis.literal(0)).cast("int64")
    table = table.mutate(score=score)
    bands = model["schemes"][scheme]["grades"]
    grade = ibis.cases(*[(table.score >= minimum, grade) for grade, minimum in reversed(bands[1:])], else_=bands[0][0])
    return table.mutate(grade=grade).select("subject_id", "score", "grade", *points)


def explanation(row: dict[str, Any], model: dict[str, Any]) -> list[dict[str, Any]]:
    """The indicators that moved a subject's grade, largest first."""
    labels = {i["name"]: i["label"] for i in indicators(model)}
    moved = [
        {"indicator": name[2:], "label": labels.get(name[2:], name[2:]), "points": int(value)}
        for name, value in row.items()
        if name.startswith("p_") and value
    ]
    return sorted(moved, key=lambda m: -abs(m["points"]))
