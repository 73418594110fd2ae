"""`{% load deadlines %}`: `{{ value|deadline }}` names a deadline as people say it (workflow.labels.deadline_text);
`{{ value|deadline_day }}` gives only its last day, for narrow columns."""

from django import template

from jianguan.workflow.labels import deadline_text, last_day

register = template.Library()


@register.filter
def deadline(value) -> str:
    return deadline_text(value)


@register.filter
def deadline_day(value) -> str:
    if value in (None, ""):
        return ""
    return last_day(value)[0].isoformat()
