"""`{% load complaints_display %}`: `{{ order.due_at|deadline }}` reads "2026-12-09 当日内", not "2026-12-10 00:00"."""

from django import template

from jianguan.workflow.labels import deadline_text

register = template.Library()


@register.filter
def deadline(value):
    return deadline_text(value) or "—"
