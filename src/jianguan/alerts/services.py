"""Alerts: signals from every application fused into one open alert per subject (or per region and
kind when no subject is named), scored with each signal's contribution shown, and handled on the
`alerts_handle` workflow: 签收 → 研判 → 处置 → 反馈 → 办结, deadlines per level."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import require_department_staff
from jianguan.alerts.choices import ALERT_WORKFLOW, SEVERITY, Disposal, Verdict
from jianguan.alerts.feedback import queue_reply
from jianguan.alerts.models import Alert, Signal
from jianguan.alerts.policy import WORKFLOW, policy
from jianguan.audit.services import record_event
from jianguan.core.codes import issue_number
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, Region
from jianguan.facts.services import publish
from jianguan.joint.models import Campaign
from jianguan.joint.services import add_campaign_target, send_notice
from jianguan.platform.services import region_chain
from jianguan.rectification.choices import SourceKind
from jianguan.rectification.services import open_rectification
from jianguan.spotcheck.models import Batch
from jianguan.spotcheck.services import add_to_risk_selection
from jianguan.subjects.models import Subject
from jianguan.workflow.models import WorkflowDefinition
from jianguan.workflow.schemas import Sla
from jianguan.workflow.services import define_workflow, perform_action, set_state_deadline, start_workflow


def setup() -> None:
    define_workflow(json.loads(WORKFLOW.read_text(encoding="utf-8")))


def _ensure_workflow() -> None:
    if not WorkflowDefinition.objects.filter(code=ALERT_WORKFLOW, is_active=True).exists():
        setup()


@dataclass
class Incoming:
    """A signal as a subscriber hands it over."""

    kind: str
    reference: str
    level: str
    at: dt.datetime
    summary: str
    region: str
    subject_id: int | None = None
    department_id: int | None = None
    rule: str = ""
    rule_name: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def handling_department(region: str) -> Department | None:
    """The unit of the policy's handling sector nearest the region (county, else city, else province)."""
    chain = region_chain(region)
    units = {
        d.region_id: d
        for d in Department.objects.filter(
            is_active=True, sector__code=policy()["handling_sector"], region_id__in=chain
        ).order_by("-path")
    }
    return next((units[code] for code in chain if code in units), None)


def fingerprint(incoming: Incoming) -> str:
    if incoming.subject_id:
        return f"subject:{incoming.subject_id}"
    return f"region:{incoming.region}:{incoming.kind}:{incoming.rule}"[:96]


def fuse(signals: list[Signal], subject: Subject | None, now: dt.datetime) -> tuple[float, dict[str, float]]:
    """The fusion score: each signal weighted by its kind and level and halved every half-life, plus
    the subject's risk grade; returns the score and each part's contribution."""
    settings = policy()
    parts: dict[str, float] = {}
    for signal in signals:
        age = max((now - signal.at).total_seconds() / 86400, 0.0)
        points = (
            settings["weights"][signal.kind]
            * settings["level_factor"][signal.level]
            * 0.5 ** (age / settings["half_life_days"])
        )
        parts[signal.kind] = parts.get(signal.kind, 0.0) + points
    grade = getattr(subject, "risk_grade", "") or ""
    if grade in settings["risk_grade_points"] and settings["risk_grade_points"][grade]:
        parts["risk_grade"] = settings["risk_grade_points"][grade]
    parts = {k: round(v, 2) for k, v in parts.items()}
    return round(sum(parts.values()), 2), parts


def level_for(score: float, signal_levels: list[str]) -> str:
    by_score = next(level for level, floor in policy()["levels_by_score"] if score >= floor)
    return max([by_score, *signal_levels], key=lambda level: SEVERITY[level])


