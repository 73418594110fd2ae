"""The public site (一公开): spot-check plans, draws and published results. No login; no grades."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
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
from jianguan.credit.permissions import public_profile, public_search, public_subject, verify_report
from jianguan.credit.services import issue_credit_report
from jianguan.portal.forms import RectificationReportForm
from jianguan.rectification.services import report_by_subject
from jianguan.spotcheck import verify_draw as verifier_module
from jianguan.spotcheck.choices import BatchStatus, TaskStatus
from jianguan.spotcheck.objects import describe_pool
from jianguan.spotcheck.permissions import public_batch, public_batches
from jianguan.spotcheck.services import public_draw_record, verify_draw
from jianguan.spotcheck.verify_draw import ALGORITHM as VERIFIER_ALGORITHM


def spotchecks(request):
    """Every committed batch, newest first; with ?published=1 only those whose results are published."""
    batches = public_batches()
    only_published = request.GET.get("published") == "1"
    if only_published:
        batches = batches.filter(status=BatchStatus.PUBLISHED)
    batches = batches.annotate(
        checked=Count("draw__tasks", filter=Q(draw__tasks__status=TaskStatus.COMPLETED), distinct=True)
    ).order_by("-committed_at", "-pk")
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    return render(request, "portal/spotchecks.html", {"page_obj": page, "only_published": only_published})


def _public_batch_or_404(pk: int):
    try:
        return public_batch(pk)
    except DomainError:
        raise Http404 from None


def spotcheck(request, pk: int):
    batch = _public_batch_or_404(pk)
    draw = getattr(batch, "draw", None) if hasattr(batch, "draw") else None
    if draw is None:
        # Committed, not drawn: the commitment is public before the pool is frozen.
        return render(
            request,
            "portal/spotcheck.html",
            {"batch": batch, "draw": None, "items": batch.items.all(), "pool_lines": describe_pool(batch.pool_filter)},
        )
    verification = verify_draw(draw) if request.GET.get("verify") else None
    published = batch.status == BatchStatus.PUBLISHED
    # Subjects are listed by name, not by grade: the grades that set the sampling are not public.
    tasks = draw.tasks.select_related("subject").prefetch_related("results__department").order_by("subject__name")
    options = {o["code"]: o["label"] for o in batch.result_options}
    findings_codes = {o["code"] for o in batch.result_options if o.get("finding")}
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
        {
            "batch": batch,
            "draw": draw,
            "items": batch.items.all(),
            "pool_lines": describe_pool(batch.pool_filter),
            "findings": sum(1 for t in tasks if published and any(r.result in findings_codes for r in t.results.all())),
            "rows": rows,
            "published": published,
            "verification": verification,
            "has_record": draw.algorithm.startswith(VERIFIER_ALGORITHM),
        },
    )


def spotcheck_record(request, pk: int):
    """The draw record (JSON) that `verify_draw.py` recomputes offline."""
    batch = _public_batch_or_404(pk)
    record = public_draw_record(batch.draw) if hasattr(batch, "draw") else None
    if record is None:
        raise Http404
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="draw-record-{batch.pk}.json"'
    return response


def spotcheck_verifier(request):
    """The offline verification script (standard library only)."""
    response = HttpResponse(Path(verifier_module.__file__).read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verify_draw.py"'
    return response


def _limited(request, bucket: str, per_minute: int | None = None) -> str | None:
    try:
        check_public_rate(client_address(request), bucket, per_minute)
    except DomainError as exc:
        return screen_text(exc)
    return None


def credit(request):
    """公共信用查询, first screen: the subjects matching a name (2 characters or more) or a whole
    code, one page at a time and capped; each row leads to the subject's profile."""

    query = request.GET.get("q", "").strip()[:100]
    page, capped, error = None, False, None
    if query:
        error = _limited(request, "public-credit")
        if error is None:
            page, capped = public_search(query, request.GET.get("page"))
    context = {"query": query, "page_obj": page, "capped": capped, "error": error}
    return render(request, "portal/credit.html", context, status=429 if error else 200)


def credit_subject(request, pk: int):
    """A subject's public credit profile: registration, 双公示 licences and penalties within their
    periods, current list entries, published spot-check results; and the report download."""

    error = _limited(request, "public-credit")
    if error:
        return render(request, "portal/credit.html", {"error": error}, status=429)
    try:
        subject = public_subject(pk)
    except DomainError:
        raise Http404 from None
    context = {"subject": subject, "p": public_profile(subject), "query": request.GET.get("q", "")[:100]}
    return render(request, "portal/credit_subject.html", context)


# Each report is stored (code and hashes); a visitor makes few of them.
REPORTS_PER_MINUTE = 5


@require_POST
def credit_report(request, pk: int):
    """The subject's credit report as a PDF, with its generation time and verification code."""

    try:
        subject = public_subject(pk)
    except DomainError:
        raise Http404 from None
    error = _limited(request, "public-credit-report", REPORTS_PER_MINUTE)
    if error is None:
        try:
            report, data = issue_credit_report(subject, request.build_absolute_uri(reverse("portal:credit_verify")))
        except DomainError as exc:
            error = screen_text(exc)
            status = exc.status
        else:
            response = HttpResponse(data, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="credit-report-{report.code}.pdf"'
            return response
    else:
        status = 429
    context = {"subject": subject, "p": public_profile(subject), "report_error": error}
    return render(request, "portal/credit_subject.html", context, status=status)


def credit_verify(request):
    """报告核验: anyone enters a report's verification code and sees whether the portal issued it,
    for which subject, when, and what it said."""

    code = request.GET.get("code", "").strip()[:40]
    context = {"code": code}
    if code:
        context["error"] = _limited(request, "public-credit-verify")
        if context["error"] is None:
            context["report"] = verify_report(code)
            context["checked"] = True
    return render(request, "portal/credit_verify.html", context, status=429 if context.get("error") else 200)


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

    form = RectificationReportForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check_public_rate(client_address(request), "public-rectification")
            done = report_by_subject(data["number"], data["code"], data["text"])
        except DomainError as exc:
            form.refuse(exc.message, exc.code)
        else:
            form = RectificationReportForm()
    status = 400 if form.errors else 200
    return render(request, "portal/rectification.html", {"form": form, "done": done}, status=status)
