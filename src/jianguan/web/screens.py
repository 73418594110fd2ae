"""Declarative list / detail / import / export screens for the registers (one machinery, many models)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import access_department, visible_departments
from jianguan.catalog.permissions import access_item, search_items
from jianguan.officers.permissions import access_officer, search_officers
from jianguan.subjects.permissions import access_subject, search_subjects


@dataclass(frozen=True)
class Column:
    label: Any
    value: Callable[[Any], Any]
    link: bool = False


@dataclass(frozen=True)
class Screen:
    key: str
    title: Any
    search: Callable[[Any, str], Any]
    access: Callable[[Any, Any], Any]
    columns: list[Column]
    details: list[Column]
    import_kind: str | None = None
    search_hint: Any = ""
    related: Callable[[Any], list[tuple[Any, list[Column], list[Any]]]] = field(default=lambda obj: [])
    links: Callable[[Any], list[tuple[Any, str]]] = field(default=lambda obj: [])
    # The object type its services record in the audit trail (its history tab reads those events).
    audit_type: str = ""


def _departments_search(actor, q):
    departments = visible_departments(actor)
    return departments.filter(name__contains=q) if q else departments


def _item_related(item):
    return [
        (
            _("Check points"),
            [
                Column(_("Code"), lambda p: p.code),
                Column(_("Check content"), lambda p: p.content),
                Column(_("Check type"), lambda p: p.get_check_type_display()),
            ],
            list(item.check_points.all()),
        )
    ]


def _officer_related(officer):
    return [
        (
            _("Declared conflicts"),
            [
                Column(_("Subject"), lambda c: c.subject.name),
                Column(_("Reason"), lambda c: c.reason),
                Column(_("Declared on"), lambda c: c.declared_at),
            ],
            list(officer.conflicts.select_related("subject")),
        )
    ]


SCREENS: dict[str, Screen] = {
    s.key: s
    for s in [
        Screen(
            key="subjects",
            audit_type="subject",
            title=_("Subjects"),
            search=search_subjects,
            access=access_subject,
            import_kind="subjects",
            search_hint=_("Name, USCC, registration or ID number"),
            links=lambda s: [
                (_("One file per subject (all supervision actions)"), reverse("records:subject_file", args=[s.pk])),
                (_("Credit file"), reverse("credit:subject", args=[s.pk])),
            ],
            columns=[
                Column(_("Name"), lambda s: s.name, link=True),
                Column(_("Identity"), lambda s: s.identity),
                Column(_("Kind"), lambda s: s.get_kind_display()),
                Column(_("Region"), lambda s: s.region.name),
                Column(_("Status"), lambda s: s.get_status_display()),
                Column(_("Provisional: identity to review"), lambda s: _("Yes") if s.provisional else ""),
            ],
            details=[
                Column(_("Name"), lambda s: s.name),
                Column(_("Provisional: identity to review"), lambda s: _("Yes") if s.provisional else _("No")),
                Column(_("Kind"), lambda s: s.get_kind_display()),
                Column(_("Unified social credit code"), lambda s: s.uscc),
                Column(_("Registration number"), lambda s: s.registration_no),
                Column(_("ID number"), lambda s: s.id_number_masked),
                Column(_("Legal representative"), lambda s: s.legal_representative),
                Column(_("Registered address"), lambda s: s.registered_address),
                Column(_("Operating address"), lambda s: s.operating_address),
                Column(_("Region"), lambda s: s.region.full_name),
                Column(_("Industry code"), lambda s: s.industry_code),
                Column(_("Status"), lambda s: s.get_status_display()),
                Column(_("Registration date"), lambda s: s.registration_date),
            ],
        ),
        Screen(
            key="officers",
            audit_type="officer",
            title=_("Officers"),
            search=search_officers,
            access=access_officer,
            import_kind="officers",
            search_hint=_("Name or certificate number"),
            related=_officer_related,
            columns=[
                Column(_("Name"), lambda o: o.name, link=True),
                Column(_("Certificate number"), lambda o: o.certificate_no),
                Column(_("Department"), lambda o: o.department.name),
                Column(_("Sectors"), lambda o: "、".join(s.name for s in o.sectors.all())),
                Column(_("Status"), lambda o: o.get_status_display()),
            ],
            details=[
                Column(_("Name"), lambda o: o.name),
                Column(_("Certificate number"), lambda o: o.certificate_no),
                Column(_("Department"), lambda o: o.department.name),
                Column(_("Sectors"), lambda o: "、".join(s.name for s in o.sectors.all())),
                Column(_("Status"), lambda o: o.get_status_display()),
                Column(_("Certificate valid until"), lambda o: o.certificate_valid_until),
            ],
        ),
        Screen(
            key="catalog",
            audit_type="supervision_item",
            title=_("Supervision items"),
            search=search_items,
            access=access_item,
            import_kind="catalog",
            search_hint=_("Item name, code or legal basis"),
            related=_item_related,
            columns=[
                Column(_("Code"), lambda i: i.code),
                Column(_("Name"), lambda i: i.name, link=True),
                Column(_("Implementing department"), lambda i: i.department.name),
                Column(_("Level"), lambda i: i.get_level_display()),
                Column(_("Random checks"), lambda i: _("Yes") if i.random_check else _("No")),
                Column(_("Status"), lambda i: i.get_status_display()),
            ],
            details=[
                Column(_("Code"), lambda i: i.code),
                Column(_("Version"), lambda i: i.version),
                Column(_("Name"), lambda i: i.name),
                Column(_("Main item"), lambda i: str(i.parent) if i.parent_id else ""),
                Column(_("Implementing department"), lambda i: i.department.name),
                Column(_("Object type"), lambda i: i.object_type),
                Column(_("Measures"), lambda i: i.measures),
                Column(_("Method"), lambda i: i.method),
                Column(_("Level"), lambda i: i.get_level_display()),
                Column(_("Legal basis"), lambda i: i.legal_basis),
                Column(_("National code"), lambda i: i.national_code),
                Column(_("Key supervision"), lambda i: _("Yes") if i.is_key else _("No")),
                Column(_("Random checks"), lambda i: _("Yes") if i.random_check else _("No")),
                Column(_("Effective"), lambda i: f"{i.effective_from} – {i.effective_to or ''}"),
                Column(_("Status"), lambda i: i.get_status_display()),
            ],
        ),
        Screen(
            key="departments",
            audit_type="department",
            title=_("Departments"),
            search=_departments_search,
            access=access_department,
            import_kind="departments",
            search_hint=_("Department name"),
            columns=[
                Column(_("Name"), lambda d: d.name, link=True),
                Column(_("Region"), lambda d: d.region.name),
                Column(_("Sector"), lambda d: d.sector.name if d.sector else ""),
                Column(_("Parent department"), lambda d: d.parent.name if d.parent else ""),
            ],
            details=[
                Column(_("Name"), lambda d: d.name),
                Column(_("Unified social credit code"), lambda d: d.uscc),
                Column(_("Region"), lambda d: d.region.full_name),
                Column(_("Sector"), lambda d: d.sector.name if d.sector else ""),
                Column(_("Parent department"), lambda d: d.parent.name if d.parent else ""),
            ],
        ),
    ]
}
