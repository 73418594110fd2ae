"""The credit lists (经营异常名录, 严重违法失信名单) as a list of the list kit."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianguan.credit.display import reason_label
from jianguan.credit.models import ListEntry
from jianguan.credit.permissions import visible_list_entries
from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, register_list


class ListEntryFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "subject__region_id"
    q = django_filters.CharFilter(label=_("Subject name or USCC"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ListEntry.Status.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(label=_("List"), choices=ListEntry.Kind.choices, empty_label=_("All lists"))
    listed_on = django_filters.DateFromToRangeFilter(label=_("Listed on"))

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(subject__name__contains=value) | Q(subject__uscc=value.upper()))


class ListEntryTable(tables.Table):
    subject = tables.Column(
        verbose_name=_("Subject"),
        accessor="subject__name",
        order_by="subject__name",
        linkify=("credit:subject", [tables.A("subject_id")]),
    )
    kind = tables.Column(verbose_name=_("List"))
    reason = tables.Column(verbose_name=_("Reason"), orderable=False)
    listed_on = tables.DateColumn(verbose_name=_("Listed on"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    normal_end = tables.DateColumn(
        verbose_name=_("Normal end"),
        format="Y-m-d",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}},
    )
    department = tables.Column(
        verbose_name=_("Authority"),
        accessor="department__name",
        order_by="department__path",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )

    class Meta:
        attrs = {"class": "table table-sm small", "id": "entries"}
        order_by = ("-listed_on",)

    def render_reason(self, record):
        return reason_label(record)

    def value_reason(self, record):
        return reason_label(record)


LIST_ENTRIES = register_list(
    ListSpec(
        "credit-lists", _("Credit lists"), visible_list_entries, ListEntryFilter, ListEntryTable, "credit/lists.html"
    )
)
