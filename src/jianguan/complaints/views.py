"""Staff screens of the 12345 work orders: the queue with its yellow and red cards, phone intake,
an order with every step its viewer may take, file import, and the analysis dashboard."""

from __future__ import annotations

import datetime as dt

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
from jianguan.complaints.choices import Channel, Kind, Satisfaction
from jianguan.complaints.display import order_out
from jianguan.complaints.forms import BulkDispatchForm
from jianguan.complaints.lists import queue_list
from jianguan.complaints.models import Category, Extension, WorkOrder
from jianguan.complaints.permissions import (
    OPERATOR_ROLES,
    access_order,
    dispatches,
    is_handler,
    is_operator,
    visible_orders,
)
from jianguan.complaints.policy import policy
from jianguan.complaints.schemas import Complainant, Demand
from jianguan.core.errors import DomainError, screen_text
from jianguan.core.models import Department
from jianguan.platform.apitools import file_response
from jianguan.platform.importing import run_import
from jianguan.platform.lists import list_page
from jianguan.platform.services import active_department
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
    context = {
        "kinds": Kind.choices,
        "categories": Category.objects.filter(is_active=True),
        "channels": Channel.choices,
    }
    if request.method == "POST":
        post = request.POST
        try:
            demand = Demand(
                title=post.get("title") or None,
                content=post.get("content", ""),
                address=post.get("address") or None,
                kind=post.get("kind") or None,
                category=post.get("category") or None,
                complainant=Complainant(name=post.get("name") or None, phone=post.get("phone") or None),
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return render(request, "complaints/new.html", {**context, "form": post}, status=400)
        try:
            order, _code = services.receive(demand, channel=post.get("channel", "phone"), actor=request.user)
        except DomainError as exc:
            messages.error(request, screen_text(exc))
            return render(request, "complaints/new.html", {**context, "form": post}, status=400)
        messages.success(request, _("Work order %(number)s received.") % {"number": order.number})
        return redirect(reverse("complaints:detail", args=[order.number]))
    return render(request, "complaints/new.html", {**context, "form": {}})


@login_required
def detail(request, number: str):
    order = _order(request, number)
    now = timezone.now()
    handler = is_handler(request.user, order)
    operator = is_operator(request.user, order)
    return render(
        request,
        "complaints/detail.html",
        {
            "order": order,
            "view": order_out(order, request.user, history=True),
            "card": deadline_colour(order.item, now) if order.item_id else "none",
            "handler": handler,
            "operator": operator,
            "kinds": Kind.choices,
            "categories": Category.objects.filter(is_active=True),
            "satisfactions": Satisfaction.choices,
            "departments": Department.objects.filter(is_active=True)
            .exclude(sector__code=policy()["office_sector"])
            .order_by("path")
            if operator
            else [],
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


def _yes(value: str | None) -> bool:
    return value in ("yes", "on", "true", "1")


@login_required
@require_POST
def act(request, number: str, action: str):
    order = _order(request, number)
    post = request.POST
    user = request.user
    try:
        if action == "classify":
            services.confirm_classification(
                order, user, kind=post.get("kind", ""), category_code=post.get("category", "")
            )
        elif action == "dispatch":
            services.dispatch(order, user, lead=active_department(post.get("lead")))
        elif action == "answer":
            services.answer_directly(order, user, post.get("answer", ""))
        elif action == "accept":
            services.accept(order, user)
        elif action == "return":
            services.return_order(order, user, post.get("reason", ""))
        elif action == "review_return":
            accept = _yes(post.get("accept"))
            services.review_return(
                order,
                user,
                accept=accept,
                comment=post.get("comment", ""),
                lead=active_department(post.get("lead")) if accept else None,
            )
        elif action == "extension":
            services.request_extension(order, user, int(post.get("days") or 0), post.get("reason", ""))
        elif action == "decide_extension":
            extension = Extension.objects.get(pk=post.get("extension"), order=order)
            services.decide_extension(
                extension, user, approve=_yes(post.get("approve")), comment=post.get("comment", "")
            )
        elif action == "supervise":
            services.urge(order, user, note=post.get("note", ""))
        elif action == "reply":
            services.reply(
                order,
                user,
                {
                    "is_true": _yes(post.get("is_true")),
                    "beyond_duty": _yes(post.get("beyond_duty")),
                    "contacted": _yes(post.get("contacted")),
                    "is_resolved": _yes(post.get("is_resolved")),
                    "unresolved_reason": post.get("unresolved_reason", ""),
                    "handling_notes": post.get("handling_notes", ""),
                    "public_reply": post.get("public_reply", ""),
                },
            )
        elif action == "rectification":
            services.request_rectification(order, user, post.get("requirement", ""))
            messages.info(request, _("Rectification requested: the order is opened and sent to the subject."))
        elif action == "return_call":
            services.return_call(
                order, user, {"satisfaction": post.get("satisfaction", ""), "comment": post.get("comment", "")}
            )
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, screen_text(exc))
    except (ValueError, Extension.DoesNotExist):
        messages.error(request, _("The form has invalid fields."))
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("complaints:detail", args=[order.number]))


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
