"""Alerts policy as data (`data/policy.json`): deadlines per level, the fusion's weights, and when
a rule's precision asks for review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.alerts.choices import Level, SignalKind
from jianguan.platform.policies import PolicyBase, current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"
WORKFLOW = Path(__file__).resolve().parent.parent / "workflow" / "definitions" / "alerts_handle.json"


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sign_hours: int = Field(ge=1, le=24 * 30)
    handle_working_days: int = Field(ge=1, le=90)


class AlertsPolicy(PolicyBase):
    deadlines: dict[str, Deadline]
    weights: dict[str, float]
    level_factor: dict[str, float]
    risk_grade_points: dict[str, float]
    half_life_days: float = Field(gt=0, le=3650)
    levels_by_score: list[tuple[str, float]] = Field(min_length=1)
    default_levels: dict[str, str]
    handling_sector: str = Field(min_length=1)
    review_precision_below: float = Field(ge=0, le=1)
    review_min_verified: int = Field(ge=1)
    # A case referral (移送) is a notice the receiving department answers within these working days.
    referral_reply_working_days: int = Field(default=5, ge=1, le=60)

    @model_validator(mode="after")
    def _complete(self):
        levels, kinds = set(Level.values), set(SignalKind.values)
        if set(self.deadlines) != levels or set(self.level_factor) != levels:
            raise ValueError("deadlines and level_factor name every level: " + ", ".join(sorted(levels)))
        if set(self.weights) != kinds:
            raise ValueError("weights name every signal kind: " + ", ".join(sorted(kinds)))
        if any(level not in levels for level, _floor in self.levels_by_score) or any(
            v not in levels for v in self.default_levels.values()
        ):
            raise ValueError("unknown level")
        return self


register_policy("alerts", DATA / "policy.json", AlertsPolicy, _("Risk warnings"))


def policy() -> dict[str, Any]:
    return current_policy("alerts")
