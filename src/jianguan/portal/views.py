"""The public site (一公开): spot-check plans, draws and published results. No login; no grades."""

from __future__ import annotations

import time

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from jianguan.complaints import geo, services
from jianguan.complaints.display import public_out
from jianguan.complaints.forms import PublicDemandForm, RatingForm, TrackForm
from jianguan.complaints.permissions import order_for_citizen
from jianguan.core.errors import DomainError, screen_text
from jianguan.core.ratelimit import check_public_rate, client_address
from jianguan.credit.permissions import public_query
from jianguan.rectification.services import report_by_subject
from jianguan.spotcheck.choices import BatchStatus, TaskStatus
from jianguan.spotcheck.permissions import public_batch, public_batches
from jianguan.spotcheck.services import verify_draw


def spotchecks(request):
    page = Paginator(public_batches().order_by("-draw__drawn_at"), 30).get_page(request.GET.get("page"))
    return render(request, "portal/spotchecks.html", {"page_obj": page})


def spotcheck(request, pk: int):
    try:
        batch = public_batch(pk)
    except DomainError:
        raise Http404 from None
    draw = batch.draw
    verification = verify_draw(draw) if request.GET.get("verify") else None
    published = batch.status == BatchStatus.PUBLISHED
    # Subjects are listed by name, not by grade: the grades that set the sampling are not public.
    tasks = draw.tasks.select_related("subject").prefetch_related("results__department").order_by("subject__name")
    options = {o["code"]: o["label"] for o in batch.result_options}
    # A joint batch's results are merged per subject, one line per department.
    rows = [
        (
            t.subject.name,
            t.subject.uscc or t.subject.registration_no or "",
            [(r.department.name, options.get(r.result, r.result)) for r in t.results.all()] if published else [],
        )
        for t in tasks
        if t.status != TaskStatus.UNASSIGNED or not published
    ]
    return render(
        request,
        "portal/spotcheck.html",
        {"batch": batch, "draw": draw, "rows": rows, "published": published, "verification": verification},
    )


def credit(request):
    """公共信用查询: by name or USCC; registration facts, penalties in their period, spot-check results."""

    query = request.GET.get("q", "").strip()
    profiles, error = [], None
    if query:
        try:
            check_public_rate(client_address(request), "public-credit")
        except DomainError as exc:
            error = exc.as_body()["message"]
        else:
            profiles = public_query(query)
    response = render(request, "portal/credit.html", {"query": query, "profiles": profiles, "error": error})
    if error:
        response.status_code = 429
    return response


def complaint_new(request):
    """投诉举报: a citizen files a demand (with a pin on the map) and gets its number and a query code."""

    form = PublicDemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_public_filing_rate(client_address(request))
            files = [services.Attachment(f.name, f.read()) for f in request.FILES.getlist("attachments")[:6]]
            # The county of the pin, if any, is the intake's own region hint (services.receive).
            order, code = services.receive(form.demand, channel="portal", attachments=files)
        except DomainError as exc:
            return render(request, "portal/complaint_new.html", _new_context(form, screen_text(exc)), status=exc.status)
        _grant(request, order.number)
        return render(request, "portal/complaint_filed.html", {"order": order, "code": code})
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/complaint_new.html", _new_context(form), status=status)


def _new_context(form, error: str | None = None) -> dict:
    return {"form": form, "error": error, "map_url": static(geo.MAP_STATIC)}


# A citizen who proved an order's number and query code (or filed it) may follow it in this browser
# for a while; the code itself never goes into an address, a link or the session.
ACCESS_SECONDS = 2 * 3600
ACCESS_KEY = "complaint_access"


def _grant(request, number: str) -> None:
    now = time.time()
    held = {n: until for n, until in request.session.get(ACCESS_KEY, {}).items() if until > now}
    held[number] = now + ACCESS_SECONDS
    request.session[ACCESS_KEY] = held


def _granted(request, number: str) -> bool:
    return request.session.get(ACCESS_KEY, {}).get(number, 0) > time.time()


def complaint_track(request):
    """查询: the number and query code are posted; a match opens the order's page in this session."""

    # A number may come in the address (a bookmark). An old link with the query code in it is sent
    # on without it at once (so that the page, its language switch and the history do not keep it).
    if "code" in request.GET:
        return _to_track_form(request.GET.get("number", ""))
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")[:18]})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            check_public_rate(client_address(request), "public-complaint-query")
            order = services.find_for_citizen(form.cleaned_data["number"], form.cleaned_data["code"])
        except DomainError as exc:
            error = screen_text(exc)
        else:
            _grant(request, order.number)
            return redirect("portal:complaint_status", number=order.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/complaint_track.html", {"form": form, "error": error}, status=status)


def _to_track_form(number: str):
    """The look-up form, with the number filled in when it is one (never anything else from the address)."""
    track = reverse("portal:complaint_track")
    return redirect(f"{track}?number={number}" if number.isdigit() and len(number) == 18 else track)


def _status_page(request, order, rating_form=None, *, rated=False, error=None, status=200):
    view = public_out(order)
    return render(
        request,
        "portal/complaint_status.html",
        {
            "view": view,
            "rating_form": rating_form or RatingForm(),
            "rated": rated,
            "error": error,
            "map_url": static(geo.MAP_STATIC),
        },
        status=status,
    )


def _held_order(request, number: str):
    if not _granted(request, number):
        return None
    return order_for_citizen(number)


def complaint_status(request, number: str):
    """The order's public page: every public step with its time, the deadline, the reply, the rating."""

    order = _held_order(request, number)
    if order is None:
        return _to_track_form(number)
    return _status_page(request, order, rated=request.GET.get("rated") == "1")


@require_POST
def complaint_rate(request, number: str):
    """评价: the citizen rates the handling once it is answered; nothing is preselected."""

    order = _held_order(request, number)
    if order is None:
        return _to_track_form(number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _status_page(request, order, form, status=400)
    try:
        services.rate_found_order(order, form.rating)
    except DomainError as exc:
        return _status_page(request, order, form, error=screen_text(exc), status=exc.status)
    return redirect(f"{reverse('portal:complaint_status', args=[order.number])}?rated=1")


def rectification_report(request):
    """整改报告: a business reports what it put right, with the order's number and access code."""

    context = {"form": request.POST}
    if request.method == "POST":
        try:
            check_public_rate(client_address(request), "public-rectification")
            order = report_by_subject(
                request.POST.get("number", ""), request.POST.get("code", ""), request.POST.get("text", "")
            )
            context["done"] = order
        except DomainError as exc:
            context["error"] = screen_text(exc)
    return render(request, "portal/rectification.html", context, status=400 if context.get("error") else 200)
