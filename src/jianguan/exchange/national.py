"""The push format towards the national 互联网+监管 system, shared by the outbox and the stand-in.

No national interface text could be obtained (reference/domain.md §1). What is known is the
metadata of the national behaviour-data sync tables: `cd_id`, `cd_time`, `cd_source` (province
division code plus department code), `cd_batch` (date plus a 5-digit sequence) and `cd_operation`
(i/u/d). Each message carries those and the record in data standard v1, so one schema validates a
record on entry, in the outbox and at the receiving end. `message_id` makes delivery idempotent:
a receiver keeps the first copy of each message id and acknowledges repeats again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, model_validator

from jianguan.core.pii import decrypt
from jianguan.records.models import Record
from jianguan.records.schemas import DELETION_ADAPTER, RECORD_ADAPTER


class NationalMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=32)
    cd_id: str = Field(min_length=1, max_length=64)
    cd_time: dt.datetime
    cd_source: str = Field(pattern=r"^\d{6}[0-9A-Z]{1,20}$")
    cd_batch: str = Field(pattern=r"^\d{13}$")
    cd_operation: Literal["i", "u", "d"]
    record_type: Literal["inspection", "penalty", "coercion", "licence", "other"]
    data: dict[str, Any]

    @model_validator(mode="after")
    def _data_follows_the_standard(self):
        if self.cd_operation == "d":
            DELETION_ADAPTER.validate_python(self.data)
        else:
            RECORD_ADAPTER.validate_python(self.data)
        return self


class FeedbackStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=32)
    at: dt.datetime
    comment: str = Field(default="", max_length=4000)


class WarningFeedback(BaseModel):
    """The feedback on one national risk warning (国家风险预警反馈), in the warnings' own style: the
    warning's id, the alert that handles it, where its handling stands and every step so far."""

    model_config = ConfigDict(extra="forbid")

    warningId: str = Field(min_length=1, max_length=64)  # noqa: N815 (the message's own names)
    alertNumber: str = Field(min_length=1, max_length=20)  # noqa: N815
    event: Literal["sign", "verify", "dismiss", "dispose", "feedback", "close"]
    status: Literal["handling", "closed"]
    signedAt: dt.datetime | None = None  # noqa: N815
    verdict: Literal["true", "false", "undetermined"] | None = None
    verdictReason: str | None = Field(default=None, max_length=4000)  # noqa: N815
    disposal: str | None = Field(default=None, max_length=16)
    disposalReference: str | None = Field(default=None, max_length=64)  # noqa: N815
    closedAt: dt.datetime | None = None  # noqa: N815
    steps: list[FeedbackStep] = Field(default_factory=list, max_length=200)


class FeedbackMessage(BaseModel):
    """A feedback message in a push, beside the record messages (`message_type` tells them apart)."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, max_length=32)
    message_type: Literal["warning_feedback"]
    cd_time: dt.datetime
    cd_source: str = Field(pattern=r"^\d{6}[0-9A-Z]{0,20}$")
    feedback: WarningFeedback


def feedback_message(message_id: str, feedback: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """A warning's feedback as a push message; checked here, as records are on entry."""
    message = {
        "message_id": message_id,
        "message_type": "warning_feedback",
        "cd_time": at.isoformat(),
        "cd_source": settings.NATIONAL_SOURCE_CODE,
        "feedback": feedback,
    }
    FeedbackMessage.model_validate(message)
    return message


class AuditHead(BaseModel):
    """The province's audit chain head when a push was sent; the receiver keeps it and echoes it in
    its answer, so a copy of the chain's progress lives where the province's database user cannot
    reach (`jianguan audit verify --national`)."""

    model_config = ConfigDict(extra="forbid")

    seq: int = Field(ge=1, lt=2**63)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class NationalPush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[NationalMessage] = Field(min_length=1, max_length=5000)
    audit_head: AuditHead | None = None


def department_code(record: Record) -> str:
    return record.department.uscc or str(record.department_id)


def record_payload(record: Record, operation: str = "i") -> dict[str, Any]:
    """The record in data standard v1, as accepted (a citizen's ID number decrypted for the push)."""
    if operation == "d":
        return {"source_id": record.source_id, "deleted": True, "kind": record.kind}
    code = decrypt(record.subject_code_sealed) if record.subject_code_sealed else record.subject_code
    payload = {
        **record.details,
        "kind": record.kind,
        "source_id": record.source_id,
        "item_code": record.item_code,
        "department": department_code(record),
        "subject_nature": record.subject_nature,
        "subject_id_type": record.subject_id_type,
        "subject_code": code,
        "subject_name": record.subject_name,
        "region": record.region_id,
        "action_date": record.action_date.isoformat(),
        "reported_at": record.reported_at.isoformat(),
    }
    for name in ("document_no", "result", "plan_id"):
        if getattr(record, name):
            payload[name] = getattr(record, name)
    return payload


def message_for(message_id: str, operation: str, cd_batch: str, record: Record, at: dt.datetime) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "cd_id": str(record.pk),
        "cd_time": at.isoformat(),
        "cd_source": settings.NATIONAL_SOURCE_CODE + department_code(record),
        "cd_batch": cd_batch,
        "cd_operation": operation,
        "record_type": record.kind,
        "data": record_payload(record, operation),
    }