def raise_signal(incoming: Incoming, now: dt.datetime | None = None) -> Alert | None:
    """Add a signal to the open alert of its fingerprint, or raise a new alert; a signal already
    taken (same kind and reference) is ignored. Returns the alert, or None."""
    now = now or timezone.now()
    if Signal.objects.filter(kind=incoming.kind, reference=incoming.reference).exists():
        return None
    department = (
        Department.objects.filter(pk=incoming.department_id).first() if incoming.department_id else None
    ) or handling_department(incoming.region)
    if department is None:
        return None
    subject = Subject.objects.filter(pk=incoming.subject_id).first() if incoming.subject_id else None
    _ensure_workflow()
    key = fingerprint(incoming)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(fingerprint=key, is_open=True).first()
        created = alert is None
        if created:
            alert = _new_alert(incoming, key, subject, department, now)
        Signal.objects.create(
            alert=alert,
            subject=subject,
            kind=incoming.kind,
            rule=incoming.rule,
            rule_name=incoming.rule_name[:200],
            reference=incoming.reference,
            level=incoming.level,
            at=incoming.at,
            summary=incoming.summary[:255],
            detail=incoming.detail,
        )
        signals = list(alert.signals.all())
        alert.score, alert.contributions = fuse(signals, subject, now)
        alert.level = level_for(alert.score, [s.level for s in signals])
        alert.sources = sorted({s.kind for s in signals})
        alert.save(update_fields=["score", "contributions", "level", "sources"])
        event = record_event(
            None,
            "alerts.raise" if created else "alerts.signal",
            "alert",
            alert.pk,
            after={"signal": f"{incoming.kind}:{incoming.reference}", "level": alert.level, "score": alert.score},
        )
        if created:
            publish(
                "alerts.raised",
                department=department,
                region=alert.region_id,
                subject=subject,
                object_type="alert",
                object_id=alert.pk,
                payload={"number": alert.number, "level": alert.level, "sources": alert.sources},
                audit_event=event,
            )
    return alert


def _new_alert(incoming: Incoming, key: str, subject, department: Department, now: dt.datetime) -> Alert:
    deadlines = policy()["deadlines"][incoming.level]
    number = issue_number("YJ", now)
    place = (
        subject.name if subject else Region.objects.filter(code=incoming.region).values_list("name", flat=True).first()
    )
    title = f"{place or incoming.region}：{incoming.summary}"[:255]
    item = start_workflow(
        ALERT_WORKFLOW,
        reference=number,
        title=title,
        department=department,
        now=now,
        region_id=subject.region_id if subject and subject.region_id else incoming.region,
        overall_sla=Sla(working_days=deadlines["handle_working_days"]),
    )
    set_state_deadline(item, now + dt.timedelta(hours=deadlines["sign_hours"]))
    try:
        with transaction.atomic():
            return Alert.objects.create(
                number=number,
                fingerprint=key,
                subject=subject,
                region_id=item.region_id,
                department=department,
                level=incoming.level,
                title=title,
                sign_due_at=now + dt.timedelta(hours=deadlines["sign_hours"]),
                item=item,
                raised_at=now,
            )
    except IntegrityError:
        raise DomainError("alert_exists", _("An open alert with this fingerprint exists."), status=409) from None


# ---------------------------------------------------------------- handling


def _act(alert: Alert, action: str, actor: Any, comment: str = "", now: dt.datetime | None = None) -> None:
    require_department_staff(actor, alert.department)
    perform_action(alert.item, action, actor, comment=comment, now=now)


def sign(alert: Alert, actor: Any, now: dt.datetime | None = None) -> Alert:
    now = now or timezone.now()
    with transaction.atomic():
        _act(alert, "sign", actor, now=now)
        alert.signed_at = now
        alert.save(update_fields=["signed_at"])
        queue_reply(alert, "sign", now)
    return alert


def verify(alert: Alert, actor: Any, verdict: str, reason: str, now: dt.datetime | None = None) -> Alert:
    """研判: true or not determinable goes on to 处置; false closes the alert."""
    if verdict not in Verdict.values:
        raise DomainError("unknown_verdict", _("The verdict is true, false or not determinable."))
    if not reason.strip():
        raise DomainError("reason_required", _("Give the reason for the verdict."))
    now = now or timezone.now()
    with transaction.atomic():
        _act(alert, "dismiss" if verdict == Verdict.FALSE else "verify", actor, reason.strip(), now)
        alert.verdict, alert.verdict_reason = verdict, reason.strip()
        alert.save(update_fields=["verdict", "verdict_reason"])
        if verdict == Verdict.FALSE:
            _closed(alert, now)
        queue_reply(alert, "dismiss" if verdict == Verdict.FALSE else "verify", now)
    return alert


