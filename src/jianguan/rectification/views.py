"""Rectification screens: the orders in scope with their deadline cards, one order with its history,
and the forms that enter the subject's report and review it (the service decides and audits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.core.errors import DomainError, screen_text
from jianguan.rectification import services
from jianguan.rectification.choices import RECTIFY_WORKFLOW
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
    shown = visible_rectifications(request.user).select_related("subject", "department", "item__definition")
    state = request.GET.get("state", "")
    if state:
        shown = shown.filter(state=state)
    page = Paginator(shown.order_by("-issued_at", "-id"), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(o, state_label(o.item), deadline_colour(o.item, now)) for o in page]
    counts = dict(
        visible_rectifications(request.user)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    names = state_labels(RECTIFY_WORKFLOW)
    return render(
        request,
        "rectification/orders.html",
        {
            "page_obj": page,
            "rows": rows,
            "state": state,
            "states": [(code, name, counts.get(code, 0)) for code, name in names.items()],
        },
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
