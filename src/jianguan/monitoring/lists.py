"""The monitoring registers on the list kit: devices (监测设备), clues (违法线索) and refused readings.

Every list reads its rows from `monitoring.permissions`, so its filters, counts and export hold only
the devices, clues and refused readings in the viewer's scope. Quantities and rules read as their
policy names, levels as coloured badges, refused readings by their reason in words; a device is
offline when in service and silent longer than the policy's `offline_after_minutes`.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from jianguan.core.models import Department
from jianguan.monitoring import display, services
from jianguan.monitoring.choices import ClueState, DeliveryKind, DeviceKind, DeviceStatus, Level
from jianguan.monitoring.permissions import visible_clues, visible_devices, visible_refused
from jianguan.platform.lists import ListFilter, ListSpec, RegionFilterMixin, YesNoFilter, register_list

NARROW = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
PAYLOAD_SHOWN = 120


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _departments_of(queryset: QuerySet) -> QuerySet[Department]:
    """The departments watching the listed rows (another sector's included), in the tree's order."""
    return Department.objects.filter(pk__in=queryset.values("department")).order_by("path")


def in_order(filterset: django_filters.FilterSet, *names: str) -> None:
    filterset.filters = {name: filterset.filters[name] for name in names}


class DepartmentChoice(ListFilter):
    department = django_filters.ModelChoiceFilter(
        label=_("Watching department"),
        queryset=Department.objects.none(),
        empty_label=_("All departments"),
        field_name="department",
    )

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].queryset = _departments_of(self.queryset)


# Devices


class DeviceFilter(RegionFilterMixin, DepartmentChoice):
    q = django_filters.CharFilter(label=_("Code, name or subject"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DeviceKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeviceStatus.choices, empty_label=_("All states"))
    offline = YesNoFilter(label=_("Offline"), method="by_offline")

    def prepare(self) -> None:
        super().prepare()
        in_order(self, "q", "kind", "department", "region", "status", "offline")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__contains=value) | Q(subject__name__contains=value))

    def by_offline(self, queryset, name, value):
        return queryset.filter(services.offline_q()) if value else queryset.exclude(services.offline_q())


class DeviceTable(tables.Table):
    code = tables.Column(verbose_name=_("Device code"), linkify=("monitoring:device", [tables.A("pk")]), attrs=NOWRAP)
    name = tables.Column(verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"), attrs=NARROW)
    subject = tables.Column(
        verbose_name=_("Subject"),
        accessor="subject__name",
        order_by="subject__name",
        linkify=("records:subject_file", [tables.A("subject_id")]),
        attrs=NARROW,
    )
    department = tables.Column(
        verbose_name=_("Watching department"), accessor="department__name", order_by="department__path", attrs=NARROW
    )
    region = tables.Column(verbose_name=_("Region"), accessor="region__name", order_by="region_id", attrs=NARROW)
    quantity = tables.Column(verbose_name=_("Measured quantity"), attrs=NARROW)
    status = tables.Column(verbose_name=_("Status"), attrs=NARROW)
    last_seen_at = tables.Column(verbose_name=_("Last seen"), attrs=NOWRAP)
    offline = tables.Column(verbose_name=_("Offline"), attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "devices"}
        order_by = ("code",)

    def render_kind(self, record):
        return record.get_kind_display()

    value_kind = render_kind

    def render_status(self, record):
        return record.get_status_display()

    value_status = render_status

    def render_quantity(self, value):
        return display.quantity_name(value) or "—"

    def value_quantity(self, value):
        return display.quantity_name(value)

    def render_last_seen_at(self, value):
        return _moment(value)

    value_last_seen_at = render_last_seen_at

    def render_offline(self, value):
        return display.offline_badge() if value else ""

    def value_offline(self, value):
        return str(_("Yes") if value else _("No"))


def devices(actor):
    """Visible devices, each knowing whether it is offline now (for the badge, sorting and the file)."""
    return (
        visible_devices(actor)
        .select_related("subject", "department", "region")
        .annotate(
            offline=Case(
                When(services.offline_q(), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )


DEVICES = register_list(
    ListSpec(
        "monitoring_devices",
        _("Monitoring devices"),
        devices,
        DeviceFilter,
        DeviceTable,
        "monitoring/devices.html",
        help_anchor="devices",
    )
)


# Clues


def level_rank() -> Case:
    """Red first, then orange, yellow and blue (the levels' seriousness, not their names' order)."""
    return Case(
        *(When(level=level, then=Value(n)) for n, level in enumerate(display.LEVEL_ORDER)),
        default=Value(len(display.LEVEL_ORDER)),
        output_field=IntegerField(),
    )


class ClueFilter(RegionFilterMixin, DepartmentChoice):
    q = django_filters.CharFilter(label=_("Number, device or subject"), method="search")
    level = django_filters.ChoiceFilter(label=_("Clue level"), choices=Level.choices, empty_label=_("All clue levels"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=ClueState.choices, empty_label=_("All states"))
    rule = django_filters.ChoiceFilter(label=_("Monitoring rule"), empty_label=_("All rules"))
    hit_on = django_filters.DateFromToRangeFilter(label=_("Hit on"), method="hit_within")

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].label = _("Department")
        self.filters["rule"].extra["choices"] = display.rule_choices()
        in_order(self, "q", "level", "state", "rule", "department", "region", "hit_on")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number=value) | Q(device__code__icontains=value) | Q(subject__name__contains=value))

    def hit_within(self, queryset, name, value):
        """Clues hit during the period (local days): from their first to their last hit, overlapping it."""
        if value.start:
            queryset = queryset.filter(last_at__gte=value.start)
        if value.stop:
            queryset = queryset.filter(first_at__lte=value.stop)
        return queryset


class ClueTable(tables.Table):
    """The level comes before the rule: on a phone, where the table scrolls sideways, it stays in sight."""

    number = tables.Column(verbose_name=_("Number"), linkify=("monitoring:clue", [tables.A("pk")]), attrs=NOWRAP)
    level = tables.Column(verbose_name=_("Clue level"), order_by="level_rank", attrs=NOWRAP)
    rule = tables.Column(verbose_name=_("Monitoring rule"))
    state = tables.Column(verbose_name=_("State"), attrs=NARROW)
    device = tables.Column(
        verbose_name=_("Device"),
        accessor="device__code",
        order_by="device__code",
        linkify=("monitoring:device", [tables.A("device_id")]),
        attrs=NARROW,
    )
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name", attrs=NARROW)
    department = tables.Column(
        verbose_name=_("Department"), accessor="department__name", order_by="department__path", attrs=NARROW
    )
    first_at = tables.Column(verbose_name=_("First hit"), attrs=NARROW)
    last_at = tables.Column(verbose_name=_("Last hit"), attrs=NARROW)
    hits = tables.Column(verbose_name=_("Hits"), attrs=NARROW)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "clues"}
        order_by = ("-last_at",)

    def render_rule(self, value):
        return display.rule_label(value)

    value_rule = render_rule

    # The column's value is the choice's label (django-tables2 reads get_level_display): the code is the record's.
    def render_level(self, record):
        return display.level_badge(record.level)

    def value_level(self, record):
        return display.level_label(record.level)

    def render_state(self, record):
        return record.get_state_display()

    value_state = render_state

    def render_first_at(self, value):
        return _moment(value)

    value_first_at = render_first_at
    render_last_at = render_first_at
    value_last_at = render_first_at


def clues(actor):
    return visible_clues(actor).select_related("device", "subject", "department").annotate(level_rank=level_rank())


CLUES = register_list(
    ListSpec("monitoring_clues", _("Monitoring clues"), clues, ClueFilter, ClueTable, "monitoring/clues.html")
)


# Refused readings


class RefusedFilter(ListFilter):
    q = django_filters.CharFilter(label=_("Device code"), field_name="device_code", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(
        label=_("Sent as"), field_name="delivery__kind", choices=DeliveryKind.choices, empty_label=_("All kinds")
    )
    reason = django_filters.ChoiceFilter(label=_("Reason"), empty_label=_("All reasons"))
    source = django_filters.ChoiceFilter(
        label=_("Source system"), field_name="delivery__source", empty_label=_("All source systems")
    )
    received_on = django_filters.DateFromToRangeFilter(label=_("Received on"), field_name="delivery__received_at")

    def prepare(self) -> None:
        super().prepare()
        self.filters["reason"].extra["choices"] = display.reason_choices()
        sources = self.queryset.order_by().values_list("delivery__source", "delivery__source__title").distinct()
        self.filters["source"].extra["choices"] = sorted(
            ((str(pk), title) for pk, title in sources), key=lambda s: s[1]
        )


class RefusedTable(tables.Table):
    received_at = tables.Column(verbose_name=_("Received at"), accessor="delivery__received_at", attrs=NOWRAP)
    source = tables.Column(
        verbose_name=_("Source system"),
        accessor="delivery__source__title",
        order_by="delivery__source__title",
        attrs=NARROW,
    )
    kind = tables.Column(verbose_name=_("Sent as"), accessor="delivery__kind", attrs=NARROW)
    position = tables.Column(verbose_name=_("Position"), attrs=NARROW)
    device_code = tables.Column(verbose_name=_("Device code"), attrs=NOWRAP)
    reason = tables.Column(verbose_name=_("Reason"))
    payload = tables.Column(verbose_name=_("Original content"), orderable=False, attrs=NARROW)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "refused"}
        order_by = ("-received_at", "position")

    def render_received_at(self, value):
        return _moment(value)

    value_received_at = render_received_at

    def render_device_code(self, value):
        return value or "—"

    def render_kind(self, record):
        return record.delivery.get_kind_display()

    value_kind = render_kind

    def render_reason(self, record):
        return display.reason_text(record.reason, record.delivery.kind)

    value_reason = render_reason

    def value_payload(self, value):
        return value

    def render_payload(self, value):
        # The sender's own bytes: escaped by format_html, cut short on screen, whole in the export.
        return format_html('<code class="text-break">{}</code>', Truncator(value).chars(PAYLOAD_SHOWN))


def refused(actor):
    return visible_refused(actor).select_related("delivery__source")


REFUSED = register_list(
    ListSpec("monitoring_refused", _("Refused data"), refused, RefusedFilter, RefusedTable, "monitoring/refused.html")
)