def dispose(
    alert: Alert,
    actor: Any,
    disposal: str,
    note: str,
    *,
    requirement: str = "",
    recipient: Department | None = None,
    batch: Batch | None = None,
    campaign: Campaign | None = None,
    origin_url: str = "",
    now: dt.datetime | None = None,
) -> Alert:
    """处置, with a note saying what was done, and its reference kept on the alert:
    - a rectification order for the subject (its number);
    - a case referral: a notice to the named department that it answers within the policy's working
      days (`notice-<id>`), there being no case system of our own;
    - the subject on the risk selection of one of the department's spot-check batches whose seed is
      not yet committed, drawn for certain (`batch-<id>`), or on a running campaign's targets
      (`campaign-<id>`);
    - a notice to another department (`notice-<id>`)."""
    if disposal not in Disposal.values:
        raise DomainError("unknown_disposal", _("Unknown way of dealing with the alert."))
    if not note.strip():
        raise DomainError("note_required", _("Say what was done."))
    if disposal in (Disposal.RECTIFICATION, Disposal.SPOT_CHECK, Disposal.CAMPAIGN) and alert.subject is None:
        raise DomainError("no_subject", _("This way of dealing with the alert needs the alert's subject."))
    _check_disposal(alert, disposal, recipient, batch, campaign)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _act(alert, "dispose", actor, note.strip(), now)
            reference = _carry_out(
                alert, actor, disposal, note.strip(), requirement, recipient, batch, campaign, origin_url, now
            )
            alert.disposal, alert.disposal_ref = disposal, reference
            alert.save(update_fields=["disposal", "disposal_ref"])
            queue_reply(alert, "dispose", now)
    except DomainError:
        alert.item.refresh_from_db()  # the step was rolled back: the item as stored
        raise
    return alert


def _check_disposal(alert: Alert, disposal: str, recipient, batch, campaign) -> None:
    """What a disposal needs, refused before any step is taken."""
    if disposal == Disposal.SPOT_CHECK:
        if batch is None:
            raise DomainError("batch_required", _("Choose the spot-check batch."))
        if batch.plan.department_id != alert.department_id:
            raise DomainError("batch_of_another_department", _("Choose a batch of the alert's department."))
    elif disposal == Disposal.CAMPAIGN:
        if campaign is None:
            raise DomainError("campaign_required", _("Choose the campaign."))
        if campaign.lead_id != alert.department_id:
            raise DomainError("campaign_of_another_department", _("Choose a campaign the alert's department leads."))
    elif disposal in (Disposal.NOTIFY, Disposal.REFER) and recipient is None:
        raise DomainError("recipient_required", _("Name the department to notify."))


def _carry_out(alert, actor, disposal, note, requirement, recipient, batch, campaign, origin_url, now) -> str:
    """Do what the disposal says, through the owning application's services; its reference."""
    if disposal == Disposal.RECTIFICATION:
        order, _code = open_rectification(
            SourceKind.ALERT,
            alert.number,
            alert.subject,
            alert.department,
            (requirement or note).strip(),
            actor=actor,
            now=now,
        )
        return order.number
    if disposal == Disposal.SPOT_CHECK:
        add_to_risk_selection(
            batch, alert.subject, origin=alert.number, origin_url=origin_url, reason=note, actor=actor, now=now
        )
        return f"batch-{batch.pk}"
    if disposal == Disposal.CAMPAIGN:
        add_campaign_target(campaign, alert.subject, origin=alert.number, actor=actor)
        return f"campaign-{campaign.pk}"
    referral = disposal == Disposal.REFER
    notice = send_notice(
        alert.department,
        [recipient],
        title=(f"案件移送：{alert.title}" if referral else f"风险预警抄告：{alert.title}")[:200],
        body=note,
        actor=actor,
        subject=alert.subject,
        case_reference=alert.number,
        reply_within=policy()["referral_reply_working_days"] if referral else None,
        now=now,
    )
    return f"notice-{notice.pk}"


