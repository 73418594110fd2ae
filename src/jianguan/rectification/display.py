"""Rectification orders on the subject's one-file view."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.records.panels import Panel
from jianguan.rectification.permissions import visible_rectifications
from jianguan.workflow.labels import state_label
from jianguan.workflow.templatetags.deadlines import deadline


def rectification_panel(actor: Any, subject: Any) -> Panel:
    orders = (
        visible_rectifications(actor)
        .filter(subject=subject)
        .select_related("department", "item__definition")
        .order_by("-issued_at")
    )
    rows = [
        (
            timezone.localtime(o.issued_at).strftime("%Y-%m-%d"),
            f"{o.number} · {o.department.name} · {o.requirement[:40]} · {state_label(o.item)} · {deadline(o.due_on)}",
            reverse("rectification:detail", args=[o.pk]),
        )
        for o in orders[:30]
    ]
    return Panel("rectifications", _("Rectification orders (整改)"), rows, orders.count())
