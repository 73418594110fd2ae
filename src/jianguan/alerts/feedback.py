"""The feedback on national risk warnings (国家风险预警反馈): rendered in the warnings' message format
(`reply`), and pushed to the national system after each handling step of an alert that holds them
(`queue_reply`), through the gateway's national outbox: the same pushes, retries and backoff as
records, one message per warning and step, its id fixed by that step so a repeat is stored once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jianguan.alerts.choices import SignalKind
from jianguan.alerts.models import Alert
from jianguan.exchange.national import feedback_message
from jianguan.exchange.outbox import queue_message

KIND = "warning_feedback"


def reply(alert: Alert) -> list[dict[str, Any]]:
    """The feedback on each national warning the alert holds, in the warnings' message format."""
    steps = list(alert.item.transitions.order_by("at", "pk"))
    return [
        {
            "warningId": signal.reference,
            "alertNumber": alert.number,
            "status": "closed" if not alert.is_open else "handling",
            "signedAt": alert.signed_at.isoformat() if alert.signed_at else None,
            "verdict": alert.verdict or None,
            "verdictReason": alert.verdict_reason or None,
            "disposal": alert.disposal or None,
            "disposalReference": alert.disposal_ref or None,
            "closedAt": alert.closed_at.isoformat() if alert.closed_at else None,
            "steps": [{"action": t.action, "at": t.at.isoformat(), "comment": t.comment} for t in steps],
        }
        for signal in alert.signals.filter(kind=SignalKind.NATIONAL).order_by("at", "pk")
    ]


def queue_reply(alert: Alert, event: str, now: dt.datetime) -> int:
    """After a handling step (inside its transaction): one feedback message per national warning the
    alert holds, queued for the national system. Returns how many were queued (0 without any)."""
    if not alert.signals.filter(kind=SignalKind.NATIONAL).exists():
        return 0
    step = alert.item.transitions.order_by("-at", "-pk").values_list("pk", flat=True).first()
    queued = 0
    for index, feedback in enumerate(reply(alert), start=1):
        message_id = f"FB{step}-{index}"
        queued += queue_message(message_id, KIND, feedback_message(message_id, {**feedback, "event": event}, now), now)
    return queued
