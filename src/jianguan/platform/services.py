"""Writes to the platform registers: regions, sectors, departments, calendar overrides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_department
from jianguan.audit.services import record_event
from jianguan.core.codes import CodeError, validate_uscc
from jianguan.core.errors import DomainError, FieldError, Forbidden
from jianguan.core.models import CalendarOverride, CalendarYear, Department, Region, Sector
from jianguan.core.schemas import DepartmentIn
from jianguan.platform.importing import Importer, PreparedRow, register_importer


def resolve_region(code: str | None) -> Region | None:
    """The current region for a code; a historical code (371200 莱芜) resolves to its successor."""
    if not code:
        return None
    region = Region.objects.select_related("successor").filter(code=code).first()
    while region is not None and region.is_historical and region.successor is not None:
        region = region.successor
    return region


def region_chain(region_code: str) -> list[str]:
    """The region and the regions above it (county, city, province): where a unit may handle work there."""
    chain, region = [], Region.objects.filter(code=region_code).select_related("parent__parent").first()
    while region is not None:
        chain.append(region.code)
        region = region.parent
    return chain


def ensure_sector(code: str, name: str, actor: Any = None) -> Sector:
    sector, created = Sector.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        record_event(actor, "core.create_sector", "sector", sector.pk, after={"code": code, "name": name})
    return sector


def _path_for(department: Department) -> str:
    return (department.parent.path if department.parent else "/") + f"{department.pk}/"


def create_department(
    *,
    name: str,
    region: Region,
    sector: Sector | None = None,
    parent: Department | None = None,
    uscc: str | None = None,
    actor: Any = None,
) -> Department:
    """Add a department under `parent` (or as a root) and audit it."""
    with transaction.atomic():
        department = Department.objects.create(name=name, region=region, sector=sector, parent=parent, uscc=uscc)
        department.path = _path_for(department)
        department.save(update_fields=["path"])
        record_event(
            actor,
            "core.create_department",
            "department",
            department.pk,
            after={
                "name": name,
                "region": region.code,
                "parent": parent.pk if parent else None,
                "uscc": uscc,
            },
        )
    return department


def _move_subtree(department: Department, new_parent: Department | None) -> None:
    old_path = department.path
    department.parent = new_parent
    department.path = _path_for(department)
    department.save(update_fields=["parent", "path"])
    for node in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
        node.path = department.path + node.path[len(old_path) :]
        node.save(update_fields=["path"])


def move_department(department: Department, new_parent: Department | None, actor: Any = None) -> Department:
    """Re-parent a department; the whole subtree's paths follow in one statement per descendant level."""
    if new_parent is not None and new_parent.path.startswith(department.path):
        raise DomainError("department_cycle", _("A department cannot be moved under itself or its subordinates."))
    with transaction.atomic():
        old_parent = department.parent_id
        _move_subtree(department, new_parent)
        record_event(
            actor,
            "core.move_department",
            "department",
            department.pk,
            before={"parent": old_parent},
            after={"parent": new_parent.pk if new_parent else None},
        )
    return department


def _department_view(department: Department) -> dict[str, Any]:
    return {
        "name": department.name,
        "uscc": department.uscc,
        "sector": department.sector_id,
        "parent": department.parent_id,
    }


def _refused(code: str, field: str, message: Any) -> DomainError:
    return DomainError(code, message, [FieldError(field, message, code)])


def update_department(department: Department, changes: dict[str, Any], actor: Any = None) -> Department:
    """Change a department's name, USCC, sector or place in the tree; its region fixes its scope and stays."""
    unknown = set(changes) - {"name", "uscc", "sector", "parent"}
    if unknown:
        raise DomainError("field_not_editable", _("These fields cannot be changed here."))
    if actor is not None and not can_write_department(actor, department):
        raise Forbidden(_("You may not change this department."))
    name = changes.get("name", department.name)
    uscc = changes.get("uscc", department.uscc) or None
    parent = changes.get("parent", department.parent)
    if uscc:
        try:
            uscc = validate_uscc(uscc)
        except CodeError as exc:
            raise _refused(exc.code, "uscc", exc.message) from None
        if Department.objects.filter(uscc=uscc).exclude(pk=department.pk).exists():
            raise _refused("duplicate_uscc", "uscc", _("Another department has this USCC."))
    if parent is not None and parent.path.startswith(department.path):
        raise _refused(
            "department_cycle", "parent", _("A department cannot be moved under itself or its subordinates.")
        )
    moved = getattr(parent, "pk", None) != department.parent_id
    if moved and actor is not None and not can_write_department(actor, parent):
        raise _refused("forbidden_parent", "parent", _("You may not move a department under this one."))
    if Department.objects.filter(parent=parent, name=name).exclude(pk=department.pk).exists():
        raise _refused("duplicate_name", "name", _("The parent department already has a department of this name."))
    with transaction.atomic():
        before = _department_view(department)
        department.name, department.uscc = name, uscc
        department.sector = changes.get("sector", department.sector)
        department.save(update_fields=["name", "uscc", "sector"])
        if moved:
            _move_subtree(department, parent)
        record_event(
            actor,
            "core.update_department",
            "department",
            department.pk,
            before=before,
            after=_department_view(department),
        )
    return department


