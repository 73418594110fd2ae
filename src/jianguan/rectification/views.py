"""Rectification screens: the orders in scope with their deadline cards, one order with its history,
and the forms that enter the subject's report and review it (the service decides and audits)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.core.errors import DomainError, both_languages
from jianguan.platform.lists import counts_by, list_page
from jianguan.rectification import services
from jianguan.rectification.choices import RECTIFY_WORKFLOW
from jianguan.rectification.forms import ReinspectionForm, ReportForm, ReviewForm
from jianguan.rectification.lists import RECTIFICATIONS
from jianguan.rectification.models import Evidence
from jianguan.rectification.permissions import visible_rectifications
from jianguan.workflow.labels import state_label, state_labels
from jianguan.workflow.services import deadline_colour

# Service refusals shown beside the camera button rather than above the form.
PHOTO_ERRORS = {"photo_required", "too_many_photos"}


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
    return _detail_page(request, _get(request.user, pk))


def _detail_page(request, order, report_form: ReportForm | None = None, review_form: ReviewForm | None = None):
    """The order's page, with the report's or the review's form as posted when it was refused."""
    history = [
        (t, state_label(order.item, t.from_state), state_label(order.item, t.to_state))
        for t in order.item.transitions.all()
    ]
    return render(
        request,
        "rectification/detail.html",
        {
            "order": order,
            "state": state_label(order.item),
            "card": deadline_colour(order.item),
            "history": history,
            "photos": order.evidence.order_by("-taken_at", "id"),
            "report_form": report_form or ReportForm(),
            "review_form": review_form or ReviewForm(),
        },
    )


@login_required
@require_POST
def act(request, pk: int, action: str):
    order = _get(request.user, pk)
    if action == "report":
        form: ReportForm | ReviewForm = ReportForm(request.POST)
    elif action in ("accept", "reinspect", "reject"):
        form = ReviewForm.posted(request.POST, action)
    else:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "report":
                services.report_rectification(order, request.user, data["text"])
            else:
                services.review_rectification(order, request.user, data["action"], data["comment"])
        except DomainError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("rectification:detail", args=[order.pk]))
    if isinstance(form, ReportForm):
        return _detail_page(request, order, report_form=form)
    return _detail_page(request, order, review_form=form)


@login_required
def reinspect(request, pk: int):
    """The on-site re-inspection, phone first: each point put right or not, photos, a note."""
    order = _get(request.user, pk)
    if order.state != "reinspection":
        return redirect(reverse("rectification:detail", args=[order.pk]))
    form = ReinspectionForm(order, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_reinspection(order, request.user, data["answers"], data["photos"], data["comment"])
        except DomainError as exc:
            if exc.code in PHOTO_ERRORS or exc.code.startswith("evidence_"):
                form.photo_errors.append(both_languages(exc.message))
            else:
                form.add_error(None, both_languages(exc.message))
        else:
            messages.success(request, _("Re-inspection recorded."))
            return redirect(reverse("rectification:detail", args=[order.pk]))
    return render(request, "rectification/reinspect.html", {"order": order, "form": form})


@login_required
def photo(request, pk: int, sha256: str):
    """A re-inspection photo, for staff who may see the order."""
    item = Evidence.objects.filter(order=_get(request.user, pk), sha256=sha256).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), filename=item.name)
