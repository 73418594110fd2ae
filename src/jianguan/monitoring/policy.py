"""Monitoring policy as data (`data/policy.json`): the quantities with their units and physical
ranges, the labels analysis models may report, the intake limits, and the rules that turn readings
and detections into clues."""

from __future__ import annotations

import re
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


class Label(BaseModel):
    """A finding a video or remote-sensing analysis model may report (未戴口罩, 老鼠, 违法占地…), and
    the kinds of device that may report it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    device_kinds: list[Literal[tuple(DeviceKind.values)]] = Field(min_length=1)  # type: ignore[valid-type]


READING_KINDS = ("threshold", "duration", "rate")


class Rule(BaseModel):
    """threshold: one reading beyond the value; duration: beyond it for `minutes` without a reading
    back inside; rate: the change per minute from the previous reading beyond the value; silence:
    no reading for `minutes`; detections: at least `count` detections of one of `labels` with at
    least `min_confidence` by one device within `minutes` (a detection exactly `minutes` earlier is
    outside the window)."""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: Literal["threshold", "duration", "rate", "silence", "detections"]
    device_kinds: list[Literal[tuple(DeviceKind.values)]] = Field(min_length=1)  # type: ignore[valid-type]
    quantity: str = ""
    op: Literal[">", ">=", "<", "<="] = ">"
    value: float = 0
    minutes: int = Field(default=0, ge=0, le=60 * 24 * 30)
    labels: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0, ge=0, le=1)
    count: int = Field(default=1, ge=1, le=10_000)
    level: Literal[tuple(Level.values)]  # type: ignore[valid-type]
    merge_minutes: int = Field(ge=0, le=60 * 24 * 30)
    basis: str = ""

    @model_validator(mode="after")
    def _complete(self):
        if self.kind in READING_KINDS and not self.quantity:
            raise ValueError("a reading rule names its quantity")
        if self.kind in ("duration", "silence", "detections") and self.minutes < 1:
            raise ValueError("a duration, silence or detections rule needs minutes of at least 1")
        if self.kind == "detections" and (not self.labels or self.quantity):
            raise ValueError("a detections rule names its labels and no quantity")
        if self.kind != "detections" and (self.labels or self.min_confidence or self.count != 1):
            raise ValueError("labels, min_confidence and count belong to detections rules")
        return self


class MonitoringPolicy(PolicyBase):
    future_tolerance_minutes: int = Field(ge=0, le=60)
    max_readings_per_call: int = Field(ge=1, le=100_000)
    offline_after_minutes: int = Field(ge=1)
    max_detections_per_call: int = Field(default=100, ge=1, le=10_000)
    max_image_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, le=32 * 1024 * 1024)
    quantities: dict[str, Quantity]
    labels: dict[str, Label] = Field(default_factory=dict)
    rules: list[Rule]

    @model_validator(mode="after")
    def _known(self):
        codes = [rule.code for rule in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError("rule codes must be unique")
        for rule in self.rules:
            if rule.quantity and rule.quantity not in self.quantities:
                raise ValueError(f"rule {rule.code}: unknown quantity {rule.quantity}")
            for label in rule.labels:
                if label not in self.labels:
                    raise ValueError(f"rule {rule.code}: unknown label {label}")
        for code in self.labels:
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,31}", code):
                raise ValueError(f"label {code}: a code is at most 32 lowercase letters, digits and _")
        return self


register_policy("monitoring", DATA / "policy.json", MonitoringPolicy, _("Non-site monitoring"))


def policy() -> dict[str, Any]:
    return current_policy("monitoring")
