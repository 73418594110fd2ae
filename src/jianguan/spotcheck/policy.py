"""Spot-check policy as data (`data/policy.json`): the default sampling per risk grade and the
publication deadline and the annual plan's due date. A batch copies them when it is added and keeps its own values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.platform.policies import PolicyBase, current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"


class Quota(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ratio: float = Field(ge=0, le=1)
    minimum: int = Field(0, ge=0)
    maximum: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> Quota:
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum is below minimum")
        return self


class SpotCheckPolicy(PolicyBase):
    default_quotas: dict[str, Quota] = Field(min_length=1)
    publish_within_working_days: int = Field(ge=1, le=60)
    plan_due: tuple[int, int]

    @model_validator(mode="after")
    def _a_real_day(self) -> SpotCheckPolicy:
        month, day = self.plan_due
        try:
            dt.date(2001, month, day)  # not a leap year: 29 February is refused
        except ValueError:
            raise ValueError("plan_due is a [month, day] of every year") from None
        return self


register_policy("spotcheck", DATA / "policy.json", SpotCheckPolicy, _("Random spot checks"))


def policy() -> dict[str, Any]:
    """The spot-check policy in force (the newest published version, else the shipped file)."""
    return current_policy("spotcheck")


def default_quotas() -> dict[str, dict[str, Any]]:
    return policy()["default_quotas"]
