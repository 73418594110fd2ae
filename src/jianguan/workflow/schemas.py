"""The shape of a workflow definition: states, actions, roles, evidence flags and SLAs, as data."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class Sla(BaseModel):
    working_days: int | None = Field(None, ge=1, le=365)
    hours: int | None = Field(None, ge=1, le=24 * 90)

    @model_validator(mode="after")
    def _one_unit(self) -> Sla:
        if (self.working_days is None) == (self.hours is None):
            raise ValueError("an SLA gives exactly one of working_days or hours")
        return self


class StateSpec(BaseModel):
    label: str
    label_en: str = ""
    final: bool = False
    sla: Sla | None = None


class ActionSpec(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    label_en: str = ""
    sources: list[str] = Field(min_length=1, alias="from")
    target: str = Field(alias="to")
    roles: list[str] = Field(min_length=1)
    evidence_required: bool = False
    comment_required: bool = False


class WorkflowSpec(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str = ""
    initial: str
    states: dict[str, StateSpec]
    actions: list[ActionSpec]
    overall_sla: Sla | None = None
    warn_ratio: float = Field(0.75, gt=0, lt=1)
    # When set, the warning (yellow card) starts this long before a deadline instead of at warn_ratio.
    warn_before: Sla | None = None
    escalate_every: Sla = Sla(working_days=1)

    @model_validator(mode="after")
    def _consistent(self) -> WorkflowSpec:
        if self.initial not in self.states:
            raise ValueError(f"initial state {self.initial!r} is not a state")
        if self.states[self.initial].final:
            raise ValueError("the initial state cannot be final")
        codes = [a.code for a in self.actions]
        if len(codes) != len(set(codes)):
            raise ValueError("action codes must be unique")
        for action in self.actions:
            for name in [*action.sources, action.target]:
                if name not in self.states:
                    raise ValueError(f"action {action.code!r} names unknown state {name!r}")
            if any(self.states[s].final for s in action.sources):
                raise ValueError(f"action {action.code!r} leaves a final state")
        return self

    def action(self, code: str) -> ActionSpec | None:
        return next((a for a in self.actions if a.code == code), None)
