"""What each published fact becomes as a signal. Subscribers read only the fact itself (its
payload, subject, department and region), never another application's tables."""

from __future__ import annotations

from jianguan.alerts.choices import ALERT_WORKFLOW, SignalKind
from jianguan.alerts.policy import policy
from jianguan.alerts.services import Incoming, follow_escalation, raise_signal
from jianguan.platform.policies import current_policy


def _default(kind: str) -> str:
    return policy()["default_levels"][kind]


def _raise(
    fact, kind: str, reference: str, summary: str, *, level: str | None = None, rule: str = "", rule_name: str = ""
) -> None:
    raise_signal(
        Incoming(
            kind=kind,
            reference=reference,
            level=level or _default(kind),
            at=fact.at,
            summary=summary,
            region=fact.region,
            subject_id=fact.subject_id,
            department_id=fact.department_id,
            rule=rule,
            rule_name=rule_name,
            detail={"fact": fact.pk, **fact.payload},
        )
    )


def _monitoring_rule_names() -> dict[str, str]:
    """The monitoring rules' names, from the published monitoring policy (data, not its code)."""
    return {rule["code"]: rule["name"] for rule in current_policy("monitoring")["rules"]}


def on_clues(facts: list) -> None:
    for fact in facts:
        p = fact.payload
        name = _monitoring_rule_names().get(p["rule"], p["rule"])
        _raise(
            fact,
            SignalKind.MONITORING,
            f"clue-{fact.object_id}",
            f"{name}（监测线索 {p['number']}）",
            level=p["level"],
            rule=p["rule"],
            rule_name=name,
        )


def on_surges(facts: list) -> None:
    for fact in facts:
        p = fact.payload
        _raise(
            fact,
            SignalKind.SURGE,
            f"surge-{fact.object_id}",
            f"12345 诉求激增：{p.get('week', '')} 一周 {p.get('count')} 件（阈值 {p.get('threshold')}）",
            rule=str(p.get("class", "")),
            rule_name=str(p.get("class_name") or p.get("class", "")),
        )


def on_grades(facts: list) -> None:
    """A downgrade to a worse grade (later letters are riskier)."""
    for fact in facts:
        p = fact.payload
        if not p.get("from") or not p.get("to") or p["to"] <= p["from"]:
            continue
        _raise(fact, SignalKind.DOWNGRADE, f"grade-{fact.pk}", f"信用风险等级由 {p['from']} 降为 {p['to']}")


def on_listings(facts: list) -> None:
    for fact in facts:
        _raise(fact, SignalKind.LISTING, f"list-{fact.object_id}", "列入信用名录")


def on_spot_checks(facts: list) -> None:
    for fact in facts:
        if fact.payload.get("finding"):
            _raise(fact, SignalKind.SPOT_CHECK, f"task-{fact.object_id}", "双随机抽查发现问题")


def on_campaigns(facts: list) -> None:
    for fact in facts:
        _raise(fact, SignalKind.CAMPAIGN, f"campaign-{fact.pk}", "专项整治检查发现问题")


def on_escalations(facts: list) -> None:
    """An overdue alert escalated by the workflow engine moves to the superior department."""
    for fact in facts:
        p = fact.payload
        if p.get("workflow") == ALERT_WORKFLOW:
            follow_escalation(int(fact.object_id), p["from"], p["to"], p.get("level", 0))
