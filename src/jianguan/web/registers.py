"""The registers as lists (the list kit): their tables, their filters and the rows each actor may see."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import visible_departments
from jianguan.catalog.choices import ItemLevel, ItemStatus
from jianguan.catalog.permissions import matching_items, visible_items
from jianguan.core.models import Sector
from jianguan.officers.choices import OfficerStatus
from jianguan.officers.permissions import matching_officers, visible_officers
from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, RegionFilterMixin, YesNoFilter, register_list
from jianguan.subjects.choices import SubjectKind, SubjectStatus
from jianguan.subjects.permissions import matching_subjects, visible_subjects

YES_NO = ((True, _("Yes")), (False, _("No")))


def _detail(key: str) -> dict:
    return {"viewname": "web:screen_detail", "args": [key, tables.A("pk")]}


# ---------------------------------------------------------------- subjects


class SubjectFilter(RegionFilterMixin):
    q = django_filters.CharFilter(label=_("Name, USCC, registration or ID number"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SubjectKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SubjectStatus.choices, empty_label=_("All statuses")
    )
    provisional = YesNoFilter(label=_("Provisional: identity to review"))
    registered = django_filters.DateFromToRangeFilter(label=_("Registration date"), field_name="registration_date")

    def search(self, queryset, name, value):
        return matching_subjects(queryset, value)


class SubjectTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=_detail("subjects"))
    identity = tables.Column(verbose_name=_("Identity"), accessor="identity", orderable=False)
    kind = tables.Column(verbose_name=_("Kind"))
    region = tables.Column(verbose_name=_("Region"), accessor="region__name", order_by="region__code")
    status = tables.Column(verbose_name=_("Status"))
    registration_date = tables.DateColumn(verbose_name=_("Registration date"), format="Y-m-d")
    provisional = tables.BooleanColumn(verbose_name=_("Provisional: identity to review"), yesno=(_("Yes"), ""))

    class Meta:
        attrs = {"class": "table table-striped table-hover table-sm", "id": "results"}
        order_by = ("name",)


def _subjects(actor):
    return visible_subjects(actor).select_related("region")


# ---------------------------------------------------------------- officers


class OfficerFilter(DepartmentFilterMixin):
    q = django_filters.CharFilter(label=_("Name or certificate number"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=OfficerStatus.choices, empty_label=_("All statuses")
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.order_by("code"), field_name="sectors", empty_label=_("All sectors")
    )
    valid_until = django_filters.DateFromToRangeFilter(
        label=_("Certificate valid until"), field_name="certificate_valid_until"
    )

    def search(self, queryset, name, value):
        return matching_officers(queryset, value)


class OfficerTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=_detail("officers"))
    certificate_no = tables.Column(verbose_name=_("Certificate number"))
    department = tables.Column(verbose_name=_("Department"), accessor="department__name", order_by="department__path")
    sectors = tables.Column(verbose_name=_("Sectors"), accessor="pk", orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    certificate_valid_until = tables.DateColumn(verbose_name=_("Certificate valid until"), format="Y-m-d")

    class Meta:
        attrs = {"class": "table table-striped table-hover table-sm", "id": "results"}
        order_by = ("name",)

    def render_sectors(self, record):
        return "、".join(s.name for s in record.sectors.all())

    def value_sectors(self, record):
        return self.render_sectors(record)


def _officers(actor):
    return visible_officers(actor).select_related("department").prefetch_related(Prefetch("sectors"))


# ---------------------------------------------------------------- supervision items


class ItemFilter(DepartmentFilterMixin):
    q = django_filters.CharFilter(label=_("Item name, code or legal basis"), method="search")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=ItemLevel.choices, empty_label=_("All levels"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ItemStatus.choices, empty_label=_("All statuses"))
    random_check = YesNoFilter(label=_("Random checks"))
    is_key = YesNoFilter(label=_("Key supervision"))
    no_basis = YesNoFilter(label=_("Without legal basis"), method="without_basis")

    def search(self, queryset, name, value):
        return matching_items(queryset, value)

    def without_basis(self, queryset, name, value):
        return queryset.filter(legal_basis="") if value else queryset.exclude(legal_basis="")


class ItemTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"), linkify=_detail("catalog"))
    department = tables.Column(
        verbose_name=_("Implementing department"), accessor="department__name", order_by="department__path"
    )
    level = tables.Column(verbose_name=_("Level"))
    random_check = tables.BooleanColumn(verbose_name=_("Random checks"), yesno=(_("Yes"), _("No")))
    status = tables.Column(verbose_name=_("Status"))

    class Meta:
        attrs = {"class": "table table-striped table-hover table-sm", "id": "results"}
        order_by = ("code",)


def _items(actor):
    return visible_items(actor).select_related("department")


# ---------------------------------------------------------------- departments


class DepartmentFilter(RegionFilterMixin):
    q = django_filters.CharFilter(label=_("Department name"), field_name="name", lookup_expr="contains")
    sector = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Sector.objects.order_by("code"), empty_label=_("All sectors")
    )


class DepartmentTable(tables.Table):
    name = tables.Column(verbose_name=_("Name"), linkify=_detail("departments"))
    region = tables.Column(verbose_name=_("Region"), accessor="region__name", order_by="region__code")
    sector = tables.Column(verbose_name=_("Sector"), accessor="sector__name", default="")
    parent = tables.Column(verbose_name=_("Parent department"), accessor="parent__name", default="")

    class Meta:
        attrs = {"class": "table table-striped table-hover table-sm", "id": "results"}
        order_by = ("region", "name")


def _departments(actor):
    return visible_departments(actor).select_related("region", "sector", "parent")


SUBJECTS = register_list(ListSpec("subjects", _("Subjects"), _subjects, SubjectFilter, SubjectTable, "web/list.html"))
OFFICERS = register_list(ListSpec("officers", _("Officers"), _officers, OfficerFilter, OfficerTable, "web/list.html"))
ITEMS = register_list(ListSpec("catalog", _("Supervision items"), _items, ItemFilter, ItemTable, "web/list.html"))
DEPARTMENTS = register_list(
    ListSpec("departments", _("Departments"), _departments, DepartmentFilter, DepartmentTable, "web/list.html")
)
