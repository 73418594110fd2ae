"""Reference rules of the data standard: what a record names must exist in the registers.

`References` loads the small registers once per submission (departments, items, regions) and the
officers named by each chunk, so checking 10,000 records costs a handful of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from jianguan.catalog.choices import ItemStatus
from jianguan.catalog.models import SupervisionItem
from jianguan.core.errors import FieldError
from jianguan.core.models import Department, Region
from jianguan.officers.choices import OfficerStatus
from jianguan.officers.models import Officer
from jianguan.records.rules import rule_error
from jianguan.records.schemas import InspectionV1, RecordBase


@dataclass(frozen=True)
class DepartmentRef:
    id: int
    path: str
    sector_id: int | None


@dataclass(frozen=True)
class ItemVersion:
    id: int
    valid: bool
    effective_from: dt.date
    effective_to: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        return self.valid and self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class OfficerRef:
    name: str
    active: bool
    valid_until: dt.date | None
    sector_ids: frozenset[int]


@dataclass
class References:
    departments: dict[str, DepartmentRef] = field(default_factory=dict)
    items: dict[str, list[ItemVersion]] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)  # code → code in force (historical → successor)
    officers: dict[str, OfficerRef | None] = field(default_factory=dict)
    # True once every officer is loaded: unknown certificates are then unknown without asking the database.
    all_officers: bool = False
    # What `check` resolved for the references of records that passed every rule, by those
    # references: a submission repeats a few departments, items, days and crews many times over.
    _passed: dict[tuple, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls) -> References:
        refs = cls()
        for pk, uscc, path, sector_id in Department.objects.values_list("pk", "uscc", "path", "sector_id"):
            ref = DepartmentRef(pk, path, sector_id)
            refs.departments[str(pk)] = ref
            if uscc:
                refs.departments[uscc] = ref
        rows = SupervisionItem.objects.order_by("code", "-version").values_list(
            "code", "pk", "status", "effective_from", "effective_to"
        )
        for code, pk, status, start, end in rows:
            refs.items.setdefault(code, []).append(ItemVersion(pk, status == ItemStatus.VALID, start, end))
        for code, historical, successor in Region.objects.values_list("code", "is_historical", "successor_id"):
            refs.regions[code] = successor if historical and successor else code
        return refs

    def load_all_officers(self) -> None:
        self.load_officers(Officer.objects.values_list("certificate_no", flat=True))
        self.all_officers = True

    def load_officers(self, certificates: Iterable[str]) -> None:
        wanted = {c for c in certificates if c not in self.officers}
        if not wanted or self.all_officers:
            return
        sectors: dict[int, set[int]] = {}
        found = {}
        for start in range(0, len(wanted), 900):
            chunk = sorted(wanted)[start : start + 900]
            officers = Officer.objects.filter(certificate_no__in=chunk).values_list(
                "pk", "certificate_no", "name", "status", "certificate_valid_until"
            )
            for pk, cert, name, status, until in officers:
                found[cert] = (pk, name, status == OfficerStatus.ACTIVE, until)
            pks = [v[0] for v in found.values()]
            for officer_id, sector_id in Officer.sectors.through.objects.filter(officer_id__in=pks).values_list(
                "officer_id", "sector_id"
            ):
                sectors.setdefault(officer_id, set()).add(sector_id)
        for cert in wanted:
            hit = found.get(cert)
            self.officers[cert] = (
                OfficerRef(hit[1], hit[2], hit[3], frozenset(sectors.get(hit[0], ()))) if hit else None
            )

    def department(self, ref: str) -> DepartmentRef | None:
        return self.departments.get(ref.strip().upper())

    def item_in_force(self, code: str, on: dt.date) -> ItemVersion | None:
        return next((v for v in self.items.get(code, ()) if v.in_force(on)), None)

    def check(self, record: RecordBase, row: int, source_path: str) -> tuple[list[FieldError], dict[str, int]]:
        """Errors for one schema-valid record, and the ids it resolved to (department, item, region)."""
        officers = (
            tuple((o.certificate_no, o.name) for o in record.officers) if isinstance(record, InspectionV1) else ()
        )
        key = (record.department, record.item_code, record.action_date, record.region, source_path, officers)
        passed = self._passed.get(key)
        if passed is not None:
            return [], dict(passed)
        errors, resolved = self._check(record, row, source_path)
        if not errors:
            if len(self._passed) > 100_000:
                self._passed.clear()
            self._passed[key] = dict(resolved)
        return errors, resolved

    def _check(self, record: RecordBase, row: int, source_path: str) -> tuple[list[FieldError], dict[str, int]]:
        errors: list[FieldError] = []
        resolved: dict[str, int] = {}
        department = self.department(record.department)
        if department is None:
            errors.append(rule_error("department_unknown", "department", row))
        elif not department.path.startswith(source_path):
            errors.append(rule_error("department_out_of_scope", "department", row))
        else:
            resolved["department"] = department.id
        if record.item_code not in self.items:
            errors.append(rule_error("item_unknown", "item_code", row))
        else:
            version = self.item_in_force(record.item_code, record.action_date)
            if version is None:
                errors.append(rule_error("item_not_in_force", "item_code", row, date=record.action_date.isoformat()))
            else:
                resolved["item"] = version.id
        region = self.regions.get(record.region)
        if region is None:
            errors.append(rule_error("region_unknown", "region", row))
        else:
            resolved["region"] = region
        if isinstance(record, InspectionV1):
            in_scope = department if "department" in resolved else None
            errors.extend(self._officer_errors(record, row, in_scope))
        return errors, resolved

    def _officer_errors(self, record: InspectionV1, row: int, department: DepartmentRef | None) -> list[FieldError]:
        errors = []
        for index, named in enumerate(record.officers):
            where = f"officers.{index}.certificate_no"
            officer = self.officers.get(named.certificate_no)
            if officer is None:
                errors.append(rule_error("officer_unknown", where, row, cert=named.certificate_no))
            elif officer.name != named.name:
                errors.append(
                    rule_error("officer_name_mismatch", where, row, cert=named.certificate_no, name=named.name)
                )
            elif not officer.active or (officer.valid_until is not None and officer.valid_until < record.action_date):
                errors.append(rule_error("officer_certificate_invalid", where, row, cert=named.certificate_no))
            elif department is not None and department.sector_id and department.sector_id not in officer.sector_ids:
                errors.append(rule_error("officer_wrong_sector", where, row, cert=named.certificate_no))
        return errors
