"""The joint work lists on the list kit: notices (抄告), assistance requests (协查协办), campaigns
(专项整治) and licence claims (审管联动).

Every list reads its rows from `joint.permissions`, so its filters, counts and export hold only what the
viewer's departments sent, received or take part in. States are the workflow's names (a campaign's,
which has no workflow, follows from its window); deadlines are the stored ones, read through
`workflow.labels.deadline_text`. Recipients tick notices to mark them read together, supervising units
tick licences to claim them together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jianguan.core.models import Department
from jianguan.joint.choices import ASSIST_WORKFLOW, CLAIM_WORKFLOW, CampaignPhase, CampaignTaskStatus
from jianguan.joint.models import Campaign, NoticeRecipient
from jianguan.joint.permissions import visible_assistance, visible_campaigns, visible_claims, visible_notices
from jianguan.platform.lists import (
    ChooseColumn,
    DepartmentFilterMixin,
    ListSpec,
    RegionFilterMixin,
    YesNoFilter,
    counts_by,
    register_list,
)
from jianguan.records.choices import LicenceKind
from jianguan.workflow.labels import deadline_text, state_label, state_labels
from jianguan.workflow.services import deadline_colour

NARROW = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
CARDS = {"red": (_("Red card"), "danger"), "yellow": (_("Yellow card"), "warning")}
DEADLINES = [("due", _("Deadline ahead")), ("overdue", _("Overdue"))]


class NoticeFilter(DepartmentFilterMixin):
    unread = YesNoFilter(label=_("Unread by my department"), method="by_unread")
    reply = django_filters.ChoiceFilter(
        label=_("Reply"),
        method="by_reply",
        choices=[("due", _("Reply due")), ("overdue", _("Reply overdue"))],
        empty_label=_("All"),
    )
    sent_at = django_filters.DateFromToRangeFilter(label=_("Sent on"))

    def prepare(self) -> None:
        super().prepare()
        sender = self.filters["department"]
        sender.label, sender.field_name = _("Sending department"), "sender"
        # The senders of the notices the viewer sees (another department's notices to it included).
        sender.queryset = Department.objects.filter(pk__in=self.queryset.values("sender")).order_by("path")

    def by_unread(self, queryset, name, value):
        """Notices addressed to the viewer's department: not yet read by it (yes) or read (no)."""
        mine = NoticeRecipient.objects.filter(
            notice=OuterRef("pk"), department_id=getattr(self.actor, "department_id", None), read_at__isnull=value
        )
        return queryset.filter(Exists(mine))

    def by_reply(self, queryset, name, value):
        """A reply is asked and a recipient has not answered: its deadline still ahead (due) or passed (overdue)."""
        waiting = Exists(NoticeRecipient.objects.filter(notice=OuterRef("pk"), replied_at__isnull=True))
        now = timezone.now()
        when = Q(reply_due__gte=now) if value == "due" else Q(reply_due__lt=now)
        return queryset.filter(when, waiting)


