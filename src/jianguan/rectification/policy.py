"""Rectification policy as data (`data/policy.json`) and the workflow definition it runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import Field

from jianguan.platform.policies import PolicyBase, current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"
WORKFLOW = Path(__file__).resolve().parent.parent / "workflow" / "definitions" / "joint_rectify.json"


class RectificationPolicy(PolicyBase):
    default_working_days: int = Field(ge=1, le=90)


register_policy("rectification", DATA / "policy.json", RectificationPolicy, _("Rectification"))


def policy() -> dict[str, Any]:
    """The rectification policy in force (the newest published version, else the shipped file)."""
    return current_policy("rectification")
