"""`{% load complaints_display %}`: `{{ order.due_at|deadline }}` reads "2026-12-09 当日内", not "2026-12-10 00:00"."""

from django import template

from jianguan.complaints import display

register = template.Library()


@register.filter
def deadline(value):
    return display.deadline_text(value) or "—"
