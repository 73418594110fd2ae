"""National risk warnings (国家风险预警): the national system pushes warnings by region and item
through the gateway; each is checked field by field, refused with bilingual reasons or taken as a
`national_warning` signal, and the call is logged and receipted as record submissions are. When
the alert is handled, `feedback.reply` renders the feedback in the same message format and
`feedback.queue_reply` pushes it to the national system after each step.

Message format (the stand-in's and ours; the national document is not public, so the field names
follow the record push format's style): a JSON array, or {"warnings": [...]}, each
{"warningId", "issuedAt" (ISO 8601 with offset), "level" (1 红 … 4 蓝), "regionCode" (GB/T 2260),
"itemCode" (14-digit catalogue code, optional), "subjectCode" (USCC, optional), "subjectName",
"title", "content"}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from jianguan.alerts.choices import Level, SignalKind
from jianguan.alerts.feedback import reply  # noqa: F401 (the feedback, rendered and pushed, lives there)
from jianguan.alerts.models import Signal
from jianguan.alerts.services import Incoming, raise_signal
from jianguan.core.codes import CodeError, validate_uscc
from jianguan.core.errors import DomainError, FieldError, lazy_format
from jianguan.core.models import Region
from jianguan.core.text import first_forbidden
from jianguan.exchange.models import SourceSystem
from jianguan.exchange.services import check_rate, check_size, log_message, receipt
from jianguan.platform.importing import field_errors
from jianguan.subjects.models import Subject

LEVELS = {1: Level.RED, 2: Level.ORANGE, 3: Level.YELLOW, 4: Level.BLUE}
MAX_WARNINGS = 1000


class NationalWarning(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    warningId: str = Field(min_length=1, max_length=64)  # noqa: N815 (the message's own names)
    issuedAt: dt.datetime  # noqa: N815
    level: int = Field(ge=1, le=4)
    regionCode: str = Field(pattern=r"^\d{6}$")  # noqa: N815
    itemCode: str = Field(default="", pattern=r"^(\d{14})?$")  # noqa: N815
    subjectCode: str = Field(default="", max_length=18)  # noqa: N815
    subjectName: str = Field(default="", max_length=200)  # noqa: N815
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=4000)

    @field_validator("issuedAt")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("the time needs its offset")
        return value


def _check(position: int, raw: Any) -> NationalWarning | list[FieldError]:
    if isinstance(raw, dict):
        for value in raw.values():
            if isinstance(value, str) and first_forbidden(value) is not None:
                return [
                    FieldError("warning", _("The warning holds a control character."), "forbidden_character", position)
                ]
    try:
        warning = NationalWarning.model_validate(raw)
    except ValidationError as exc:
        return field_errors(exc.errors(), position)
    if warning.subjectCode:
        try:
            warning.subjectCode = validate_uscc(warning.subjectCode)
        except CodeError as exc:
            return [FieldError("subjectCode", exc.message, exc.code, position)]
    if warning.issuedAt > timezone.now() + dt.timedelta(minutes=5):
        return [FieldError("issuedAt", _("The time is in the future."), "future_time", position)]
    if not Region.objects.filter(code=warning.regionCode).exists():
        return [FieldError("regionCode", _("Unknown administrative division code."), "unknown_region", position)]
    return warning


def receive(source: SourceSystem, client: Any, body: bytes) -> dict[str, Any]:
    """One national call: every warning taken, a duplicate or refused with its reasons; receipted."""
    now = timezone.now()
    check_rate(source, now)
    check_size(source, len(body))
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise DomainError("invalid_json", _("The request body is not JSON (UTF-8).")) from None
    if isinstance(data, dict):
        data = data.get("warnings")
    if not isinstance(data, list):
        raise DomainError("not_a_list", _('Send a JSON array of warnings, or {"warnings": [...]}.'))
    if len(data) > MAX_WARNINGS:
        raise DomainError("too_many_warnings", lazy_format(_("At most %(n)d warnings per call."), {"n": MAX_WARNINGS}))
    errors: list[FieldError] = []
    accepted, duplicates, alerts = 0, 0, []
    for position, raw in enumerate(data, start=1):
        checked = _check(position, raw)
        if isinstance(checked, list):
            errors += checked
            continue
        if Signal.objects.filter(kind=SignalKind.NATIONAL, reference=checked.warningId).exists():
            duplicates += 1
            continue
        subject = Subject.objects.filter(uscc=checked.subjectCode).first() if checked.subjectCode else None
        alert = raise_signal(
            Incoming(
                kind=SignalKind.NATIONAL,
                reference=checked.warningId,
                level=LEVELS[checked.level],
                at=checked.issuedAt,
                summary=f"国家风险预警：{checked.title}",
                region=checked.regionCode,
                subject_id=subject.pk if subject else None,
                rule=checked.itemCode,
                rule_name=checked.title,
                detail=checked.model_dump(mode="json"),
            ),
            now=now,
        )
        accepted += 1
        if alert is not None:
            alerts.append(alert.number)
    rejected = len({e.row for e in errors})
    counts = {"received": len(data), "accepted": accepted, "rejected": rejected, "duplicates": duplicates}
    message = log_message(source, client, body, now, 200, counts)
    return {
        **counts,
        "alerts": alerts,
        "errors": [e.as_dict() for e in errors],
        "receipt": receipt(message),
        "signature": message.receipt_signature,
    }