def feedback(alert: Alert, actor: Any, note: str, now: dt.datetime | None = None) -> Alert:
    if not note.strip():
        raise DomainError("note_required", _("Say what was done."))
    now = now or timezone.now()
    with transaction.atomic():
        _act(alert, "feedback", actor, note.strip(), now)
        queue_reply(alert, "feedback", now)
    return alert


def close(alert: Alert, actor: Any, now: dt.datetime | None = None) -> Alert:
    now = now or timezone.now()
    with transaction.atomic():
        _act(alert, "close", actor, now=now)
        _closed(alert, now)
        queue_reply(alert, "close", now)
    return alert


def _closed(alert: Alert, now: dt.datetime) -> None:
    alert.is_open, alert.closed_at = False, now
    alert.save(update_fields=["is_open", "closed_at"])
    publish(
        "alerts.closed",
        department=alert.department,
        region=alert.region_id,
        subject=alert.subject,
        object_type="alert",
        object_id=alert.pk,
        payload={
            "number": alert.number,
            "level": alert.level,
            "verdict": alert.verdict,
            "sources": alert.sources,
            "signed_on_time": bool(alert.signed_at and alert.signed_at <= alert.sign_due_at),
            "closed_on_time": bool(alert.item.due_at is None or now <= alert.item.due_at),
        },
    )


def follow_escalation(item_id: int, from_department: int, to_department: int, level: int) -> Alert | None:
    """The workflow engine escalated the alert's item: the alert (its queue, its scope, who may act)
    moves to the superior department too. Idempotent: an alert no longer at `from_department` (the
    fact delivered again, or a later move already taken) is left as it is."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(item_id=item_id, is_open=True).first()
        if alert is None or alert.department_id != from_department:
            return None
        superior = Department.objects.get(pk=to_department)
        alert.department = superior
        alert.save(update_fields=["department"])
        record_event(
            None,
            "alerts.escalate",
            "alert",
            alert.pk,
            before={"department": from_department},
            after={"department": to_department, "level": level},
        )
    return alert


# ---------------------------------------------------------------- measured quality


def _hours(start: dt.datetime, end: dt.datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 3600


def quality(alerts) -> list[dict[str, Any]]:
    """Per source kind and rule: alerts raised, verified true / false / not determinable, precision
    (true ÷ (true + false)), median hours to 签收 and to 办结, and whether it is due for review."""
    settings = policy()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for alert in alerts.prefetch_related("signals"):
        for kind, rule, name in {(s.kind, s.rule, s.rule_name) for s in alert.signals.all()}:
            row = rows.setdefault(
                (kind, rule),
                {
                    "kind": kind,
                    "rule": rule,
                    "rule_name": name or rule,
                    "raised": 0,
                    "true": 0,
                    "false": 0,
                    "undetermined": 0,
                    "sign": [],
                    "close": [],
                },
            )
            row["raised"] += 1
            if alert.verdict:
                row[alert.verdict] += 1
            if (hours := _hours(alert.raised_at, alert.signed_at)) is not None:
                row["sign"].append(hours)
            if (hours := _hours(alert.raised_at, alert.closed_at)) is not None:
                row["close"].append(hours)
    out = []
    for row in rows.values():
        judged = row["true"] + row["false"]
        precision = row["true"] / judged if judged else None
        out.append(
            {
                **{k: v for k, v in row.items() if k not in ("sign", "close")},
                "precision": precision,
                "median_hours_to_sign": statistics.median(row["sign"]) if row["sign"] else None,
                "median_hours_to_close": statistics.median(row["close"]) if row["close"] else None,
                "review": precision is not None
                and judged >= settings["review_min_verified"]
                and precision < settings["review_precision_below"],
            }
        )
    return sorted(out, key=lambda r: (r["kind"], r["rule"]))
