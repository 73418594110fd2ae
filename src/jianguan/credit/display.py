"""The names people read on the credit screens: publication rules, rule versions and grading schemes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jianguan.credit.jobs import load_model
from jianguan.credit.lists import list_rules

# The publication rules of credit/data/publication_rules.json, by name (the same name in every version).
RULE_LABELS = {
    "simple_procedure": _("Simple procedure (kept off the public record)"),
    "warning_only": _("Warning only (kept off the public record)"),
    "minor": _("Minor violation (kept off the public record)"),
    "criticism_or_low_fine": _("Criticism or a low fine (public for 3 months)"),
    "penalty": _("Administrative sanction"),
    "general": _("Ordinary dishonesty"),
    "serious": _("Grave dishonesty"),
    "spotcheck_result": _("Result of a spot check"),
}
VERSION_LABELS = {
    "ndrc-2019": _("NDRC 2019 rules"),
    "samr-2021": _("SAMR 2021 rules"),
    "ndrc-2026": _("NDRC 2026 rules"),
}


def rule_label(version: str, name: str) -> str:
    """`samr-2021/penalty` as people say it: 行政处罚（市场监管总局 2021 年规定）."""
    rule = str(RULE_LABELS.get(name, _("Publication rule")))
    era = VERSION_LABELS.get(version)
    return f"{rule}（{era}）" if era else rule


def scheme_label(scheme: str) -> str:
    """A grading scheme's name from the risk model in force (national → A/B/C/D（国市监信发〔2022〕6号）)."""
    found = load_model().get("schemes", {}).get(scheme)
    return found["label"] if found and found.get("label") else str(_("Grading scheme"))


# Reasons the services give for a serious listing they make themselves (staff may also type one).
SERIOUS_REASONS = {
    "serious_violation": _("Grave violation of law and dishonesty"),
    "abnormal_three_years": _("Three years on the list of irregular operations"),
}


def reason_label(entry) -> str:
    """Why the subject is on the list, in words (a listing reason's code never shows)."""
    abnormal = list_rules()["abnormal_reasons"]
    if entry.reason in abnormal:
        return abnormal[entry.reason]
    if entry.reason in SERIOUS_REASONS:
        return str(SERIOUS_REASONS[entry.reason])
    return entry.reason
