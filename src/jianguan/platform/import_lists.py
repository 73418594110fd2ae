"""The platform's file imports (subjects, officers, items and the other registers) as a list of the kit."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from jianguan.core.choices import ImportStatus
from jianguan.platform.importing import import_kinds, importer_for
from jianguan.platform.lists import DepartmentFilterMixin, ListSpec, register_list
from jianguan.platform.permissions import visible_batches

HIDE_ON_PHONE = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


def _kind_label(kind: str) -> str:
    return str(importer_for(kind).label) if kind in import_kinds() else ""


def _uploader(user) -> str:
    return (getattr(user, "display_name", "") or user.username) if user else ""


class ImportFilter(DepartmentFilterMixin):
    kind = django_filters.ChoiceFilter(label=_("Kind"), empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ImportStatus.choices, empty_label=_("All states"))
    uploaded_on = django_filters.DateFromToRangeFilter(label=_("Uploaded on"), field_name="created_at")
    uploader = django_filters.ChoiceFilter(label=_("Uploaded by"), empty_label=_("Anyone"), field_name="created_by")

    def prepare(self) -> None:
        super().prepare()
        self.filters["kind"].extra["choices"] = [(kind, _kind_label(kind)) for kind in import_kinds()]
        users = get_user_model().objects.filter(pk__in=self.queryset.values("created_by")).order_by("username")
        self.filters["uploader"].extra["choices"] = [(str(u.pk), _uploader(u)) for u in users]


class ImportTable(tables.Table):
    pk = tables.Column(verbose_name="#", linkify=("web:import_batch", [tables.A("pk")]))
    kind = tables.Column(verbose_name=_("Kind"))
    filename = tables.Column(verbose_name=_("File name"))
    status = tables.Column(verbose_name=_("Status"), attrs=HIDE_ON_PHONE)
    received = tables.Column(verbose_name=_("Rows"))
    accepted = tables.Column(verbose_name=_("Written"))
    rejected = tables.Column(verbose_name=_("Rejected"))
    duplicates = tables.Column(verbose_name=_("Duplicates"), attrs=HIDE_ON_PHONE)
    department = tables.Column(
        verbose_name=_("Department"), accessor="department__name", order_by="department__path", attrs=HIDE_ON_PHONE
    )
    uploader = tables.Column(verbose_name=_("Uploaded by"), accessor="created_by", attrs=HIDE_ON_PHONE)
    created_at = tables.Column(verbose_name=_("Uploaded at"), attrs=HIDE_ON_PHONE)

    class Meta:
        attrs = {"class": "table table-sm table-hover", "id": "imports"}
        order_by = ("-created_at",)

    def render_kind(self, value):
        return _kind_label(value)

    def value_kind(self, value):
        return _kind_label(value)

    def render_status(self, record):
        return record.get_status_display()

    def value_status(self, record):
        return record.get_status_display()

    def render_uploader(self, value):
        return _uploader(value)

    def value_uploader(self, value):
        return _uploader(value)

    def render_created_at(self, value):
        return date_format(value, "Y-m-d H:i")

    def value_created_at(self, value):
        return date_format(value, "Y-m-d H:i")


def _imports(actor):
    """The register imports in scope; the gateway's batches have their own list."""
    return visible_batches(actor).filter(kind__in=import_kinds()).select_related("department", "created_by")


IMPORTS = register_list(ListSpec("import_batches", _("Import batches"), _imports, ImportFilter, ImportTable))
