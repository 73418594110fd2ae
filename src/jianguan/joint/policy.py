"""Joint-supervision policy as data (`data/policy.json`) and the workflow definitions it runs on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jianguan.platform.policies import current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"
_DEFINITIONS = Path(__file__).resolve().parent.parent / "workflow" / "definitions"
WORKFLOWS = [_DEFINITIONS / f"{code}.json" for code in ("joint_claim", "joint_assist")]


register_policy("joint", DATA / "policy.json")


def policy() -> dict[str, Any]:
    """The joint-supervision policy in force (core.policies: the newest published version, else the shipped file)."""
    return current_policy("joint")
