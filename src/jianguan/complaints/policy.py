"""Complaint policy as data: deadlines, return window, extension limit, duplicates, surges, and the
category tree and dispatch catalogue loaded from `data/` (editable afterwards in the admin)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field

from jianguan.complaints.models import Category, DispatchRule
from jianguan.core.calendar import deadline_after
from jianguan.core.errors import DomainError, lazy_format
from jianguan.core.models import Sector
from jianguan.platform.policies import PolicyBase, current_policy, register_policy
from jianguan.workflow.schemas import Sla
from jianguan.workflow.services import define_workflow

DATA = Path(__file__).resolve().parent / "data"
WORKFLOW_FILE = Path(__file__).resolve().parent.parent / "workflow" / "definitions" / "complaints_order.json"


class _Surges(BaseModel):
    """The surge detector's count model (see `analysis.surge_bound`)."""

    model_config = ConfigDict(extra="forbid")
    baseline_weeks: int = Field(ge=2, le=52)
    reference_years: int = Field(ge=0, le=5)
    window_weeks: int = Field(ge=0, le=8)
    alpha: float = Field(gt=0, lt=0.5)
    min_count: int = Field(ge=1, le=10_000)


class _Duplicates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_days: int = Field(ge=1, le=365)
    min_similarity: float = Field(gt=0, le=1)


class _Attachments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_files: int = Field(ge=0, le=20)
    max_bytes: int = Field(ge=1, le=50 * 1024 * 1024)
    types: list[str] = Field(min_length=1)


class ComplaintPolicy(PolicyBase):
    """12345 deadlines and thresholds (domain §5)."""

    default_sla: Sla
    kind_sla: dict[str, Sla]
    return_within_working_days: int = Field(ge=1, le=30)
    extension_max_working_days: int = Field(ge=0, le=60)
    warn_before: Sla
    supervise_on: list[Literal["overdue", "dissatisfied"]]
    duplicates: _Duplicates
    surges: _Surges
    office_sector: str = Field(min_length=1, max_length=16)
    public_filings_per_minute: int = Field(ge=1, le=1000)
    handler_roles: list[str] = Field(min_length=1)
    attachments: _Attachments


register_policy("complaints", DATA / "policy.json", ComplaintPolicy, _("12345 work orders"))


def policy() -> dict[str, Any]:
    """The complaint policy in force (core.policies: the newest published version, else the shipped file)."""
    return current_policy("complaints")


def sla_for(category: Any, kind: str) -> Sla:
    """The handling deadline: the nearest category (or ancestor) SLA, else the kind's, else the default."""
    node = category
    while node is not None:
        if node.sla_hours:
            return Sla(hours=node.sla_hours)
        if node.sla_working_days:
            return Sla(working_days=node.sla_working_days)
        node = node.parent
    by_kind = policy()["kind_sla"].get(kind)
    return Sla(**(by_kind or policy()["default_sla"]))


def check_return_window(dispatched_at: Any, at: Any) -> None:
    """退单 is allowed within the policy's working days of dispatch (2 in Shandong)."""

    window = policy()["return_within_working_days"]
    limit, _provisional = deadline_after(dispatched_at, working_days=window)
    if at > limit:
        raise DomainError(
            "return_window_passed",
            lazy_format(
                _("An order can be returned only within %(days)d working days of dispatch (until %(until)s)."),
                {"days": window, "until": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")},
            ),
            status=409,
        )


def load_taxonomy() -> tuple[int, int]:
    """Create or update the categories and dispatch rules from the data files; define the workflow."""

    tree = json.loads((DATA / "categories.json").read_text(encoding="utf-8"))
    rules = json.loads((DATA / "dispatch.json").read_text(encoding="utf-8"))
    categories = 0
    with transaction.atomic():

        def walk(nodes: list[dict], parent: Category | None, level: int) -> None:
            nonlocal categories
            for node in nodes:
                sla = node.get("sla", {})
                category, _created = Category.objects.update_or_create(
                    code=node["code"],
                    defaults={
                        "name": node["name"],
                        "name_en": node.get("name_en", ""),
                        "parent": parent,
                        "level": level,
                        "sla_working_days": sla.get("working_days"),
                        "sla_hours": sla.get("hours"),
                        "is_urgent": node.get("urgent", False),
                    },
                )
                categories += 1
                walk(node.get("children", []), category, level + 1)

        walk(tree["categories"], None, 1)
        sectors = {s.code: s for s in Sector.objects.all()}
        loaded = 0
        for rule in rules["rules"]:
            sector = sectors.get(rule["sector"])
            if sector is None:
                continue  # a deployment without that sector dispatches these by hand
            entry, _created = DispatchRule.objects.update_or_create(
                category=Category.objects.get(code=rule["category"]),
                defaults={"sector": sector, "level": rule["level"], "version": rules["version"]},
            )
            entry.co_sectors.set([sectors[c] for c in rule.get("co_sectors", []) if c in sectors])
            loaded += 1
        define_workflow(json.loads(WORKFLOW_FILE.read_text(encoding="utf-8")))
    return categories, loaded
