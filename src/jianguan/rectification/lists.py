"""Rectification orders as a list of the list kit: by state, source, department, region and due date."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, YesNoFilter, register_list
from jianguan.rectification.choices import RECTIFY_WORKFLOW, SourceKind
from jianguan.rectification.permissions import visible_rectifications
from jianguan.workflow.labels import deadline_text, state_label, state_labels
from jianguan.workflow.services import deadline_colour


class RectificationFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "subject__region_id"
    q = django_filters.CharFilter(label=_("Number or subject name"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), empty_label=_("All states"))
    source_kind = django_filters.ChoiceFilter(
        label=_("Source"), choices=SourceKind.choices, empty_label=_("All sources")
    )
    due_on = django_filters.DateFromToRangeFilter(label=_("Due on"))
    overdue = YesNoFilter(label=_("Overdue"), method="is_overdue")

    def prepare(self) -> None:
        super().prepare()
        self.filters["state"].extra["choices"] = list(state_labels(RECTIFY_WORKFLOW).items())

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number=value) | Q(subject__name__contains=value))

    def is_overdue(self, queryset, name, value):
        late = Q(item__is_closed=False, item__next_due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class RectificationTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Number"),
        linkify=("rectification:detail", [tables.A("pk")]),
        attrs={"td": {"class": "text-nowrap"}},
    )
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name")
    department = tables.Column(
        verbose_name=_("Department"),
        accessor="department__name",
        order_by="department__path",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )
    requirement = tables.Column(
        verbose_name=_("What to put right"),
        orderable=False,
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )
    state = tables.Column(verbose_name=_("State"), attrs={"td": {"class": "text-nowrap"}})
    due_on = tables.Column(verbose_name=_("Due"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        attrs = {"class": "table table-sm small", "id": "rectifications"}
        order_by = ("-number",)

    def render_requirement(self, value):
        return value if len(value) <= 40 else value[:39] + "…"

    def render_state(self, record):
        return state_label(record.item)

    def value_state(self, record):
        return state_label(record.item)

    def render_due_on(self, record):
        colour = deadline_colour(record.item)
        card = {"red": (_("Red card"), "danger"), "yellow": (_("Yellow card"), "warning")}.get(colour)
        text = deadline_text(record.due_on)
        if card is None:
            return text
        return format_html('<span class="badge text-bg-{}">{}</span> {}', card[1], card[0], text)

    def value_due_on(self, record):
        return record.due_on.isoformat()


def _orders(actor):
    return visible_rectifications(actor).select_related("subject", "department", "item__definition")


RECTIFICATIONS = register_list(
    ListSpec(
        "rectifications",
        _("Rectification orders"),
        _orders,
        RectificationFilter,
        RectificationTable,
        "rectification/orders.html",
    )
)
