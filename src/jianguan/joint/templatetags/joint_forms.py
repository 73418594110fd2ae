"""`{% joint_form "<kind>_<action>" target as form %}`: the form of one step of the joint screens.

A page gets its forms here rather than from its view, so that `views.act` can show a refused post
again on the page the form lives on (through that page's own view) with the errors beside the
fields: the refused, bound form travels on the request as `refused_form`."""

from __future__ import annotations

from typing import Any

from django import template

from jianguan.joint.forms import STEP_FORMS, JointForm

register = template.Library()


@register.simple_tag(takes_context=True)
def joint_form(context: template.Context, name: str, target: Any = None) -> JointForm:
    request = context["request"]
    refused = getattr(request, "refused_form", None)
    if refused is not None and refused[0] == name:
        return refused[1]
    return STEP_FORMS[name](request.user, target=target)
