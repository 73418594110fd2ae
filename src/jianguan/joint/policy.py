"""Joint-supervision policy as data (`data/policy.json`) and the workflow definitions it runs on."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
_DEFINITIONS = Path(__file__).resolve().parent.parent / "workflow" / "definitions"
WORKFLOWS = [_DEFINITIONS / f"{code}.json" for code in ("joint_claim", "joint_assist", "joint_rectify")]


@cache
def policy() -> dict[str, Any]:
    return json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
