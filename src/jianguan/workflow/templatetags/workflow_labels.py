"""`{% load workflow_labels %}`: `{{ item|state_label }}`, `{{ item|state_label:code }}`, `{{ item|action_label:code }}`."""

from django import template

from jianguan.workflow import labels

register = template.Library()


@register.filter
def state_label(item, state=None):
    return labels.state_label(item, state)


@register.filter
def action_label(item, action):
    return labels.action_label(item, action)
