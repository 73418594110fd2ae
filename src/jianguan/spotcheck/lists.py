"""Spot-check batches and the tasks of a batch as lists of the list kit.

Every row comes from `spotcheck.permissions`. A task's risk grade decides its sampling ratio, so it is
shown (and exported) only in the list for staff who may also download the batch's graded pool; an
officer's list of the tasks he is on has no grade column at all.
"""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from jianguan.officers.models import Officer
from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, register_list
from jianguan.spotcheck.choices import DEFAULT_RESULTS, UNASSIGNED_REASONS, BatchStatus, TaskStatus
from jianguan.spotcheck.models import Batch, TaskResult
from jianguan.spotcheck.permissions import visible_batches, visible_plans, visible_tasks

SINGLE, JOINT = "single", "joint"
KINDS = ((SINGLE, _("Single department")), (JOINT, _("Joint (several departments)")))
NO_RESULT = "none"

HIDE_ON_PHONE = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class BatchFilter(RegionFilterMixin, DepartmentFilterMixin):
    region_field = "plan__department__region_id"
    q = django_filters.CharFilter(label=_("Plan or batch title"), method="search")
    year = django_filters.ChoiceFilter(label=_("Year"), field_name="plan__year", empty_label=_("All years"))
    status = django_filters.ChoiceFilter(label=_("State"), choices=BatchStatus.choices, empty_label=_("All states"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=KINDS, empty_label=_("All kinds"), method="of_kind")
    drawn = django_filters.DateFromToRangeFilter(label=_("Drawn on"), field_name="draw__drawn_at")

    def prepare(self) -> None:
        super().prepare()
        self.filters["department"].method = "of_department"
        years = visible_plans(self.actor).order_by("-year").values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(title__contains=value) | Q(plan__title__contains=value))

    def of_kind(self, queryset, name, value):
        return queryset.filter(is_joint=value == JOINT)

    def of_department(self, queryset, name, value):
        """A department's batches: those its plans start and the joint batches it cooperates in."""
        if not value:
            return queryset
        cooperating = Batch.objects.filter(cooperators=value).values("pk")
        return queryset.filter(Q(plan__department=value) | Q(pk__in=cooperating))


class BatchTable(tables.Table):
    year = tables.Column(verbose_name=_("Year"), accessor="plan__year")
    plan = tables.Column(
        verbose_name=_("Plan"), accessor="plan__title", linkify=("spotcheck:plan", [tables.A("plan_id")])
    )
    title = tables.Column(verbose_name=_("Batch"), linkify=("spotcheck:batch", [tables.A("pk")]))
    department = tables.Column(
        verbose_name=_("Department"), accessor="plan__department__name", order_by="plan__department__path"
    )
    kind = tables.Column(verbose_name=_("Kind"), accessor="is_joint", attrs=HIDE_ON_PHONE)
    status = tables.Column(verbose_name=_("State"), attrs={"td": {"class": "text-nowrap"}})
    checks = tables.Column(verbose_name=_("Checks"), accessor="starts_on", attrs=HIDE_ON_PHONE)
    drawn = tables.Column(verbose_name=_("Drawn on"), accessor="draw__drawn_at", attrs=HIDE_ON_PHONE)
    tasks = tables.Column(verbose_name=_("Tasks"), accessor="task_count", attrs=HIDE_ON_PHONE)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "id": "batches"}
        order_by = ("-year", "plan", "title")

    def render_title(self, record):
        return f"{record.number} · {record.title}"

    def value_title(self, record):
        return self.render_title(record)

    def render_kind(self, value):
        return dict(KINDS)[JOINT if value else SINGLE]

    def value_kind(self, value):
        return self.render_kind(value)

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    def render_checks(self, record):
        return f"{record.starts_on:%Y-%m-%d} – {record.ends_on:%Y-%m-%d}"

    def value_checks(self, record):
        return self.render_checks(record)

    def render_drawn(self, value):
        return date_format(value, "Y-m-d")

    def value_drawn(self, value):
        return self.render_drawn(value)


def _batches(actor):
    joint = Batch.cooperators.through.objects.filter(batch_id=OuterRef("pk"))
    return (
        visible_batches(actor)
        .select_related("draw")
        .annotate(is_joint=Exists(joint), task_count=Count("draw__tasks", distinct=True))
    )


BATCHES = register_list(
    ListSpec("spotcheck_batches", _("Spot-check batches"), _batches, BatchFilter, BatchTable, "spotcheck/plans.html")
)


def _batch_param(data) -> int | None:
    value = (data or {}).get("batch", "")
    return int(value) if str(value).isdigit() else None


