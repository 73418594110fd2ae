"""Choosing the publication rule for a record: by the version in force on its decision date."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).resolve().parent / "data" / "publication_rules.json"


def shipped_versions() -> list[dict[str, Any]]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8"))["versions"]


@dataclass(frozen=True)
class Decision:
    version: str
    rule: str
    publish: bool
    within_working_days: int = 0
    months: int = 0
    min_months: int = 0
    repair_after_months: int | None = None
    repairable: bool = True
    level: str = ""
    until_valid_to: bool = False


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    if "kind" in when and facts.get("kind") != when["kind"]:
        return False
    if "procedure" in when and facts.get("procedure") not in when["procedure"]:
        return False
    kinds = set(facts.get("kinds") or [])
    if "kinds_only" in when and (not kinds or not kinds <= set(when["kinds_only"])):
        return False
    if "kinds_any" in when and not kinds & set(when["kinds_any"]):
        return False
    if "fine_at_most" in when:
        fine = _amount(facts.get("fine_amount"))
        if fine is not None and fine > Decimal(str(when["fine_at_most"])):
            return False
    return True


def decide(versions: list[Any], on: dt.date, facts: dict[str, Any]) -> Decision | None:
    """The rule for a record decided on `on` with these facts; None when no version covers the date."""
    for version in versions:
        start, end = version.effective_from, version.effective_to
        if start <= on and (end is None or on <= end):
            for rule in version.rules:
                if _matches(rule.get("when", {}), facts):
                    return Decision(
                        version=version.version,
                        rule=rule["name"],
                        publish=bool(rule.get("publish")),
                        within_working_days=int(rule.get("within_working_days") or 0),
                        months=int(rule.get("months") or 0),
                        min_months=int(rule.get("min_months") or 0),
                        repair_after_months=rule.get("repair_after_months"),
                        repairable=bool(rule.get("repairable", True)),
                        level=rule.get("level", ""),
                        until_valid_to=bool(rule.get("until_valid_to")),
                    )
            return None
    return None
