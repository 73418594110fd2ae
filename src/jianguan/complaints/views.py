"""Staff screens of the 12345 work orders: the queue with its yellow and red cards, phone intake,
an order with every step its viewer may take, file import, and the analysis dashboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.scope import scope_for
from jianguan.complaints import analysis, geo, services
from jianguan.complaints.display import order_out
from jianguan.complaints.forms import DEMAND_FIELDS, ORDER_FORMS, BulkDispatchForm, IntakeForm, OrderForm
from jianguan.complaints.lists import queue_list
from jianguan.complaints.models import WorkOrder
from jianguan.complaints.permissions import (
    OPERATOR_ROLES,
    access_order,
    dispatches,
    is_handler,
    is_operator,
    visible_orders,
)
from jianguan.core.errors import DomainError, screen_text
from jianguan.platform.apitools import file_response
from jianguan.platform.importing import run_import
from jianguan.platform.lists import list_page
from jianguan.workflow.services import deadline_colour

PAGE_SIZE = 50


def _order(request, number: str) -> WorkOrder:
    try:
        return access_order(request.user, number=number)
    except DomainError:
        raise Http404 from None


@login_required
def queue(request):
    return list_page(request, queue_list(request.user), _queue_context(request.user))


def _queue_context(user, form: BulkDispatchForm | None = None) -> dict:
    operator = dispatches(user)
    if operator and form is None:
        form = BulkDispatchForm(visible_orders(user))
    return {"operator": operator, "dispatch_form": form}


@login_required
@require_POST
def dispatch_bulk(request):
    """派单 of the orders ticked on the queue, together or not at all; refusals come back beside the field."""
    if not dispatches(request.user):
        raise Http404
    form = BulkDispatchForm(visible_orders(request.user), request.POST)
    if form.is_valid():
        orders = list(form.cleaned_data["orders"].select_related("item__definition", "category"))
        try:
            services.dispatch_together(
                orders, request.user, lead=form.cleaned_data["lead"], co=list(form.cleaned_data["co"])
            )
        except DomainError as exc:
            form.add_error("orders", str(exc.message))
            for refused in exc.errors:
                form.add_error("orders", f"{refused.field}：{refused.message}")
        else:
            messages.success(request, _("%(n)s orders dispatched.") % {"n": len(orders)})
            query = request.GET.urlencode()
            return redirect(reverse("complaints:queue") + (f"?{query}" if query else ""))
    response = list_page(request, queue_list(request.user), _queue_context(request.user, form))
    response.status_code = 400
    return response


@login_required
def new(request):
    """Phone intake by an operator."""
    if not scope_for(request.user).has_role(*OPERATOR_ROLES):
        raise Http404
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order, _code = services.receive(form.demand, channel=form.cleaned_data["channel"], actor=request.user)
        except DomainError as exc:
            form.refuse(exc, DEMAND_FIELDS)
        else:
            messages.success(request, _("Work order %(number)s received.") % {"number": order.number})
            return redirect(reverse("complaints:detail", args=[order.number]))
    return render(request, "complaints/new.html", {"form": form})


@login_required
def detail(request, number: str):
    return _detail(request, _order(request, number))


def _detail(request, order: WorkOrder, refused: tuple[str, OrderForm] | None = None):
    """The order's page with a form for every step its viewer may take; `refused` is a posted form
    shown again with its errors beside the fields."""
    now = timezone.now()
    forms = {name: form(order) for name, form in ORDER_FORMS.items()}
    if refused is not None:
        forms[refused[0]] = refused[1]
    return render(
        request,
        "complaints/detail.html",
        {
            "order": order,
            "view": order_out(order, request.user, history=True),
            "card": deadline_colour(order.item, now) if order.item_id else "none",
            "handler": is_handler(request.user, order),
            "operator": is_operator(request.user, order),
            "forms": forms,
            "pending_extension": order.extensions.filter(status="pending").first(),
            "pending_return": order.assignments.filter(is_current=True, role="lead", return_status="pending").exists(),
            "map_url": static(geo.MAP_STATIC),
            "pin_county": _pin_county(order),
        },
    )


def _pin_county(order: WorkOrder) -> str:
    if order.latitude is None or order.longitude is None:
        return ""
    county = geo.county_at(order.latitude, order.longitude)
    return county.name if county else ""


def _reply(order, user, data):
    fields = (
        "is_true",
        "beyond_duty",
        "contacted",
        "is_resolved",
        "unresolved_reason",
        "handling_notes",
        "public_reply",
    )
    return services.reply(order, user, {name: data[name] for name in fields})


# Each step on an order: the service it calls with the form's cleaned data.
STEPS: dict[str, Callable[[WorkOrder, Any, dict[str, Any]], Any]] = {
    "classify": lambda order, user, data: services.confirm_classification(
        order, user, kind=data["kind"], category_code=data["category"].code
    ),
    "dispatch": lambda order, user, data: services.dispatch(order, user, lead=data["lead"], co=list(data["co"])),
    "answer": lambda order, user, data: services.answer_directly(order, user, data["answer"]),
    "return": lambda order, user, data: services.return_order(order, user, data["reason"]),
    "review_return": lambda order, user, data: services.review_return(
        order,
        user,
        accept=data["accept"] == "yes",
        comment=data["comment"],
        lead=data["lead"] if data["accept"] == "yes" else None,
    ),
    "extension": lambda order, user, data: services.request_extension(order, user, data["days"], data["reason"]),
    "decide_extension": lambda order, user, data: services.decide_extension(
        data["extension"], user, approve=data["approve"] == "yes", comment=data["comment"]
    ),
    "supervise": lambda order, user, data: services.urge(order, user, note=data["note"]),
    "reply": _reply,
    "rectification": lambda order, user, data: services.request_rectification(order, user, data["requirement"]),
    "return_call": lambda order, user, data: services.return_call(
        order, user, {"satisfaction": data["satisfaction"], "comment": data["comment"]}
    ),
}

DONE = {"rectification": _("Rectification requested: the order is opened and sent to the subject.")}


@login_required
@require_POST
def act(request, number: str, action: str):
    """A step on an order: its form checks the fields, the service decides; a refusal is shown on
    the order's page beside the field it concerns."""
    order = _order(request, number)
    if action == "accept":  # 签收 is a button: no field to show a refusal beside
        try:
            services.accept(order, request.user)
        except DomainError as exc:
            messages.error(request, screen_text(exc))
        else:
            messages.success(request, _("Saved."))
        return redirect(reverse("complaints:detail", args=[order.number]))
    if action not in STEPS:
        raise Http404
    form = ORDER_FORMS[action](order, request.POST)
    if form.is_valid():
        try:
            STEPS[action](order, request.user, form.cleaned_data)
        except DomainError as exc:
            form.refuse(exc)
        else:
            messages.success(request, DONE.get(action, _("Saved.")))
            return redirect(reverse("complaints:detail", args=[order.number]))
    # Read again: a refused service may have changed the order in memory before its transaction rolled back.
    return _detail(request, _order(request, number), (action, form))


