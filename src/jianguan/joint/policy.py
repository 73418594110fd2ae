"""Joint-supervision policy as data (`data/policy.json`) and the workflow definitions it runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.platform.policies import PolicyBase, current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"
_DEFINITIONS = Path(__file__).resolve().parent.parent / "workflow" / "definitions"
WORKFLOWS = [_DEFINITIONS / f"{code}.json" for code in ("joint_claim", "joint_assist")]


class _Linkage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item_prefix: str = Field(max_length=32)
    supervising_sector: str | None = None
    level: Literal["province", "city", "county"]


class _InspectionCap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    per_year: int | None = Field(None, ge=1, le=100)
    by_grade: dict[str, int | None]


class _Overlap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_days: int = Field(ge=1, le=365)
    min_departments: int = Field(ge=2, le=20)


class JointPolicy(PolicyBase):
    """Joint supervision's deadlines, the inspection cap and the overlap window (domain §8)."""

    link_licences_from_days: int = Field(ge=1, le=3650)
    supervise_within_days: int = Field(ge=1, le=3650)
    linkage: list[_Linkage] = Field(min_length=1)
    assistance_default_working_days: int = Field(ge=1, le=90)
    assistance_max_working_days: int = Field(ge=1, le=90)
    notice_reply_default_working_days: int = Field(ge=1, le=90)
    inspection_cap: _InspectionCap
    overlap: _Overlap

    @model_validator(mode="after")
    def _default_within_max(self) -> JointPolicy:
        if self.assistance_default_working_days > self.assistance_max_working_days:
            raise ValueError("assistance_default_working_days exceeds assistance_max_working_days")
        return self


register_policy("joint", DATA / "policy.json", JointPolicy, _("Joint supervision"))


def policy() -> dict[str, Any]:
    """The joint-supervision policy in force (core.policies: the newest published version, else the shipped file)."""
    return current_policy("joint")
