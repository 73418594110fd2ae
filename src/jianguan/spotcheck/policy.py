"""Spot-check policy as data (`data/policy.json`): the default sampling per risk grade and the
publication deadline. A batch copies them when it is added and keeps its own values."""

from __future__ import annotations

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


register_policy("spotcheck", DATA / "policy.json", SpotCheckPolicy, _("Random spot checks"))


def policy() -> dict[str, Any]:
    """The spot-check policy in force (the newest published version, else the shipped file)."""
    return current_policy("spotcheck")


def default_quotas() -> dict[str, dict[str, Any]]:
    return policy()["default_quotas"]