class TaskFilter(RegionFilterMixin):
    """The tasks of one batch (`batch` in the address, set by the batch page; not a form field)."""

    region_field = "subject__region_id"
    status = django_filters.ChoiceFilter(label=_("State"), choices=TaskStatus.choices, empty_label=_("All states"))
    officer = django_filters.ChoiceFilter(label=_("Team member"), empty_label=_("All officers"), method="with_officer")
    result = django_filters.ChoiceFilter(label=_("Result"), empty_label=_("All results"), method="with_result")

    def prepare(self) -> None:
        super().prepare()
        batch_id = _batch_param(self.data)
        tasks = self.queryset.filter(draw__batch_id=batch_id)
        officers = Officer.objects.filter(spotcheck_tasks__in=tasks.values("pk")).distinct().order_by("name", "pk")
        self.filters["officer"].extra["choices"] = [(str(o.pk), o.name) for o in officers]
        batch = Batch.objects.filter(pk=batch_id).only("result_options").first()
        options = (batch.result_options if batch else None) or DEFAULT_RESULTS
        self.filters["result"].extra["choices"] = [(NO_RESULT, _("No result yet"))] + [
            (o["code"], o["label"]) for o in options
        ]

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).filter(draw__batch_id=_batch_param(self.data))

    def with_officer(self, queryset, name, value):
        return queryset.filter(team__officer_id=value)

    def with_result(self, queryset, name, value):
        if value == NO_RESULT:
            return queryset.exclude(pk__in=TaskResult.objects.values("task_id"))
        return queryset.filter(pk__in=TaskResult.objects.filter(result=value).values("task_id"))


def reason_labels(reasons: dict) -> list[str]:
    """Why a task has no team, in words: {reason: n} or, in a joint batch, {department: {reason: n}}."""
    counts: dict[str, int] = {}
    for key, value in (reasons or {}).items():
        for reason, n in value.items() if isinstance(value, dict) else [(key, value)]:
            counts[reason] = counts.get(reason, 0) + int(n)
    return [f"{UNASSIGNED_REASONS.get(reason, _('other reason'))} {n}" for reason, n in sorted(counts.items())]


class TaskTable(tables.Table):
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject__name", order_by="subject__name")
    team = tables.Column(verbose_name=_("Team"), accessor="pk", orderable=False)
    status = tables.Column(verbose_name=_("State"), attrs=HIDE_ON_PHONE)
    result = tables.Column(verbose_name=_("Result"), accessor="pk", orderable=False)
    action = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)

    class Meta:
        attrs = {"class": "table table-sm", "id": "tasks"}
        order_by = ("subject",)

    def render_team(self, record):
        names = [o.name for o in record.officers.all()]
        if names:
            return "、".join(names)
        return format_html_join(
            " ",
            '<span class="badge text-bg-warning">{}</span>',
            ((label,) for label in reason_labels(record.unassigned_reasons)),
        )

    def value_team(self, record):
        return "、".join(o.name for o in record.officers.all()) or "；".join(reason_labels(record.unassigned_reasons))

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    def _results(self, record) -> list[str]:
        labels = {o["code"]: o["label"] for o in record.draw.batch.result_options}
        return [f"{r.department.name}：{labels.get(r.result, r.result)}" for r in record.results.all()]

    def render_result(self, record):
        lines = self._results(record)
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) if lines else "—"

    def value_result(self, record):
        return "；".join(self._results(record))

    def render_action(self, record):
        if record.status != TaskStatus.ASSIGNED:
            return ""
        return format_html(
            '<a class="btn btn-sm btn-outline-primary text-nowrap" href="{}">{}</a>',
            reverse("spotcheck:result", args=[record.pk]),
            _("Enter result"),
        )


class GradedTaskTable(TaskTable):
    stratum = tables.Column(verbose_name=_("Grade"))
    rank = tables.Column(verbose_name="#")

    class Meta(TaskTable.Meta):
        sequence = ("stratum", "rank", "...")
        order_by = ("stratum", "rank")


def _tasks(actor):
    return visible_tasks(actor).prefetch_related("officers", "results__department")


def _graded_tasks(actor):
    """Tasks of the batches whose graded pool the actor may download (staff, not officers)."""
    return _tasks(actor).filter(draw__batch__in=visible_batches(actor, staff_only=True).values("pk"))


TASKS = register_list(
    ListSpec("spotcheck_tasks", _("Spot-check tasks"), _tasks, TaskFilter, TaskTable, "spotcheck/batch.html")
)
GRADED_TASKS = register_list(
    ListSpec(
        "spotcheck_graded_tasks",
        _("Spot-check tasks"),
        _graded_tasks,
        TaskFilter,
        GradedTaskTable,
        "spotcheck/batch.html",
    )
)