class NoticeTable(tables.Table):
    select = ChooseColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "td__input": {
                "name": "notices",
                "form": "bulk-read",
                "class": "form-check-input",
                "aria-label": lambda record: record.title,
            }
        },
    )
    sent_at = tables.DateTimeColumn(verbose_name=_("Sent"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}})
    sender = tables.Column(verbose_name=_("Sender"), accessor="sender__name", order_by="sender__path")
    title = tables.Column(verbose_name=_("Title"), linkify=("joint:notice", [tables.A("pk")]))
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name")
    mine = tables.Column(
        verbose_name=_("Read"), empty_values=(), orderable=False, attrs={"td": {"class": "text-nowrap"}}
    )
    reply_due = tables.Column(verbose_name=_("Reply due"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "notices"}
        order_by = ("-sent_at",)

    def value_sent_at(self, record):
        return timezone.localtime(record.sent_at).strftime("%Y-%m-%d %H:%M")

    def render_select(self, value, bound_column, record):
        if not record.addressed_to_me or record.read_by_me:
            return ""
        return bound_column.column.render(value, bound_column, record)

    def render_mine(self, record):
        return self.value_mine(record) or "—"

    def value_mine(self, record):
        if not record.addressed_to_me:
            return ""
        return gettext("Read") if record.read_by_me else gettext("Unread")

    def render_reply_due(self, record):
        text = deadline_text(record.reply_due)
        if record.reply_due is not None and record.reply_due < timezone.now():
            return format_html('<span class="badge text-bg-danger">{}</span> {}', _("Reply overdue"), text)
        return text

    def value_reply_due(self, record):
        return deadline_text(record.reply_due)


def _notices(actor):
    """Visible notices, each knowing whether it is addressed to the viewer's department and read by it."""
    mine = NoticeRecipient.objects.filter(notice=OuterRef("pk"), department_id=getattr(actor, "department_id", None))
    return (
        visible_notices(actor)
        .select_related("sender", "subject")
        .annotate(addressed_to_me=Exists(mine), read_by_me=Exists(mine.filter(read_at__isnull=False)))
    )


NOTICES = register_list(
    ListSpec("joint_notices", _("Notices"), _notices, NoticeFilter, NoticeTable, "joint/notices.html")
)


def by_deadline(queryset: QuerySet, value: str) -> QuerySet:
    """Open work whose stored deadline (the nearer of the state's and the overall one) is still
    ahead (due) or has passed (overdue): the red card `workflow.services.deadline_colour` shows."""
    now = timezone.now()
    running = queryset.filter(item__is_closed=False, item__next_due_at__isnull=False)
    return (
        running.filter(item__next_due_at__lt=now) if value == "overdue" else running.filter(item__next_due_at__gte=now)
    )


def deadline_cell(item, moment: dt.datetime | None) -> str:
    """A deadline in words, with the red or yellow card of the item's nearer deadline."""
    card = CARDS.get(deadline_colour(item))
    text = deadline_text(moment) or "—"
    if card is None:
        return text
    return format_html('<span class="badge text-bg-{}">{}</span> {}', card[1], card[0], text)


def deadline_value(item, moment: dt.datetime | None) -> str:
    card = CARDS.get(deadline_colour(item))
    text = deadline_text(moment)
    return f"{card[0]} {text}" if card else text


def _departments_of(queryset: QuerySet, *lookups: str) -> QuerySet[Department]:
    """The departments that appear at `lookups` on the rows the viewer sees (another branch's
    department that sent the viewer work included), in the tree's order."""
    condition = Q(pk__in=[])
    for lookup in lookups:
        condition |= Q(pk__in=queryset.values(lookup))
    return Department.objects.filter(condition).order_by("path")


def in_order(filterset: django_filters.FilterSet, *names: str) -> None:
    """Put the filters in the order people look for them (a mixin's own filters come first otherwise)."""
    filterset.filters = {name: filterset.filters[name] for name in names}


def state_counts(counts: dict[Any, int], labels: dict[Any, Any], url: str) -> list[tuple[str, str, int, str]]:
    """(state, its name, count, link to the list on that state) for each state that has rows, in order."""
    return [(str(code), name, counts[code], f"{url}?state={code}") for code, name in labels.items() if counts.get(code)]


# Assistance requests (协查协办)


class AssistanceFilter(DepartmentFilterMixin):
    q = django_filters.CharFilter(label=_("Number or subject name"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), empty_label=_("All states"))
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assisting department"), queryset=Department.objects.none(), empty_label=_("All departments")
    )
    deadline = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=DEADLINES, method="by_deadline", empty_label=_("All deadlines")
    )
    requested_at = django_filters.DateFromToRangeFilter(label=_("Requested on"))

    def prepare(self) -> None:
        super().prepare()
        requester = self.filters["department"]
        requester.label, requester.field_name = _("Requesting department"), "requester"
        requester.queryset = _departments_of(self.queryset, "requester")
        self.filters["assignee"].queryset = _departments_of(self.queryset, "assignee")
        self.filters["state"].extra["choices"] = list(state_labels(ASSIST_WORKFLOW).items())
        in_order(self, "q", "state", "department", "assignee", "deadline", "requested_at")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number=value) | Q(subject__name__contains=value)) if value else queryset

    def by_deadline(self, queryset, name, value):
        return by_deadline(queryset, value)


