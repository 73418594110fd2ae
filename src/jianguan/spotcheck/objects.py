"""Whom a supervision item applies to (data/objects.json, a versioned policy): the pool of a batch is
limited to the subjects of its items' objects, by subject kind (the item's 监管对象), industry
(GB/T 4754 code prefixes) and licence held. A batch stores the filter it was given, so a later
policy version does not change a batch already committed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.core.errors import lazy_format
from jianguan.core.models import Region
from jianguan.platform.policies import PolicyBase, current_policy, register_policy
from jianguan.subjects.choices import SubjectKind, SubjectStatus

DATA = Path(__file__).resolve().parent / "data"
_INDUSTRY = r"^[A-T](\d{2,4})?$"


class ObjectRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=100)
    names: list[str] = Field(default_factory=list, max_length=50)
    item_codes: list[str] = Field(default_factory=list, max_length=200)
    industries: list[str] = Field(default_factory=list, max_length=200)
    licences: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _complete(self) -> ObjectRule:
        if not (self.names or self.item_codes):
            raise ValueError("a rule names the items it applies to (names or item_codes)")
        if not (self.industries or self.licences):
            raise ValueError("a rule gives industries or licences")
        for code in self.industries:
            if not re.match(_INDUSTRY, code):
                raise ValueError(f"{code!r} is not a GB/T 4754 code prefix")
        for code in self.item_codes:
            if not (code.isdigit() and 2 <= len(code) <= 14):
                raise ValueError(f"{code!r} is not an item code prefix")
        return self


class ObjectsPolicy(PolicyBase):
    object_kinds: dict[str, SubjectKind] = Field(min_length=1)
    rules: list[ObjectRule] = Field(max_length=2000)


register_policy("spotcheck_objects", DATA / "objects.json", ObjectsPolicy, _("Random spot checks: item objects"))


def _rule_for(item: Any, rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    codes = [item.code] + ([item.parent.code] if item.parent_id else [])
    names = [item.name] + ([item.parent.name] if item.parent_id else [])
    for rule in rules:
        if any(code.startswith(prefix) for code in codes for prefix in rule.get("item_codes", [])):
            return rule
        if any(word in name for name in names for word in rule.get("names", [])):
            return rule
    return None


def object_filter(items: list[Any]) -> dict[str, Any]:
    """The part of a batch's pool filter its items' objects give: kinds, industry prefixes, licences,
    the rule labels, and the items no rule covers (their subjects are not limited by industry)."""
    policy = current_policy("spotcheck_objects")
    kinds: set[str] = set()
    industries: set[str] = set()
    licences: set[str] = set()
    labels: list[str] = []
    unmatched: list[str] = []
    for item in items:
        object_type = item.object_type or (item.parent.object_type if item.parent_id else "")
        kinds |= {kind for word, kind in policy["object_kinds"].items() if word in object_type}
        rule = _rule_for(item, policy["rules"])
        if rule is None:
            unmatched.append(item.code)
            continue
        industries |= set(rule["industries"])
        licences |= set(rule["licences"])
        if rule["label"] not in labels:
            labels.append(rule["label"])
    out: dict[str, Any] = {}
    if kinds:
        out["kinds"] = sorted(kinds)
    if unmatched:
        # One item without a rule would otherwise be silently held to another item's industries.
        out["unmatched_items"] = sorted(unmatched)
    elif industries or licences:
        out["industry_prefixes"] = sorted(industries)
        out["licences"] = sorted(licences)
        out["objects"] = labels
    return out


def describe_pool(spec: dict[str, Any]) -> list[tuple[Any, str]]:
    """The batch's pool filter as (label, text) lines for its staff and public pages."""
    lines: list[tuple[Any, str]] = []
    kinds = spec.get("kinds") or [k for k in SubjectKind.values if k != SubjectKind.PERSON]
    lines.append((_("Subject kinds"), "、".join(str(SubjectKind(k).label) for k in kinds)))
    statuses = spec.get("statuses") or [SubjectStatus.OPERATING]
    lines.append((_("Subject status"), "、".join(str(SubjectStatus(s).label) for s in statuses)))
    if spec.get("regions"):
        names = dict(Region.objects.filter(code__in=[_full(p) for p in spec["regions"]]).values_list("code", "name"))
        lines.append((_("Regions"), "、".join(names.get(_full(p), p) for p in spec["regions"])))
    if spec.get("objects"):
        lines.append((_("Objects of the items"), "、".join(spec["objects"])))
    if spec.get("industry_prefixes"):
        lines.append((_("Industries (GB/T 4754 codes)"), "、".join(spec["industry_prefixes"])))
    if spec.get("licences"):
        lines.append((_("or holding one of these licences"), "、".join(spec["licences"])))
    if spec.get("industries"):
        lines.append((_("Industries (GB/T 4754 codes)"), "、".join(spec["industries"])))
    if spec.get("unmatched_items"):
        lines.append(
            (
                _("Not limited by industry"),
                str(
                    lazy_format(
                        _("no object rule covers items %(codes)s: the pool takes every industry"),
                        {"codes": "、".join(spec["unmatched_items"])},
                    )
                ),
            )
        )
    return lines


def _full(prefix: str) -> str:
    """A region code prefix as the 6-digit code of its region (37 → 370000, 3701 → 370100)."""
    return (prefix + "000000")[:6]
