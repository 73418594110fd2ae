"""Monitoring policy as data (`data/policy.json`): the quantities with their units and physical
ranges, the intake limits, and the rules that turn readings into clues."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.monitoring.choices import DeviceKind, Level
from jianguan.platform.policies import PolicyBase, current_policy, register_policy

DATA = Path(__file__).resolve().parent / "data"


class Quantity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    unit: str = Field(min_length=1, max_length=16)
    min: float
    max: float

    @model_validator(mode="after")
    def _range(self):
        if self.min >= self.max:
            raise ValueError("min must be below max")
        return self


class Rule(BaseModel):
    """threshold: one reading beyond the value; duration: beyond it for `minutes` without a reading
    back inside; rate: the change per minute from the previous reading beyond the value; silence:
    no reading for `minutes`."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: Literal["threshold", "duration", "rate", "silence"]
    device_kinds: list[Literal[tuple(DeviceKind.values)]] = Field(min_length=1)  # type: ignore[valid-type]
    quantity: str = ""
    op: Literal[">", ">=", "<", "<="] = ">"
    value: float = 0
    minutes: int = Field(default=0, ge=0, le=60 * 24 * 30)
    level: Literal[tuple(Level.values)]  # type: ignore[valid-type]
    merge_minutes: int = Field(ge=0, le=60 * 24 * 30)
    basis: str = ""

    @model_validator(mode="after")
    def _complete(self):
        if self.kind != "silence" and not self.quantity:
            raise ValueError("a reading rule names its quantity")
        if self.kind in ("duration", "silence") and self.minutes < 1:
            raise ValueError("a duration or silence rule needs minutes of at least 1")
        return self


class MonitoringPolicy(PolicyBase):
    future_tolerance_minutes: int = Field(ge=0, le=60)
    max_readings_per_call: int = Field(ge=1, le=100_000)
    offline_after_minutes: int = Field(ge=1)
    quantities: dict[str, Quantity]
    rules: list[Rule]

    @model_validator(mode="after")
    def _known(self):
        codes = [rule.code for rule in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError("rule codes must be unique")
        for rule in self.rules:
            if rule.quantity and rule.quantity not in self.quantities:
                raise ValueError(f"rule {rule.code}: unknown quantity {rule.quantity}")
        return self


register_policy("monitoring", DATA / "policy.json", MonitoringPolicy, _("Non-site monitoring"))


def policy() -> dict[str, Any]:
    return current_policy("monitoring")
