"""Risk grading as one Ibis expression: the same job on SQLite, PostgreSQL, DuckDB or PySpark.

The model (indicators, weights, caps, thresholds) is a versioned policy, `credit.risk_model` (shipped
as credit/data/risk_model.json, published anew through the policies screen). Each
indicator counts a subject's records of a kind within the window (or tests its age), is capped,
and adds weight × count points; the score's threshold band is the grade. Every indicator's points
are kept as a column: they are the grade's explanation.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import ibis
from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.platform.policies import PolicyBase, current_policy, register_policy

MODEL_FILE = Path(__file__).resolve().parent / "data" / "risk_model.json"


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    source: Literal["records", "subject_age_under_years"]
    kind: str | None = None
    result_not_in: list[str] | None = None
    years: int | None = Field(None, ge=1, le=50)
    points: int = Field(ge=-1000, le=1000)
    cap: int = Field(ge=1, le=100)

    @model_validator(mode="after")
    def _what_it_counts(self) -> Indicator:
        if self.source == "records" and not self.kind:
            raise ValueError("an indicator over records names the record kind")
        if self.source == "subject_age_under_years" and not self.years:
            raise ValueError("an age indicator gives its years")
        return self


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    label: str = Field(min_length=1)
    indicators: list[Indicator]


class Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1)
    grades: list[tuple[str, float]] = Field(min_length=2)

    @model_validator(mode="after")
    def _thresholds_rise(self) -> Scheme:
        thresholds = [t for _g, t in self.grades]
        if thresholds != sorted(thresholds) or len(set(thresholds)) != len(thresholds):
            raise ValueError("grade thresholds rise from the lowest grade to the highest")
        if len({g for g, _t in self.grades}) != len(self.grades):
            raise ValueError("each grade appears once")
        return self


class RiskModel(PolicyBase):
    """The risk-grading model (信用风险分类): weights, caps, the look-back window and the grade thresholds."""

    window_years: int = Field(ge=1, le=10)
    dimensions: list[Dimension] = Field(min_length=1)
    schemes: dict[str, Scheme] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_indicators(self) -> RiskModel:
        names = [i.name for d in self.dimensions for i in d.indicators]
        if len(names) != len(set(names)):
            raise ValueError("each indicator name appears once")
        return self


register_policy("credit.risk_model", MODEL_FILE, RiskModel, _("Risk-grading model"))


def load_model() -> dict[str, Any]:
    """The risk model in force: the newest published version, else the shipped file."""
    return current_policy("credit.risk_model")


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
