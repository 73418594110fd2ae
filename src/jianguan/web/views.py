"""Staff web UI: login, home, and the register screens (list, detail, search, import, export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout as do_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jianguan.accounts.permissions import writes_master_data
from jianguan.core.errors import DomainError
from jianguan.core.models import Region
from jianguan.officers.permissions import visible_officers
from jianguan.platform.apitools import file_response
from jianguan.platform.importing import export_file, rejected_rows_file, run_import
from jianguan.platform.permissions import access_batch, corrects_import, visible_batches
from jianguan.subjects.permissions import visible_subjects
from jianguan.web.screens import SCREENS

PAGE_SIZE = 25


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def _screen(key: str):
    screen = SCREENS.get(key)
    if screen is None:
        raise Http404
    return screen


@login_required
def home(request):
    subjects = visible_subjects(request.user)
    by_city = subjects.values("region_id").order_by()
    # Group by the city part of the code: cities are the unit leaders compare.
    counts: dict[str, int] = {}
    for row in by_city.annotate(n=Count("id")):
        city = row["region_id"][:4] + "00"
        counts[city] = counts.get(city, 0) + row["n"]
    names = dict(Region.objects.filter(code__in=counts).values_list("code", "name"))
    chart = sorted(([names.get(code, code), n] for code, n in counts.items()), key=lambda x: -x[1])[:20]
    return render(
        request,
        "web/home.html",
        {
            "subject_count": sum(counts.values()),
            "officer_count": visible_officers(request.user).count(),
            "chart": chart,
            "recent_batches": visible_batches(request.user)[:5],
        },
    )


@login_required
def screen_list(request, key: str):
    screen = _screen(key)
    query = request.GET.get("q", "").strip()
    paginator = Paginator(screen.search(request.user, query).order_by("pk"), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [(obj.pk, [(column.value(obj), column.link) for column in screen.columns]) for obj in page_obj]
    return render(
        request,
        "web/list.html",
        {
            "screen": screen,
            "query": query,
            "page_obj": page_obj,
            "rows": rows,
            "can_import": writes_master_data(request.user),
        },
    )


@login_required
def screen_detail(request, key: str, pk: int):
    screen = _screen(key)
    try:
        obj = screen.access(request.user, pk)
    except DomainError:
        raise Http404 from None
    related = [
        (title, columns, [[c.value(o) for c in columns] for o in objects])
        for title, columns, objects in screen.related(obj)
    ]
    return render(
        request,
        "web/detail.html",
        {
            "screen": screen,
            "obj": obj,
            "fields": [(c.label, c.value(obj)) for c in screen.details],
            "related": related,
            "links": screen.links(obj),
        },
    )


@login_required
def screen_export(request, key: str):
    screen = _screen(key)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content = export_file(
        screen.import_kind,
        screen.search(request.user, request.GET.get("q", "").strip()),
        fmt,
        actor=request.user,
    )
    return file_response(content, f"{key}.{fmt}", fmt)


@login_required
def screen_import(request, key: str):
    screen = _screen(key)
    if not writes_master_data(request.user):
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        resubmits = request.POST.get("resubmits") or None
        if upload is None:
            messages.error(request, _("Choose a file to import."))
        else:
            try:
                previous = access_batch(request.user, resubmits) if resubmits else None
                batch = run_import(
                    screen.import_kind, upload.read(), upload.name, actor=request.user, resubmits=previous
                )
            except DomainError as exc:
                messages.error(request, exc.as_body()["message"])
            else:
                return redirect(reverse("web:import_batch", args=[batch.pk]))
    return render(request, "web/import.html", {"screen": screen, "resubmits": request.GET.get("resubmits", "")})


@login_required
def import_batch(request, pk: int):
    try:
        batch = access_batch(request.user, pk)
    except DomainError:
        raise Http404 from None
    screen = next((s for s in SCREENS.values() if s.import_kind == batch.kind), None)
    return render(request, "web/batch.html", {"batch": batch, "rows": batch.rows.all(), "screen": screen})


@login_required
def import_rejected(request, pk: int):
    try:
        batch = access_batch(request.user, pk)
    except DomainError:
        raise Http404 from None
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    reveal = corrects_import(request.user, batch)
    return file_response(rejected_rows_file(batch, fmt, reveal=reveal), f"rejected-{batch.pk}.{fmt}", fmt)


@require_POST
def logout(request):
    do_logout(request)
    return redirect("web:login")
