"""`{% load deadlines %}`: `{{ value|deadline }}` names a deadline as people say it.

A working-day deadline ends at the close of its last working day, stored as 00:00 of the next day;
shown as that midnight it reads a day late ("2026-12-10 00:00" for a matter due on the 9th). A
date, or a moment at local midnight, is shown as its last day with "end of the working day"; an
hour-level deadline (urgent matters) keeps its clock time.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


def last_day(value: dt.date | dt.datetime) -> tuple[dt.date, dt.time | None]:
    """The deadline's day, and its clock time when it is not the end of a day."""
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        if local.time() == dt.time(0):
            return (local - dt.timedelta(microseconds=1)).date(), None
        return local.date(), local.time()
    return value, None


@register.filter
def deadline(value) -> str:
    if value in (None, ""):
        return ""
    day, clock = last_day(value)
    text = formats.date_format(day, "Y-m-d")
    if clock is not None:
        return f"{text} {clock:%H:%M}"
    return _("%(date)s (by the close of the working day)") % {"date": text}


@register.filter
def deadline_day(value) -> str:
    """Only the deadline's last day (for narrow columns), without the clock time."""
    if value in (None, ""):
        return ""
    return formats.date_format(last_day(value)[0], "Y-m-d")
