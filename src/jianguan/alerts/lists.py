"""Alerts as a list of the list kit: by level, state, source, department, region and date."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from jianguan.alerts.choices import ALERT_WORKFLOW, Level, SignalKind
from jianguan.alerts.permissions import visible_alerts, visible_risks
from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, YesNoFilter, register_list
from jianguan.workflow.labels import state_label, state_labels
from jianguan.workflow.services import deadline_colour


def level_badge(level: str) -> str:
    return format_html('<span class="badge level-{}">{}</span>', level, Level(level).label)


class AlertFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "region__code"
    q = django_filters.CharFilter(label=_("Number or subject name"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))
    state = django_filters.ChoiceFilter(label=_("State"), field_name="item__state", empty_label=_("All states"))
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=SignalKind.choices, empty_label=_("All sources"), method="from_source"
    )
    raised_at = django_filters.DateFromToRangeFilter(label=_("Raised on"), field_name="raised_at__date")
    is_open = YesNoFilter(label=_("Open"), field_name="is_open")

    def prepare(self) -> None:
        super().prepare()
        self.filters["state"].extra["choices"] = list(state_labels(ALERT_WORKFLOW).items())

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number=value) | Q(subject__name__contains=value))

    def from_source(self, queryset, name, value):
        return queryset.filter(pk__in=queryset.model.objects.filter(signals__kind=value).values("pk"))


class AlertTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Number"), linkify=("alerts:detail", [tables.A("pk")]), attrs={"td": {"class": "text-nowrap"}}
    )
    level = tables.Column(verbose_name=_("Level"), attrs={"td": {"class": "text-nowrap"}})
    title = tables.Column(verbose_name=_("Alert"), orderable=False)
    department = tables.Column(
        verbose_name=_("Department"),
        accessor="department__name",
        order_by="department__path",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}},
    )
    score = tables.Column(verbose_name=_("Fusion score"), attrs={"td": {"class": "text-end"}})
    state = tables.Column(verbose_name=_("State"), accessor="item__state", attrs={"td": {"class": "text-nowrap"}})
    due = tables.Column(verbose_name=_("Due"), accessor="item__due_at", attrs={"td": {"class": "text-nowrap"}})
    raised_at = tables.DateTimeColumn(
        verbose_name=_("Raised at"), format="Y-m-d H:i", attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "alerts"}
        order_by = ("-raised_at",)

    def render_level(self, record):
        return level_badge(record.level)

    def value_level(self, record):
        return str(Level(record.level).label)

    def render_state(self, record):
        return state_label(record.item)

    def value_state(self, record):
        return state_label(record.item)

    def render_due(self, record):
        from django.utils import timezone

        if record.item.due_at is None:
            return "—"
        text = timezone.localtime(record.item.due_at).strftime("%Y-%m-%d")
        colour = deadline_colour(record.item)
        card = {"red": (_("Red card"), "danger"), "yellow": (_("Yellow card"), "warning")}.get(colour)
        return (
            text if card is None else format_html('<span class="badge text-bg-{}">{}</span> {}', card[1], card[0], text)
        )

    def value_due(self, record):
        return record.item.due_at.isoformat() if record.item.due_at else ""

    def value_raised_at(self, value):
        return value.isoformat()


def _alerts(actor):
    return visible_alerts(actor).select_related("department", "subject", "item__definition")


ALERTS = register_list(ListSpec("alerts", _("Risk alerts"), _alerts, AlertFilter, AlertTable, "alerts/list.html"))


# ---------------------------------------------------------------- fused risk of every subject

PART_LABELS = {**dict(SignalKind.choices), "risk_grade": _("Credit-risk grade")}


class RiskFilter(RegionFilterMixin):
    region_field = "subject__region__code"
    q = django_filters.CharFilter(label=_("Subject name or USCC"), method="search")
    score = django_filters.NumberFilter(label=_("Score at least"), field_name="score", lookup_expr="gte")
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=SignalKind.choices, empty_label=_("All sources"), method="with_part"
    )

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(subject__uscc=value.upper()) | Q(subject__name__contains=value))

    def with_part(self, queryset, name, value):
        return queryset.filter(**{f"{value}__gt": 0})


class RiskTable(tables.Table):
    subject = tables.Column(
        verbose_name=_("Subject"), accessor="subject__name", linkify=("credit:subject", [tables.A("subject_id")])
    )
    uscc = tables.Column(
        verbose_name=_("USCC"),
        accessor="subject__uscc",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}},
    )
    region = tables.Column(verbose_name=_("Region"), accessor="subject__region__name", order_by="subject__region")
    score = tables.Column(verbose_name=_("Fusion score"), attrs={"td": {"class": "text-end"}})
    parts = tables.Column(verbose_name=_("Contributions"), accessor="pk", orderable=False)
    as_of = tables.DateTimeColumn(
        verbose_name=_("Computed at"),
        format="Y-m-d H:i",
        attrs={"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell text-nowrap"}},
    )

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "risks"}
        order_by = ("-score",)

    @staticmethod
    def _parts(record) -> list[tuple[str, float]]:
        return sorted(((str(PART_LABELS[k]), v) for k, v in record.contributions.items()), key=lambda kv: -kv[1])

    def render_score(self, value):
        return f"{value:.2f}"

    def value_score(self, value):
        return round(value, 2)

    def render_parts(self, record):
        return format_html_join("", '<span class="badge text-bg-light border me-1">{} {}</span>', self._parts(record))

    def value_parts(self, record):
        return "；".join(f"{label} {points:g}" for label, points in self._parts(record))

    def value_as_of(self, value):
        return value.isoformat()


def _risks(actor):
    return visible_risks(actor).select_related("subject__region")


RISKS = register_list(
    ListSpec("risks", _("Fused risk of subjects"), _risks, RiskFilter, RiskTable, "alerts/risks.html")
)
