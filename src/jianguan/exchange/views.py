"""Staff UI of the exchange gateway: overview, upload, batches with quarantine and correction, quality."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core.choices import ImportStatus, RowOutcome
from jianguan.core.errors import DomainError, screen_text
from jianguan.exchange import services
from jianguan.exchange.forms import CorrectionForm, KindForm, UploadForm, error_field_label, row_cells, row_kind
from jianguan.exchange.lists import BATCHES, QUARANTINE
from jianguan.exchange.outbox import backlog
from jianguan.exchange.permissions import (
    submittable_sources,
    visible_messages,
    visible_outbox,
    visible_sources,
)
from jianguan.exchange.quality import quality_report
from jianguan.platform.importing import row_data
from jianguan.platform.lists import filtered, list_page
from jianguan.platform.permissions import access_batch, visible_batches
from jianguan.records.files import OFFICER_CERTIFICATES
from jianguan.records.services import timely_within


def _batch_or_404(user, pk):
    try:
        batch = access_batch(user, pk)
    except DomainError:
        raise Http404 from None
    if batch.kind != services.BATCH_KIND:
        raise Http404
    return batch


@login_required
def overview(request):
    """The gateway's state (outbox, sources, message log) around its batches as a list of the kit."""
    totals = filtered(BATCHES, request.user, request.GET).qs.aggregate(
        received=Sum("received"), accepted=Sum("accepted"), rejected=Sum("rejected")
    )
    return list_page(
        request,
        BATCHES,
        {
            "totals": {key: value or 0 for key, value in totals.items()},
            "sources": visible_sources(request.user),
            "outbox": backlog(visible_outbox(request.user)),
            "messages": visible_messages(request.user)[:10],
            "can_upload": submittable_sources(request.user).exists(),
        },
    )


@login_required
def quarantine(request):
    """The rejected rows kept for correction, across the batches in scope (a batch's page links here)."""
    batch = None
    if str(request.GET.get("batch", "")).isdigit():
        batch = visible_batches(request.user).filter(pk=request.GET["batch"], kind=services.BATCH_KIND).first()
    return list_page(request, QUARANTINE, {"batch": batch})


@login_required
def upload(request):
    sources = submittable_sources(request.user)
    if not sources.exists():
        return HttpResponseForbidden(_("You may not submit records."))
    form = UploadForm(
        request.user,
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data, upload_file = form.cleaned_data, form.cleaned_data["file"]
        try:
            _message, batch = services.receive_file(
                data["source"], request.user, upload_file.read(), upload_file.name, data["kind"]
            )
        except DomainError as exc:
            form.refuse(exc)
        else:
            return redirect(reverse("exchange:batch", args=[batch.pk]))
    return render(request, "exchange/upload.html", {"form": form})


@login_required
def batch(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    outcome = request.GET.get("outcome", RowOutcome.REJECTED)
    rows = batch.rows.filter(outcome=outcome).order_by("row_number")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page:
        data = row.data if isinstance(row.data, dict) else {}
        row.label = data.get("source_id") or data.get("来源记录编号") or ""
        row.shown_errors = [(error, error_field_label(error.get("field", ""))) for error in row.errors]
    template = "exchange/batch_counts.html" if request.headers.get("HX-Request") else "exchange/batch.html"
    return render(
        request,
        template,
        {
            "batch": batch,
            "page_obj": page,
            "outcome": outcome,
            "running": batch.status == ImportStatus.RUNNING,
            "can_correct": submittable_sources(request.user).filter(name=batch.source).exists(),
        },
    )


def _error_text(error: dict) -> str:
    return error.get("message_en") if (get_language() or "").startswith("en") else error.get("message")


def _correction_form(form: CorrectionForm, errors: list[dict]) -> list[str]:
    """Put each of the row's errors beside its field; the rest (whole-record rules) are returned."""
    general = []
    for error in errors:
        field = str(error.get("field", "")).split(".")[0]
        field = OFFICER_CERTIFICATES if field == "certificate_no" else field
        if field in form.fields:
            form.add_error(field, _error_text(error))
        else:
            general.append(_error_text(error))
    return general


@login_required
def correct(request, pk: int, row_number: int):
    batch = _batch_or_404(request.user, pk)
    if not submittable_sources(request.user).filter(name=batch.source).exists():
        raise Http404
    row = batch.rows.filter(row_number=row_number, outcome=RowOutcome.REJECTED).first()
    if row is None:
        raise Http404
    data = dict(row_data(row, reveal=True))  # only those who correct the batch get here
    from_file = bool(batch.headers)
    chosen = request.POST.get("kind") or request.GET.get("kind") or row_kind(data, None)
    kind_form = KindForm({"kind": chosen}) if chosen else KindForm()
    if not kind_form.is_valid():
        return render(
            request, "exchange/correct.html", {"batch": batch, "row": row, "kind_form": kind_form, "form": None}
        )
    kind = kind_form.cleaned_data["kind"]
    general: list[str] = []
    if request.method == "POST":
        form = CorrectionForm(kind, request.POST)
        record = None
        if form.is_valid():
            try:
                record = form.record()
            except ValidationError:
                record = None
        if record is not None:
            if isinstance(data.get("attachments"), list):
                record["attachments"] = data["attachments"]
            try:
                new_batch = services.correct_row(batch, row_number, record, actor=request.user, standard=True)
            except DomainError as exc:
                general.append(screen_text(exc))
            else:
                if not new_batch.rejected:
                    messages.success(request, _("The corrected row was accepted."))
                    return redirect(reverse("exchange:batch", args=[batch.pk]))
                messages.error(request, _("The corrected row was rejected again; see the reasons below."))
                general += _correction_form(form, new_batch.rows.get().errors)
    else:
        form = CorrectionForm(kind, initial=CorrectionForm.initial_for(kind, row_cells(data, from_file)))
        form.cleaned_data = {}  # an unbound form carries the row's recorded errors beside its fields
        general = _correction_form(form, row.errors)
    return render(
        request,
        "exchange/correct.html",
        {"batch": batch, "row": row, "form": form, "general": general, "kind_form": kind_form, "kind": kind},
    )


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def quality(request):
    by = "source" if request.GET.get("by") == "source" else "department"
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    report = quality_report(request.user, by, start, end)
    plot = {
        "categories": [t["month"] for t in report["trend"]],
        "percent": True,
        "series": [
            {"name": str(_("Validity rate")), "data": [t["validity_rate"] for t in report["trend"]]},
            {"name": str(_("Reported within 7 working days")), "data": [t["timely_share"] for t in report["trend"]]},
            {"name": str(_("Completeness")), "data": [t["completeness"] for t in report["trend"]]},
        ],
    }
    english = (get_language() or "").startswith("en")
    rejections = {
        "type": "bar",
        "horizontal": True,
        # Each rule by its name, never its code.
        "categories": [(r["message_en"] if english else r["message"]) or r["code"] for r in report["rejections"][:12]],
        "series": [{"name": str(_("Rejected rows")), "data": [r["count"] for r in report["rejections"][:12]]}],
    }
    return render(
        request,
        "exchange/quality.html",
        {
            "report": report,
            "by": by,
            "start": start,
            "end": end,
            "trend_plot": plot,
            "rejection_plot": rejections,
            "timely_days": timely_within(),
        },
    )