@login_required
def attachment(request, number: str, sha256: str):
    """An attachment of an order the viewer may see (media files are not served publicly)."""

    order = _order(request, number)
    found = next((a for a in order.attachments if a["sha256"] == sha256), None)
    if found is None or not default_storage.exists(found["path"]):
        raise Http404
    return FileResponse(default_storage.open(found["path"], "rb"), as_attachment=True, filename=found["name"])


@login_required
def import_orders(request):
    if not scope_for(request.user).has_role(*OPERATOR_ROLES):
        raise Http404
    batch = None
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        try:
            batch = run_import("work_orders", upload.read(), upload.name, actor=request.user)
        except DomainError as exc:
            messages.error(request, screen_text(exc))
    return render(request, "complaints/import.html", {"batch": batch})


def _dates(request) -> tuple[dt.date | None, dt.date | None]:
    def day(name):
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return day("start"), day("end")


def _partial_month(months: list[dict], end: dt.date | None) -> str | None:
    """The last month's note when it is the current month and so not complete (本月截至X日)."""
    today = timezone.localdate()
    if not months or months[-1]["month"] != today.strftime("%Y-%m") or (end is not None and end < today):
        return None
    return _("This month up to day %(day)d: not a full month") % {"day": today.day}


UNITS_PER_PAGE = 20
SURGES_PER_PAGE = 10


@login_required
def dashboard(request):
    start, end = _dates(request)
    data = analysis.report(request.user, start, end)
    if request.GET.get("format") == "xlsx":
        return file_response(analysis.workbook(data), "complaints-analysis.xlsx", "xlsx")
    units = data["units"][:15]
    partial = _partial_month(data["by_month"], end)
    plots = {
        "months": {
            "type": "bar",
            "categories": [m["month"] for m in data["by_month"]],
            "series": [{"name": str(_("Demands")), "data": [m["demands"] for m in data["by_month"]]}],
            "partial_last": partial is not None,
            "partial_label": str(_("This month so far")),
        },
        "classes": {
            "type": "bar",
            "horizontal": True,
            "categories": [c["class"] for c in data["by_class"]],
            "series": [{"name": str(_("Demands")), "data": [c["demands"] for c in data["by_class"]]}],
        },
        "cities": {
            "type": "bar",
            "categories": [c["city"] for c in data["by_city"]],
            "series": [{"name": str(_("Demands")), "data": [c["demands"] for c in data["by_city"]]}],
        },
        "channels": {
            "type": "bar",
            "categories": [c["channel"] for c in data["by_channel"]],
            "series": [{"name": str(_("Demands")), "data": [c["demands"] for c in data["by_channel"]]}],
        },
        "units": {
            "type": "bar",
            "percent": True,
            "horizontal": True,
            "categories": [u["department"] for u in units],
            "series": [
                {"name": str(_("On time")), "data": [u["on_time_rate"] for u in units]},
                {"name": str(_("Satisfied")), "data": [u["satisfaction_rate"] for u in units]},
            ],
        },
    }
    return render(
        request,
        "complaints/dashboard.html",
        {
            "data": data,
            "plots": plots,
            "start": start,
            "end": end,
            "partial_month": partial,
            "units_page": Paginator(data["units"], UNITS_PER_PAGE).get_page(request.GET.get("units_page")),
            "surges_page": Paginator(data["surges"], SURGES_PER_PAGE).get_page(request.GET.get("surges_page")),
            "units_height": 60 + 44 * len(units),
        },
    )