class AssistanceTable(tables.Table):
    number = tables.Column(verbose_name=_("Number"), linkify=("joint:assistance", [tables.A("pk")]), attrs=NOWRAP)
    requested_at = tables.DateTimeColumn(
        verbose_name=_("Requested on"),
        format="Y-m-d",
        attrs={"th": NARROW["th"], "td": {"class": "d-none d-md-table-cell text-nowrap"}},
    )
    requester = tables.Column(
        verbose_name=_("Requesting department"), accessor="requester__name", order_by="requester__path", attrs=NARROW
    )
    assignee = tables.Column(
        verbose_name=_("Assisting department"), accessor="assignee__name", order_by="assignee__path", attrs=NARROW
    )
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name")
    state = tables.Column(verbose_name=_("State"), attrs=NOWRAP)
    due = tables.Column(verbose_name=_("Due"), accessor="item__due_at", attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "assistance"}
        order_by = ("-requested_at",)

    def value_requested_at(self, record):
        return timezone.localtime(record.requested_at).strftime("%Y-%m-%d %H:%M")

    def render_state(self, record):
        return state_label(record.item)

    value_state = render_state

    def render_due(self, record):
        return deadline_cell(record.item, record.item.due_at)

    def value_due(self, record):
        return deadline_value(record.item, record.item.due_at)


def _assistance(actor):
    return visible_assistance(actor).select_related("requester", "assignee", "subject", "item__definition")


ASSISTANCE = register_list(
    ListSpec(
        "joint_assistance",
        _("Assistance requests"),
        _assistance,
        AssistanceFilter,
        AssistanceTable,
        "joint/assistance_list.html",
    )
)


def assistance_states(actor) -> list[tuple[str, str, int, str]]:
    counts = counts_by(visible_assistance(actor), "state")
    return state_counts(counts, state_labels(ASSIST_WORKFLOW), reverse("joint:assistance_list"))


# Campaigns (专项整治)


def _phase(today: dt.date) -> Case:
    return Case(
        When(starts_on__gt=today, then=Value(CampaignPhase.UPCOMING)),
        When(ends_on__lt=today, then=Value(CampaignPhase.ENDED)),
        default=Value(CampaignPhase.RUNNING),
        output_field=IntegerField(),
    )


class CampaignFilter(DepartmentFilterMixin):
    q = django_filters.CharFilter(label=_("Title"), field_name="title", lookup_expr="contains")
    state = django_filters.ChoiceFilter(
        label=_("State"), field_name="phase", choices=CampaignPhase.choices, empty_label=_("All states")
    )
    period = django_filters.DateFromToRangeFilter(label=_("Period"), method="in_period")
    year = django_filters.ChoiceFilter(label=_("Year"), method="in_year", empty_label=_("All years"))

    def prepare(self) -> None:
        super().prepare()
        taking_part = self.filters["department"]
        taking_part.label, taking_part.method = _("Lead or participating department"), "taking_part"
        taking_part.queryset = _departments_of(self.queryset, "lead", "participants")
        windows = self.queryset.order_by().values_list("starts_on__year", "ends_on__year").distinct()
        years = sorted({y for first, last in windows for y in range(first, last + 1)}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]
        in_order(self, "q", "state", "department", "period", "year")

    def taking_part(self, queryset, name, value):
        participating = Campaign.objects.filter(participants=value).values("pk")
        return queryset.filter(Q(lead=value) | Q(pk__in=participating))

    def in_period(self, queryset, name, value):
        """Campaigns whose window overlaps the period (one running through it included)."""
        if value.start:
            queryset = queryset.filter(ends_on__gte=value.start)
        if value.stop:
            queryset = queryset.filter(starts_on__lte=value.stop)
        return queryset

    def in_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(starts_on__year__lte=year, ends_on__year__gte=year)


