"""One list kit for every register and work list: filters, sorting, page size and export, all in the URL.

A list is a `ListSpec`: a scoped queryset (the reading app's permissions function), a django-filter
FilterSet and a django-tables2 Table. `list_page` renders it; the same filters choose the rows an
export writes, so an export holds exactly what the screen shows, across every page. Small exports are
answered at once; larger ones run in the background (`ExportJob`) while the page shows progress, and
the file is kept for its owner to download.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import visible_departments
from jianguan.accounts.scope import scope_for
from jianguan.core.choices import ImportStatus, RegionLevel
from jianguan.core.errors import DomainError
from jianguan.core.models import Department, ExportJob, Region
from jianguan.platform.apitools import file_response

PAGE_SIZES = (25, 50, 100)
# Up to this many rows an export is written while the person waits; above it, in the background.
SYNC_EXPORT_ROWS = 2000
EXPORT_DIR = settings.VAR_DIR / "exports"
# Filter and paging parameters that say nothing about which rows: left out of exports and saved filters.
NOT_FILTERS = {"page", "per_page", "export"}


@dataclass(frozen=True)
class ListSpec:
    key: str
    title: Any
    queryset: Callable[[Any], QuerySet]
    filterset: type[django_filters.FilterSet]
    table: type[tables.Table]
    template: str = "platform/list.html"
    help_anchor: str = ""


_LISTS: dict[str, ListSpec] = {}


def register_list(spec: ListSpec) -> ListSpec:
    _LISTS[spec.key] = spec
    return spec


def list_spec(key: str) -> ListSpec:
    try:
        return _LISTS[key]
    except KeyError:
        raise DomainError("unknown_list", _("There is no such list.")) from None


class YesNoWidget(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


class YesNoFilter(django_filters.BooleanFilter):
    """Yes, no, or either (not Django's "unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class ListFilter(django_filters.FilterSet):
    """A FilterSet that knows its actor (choices such as departments are the actor's own) and styles its form."""

    def __init__(self, data=None, queryset=None, *, actor: Any = None, **kwargs):
        self.actor = actor
        super().__init__(data, queryset=queryset, **kwargs)
        self.prepare()
        for field in self.form.fields.values():
            widgets = getattr(field.widget, "widgets", [field.widget])
            for widget in widgets:
                kind = (
                    "form-select"
                    if getattr(widget, "input_type", "") == "select" or widget.__class__.__name__.endswith("Select")
                    else "form-control"
                )
                widget.attrs.setdefault("class", f"{kind} {kind}-sm")
            if isinstance(field.widget, django_filters.widgets.RangeWidget):
                for widget, hint in zip(field.widget.widgets, (_("from"), _("to")), strict=True):
                    widget.input_type = "date"
                    widget.attrs["aria-label"] = f"{field.label} {hint}"

    def prepare(self) -> None:
        """Set choices that depend on the actor or the database (before the form is built)."""


def region_choices(actor: Any) -> list[tuple[str, str]]:
    """The cities and counties a region filter offers: those of the provinces the platform's
    departments serve, within the actor's region scope (not every county in China)."""
    scope = scope_for(actor)
    prefixes = {g.region_prefix for g in scope.grants}
    if None in prefixes or not prefixes:
        prefixes = {code[:2] for code in Department.objects.values_list("region_id", flat=True).distinct()}
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    regions = (
        Region.objects.filter(condition, is_historical=False).order_by("code").values_list("code", "name", "level")
    )
    return [(code, name if level < RegionLevel.COUNTY else f"\u3000{name}") for code, name, level in regions]


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (370000 → 37, 370100 → 3701)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class RegionFilterMixin(ListFilter):
    region = django_filters.ChoiceFilter(label=_("Region"), method="in_region", empty_label=_("All regions"))
    region_field = "region__code"  # the lookup of the region code on the listed rows

    def prepare(self) -> None:
        super().prepare()
        self.filters["region"].extra["choices"] = region_choices(self.actor)

    def in_region(self, queryset, name, value):
        return queryset.filter(**{f"{self.region_field}__startswith": region_prefix(value)})


class DepartmentFilterMixin(ListFilter):
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=None, empty_label=_("All departments"), field_name="department"
    )

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].queryset = visible_departments(self.actor).order_by("path")


class ChooseColumn(tables.CheckBoxColumn):
    """A checkbox per row for a bulk action whose form stands outside the table: each box names the form
    (`td__input`'s `form` and `name`). The header box chooses or clears every row on the page for that
    form, and the page counts the chosen rows beside the form's button (web/app.js)."""

    @property
    def header(self):
        row = self.attrs.get("td__input", {})
        return format_html(
            '<input type="checkbox" class="form-check-input" form="{}" data-check-all="{}" aria-label="{}"'
            ' data-chosen-text="{}">',
            row.get("form", ""),
            row.get("name", ""),
            _("Choose every row on this page"),
            _("Chosen: %(n)s"),
        )


