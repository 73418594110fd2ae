"""Rectification screens: the orders in scope with their deadline cards, one order with its history,
and the forms that enter the subject's report and review it (the service decides and audits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.core.errors import DomainError, screen_text
from jianguan.platform.lists import counts_by, list_page
from jianguan.rectification import services
from jianguan.rectification.choices import RECTIFY_WORKFLOW
from jianguan.rectification.lists import RECTIFICATIONS
from jianguan.rectification.permissions import visible_rectifications
from jianguan.workflow.labels import state_label, state_labels
from jianguan.workflow.services import deadline_colour


def _get(actor, pk: int):
    found = (
        visible_rectifications(actor).select_related("subject", "department", "item__definition").filter(pk=pk).first()
    )
    if found is None:
        raise Http404
    return found


@login_required
def orders(request):
    counts = counts_by(visible_rectifications(request.user), "state")
    names = state_labels(RECTIFY_WORKFLOW)
    return list_page(
        request, RECTIFICATIONS, {"states": [(code, name, counts.get(code, 0)) for code, name in names.items()]}
    )


@login_required
def detail(request, pk: int):
    order = _get(request.user, pk)
    history = [
        (t, state_label(order.item, t.from_state), state_label(order.item, t.to_state))
        for t in order.item.transitions.all()
    ]
    return render(
        request,
        "rectification/detail.html",
        {"order": order, "state": state_label(order.item), "card": deadline_colour(order.item), "history": history},
    )


@login_required
@require_POST
def act(request, pk: int, action: str):
    order = _get(request.user, pk)
    try:
        if action == "report":
            services.report_rectification(order, request.user, request.POST.get("text", ""))
        elif action in ("accept", "reinspect", "reject", "pass"):
            services.review_rectification(order, request.user, action, request.POST.get("comment", ""))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, screen_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("rectification:detail", args=[order.pk]))
