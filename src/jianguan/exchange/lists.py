"""The gateway's batches and its quarantine (rejected rows kept for correction) as lists of the list kit.

A quarantined row shows its personal data exactly as the batch's other screens do for the viewer:
as sent to those who correct the batch (`permissions.corrects`), masked for everyone else, on screen
and in the export alike (the row carries `reveal` from `permissions.visible_quarantine`).
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianguan.core.choices import ImportStatus
from jianguan.exchange.choices import Channel
from jianguan.exchange.forms import row_cells, row_kind
from jianguan.exchange.models import Message
from jianguan.exchange.permissions import BATCH_KIND, visible_quarantine, visible_rejections, visible_sources
from jianguan.platform.importing import row_data
from jianguan.platform.lists import DepartmentFilterMixin, ListFilter, ListSpec, YesNoFilter, register_list
from jianguan.platform.permissions import visible_batches
from jianguan.records.files import KIND_NAMES
from jianguan.records.rules import describe

HIDE_ON_PHONE = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def _moment(value) -> str:
    return date_format(value, "Y-m-d H:i") if value else ""


class BatchFilter(DepartmentFilterMixin):
    source = django_filters.ChoiceFilter(label=_("Source system"), empty_label=_("All source systems"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ImportStatus.choices, empty_label=_("All states"))
    channel = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Channel.choices, empty_label=_("All kinds"), field_name="channel"
    )
    received_on = django_filters.DateFromToRangeFilter(label=_("Received on"), field_name="created_at")

    def prepare(self) -> None:
        super().prepare()
        self.filters["source"].extra["choices"] = [(s.name, s.title) for s in visible_sources(self.actor)]


class BatchTable(tables.Table):
    pk = tables.Column(verbose_name="#", linkify=("exchange:batch", [tables.A("pk")]))
    source = tables.Column(verbose_name=_("Source"))
    filename = tables.Column(verbose_name=_("File or channel"), attrs=HIDE_ON_PHONE)
    channel = tables.Column(verbose_name=_("Kind"), attrs=HIDE_ON_PHONE)
    status = tables.Column(verbose_name=_("Status"))
    received = tables.Column(verbose_name=_("Received"))
    accepted = tables.Column(verbose_name=_("Accepted"))
    rejected = tables.Column(verbose_name=_("Rejected"))
    duplicates = tables.Column(verbose_name=_("Duplicates"), attrs=HIDE_ON_PHONE)
    created_at = tables.Column(verbose_name=_("Received at"), attrs=HIDE_ON_PHONE)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "id": "batches"}
        order_by = ("-created_at",)

    def render_channel(self, value):
        return Channel(value).label if value in Channel.values else ""

    def value_channel(self, value):
        return self.render_channel(value)

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    def render_created_at(self, value):
        return _moment(value)

    def value_created_at(self, value):
        return _moment(value)


def _batches(actor):
    channel = Message.objects.filter(batch=OuterRef("pk")).order_by("pk").values("channel")[:1]
    return visible_batches(actor).filter(kind=BATCH_KIND).annotate(channel=Subquery(channel))


BATCHES = register_list(
    ListSpec("exchange_batches", _("Batches"), _batches, BatchFilter, BatchTable, "exchange/overview.html")
)


def rule_label(code: str) -> str:
    """A rejection rule by its name in the reader's language, never its code."""
    zh, en = describe(code)
    if zh == code:
        return str(_("Format error"))
    return en if (get_language() or "").startswith("en") else zh


class QuarantineFilter(ListFilter):
    rule = django_filters.ChoiceFilter(label=_("Rule"), empty_label=_("All rules"), method="broke_rule")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=list(KIND_NAMES.items()), empty_label=_("All kinds"), method="of_kind"
    )
    batch = django_filters.NumberFilter(label=_("Batch"), field_name="batch_id")
    received_on = django_filters.DateFromToRangeFilter(label=_("Received on"), field_name="batch__created_at")
    corrected = YesNoFilter(label=_("Corrected"), field_name="resolved_by", lookup_expr="isnull", exclude=True)

    def prepare(self) -> None:
        super().prepare()
        codes = visible_rejections(self.actor).order_by("code").values_list("code", flat=True).distinct()
        self.filters["rule"].extra["choices"] = sorted(((code, rule_label(code)) for code in codes), key=lambda c: c[1])

    def broke_rule(self, queryset, name, value):
        # Both databases write a stored JSON object with ": " between key and value.
        return queryset.filter(errors__icontains=f'"code": "{value}"')

    def of_kind(self, queryset, name, value):
        return queryset.filter(data__kind=value) | queryset.filter(**{"data__记录类型__in": [value, KIND_NAMES[value]]})


def _cells(row) -> dict[str, str]:
    if not hasattr(row, "_cells"):
        data = row_data(row, row.reveal)
        row._cells = row_cells(data, bool(row.batch.headers))
        row._kind = row_kind(data, None)
    return row._cells


def _reasons(row) -> list[str]:
    english = (get_language() or "").startswith("en")
    return [str(e.get("message_en") if english else e.get("message")) for e in row.errors]


class QuarantineTable(tables.Table):
    batch = tables.Column(
        verbose_name=_("Batch"), accessor="batch_id", linkify=("exchange:batch", [tables.A("batch_id")])
    )
    row_number = tables.Column(verbose_name=_("Row"))
    record = tables.Column(verbose_name=_("Record"), accessor="pk", orderable=False)
    kind = tables.Column(verbose_name=_("Kind"), accessor="pk", orderable=False, attrs=HIDE_ON_PHONE)
    subject = tables.Column(verbose_name=_("Subject"), accessor="pk", orderable=False)
    subject_code = tables.Column(verbose_name=_("Subject code"), accessor="pk", orderable=False, attrs=HIDE_ON_PHONE)
    reasons = tables.Column(verbose_name=_("Reasons"), accessor="pk", orderable=False)
    received = tables.Column(verbose_name=_("Received at"), accessor="batch__created_at", attrs=HIDE_ON_PHONE)
    action = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)

    class Meta:
        attrs = {"class": "table table-sm", "id": "quarantine"}
        order_by = ("-batch", "row_number")

    def render_record(self, record):
        return _cells(record).get("source_id", "")

    def value_record(self, record):
        return self.render_record(record)

    def render_kind(self, record):
        _cells(record)
        return KIND_NAMES.get(record._kind or "", "")

    def value_kind(self, record):
        return self.render_kind(record)

    def render_subject(self, record):
        return _cells(record).get("subject_name", "")

    def value_subject(self, record):
        return self.render_subject(record)

    def render_subject_code(self, record):
        return _cells(record).get("subject_code", "")

    def value_subject_code(self, record):
        return self.render_subject_code(record)

    def render_reasons(self, record):
        return format_html("<br>".join("{}" for _r in record.errors), *_reasons(record))

    def value_reasons(self, record):
        return "；".join(_reasons(record))

    def render_received(self, value):
        return _moment(value)

    def value_received(self, value):
        return _moment(value)

    def render_action(self, record):
        if record.resolved_by_id:
            return format_html(
                '<a class="badge text-bg-success" href="{}">{}</a>',
                reverse("exchange:batch", args=[record.resolved_by_id]),
                _("Corrected"),
            )
        if record.reveal:
            return format_html(
                '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
                reverse("exchange:correct", args=[record.batch_id, record.row_number]),
                _("Correct"),
            )
        return ""


QUARANTINE = register_list(
    ListSpec(
        "exchange_quarantine",
        _("Quarantined rows"),
        visible_quarantine,
        QuarantineFilter,
        QuarantineTable,
        "exchange/quarantine.html",
    )
)