def counts_by(queryset: QuerySet, field: str) -> dict[Any, int]:
    """How many of the visible rows hold each value of `field`, counted once each.

    Grouping the scoped queryset itself would group by its ordering and distinct columns too (one
    group per row); counting over its primary keys gives the register's own numbers."""
    rows = (
        queryset.model.objects.filter(pk__in=queryset.values("pk"))
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    return dict(rows)


def filtered(spec: ListSpec, actor: Any, params: QueryDict) -> django_filters.FilterSet:
    """The FilterSet over the rows `actor` may see; invalid filter values are reported on the form."""
    return spec.filterset(params, queryset=spec.queryset(actor), actor=actor)


def _per_page(params: QueryDict) -> int:
    try:
        size = int(params.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def export_rows(spec: ListSpec, actor: Any, params: QueryDict) -> Iterator[list[Any]]:
    """The header, then every filtered row in the list's order, as the table shows them (no links)."""
    rows = filtered(spec, actor, params).qs
    table = spec.table(rows, order_by=params.get("sort") or None)
    yield from table.as_values()


def _write(rows: Iterator[list[Any]], fmt: str, progress: Callable[[int], None] | None = None) -> bytes:
    count = 0
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
            if progress and count % 500 == 0:
                progress(count - 1)
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read the Chinese text
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append([v if isinstance(v, int | float) or v is None else str(v) for v in row])
        count += 1
        if progress and count % 500 == 0:
            progress(count - 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _filter_params(params: QueryDict) -> dict[str, list[str]]:
    return {key: params.getlist(key) for key in params if key not in NOT_FILTERS}


def run_export(job: ExportJob) -> ExportJob:
    """Write the file of `job` (in a task for large lists), updating its progress as rows are written."""
    spec = list_spec(job.list_key)
    params = QueryDict(mutable=True)
    for key, values in job.params.items():
        params.setlist(key, values)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    try:
        content = _write(export_rows(spec, job.user, params), job.format, progress)
    except Exception as exc:  # recorded for the person waiting; the task runner logs the traceback too
        ExportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error=str(exc)[:500])
        raise
    EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    (EXPORT_DIR / f"{job.pk}.{job.format}").write_bytes(content)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.COMPLETED, done=job.total, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def export(request, spec: ListSpec, params: QueryDict) -> HttpResponse:
    fmt = "csv" if params.get("export") == "csv" else "xlsx"
    name = f"{spec.key}-{timezone.localdate():%Y%m%d}.{fmt}"
    total = filtered(spec, request.user, params).qs.count()
    if total <= SYNC_EXPORT_ROWS:
        return file_response(_write(export_rows(spec, request.user, params), fmt), name, fmt)
    job = ExportJob.objects.create(
        user=request.user,
        list_key=spec.key,
        params=_filter_params(params),
        format=fmt,
        status=ImportStatus.RUNNING,
        total=total,
        filename=name,
    )
    if settings.HUEY.get("immediate") and not settings.EXPORTS_INLINE:
        threading.Thread(target=_export_beside_request, args=(job.pk,), daemon=True).start()
    else:
        from jianguan.platform.tasks import export_in_background

        export_in_background(job.pk)
    return redirect(reverse("exports:job", args=[job.pk]))


def _export_beside_request(job_id: int) -> None:
    try:
        run_export(ExportJob.objects.select_related("user").get(pk=job_id))
    finally:
        connections.close_all()


def list_page(
    request, spec: ListSpec, extra: dict[str, Any] | None = None, defaults: dict[str, str] | None = None
) -> HttpResponse:
    """The list screen (or, with ?export=xlsx|csv, the export of exactly its filtered rows).

    `defaults` are filter values that apply when the address does not name them (a list that opens
    on the entries in force); the address still overrides them, an empty value included."""
    params = request.GET
    if defaults and any(key not in params for key in defaults):
        params = params.copy()
        for key, value in defaults.items():
            params.setdefault(key, value)
    if params.get("export"):
        return export(request, spec, params)
    filterset = filtered(spec, request.user, params)
    table = spec.table(filterset.qs, order_by=params.get("sort") or None)
    try:
        table.paginate(page=params.get("page", 1), per_page=_per_page(params))
    except (EmptyPage, PageNotAnInteger):
        table.paginate(page=1, per_page=_per_page(params))
    query = params.copy()
    for key in NOT_FILTERS:
        query.pop(key, None)
    context = {
        "spec": spec,
        "filter": filterset,
        "table": table,
        "count": table.paginator.count,
        "page_sizes": PAGE_SIZES,
        "per_page": _per_page(params),
        "filters_query": query.urlencode(),
        "filtered": any(v for k, v in query.items() if k != "sort"),
        "params": params,
        **(extra or {}),
    }
    template = spec.template
    if request.htmx and request.htmx.target == "list-results":
        template = "platform/list_results.html"
    return render(request, template, context)
