"""The names people read for a workflow's states and actions, in the language of the request.

A definition carries each label in Chinese (`label`) and English (`label_en`); screens never show
the codes. Labels are read from the item's own definition version, so an item keeps the words it
was started with. Select `item__definition` with the rows to read them without a query each.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import get_language, gettext

from jianguan.workflow.models import WorkflowDefinition, WorkflowItem


def _pick(pair: tuple[str, str] | None, code: str) -> str:
    if pair is None:
        return code
    return pair[1] if (get_language() or "").startswith("en") else pair[0]


def state_label(item: WorkflowItem, state: str | None = None) -> str:
    """The name of `state` (default: the item's current state) in the item's definition."""
    code = item.state if state is None else state
    found = item.definition.spec["states"].get(code)
    return _pick(found and (found["label"], found.get("label_en") or found["label"]), code)


# Steps the engine itself records, in no definition: (Chinese, English).
ENGINE_ACTIONS = {
    "escalate": ("超期升级至上级部门", "Escalated to the superior department"),
    "extend": ("延长期限", "Deadline extended"),
}


def action_label(item: WorkflowItem, action: str) -> str:
    found = next((a for a in item.definition.spec["actions"] if a["code"] == action), None)
    if found is None:
        return _pick(ENGINE_ACTIONS.get(action), action)
    return _pick((found["label"], found.get("label_en") or found["label"]), action)


def state_labels(code: str) -> dict[str, str]:
    """Every state of the newest version of workflow `code`, with its name (for filters and legends)."""
    definition = WorkflowDefinition.objects.filter(code=code).order_by("-version").first()
    if definition is None:
        return {}
    return {
        state: _pick((spec["label"], spec.get("label_en") or spec["label"]), state)
        for state, spec in definition.spec["states"].items()
    }


def last_day(value: dt.date | dt.datetime) -> tuple[dt.date, dt.time | None]:
    """A deadline's day, and its clock time when it is not the end of a day (00:00 closes the day before)."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if local.time() == dt.time(0):
            return (local - dt.timedelta(microseconds=1)).date(), None
        return local.date(), local.time()
    return value, None


def deadline_text(moment: dt.date | dt.datetime | None) -> str:
    """A deadline as people read it. A working-day deadline is the close (24:00) of its last day,
    stored as 00:00 of the next: it reads "2026-12-09（当日内）", never "2026-12-10 00:00". A date
    reads the same way; an hour-level deadline (urgent matters) keeps its time."""
    if moment in (None, ""):
        return ""
    day, clock = last_day(moment)
    if clock is None:
        return gettext("%(date)s (by close of day)") % {"date": day.isoformat()}
    return gettext("%(time)s (before)") % {"time": f"{day.isoformat()} {clock:%H:%M}"}
