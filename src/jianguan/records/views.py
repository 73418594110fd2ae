"""Staff UI of the supervision-action register: the list, one record, and 一户一档 (one file per subject)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError
from jianguan.platform.lists import list_page
from jianguan.records.choices import RecordKind
from jianguan.records.display import masked_name
from jianguan.records.fieldnames import display_value, field_label
from jianguan.records.lists import RECORDS
from jianguan.records.panels import panels_for
from jianguan.records.permissions import access_record, subject_timeline
from jianguan.records.schemas import SCHEMAS
from jianguan.subjects.permissions import access_subject

PAGE_SIZE = 50


@login_required
def record_list(request):
    return list_page(request, RECORDS)


@login_required
def record_detail(request, pk: int):
    try:
        record = access_record(request.user, pk)
    except DomainError:
        raise Http404 from None
    details = [
        (field_label(record.kind, name) if record.kind in SCHEMAS else name, display_value(record.kind, name, value))
        for name, value in record.details.items()
    ]
    return render(request, "records/detail.html", {"record": record, "name": masked_name(record), "details": details})


@login_required
def subject_file(request, pk: int):
    """一户一档: the subject and every action on it that the viewer's scope admits, in one timeline."""
    try:
        subject = access_subject(request.user, pk)
    except DomainError:
        raise Http404 from None
    kind = request.GET.get("kind", "")
    everything = subject_timeline(request.user, subject)
    counts = dict(everything.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    shown = everything.order_by().aggregate(scope=Count("id", filter=Q(in_scope=True)), public=Count("id"))
    timeline = subject_timeline(request.user, subject, kind if kind in RecordKind.values else "")
    page = Paginator(timeline.select_related("department"), PAGE_SIZE).get_page(request.GET.get("page"))
    monthly = (
        everything.order_by()
        .annotate(month=TruncMonth("action_date"))
        .values("month", "kind")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    months = sorted({row["month"].strftime("%Y-%m") for row in monthly})
    series = []
    for value, label in RecordKind.choices:
        per_month = {row["month"].strftime("%Y-%m"): row["n"] for row in monthly if row["kind"] == value}
        if per_month:
            series.append({"name": str(label), "data": [per_month.get(m, 0) for m in months]})
    plot = {"type": "bar", "stacked": True, "categories": months, "series": series}
    return render(
        request,
        "records/subject_file.html",
        {
            "subject": subject,
            "page_obj": page,
            "kind": kind,
            "kinds": [(value, label, counts.get(value, 0)) for value, label in RecordKind.choices],
            "total": sum(counts.values()),
            "in_scope_total": shown["scope"],
            "public_total": shown["public"] - shown["scope"],
            "plot": plot,
            "departments": everything.order_by().values("department__name").annotate(n=Count("id")).order_by("-n"),
            "title": _("One file per subject"),
            "panels": panels_for(request.user, subject),
        },
    )
