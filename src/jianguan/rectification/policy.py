"""Rectification policy as data (`data/policy.json`) and the workflow definition it runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jianguan.platform.policies import current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"
WORKFLOW = Path(__file__).resolve().parent.parent / "workflow" / "definitions" / "joint_rectify.json"

register_policy("rectification", DATA / "policy.json")


def policy() -> dict[str, Any]:
    """The rectification policy in force (the newest published version, else the shipped file)."""
    return current_policy("rectification")
