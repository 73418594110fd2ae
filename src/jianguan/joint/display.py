"""Joint work on the subject's one-file view: notices and assistance requests."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.joint.permissions import visible_assistance, visible_notices
from jianguan.records.panels import Panel
from jianguan.workflow.labels import state_label


def _when(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d") if hasattr(value, "hour") else value.isoformat()


def notices_panel(actor: Any, subject: Any) -> Panel:
    notices = visible_notices(actor).filter(subject=subject).select_related("sender").order_by("-sent_at")
    rows = [
        (_when(n.sent_at), f"{n.sender.name} · {n.title}", reverse("joint:notice", args=[n.pk])) for n in notices[:30]
    ]
    return Panel("notices", _("Notices (抄告)"), rows, notices.count())


def assistance_panel(actor: Any, subject: Any) -> Panel:
    requests = (
        visible_assistance(actor).filter(subject=subject).select_related("requester", "assignee", "item__definition")
    )
    rows = [
        (
            _when(r.requested_at),
            f"{r.number} · {r.requester.name} → {r.assignee.name} · {state_label(r.item)}",
            reverse("joint:assistance", args=[r.pk]),
        )
        for r in requests.order_by("-requested_at")[:30]
    ]
    return Panel("assistance", _("Assistance requests (协查协办)"), rows, requests.count())


subject_panels = [notices_panel, assistance_panel]