class CampaignTable(tables.Table):
    title = tables.Column(verbose_name=_("Title"), linkify=("joint:campaign", [tables.A("pk")]))
    lead = tables.Column(verbose_name=_("Lead department"), accessor="lead__name", order_by="lead__path", attrs=NARROW)
    participants = tables.Column(
        verbose_name=_("Participating departments"), empty_values=(), orderable=False, attrs=NARROW
    )
    starts_on = tables.DateColumn(verbose_name=_("Starts on"), format="Y-m-d", attrs=NARROW)
    ends_on = tables.DateColumn(verbose_name=_("Ends on"), format="Y-m-d", attrs=NOWRAP)
    phase = tables.Column(verbose_name=_("State"), attrs=NOWRAP)
    task_count = tables.Column(verbose_name=_("Tasks"), attrs=NARROW)
    checked_count = tables.Column(verbose_name=_("Checked"), attrs=NARROW)
    finding_count = tables.Column(verbose_name=_("Problems found"), attrs=NARROW)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "campaigns"}
        order_by = ("-starts_on",)

    def render_participants(self, record):
        return self.value_participants(record) or "—"

    def value_participants(self, record):
        return "、".join(d.name for d in record.participants.all())

    def render_phase(self, value):
        return CampaignPhase(value).label

    value_phase = render_phase

    def value_starts_on(self, value):
        return value.isoformat()

    def value_ends_on(self, value):
        return value.isoformat()


def _campaigns(actor):
    """Visible campaigns with their state by today's date and their tasks counted (once each,
    whatever joins the filters add)."""
    done, found = Q(tasks__status=CampaignTaskStatus.DONE), Q(tasks__finding=True)
    return (
        Campaign.objects.filter(pk__in=visible_campaigns(actor).values("pk"))
        .select_related("lead")
        .prefetch_related("participants")
        .annotate(
            phase=_phase(timezone.localdate()),
            task_count=Count("tasks", distinct=True),
            checked_count=Count("tasks", filter=done, distinct=True),
            finding_count=Count("tasks", filter=found, distinct=True),
        )
    )


CAMPAIGNS = register_list(
    ListSpec("joint_campaigns", _("Campaigns"), _campaigns, CampaignFilter, CampaignTable, "joint/campaigns.html")
)


def campaign_states(actor) -> list[tuple[str, str, int, str]]:
    counts = dict(_campaigns(actor).order_by().values_list("phase").annotate(n=Count("pk", distinct=True)))
    return state_counts(counts, dict(CampaignPhase.choices), reverse("joint:campaigns"))


# Licence claims (审管联动)


class ClaimFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "licence__region__code"
    q = django_filters.CharFilter(label=_("Licence number or subject name"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), field_name="item__state", empty_label=_("All states"))
    licence_kind = django_filters.ChoiceFilter(
        label=_("Licence kind"), choices=LicenceKind.choices, method="of_kind", empty_label=_("All kinds")
    )
    deadline = django_filters.ChoiceFilter(
        label=_("Claim deadline"), choices=DEADLINES, method="by_deadline", empty_label=_("All deadlines")
    )
    issued_on = django_filters.DateFromToRangeFilter(label=_("Licence issued on"))

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].label = _("Supervising department")
        self.filters["state"].extra["choices"] = list(state_labels(CLAIM_WORKFLOW).items())
        in_order(self, "q", "state", "licence_kind", "deadline", "issued_on", "department", "region")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(subject__name__contains=value) | Q(licence__details__licence_no=value))

    def of_kind(self, queryset, name, value):
        return queryset.filter(licence__details__licence_kind=value)

    def by_deadline(self, queryset, name, value):
        """Unclaimed licences whose claim deadline (5 working days after the approval, stored on
        the workflow item) is still ahead or has passed."""
        return by_deadline(queryset, value)