def set_calendar_override(day: dt.date, kind: str, name: str = "", actor: Any = None) -> CalendarOverride:
    """Declare a date a holiday or an adjusted workday (overrides the package's calendar)."""
    with transaction.atomic():
        before = CalendarOverride.objects.filter(date=day).values("kind", "name").first()
        override, _created = CalendarOverride.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})
        record_event(
            actor,
            "core.set_calendar_override",
            "calendar_override",
            day.isoformat(),
            before=before,
            after={"kind": kind, "name": name},
        )
    return override


def publish_calendar_year(year: int, source: str = "", actor: Any = None) -> CalendarYear:
    """Mark a year's holiday schedule as entered in full: its dates stop being provisional."""
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        record_event(actor, "core.publish_calendar_year", "calendar_year", year, after={"source": source})
    return calendar_year


@register_importer
class DepartmentImporter(Importer):
    kind = "departments"
    schema = DepartmentIn
    label = _("Departments")
    required_columns = ("name", "region_code")

    def keys(self, record: DepartmentIn) -> list[str]:
        keys = [f"name:{record.parent or ''}/{record.name}"]
        if record.uscc:
            keys.append(f"uscc:{record.uscc}")
        return keys

    def existing_keys(self, keys: set[str]) -> set[str]:
        usccs = [k[5:] for k in keys if k.startswith("uscc:")]
        found = {f"uscc:{u}" for u in Department.objects.filter(uscc__in=usccs).values_list("uscc", flat=True)}
        for key in keys:
            if key.startswith("name:"):
                parent, _sep, name = key[5:].rpartition("/")
                query = Department.objects.filter(name=name)
                query = (
                    query.filter(parent__isnull=True)
                    if not parent
                    else query.filter(parent__in=self._parents_named(parent))
                )
                if query.exists():
                    found.add(key)
        return found

    def _parents_named(self, ref: str):
        return Department.objects.filter(uscc=ref) | Department.objects.filter(name=ref)

    def check(self, rows: list[PreparedRow]) -> None:
        file_names = {r.record.name for r in rows}
        known_sectors = set(Sector.objects.values_list("code", flat=True))
        for row in rows:
            record = row.record
            region = resolve_region(record.region_code)
            if region is None:
                row.errors.append(FieldError("region_code", _("Unknown region code."), "unknown_region", row.number))
            if record.sector_code and record.sector_code not in known_sectors:
                row.errors.append(FieldError("sector_code", _("Unknown sector code."), "unknown_sector", row.number))
            if record.parent:
                parents = list(self._parents_named(record.parent)[:2])
                if len(parents) > 1:
                    row.errors.append(
                        FieldError(
                            "parent",
                            _("Several departments have this name; give the USCC."),
                            "ambiguous_parent",
                            row.number,
                        )
                    )
                elif not parents and record.parent not in file_names:
                    row.errors.append(
                        FieldError("parent", _("Unknown parent department."), "unknown_parent", row.number)
                    )
                elif parents and self.actor is not None and not can_write_department(self.actor, parents[0]):
                    row.errors.append(
                        FieldError(
                            "parent",
                            _("The parent department is outside your scope."),
                            "out_of_scope",
                            row.number,
                        )
                    )
            elif self.actor is not None and not can_write_department(self.actor, None):
                row.errors.append(
                    FieldError(
                        "parent",
                        _("Only a platform administrator may add top-level departments."),
                        "out_of_scope",
                        row.number,
                    )
                )

    def create(self, records: Sequence[DepartmentIn]) -> list[Department]:
        created: dict[str, Department] = {}
        pending = list(records)
        # Rows may name a parent defined further down the same file: place parents first.
        while pending:
            progressed = []
            for record in pending:
                parent = None
                if record.parent:
                    parent = created.get(record.parent) or self._parents_named(record.parent).first()
                    if parent is None:
                        continue
                region = resolve_region(record.region_code)
                sector = Sector.objects.filter(code=record.sector_code).first() if record.sector_code else None
                department = Department.objects.create(
                    name=record.name, uscc=record.uscc, region=region, sector=sector, parent=parent
                )
                department.path = _path_for(department)
                department.save(update_fields=["path"])
                created[record.name] = department
                if record.uscc:
                    created[record.uscc] = department
                progressed.append(record)
            if not progressed:
                raise DomainError("unknown_parent", _("Some parent departments could not be found."))
            pending = [r for r in pending if r not in progressed]
        return list({d.pk: d for d in created.values()}.values())

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for d in queryset.select_related("region", "sector", "parent"):
            yield [
                d.name,
                d.uscc,
                d.region_id,
                d.sector.code if d.sector else None,
                (d.parent.uscc or d.parent.name) if d.parent else None,
            ]


