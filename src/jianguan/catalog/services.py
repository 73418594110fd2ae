"""Writes to the supervision-item catalogue: items, versions, check points, file import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_department
from jianguan.audit.services import record_event
from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.catalog.schemas import CheckPointIn, SupervisionItemIn
from jianguan.core.errors import DomainError, FieldError, Forbidden, lazy_format
from jianguan.core.models import Sector
from jianguan.platform.importing import Importer, PreparedRow, register_importer
from jianguan.platform.services import check_department_ref, find_department


def latest_item(code: str) -> SupervisionItem | None:
    """The newest version of the item with this code."""
    return SupervisionItem.objects.select_related("department").filter(code=code).order_by("-version").first()


def _build_item(record: SupervisionItemIn, department, parent: SupervisionItem | None) -> SupervisionItem:
    return SupervisionItem(
        code=record.code,
        version=record.version,
        parent=parent,
        department=department,
        sector=Sector.objects.filter(code__iexact=record.sector_code).first() if record.sector_code else None,
        **_fields(record),
    )


def _build_check_point(record: CheckPointIn, item: SupervisionItem) -> CheckPoint:
    return CheckPoint(
        item=item,
        code=record.code,
        content=record.content,
        guidance=record.guidance or "",
        penalty_basis=record.penalty_basis or "",
        check_type=record.check_type,
        order=record.order,
    )


def _fields(record: SupervisionItemIn) -> dict[str, Any]:
    return {
        "name": record.name,
        "object_type": record.object_type or "",
        "measures": record.measures or "",
        "method": record.method or "",
        "level": record.level,
        "legal_basis": record.legal_basis or "",
        "status": record.status,
        "national_code": record.national_code or "",
        "is_key": record.is_key,
        "random_check": record.random_check,
        "effective_from": record.effective_from,
        "effective_to": record.effective_to,
    }


def _parent(record: SupervisionItemIn, pending: dict[str, SupervisionItem] | None = None):
    if not record.parent_code:
        return None
    if pending and record.parent_code in pending:
        return pending[record.parent_code]
    return latest_item(record.parent_code)


def create_item(record: SupervisionItemIn, actor: Any = None) -> SupervisionItem:
    """Add an item version to the catalogue."""
    department = find_department(record.department)
    if department is None:
        raise DomainError("unknown_department", _("Unknown department."))
    if actor is not None and not can_write_department(actor, department):
        raise Forbidden(_("You may not change the catalogue of this department."))
    if SupervisionItem.objects.filter(code=record.code, version=record.version).exists():
        raise DomainError("duplicate_item", _("This item code and version already exist."), status=409)
    parent = _parent(record)
    if record.parent_code and parent is None:
        raise DomainError("unknown_parent_item", _("The main item code is not in the catalogue."))
    with transaction.atomic():
        item = _build_item(record, department, parent)
        item.save()
        record_event(
            actor,
            "catalog.create_item",
            "supervision_item",
            item.pk,
            after={"code": item.code, "version": item.version, "name": item.name},
        )
    return item


def add_check_point(record: CheckPointIn, actor: Any = None) -> CheckPoint:
    item = latest_item(record.item_code)
    if item is None:
        raise DomainError("unknown_item", _("The item code is not in the catalogue."))
    if actor is not None and not can_write_department(actor, item.department):
        raise Forbidden()
    with transaction.atomic():
        point = _build_check_point(record, item)
        point.save()
        record_event(
            actor,
            "catalog.add_check_point",
            "supervision_item",
            item.pk,
            after={"code": point.code, "content": point.content},
        )
    return point


# What an item asks of the supervised and of officers: records and draws cite the version they were made
# under, so a change of these makes a new version and leaves the old one as it was.
ITEM_SUBSTANCE = ("name", "object_type", "measures", "method", "level", "legal_basis")
# Bookkeeping of the version itself, changed in place.
ITEM_IN_PLACE = ("status", "national_code", "is_key", "random_check", "effective_to")


def _item_view(item: SupervisionItem) -> dict[str, Any]:
    view: dict[str, Any] = {name: getattr(item, name) for name in (*ITEM_SUBSTANCE, *ITEM_IN_PLACE)}
    view["version"] = item.version
    view["effective_from"] = item.effective_from.isoformat()
    view["effective_to"] = item.effective_to.isoformat() if item.effective_to else None
    return view


def _refused(code: str, field: str, message: Any) -> DomainError:
    return DomainError(code, message, [FieldError(field, message, code)])


def revise_item(
    item: SupervisionItem, changes: dict[str, Any], actor: Any = None, new_version_from: dt.date | None = None
) -> SupervisionItem:
    """Change the newest version of an item: bookkeeping in place, what it asks as a new version
    effective from `new_version_from` (the old version then ends the day before). Returns the version
    that holds the change."""
    unknown = set(changes) - set(ITEM_SUBSTANCE) - set(ITEM_IN_PLACE)
    if unknown:
        raise DomainError(
            "field_not_editable",
            lazy_format(_("These fields cannot be changed here: %(f)s"), {"f": ", ".join(sorted(unknown))}),
        )
    if actor is not None and not can_write_department(actor, item.department):
        raise Forbidden(_("You may not change the catalogue of this department."))
    newest = latest_item(item.code)
    if newest is not None and newest.pk != item.pk:
        raise DomainError("not_latest_version", _("Only the newest version of an item can be changed."))
    substance = {k: v for k, v in changes.items() if k in ITEM_SUBSTANCE}
    if not substance:
        return _update_item_in_place(item, changes, actor)
    if new_version_from is None:
        raise _refused("required", "new_version_from", _("Give the day the new version takes effect."))
    if new_version_from <= item.effective_from:
        raise _refused(
            "version_before_current",
            "new_version_from",
            _("The new version must take effect after the day the current one did."),
        )
    effective_to = changes.get("effective_to", item.effective_to)
    if effective_to is not None and effective_to < new_version_from:
        raise _refused("effective_range", "effective_to", _("The end date cannot be before the start date."))
    return _new_item_version(item, changes, new_version_from, actor)


def _update_item_in_place(item: SupervisionItem, changes: dict[str, Any], actor: Any) -> SupervisionItem:
    effective_to = changes.get("effective_to", item.effective_to)
    if effective_to is not None and effective_to < item.effective_from:
        raise _refused("effective_range", "effective_to", _("The end date cannot be before the start date."))
    with transaction.atomic():
        before = _item_view(item)
        for name, value in changes.items():
            setattr(item, name, value)
        item.save()
        record_event(actor, "catalog.update_item", "supervision_item", item.pk, before=before, after=_item_view(item))
    return item


def _new_item_version(item: SupervisionItem, changes: dict[str, Any], starts: dt.date, actor: Any) -> SupervisionItem:
    with transaction.atomic():
        before = _item_view(item)
        points = list(item.check_points.all())
        old_end = item.effective_to
        item.effective_to = starts - dt.timedelta(days=1)
        item.save(update_fields=["effective_to", "updated_at"])
        record_event(
            actor,
            "catalog.close_item_version",
            "supervision_item",
            item.pk,
            before={"effective_to": old_end.isoformat() if old_end else None},
            after={"effective_to": item.effective_to.isoformat()},
        )
        fresh = SupervisionItem.objects.get(pk=item.pk)
        fresh.pk = None
        fresh.version = item.version + 1
        fresh.effective_from, fresh.effective_to = starts, old_end
        for name, value in changes.items():
            setattr(fresh, name, value)
        fresh.save()
        CheckPoint.objects.bulk_create(
            [
                CheckPoint(
                    item=fresh,
                    code=p.code,
                    content=p.content,
                    guidance=p.guidance,
                    penalty_basis=p.penalty_basis,
                    check_type=p.check_type,
                    order=p.order,
                )
                for p in points
            ]
        )
        record_event(actor, "catalog.revise_item", "supervision_item", fresh.pk, before=before, after=_item_view(fresh))
    return fresh


@register_importer
class CatalogImporter(Importer):
    kind = "catalog"
    schema = SupervisionItemIn
    label = _("Supervision items")
    required_columns = ("code", "name", "department", "effective_from")

    def keys(self, record: SupervisionItemIn) -> list[str]:
        return [f"item:{record.code}:{record.version}"]

    def existing_keys(self, keys: set[str]) -> set[str]:
        codes = {k.split(":")[1] for k in keys}
        return {
            f"item:{c}:{v}" for c, v in SupervisionItem.objects.filter(code__in=codes).values_list("code", "version")
        }

    def check(self, rows: list[PreparedRow]) -> None:
        codes_in_file = {r.record.code for r in rows}
        known_sectors = {code.upper() for code in Sector.objects.values_list("code", flat=True)}
        departments: dict[str, Any] = {}
        for row in rows:
            record = row.record
            check_department_ref(row, record.department, self.actor, departments)
            if record.parent_code and record.parent_code not in codes_in_file and _parent(record) is None:
                row.errors.append(
                    FieldError(
                        "parent_code",
                        _("The main item code is not in the catalogue."),
                        "unknown_parent_item",
                        row.number,
                    )
                )
            if record.sector_code and record.sector_code.upper() not in known_sectors:
                row.errors.append(FieldError("sector_code", _("Unknown sector code."), "unknown_sector", row.number))

    def create(self, records: Sequence[SupervisionItemIn]) -> list[SupervisionItem]:
        created: dict[str, SupervisionItem] = {}
        # Main items first, so that sub-items in the same file find their parent.
        for record in sorted(records, key=lambda r: r.parent_code is not None):
            item = _build_item(record, find_department(record.department), _parent(record, created))
            item.save()
            created[record.code] = item
        return list(created.values())

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for i in queryset.select_related("department", "sector", "parent"):
            yield [
                i.code,
                i.name,
                i.parent.code if i.parent else None,
                i.department.uscc or i.department.name,
                i.sector.code if i.sector else None,
                i.object_type,
                i.measures,
                i.method,
                i.get_level_display(),
                i.legal_basis,
                i.get_status_display(),
                i.national_code,
                "是" if i.is_key else "否",
                "是" if i.random_check else "否",
                i.version,
                i.effective_from,
                i.effective_to,
            ]


@register_importer
class CheckPointImporter(Importer):
    kind = "checkpoints"
    schema = CheckPointIn
    label = _("Check points")
    required_columns = ("item_code", "code", "content")

    def keys(self, record: CheckPointIn) -> list[str]:
        return [f"cp:{record.item_code}:{record.code}"]

    def existing_keys(self, keys: set[str]) -> set[str]:
        codes = {k.split(":")[1] for k in keys}
        return {
            f"cp:{c}:{p}" for c, p in CheckPoint.objects.filter(item__code__in=codes).values_list("item__code", "code")
        }

    def check(self, rows: list[PreparedRow]) -> None:
        items: dict[str, SupervisionItem | None] = {}
        for row in rows:
            code = row.record.item_code
            if code not in items:
                items[code] = latest_item(code)
            item = items[code]
            if item is None:
                row.errors.append(
                    FieldError("item_code", _("The item code is not in the catalogue."), "unknown_item", row.number)
                )
            elif self.actor is not None and not can_write_department(self.actor, item.department):
                row.errors.append(
                    FieldError("item_code", _("This item is outside your scope."), "out_of_scope", row.number)
                )

    def create(self, records: Sequence[CheckPointIn]) -> list[CheckPoint]:
        items = {code: latest_item(code) for code in {r.item_code for r in records}}
        points = [_build_check_point(r, items[r.item_code]) for r in records]
        return CheckPoint.objects.bulk_create(points, batch_size=1000)

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for p in queryset.select_related("item"):
            yield [
                p.item.code,
                p.code,
                p.content,
                p.guidance,
                p.penalty_basis,
                p.get_check_type_display(),
                p.order,
            ]
