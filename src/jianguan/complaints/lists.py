"""The 12345 work-order queue as a list of the list kit: filters, sorting, counts and export in the URL.

The complainant appears only in the masked forms stored on the order: a list and its export are read
and passed on by many, while the name and phone in full stay on the order's own page for its handlers
(`permissions.complainant`). Hotline operators get a checkbox column to dispatch several orders at once.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jianguan.complaints.choices import WORKFLOW_CODE, Channel, Kind, State
from jianguan.complaints.models import Assignment, Category
from jianguan.complaints.permissions import dispatches, visible_orders
from jianguan.platform.lists import ChooseColumn, DepartmentFilterMixin, ListSpec, RegionFilterMixin, register_list
from jianguan.workflow.labels import deadline_text, state_label, state_labels
from jianguan.workflow.services import deadline_colour

CARDS = {"red": (_("Red card"), "danger"), "yellow": (_("Yellow card"), "warning")}


class WorkOrderFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "region_id"
    q = django_filters.CharFilter(label=_("Number or subject name"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), empty_label=_("All states"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All kinds"))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All channels"))
    category = django_filters.ChoiceFilter(label=_("Category"), method="in_category", empty_label=_("All categories"))
    card = django_filters.ChoiceFilter(
        label=_("Deadline"),
        method="by_card",
        choices=[("yellow", _("Yellow card (deadline near)")), ("red", _("Red card (overdue)"))],
        empty_label=_("All deadlines"),
    )
    received_at = django_filters.DateFromToRangeFilter(label=_("Received on"))

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].label = _("Lead or co-handling unit")
        self.filters["department"].method = "handled_by"
        self.filters["state"].extra["choices"] = list(state_labels(WORKFLOW_CODE).items())
        categories = Category.objects.filter(is_active=True, level__lte=2).values_list("code", "name", "level")
        self.filters["category"].extra["choices"] = [
            (code, name if level == 1 else f"\u3000{name}") for code, name, level in categories
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number=value) | Q(subject__name__contains=value)) if value else queryset

    def handled_by(self, queryset, name, value):
        """The lead unit, or a unit currently assigned to the order (lead or co-handler)."""
        assigned = Assignment.objects.filter(department=value, is_current=True).values("order_id")
        return queryset.filter(Q(lead_department=value) | Q(pk__in=assigned))

    def in_category(self, queryset, name, value):
        return queryset.filter(category__code__startswith=value)

    def by_card(self, queryset, name, value):
        """Red: the current deadline has passed; yellow: its warning point has, the deadline not yet
        (the cards `workflow.services.deadline_colour` gives each order)."""
        now = timezone.now()
        open_orders = queryset.filter(item__is_closed=False)
        if value == "red":
            return open_orders.filter(item__next_due_at__lte=now)
        return open_orders.filter(item__warn_at__lte=now, item__next_due_at__gt=now)


NARROW = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NOWRAP = {"td": {"class": "text-nowrap"}}


class WorkOrderTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Work-order number"), linkify=("complaints:detail", [tables.A("number")]), attrs=NOWRAP
    )
    received_at = tables.DateTimeColumn(verbose_name=_("Received at"), format="Y-m-d H:i", attrs=NOWRAP)
    kind = tables.Column(verbose_name=_("Kind"), attrs=NOWRAP)
    category = tables.Column(verbose_name=_("Category"), accessor="category__name", order_by="category__code")
    state = tables.Column(verbose_name=_("State"), attrs={"td": {"class": "text-nowrap order-state"}})
    lead_department = tables.Column(
        verbose_name=_("Lead unit"), accessor="lead_department__name", order_by="lead_department__path"
    )
    region = tables.Column(verbose_name=_("Region"), accessor="region__name", order_by="region_id", attrs=NOWRAP)
    due_at = tables.Column(verbose_name=_("Due"), attrs=NOWRAP)
    complainant = tables.Column(verbose_name=_("Complainant"), empty_values=(), orderable=False, attrs=NOWRAP)
    phone = tables.Column(verbose_name=_("Phone"), accessor="complainant_phone_masked", orderable=False, attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "orders"}
        order_by = ("-received_at",)

    def render_kind(self, record):
        return record.get_kind_display() if record.kind else "—"

    def value_kind(self, record):
        return record.get_kind_display() if record.kind else ""

    def render_state(self, record):
        return state_label(record.item) if record.item_id else State(record.state).label

    value_state = render_state

    def render_due_at(self, record):
        card = CARDS.get(deadline_colour(record.item)) if record.item_id else None
        text = deadline_text(record.due_at)
        if card is None:
            return text
        return format_html('<span class="badge text-bg-{}">{}</span> {}', card[1], card[0], text)

    def value_due_at(self, record):
        card = CARDS.get(deadline_colour(record.item)) if record.item_id else None
        text = deadline_text(record.due_at)
        return f"{card[0]} {text}" if card else text

    def render_complainant(self, record):
        return self.value_complainant(record) or "—"

    def value_complainant(self, record):
        return gettext("Anonymous") if record.anonymous else record.complainant_name_masked

    def value_received_at(self, record):
        return timezone.localtime(record.received_at).strftime("%Y-%m-%d %H:%M")


class DispatchWorkOrderTable(WorkOrderTable):
    """The queue as hotline operators see it: orders still to dispatch can be ticked for dispatch together."""

    select = ChooseColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "td__input": {
                "name": "orders",
                "form": "bulk-dispatch",
                "class": "form-check-input",
                "aria-label": lambda record: record.number,
            }
        },
    )

    class Meta(WorkOrderTable.Meta):
        sequence = ("select", "...")

    def before_render(self, request):
        """Boxes ticked before a refused dispatch stay ticked when the page comes back with its errors."""
        chosen = set(request.POST.getlist("orders")) if request.method == "POST" else set()
        self.columns["select"].column.checked = lambda value, record: str(value) in chosen

    def render_select(self, value, bound_column, record):
        if record.state != State.RECEIVED:
            return ""
        return bound_column.column.render(value, bound_column, record)


def _orders(actor):
    return visible_orders(actor).select_related("category", "region", "lead_department", "item__definition")


WORK_ORDERS = register_list(
    ListSpec("work_orders", _("12345 work orders"), _orders, WorkOrderFilter, WorkOrderTable, "complaints/queue.html")
)
WORK_ORDERS_TO_DISPATCH = register_list(
    ListSpec(
        "work_orders_dispatch",
        _("12345 work orders"),
        _orders,
        WorkOrderFilter,
        DispatchWorkOrderTable,
        "complaints/queue.html",
    )
)


def queue_list(actor) -> ListSpec:
    """The queue with the dispatch checkboxes for those who dispatch, without them for everyone else."""
    return WORK_ORDERS_TO_DISPATCH if dispatches(actor) else WORK_ORDERS