class ClaimTable(tables.Table):
    select = ChooseColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "td__input": {
                "name": "tasks",
                "form": "bulk-claim",
                "class": "form-check-input",
                "aria-label": lambda record: record.subject.name,
            }
        },
    )
    subject = tables.Column(
        verbose_name=_("Subject"),
        accessor="subject__name",
        order_by="subject__name",
        linkify=("records:subject_file", [tables.A("subject_id")]),
    )
    licence_no = tables.Column(verbose_name=_("Licence number"), accessor="licence__details__licence_no", attrs=NARROW)
    licence_kind = tables.Column(
        verbose_name=_("Licence kind"), accessor="licence__details__licence_kind", attrs=NARROW
    )
    department = tables.Column(
        verbose_name=_("Supervising department"),
        accessor="department__name",
        order_by="department__path",
        attrs=NARROW,
    )
    region = tables.Column(
        verbose_name=_("Region"), accessor="licence__region__name", order_by="licence__region_id", attrs=NARROW
    )
    issued_on = tables.DateColumn(verbose_name=_("Licence issued on"), format="Y-m-d", attrs=NARROW)
    state = tables.Column(verbose_name=_("State"), accessor="item__state", attrs=NOWRAP)
    due = tables.Column(verbose_name=_("Claim deadline"), accessor="item__next_due_at", attrs=NOWRAP)
    claim = tables.Column(verbose_name="", empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        attrs = {"class": "table table-sm small align-middle", "id": "claims"}
        order_by = ("-issued_on",)

    def before_render(self, request):
        """Boxes ticked before a refused claim stay ticked when the page comes back with its errors."""
        chosen = set(request.POST.getlist("tasks")) if request.method == "POST" else set()
        self.columns["select"].column.checked = lambda value, record: str(value) in chosen

    def render_select(self, value, bound_column, record):
        if record.item.state != "pending" or record.item.is_closed:
            return ""
        return bound_column.column.render(value, bound_column, record)

    def render_licence_kind(self, value):
        return self.value_licence_kind(value) or "—"

    def value_licence_kind(self, value):
        return LicenceKind(value).label if value in LicenceKind.values else ""

    def render_state(self, record):
        return state_label(record.item)

    def value_state(self, record):
        return state_label(record.item)

    def render_due(self, record):
        return deadline_cell(record.item, record.item.next_due_at)

    def value_due(self, record):
        return deadline_value(record.item, record.item.next_due_at)

    def value_issued_on(self, value):
        return value.isoformat()

    def render_claim(self, record):
        if record.item.state != "pending" or record.item.is_closed:
            return ""
        return format_html(
            '<span class="text-nowrap"><button class="btn btn-sm btn-outline-primary" type="submit" form="bulk-claim" '
            'formaction="{}">{}</button> <a class="btn btn-sm btn-link" href="{}">{}</a></span>',
            reverse("joint:act", args=["claim", record.pk, "claim"]),
            gettext("Claim"),
            reverse("joint:claim_end", args=[record.pk]),
            gettext("Not ours"),
        )


def _claims(actor):
    return visible_claims(actor).select_related("department", "subject", "licence__region", "item__definition")


CLAIMS = register_list(
    ListSpec("joint_claims", _("Licence claims"), _claims, ClaimFilter, ClaimTable, "joint/claims.html")
)


def claim_states(actor) -> list[tuple[str, str, int, str]]:
    counts = counts_by(visible_claims(actor), "item__state")
    return state_counts(counts, state_labels(CLAIM_WORKFLOW), reverse("joint:claims"))
