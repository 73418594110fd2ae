"""The supervision-action register as a list of the list kit."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, register_list
from jianguan.records.choices import RecordKind
from jianguan.records.display import masked_name
from jianguan.records.permissions import visible_records


class RecordFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "region_id"
    q = django_filters.CharFilter(label=_("Party name, code or document number"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RecordKind.choices, empty_label=_("All kinds"))
    action_date = django_filters.DateFromToRangeFilter(label=_("Action date"))
    source = django_filters.CharFilter(label=_("Source system"))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(subject_name__contains=value) | Q(document_no=value) | Q(source_id=value) | Q(subject_code=value.upper())
        )


class RecordTable(tables.Table):
    action_date = tables.DateColumn(
        verbose_name=_("Date"), format="Y-m-d", linkify=("records:detail", [tables.A("pk")])
    )
    kind = tables.Column(verbose_name=_("Kind"))
    subject_name = tables.Column(verbose_name=_("Party"), linkify=("records:subject_file", [tables.A("subject_id")]))
    department = tables.Column(
        verbose_name=_("Implementing department"), accessor="department__name", order_by="department__path"
    )
    document_no = tables.Column(verbose_name=_("Document number"))
    result = tables.Column(verbose_name=_("Result"), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "id": "records"}
        order_by = ("-action_date",)

    def render_subject_name(self, record):
        return masked_name(record)

    def value_subject_name(self, record):
        return masked_name(record)

    def render_result(self, value):
        return value if len(value) <= 40 else value[:39] + "…"


def _records(actor):
    return visible_records(actor).select_related("department")


RECORDS = register_list(
    ListSpec("records", _("Supervision actions"), _records, RecordFilter, RecordTable, "platform/list.html")
)