def region_prefix(code: str) -> str:
    """370100 → 3701, 370000 → 37, 370102 → 370102."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def unit_preference(department: Department) -> tuple[bool, int]:
    """Among a sector's units in one region, the region's own unit comes first (its superior sits in
    an enclosing region; an outpost of another city's bureau does not), then the oldest. Sort
    ascending and let later entries win."""
    parent = department.parent
    natural = parent is None or department.region_id.startswith(region_prefix(parent.region_id))
    return (natural, -department.pk)


def unit_for_region(sector_id: int, region_code: str, deepest_level: int = 3) -> Department | None:
    """The active unit of a sector responsible for a region: at `deepest_level` (3 county, 2 city,
    1 province) or the nearest level above it."""
    chain, region = [], Region.objects.filter(code=region_code).select_related("parent__parent").first()
    while region is not None:
        if region.level <= deepest_level:
            chain.append(region.code)
        region = region.parent
    found: dict[str, Department] = {}
    units = Department.objects.filter(sector_id=sector_id, region_id__in=chain, is_active=True).select_related("parent")
    for department in sorted(units, key=unit_preference):
        found[department.region_id] = department
    return next((found[code] for code in chain if code in found), None)


def active_department(pk: Any) -> Department:
    """The active department with this id (from a form or a request body), or an `unknown_department` error."""
    found = Department.objects.filter(pk=int(pk), is_active=True).first() if str(pk or "").isdigit() else None
    if found is None:
        raise DomainError("unknown_department", _("Unknown department."))
    return found


def find_department(ref: str | int | None) -> Department | None:
    """A department by id, USCC or unique name; None when absent or ambiguous."""
    if ref in (None, ""):
        return None
    text = str(ref).strip()
    if text.isdigit() and len(text) < 12:
        return Department.objects.filter(pk=int(text)).first()
    by_uscc = Department.objects.filter(uscc=text.upper()).first()
    if by_uscc is not None:
        return by_uscc
    named = list(Department.objects.filter(name=text)[:2])
    return named[0] if len(named) == 1 else None


def find_sectors(refs: Sequence[str]) -> tuple[list[Sector], list[str]]:
    """Sectors by code or name, and the references that matched none."""
    found, missing = [], []
    for ref in refs:
        sector = Sector.objects.filter(code=ref).first() or Sector.objects.filter(name=ref).first()
        (found.append(sector) if sector else missing.append(ref))
    return found, missing


def resolve_region_loose(code: str | None) -> Region | None:
    """Like resolve_region, but an unknown county code falls back to its city, then its province.

    Codes embedded in USCCs and registration numbers are those in force when the code was issued;
    counties are merged and renumbered over the years, while city and province codes are stable.
    """
    if not code:
        return None
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        region = resolve_region(candidate)
        if region is not None:
            return region
    return None


def check_department_ref(
    row: PreparedRow, ref: str | None, actor: Any, cache: dict[str, Any], field: str = "department"
) -> Department | None:
    """The department an import row names, or None with the row error (unknown, or outside the actor's scope)."""

    if ref not in cache:
        cache[ref] = find_department(ref)
    department = cache[ref]
    if department is None:
        row.errors.append(
            FieldError(
                field,
                _("Unknown department (give its USCC if the name is not unique)."),
                "unknown_department",
                row.number,
            )
        )
    elif actor is not None and not can_write_department(actor, department):
        row.errors.append(FieldError(field, _("This department is outside your scope."), "out_of_scope", row.number))
        return None
    return department
