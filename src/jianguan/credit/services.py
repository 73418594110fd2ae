"""Writes of credit supervision: credit records from supervision actions, and their publication.

A record's publication window comes from the rule version in force on its decision date. The
daily refresh switches publication on and off by the window, so publication starts and stops by
itself; a repaired record stops at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jianguan.audit.services import record_event
from jianguan.core.calendar import WorkingCalendar
from jianguan.credit.models import CreditRecord, PublicationRuleSet
from jianguan.credit.rules import decide
from jianguan.records.models import Record


def _facts(record: Record) -> tuple[str, dict[str, Any], str]:
    details = record.details or {}
    if record.kind == "penalty":
        kinds = details.get("kinds") or []
        title = f"行政处罚 {record.document_no or details.get('decision_no', '')}".strip()
        return (
            "penalty",
            {
                "kind": "penalty",
                "procedure": details.get("procedure"),
                "kinds": kinds,
                "fine_amount": details.get("fine_amount"),
            },
            title,
        )
    return "spotcheck", {"kind": "spotcheck"}, f"双随机抽查 {record.result}".strip()


def credit_sources():
    """The supervision actions that become credit records: penalties and spot-check inspections."""
    return Record.objects.filter(is_deleted=False).filter(Q(kind="penalty") | (Q(kind="inspection") & ~Q(plan_id="")))


def sync_credit_records(records=None, actor: Any = None) -> int:
    """Create or update the credit records of these supervision actions (default: all); returns how many."""
    versions = list(PublicationRuleSet.objects.order_by("effective_from"))
    calendar = WorkingCalendar.load()
    records = records if records is not None else credit_sources()
    count = 0
    fields = [
        "subject_id",
        "kind",
        "title",
        "decided_on",
        "rule_version",
        "rule_name",
        "level",
        "publish_due",
        "publish_from",
        "publish_until",
    ]
    pending: list[CreditRecord] = []

    def flush() -> None:
        CreditRecord.objects.bulk_create(
            pending, update_conflicts=True, unique_fields=["record"], update_fields=[*fields, "updated_at"]
        )
        pending.clear()

    now = timezone.now()
    with transaction.atomic():
        for record in records.iterator(chunk_size=2000):
            kind, facts, title = _facts(record)
            decision = decide(versions, record.action_date, facts)
            if decision is None:
                continue
            publish = decision.publish
            pending.append(
                CreditRecord(
                    record_id=record.pk,
                    subject_id=record.subject_id,
                    kind=kind,
                    title=title[:300],
                    decided_on=record.action_date,
                    rule_version=decision.version,
                    rule_name=decision.rule,
                    level=decision.level,
                    publish_due=calendar.add_working_days(record.action_date, decision.within_working_days)
                    if publish
                    else None,
                    publish_from=record.action_date if publish else None,
                    publish_until=record.action_date + relativedelta(months=decision.months) if publish else None,
                    updated_at=now,
                )
            )
            count += 1
            if len(pending) >= 2000:
                flush()
        flush()
        record_event(actor, "credit.sync", "credit_record", after={"records": count})
    refresh_publication()
    return count


def refresh_publication(today: dt.date | None = None, actor: Any = None) -> dict[str, int]:
    """Publish what is inside its window today; withdraw what is outside it, or repaired."""
    today = today or timezone.localdate()
    inside = Q(publish_from__lte=today, publish_until__gt=today, repaired_at__isnull=True)
    with transaction.atomic():
        started = CreditRecord.objects.filter(inside, is_public=False).update(is_public=True)
        stopped = CreditRecord.objects.filter(is_public=True).exclude(inside).update(is_public=False)
        if started or stopped:
            record_event(
                actor,
                "credit.refresh",
                "credit_record",
                after={"on": today.isoformat(), "started": started, "stopped": stopped},
            )
    return {"started": started, "stopped": stopped}
