"""Writes to the officer register: registration, declared conflicts, file import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_department
from jianguan.audit.services import record_batch, record_event
from jianguan.core.errors import DomainError, FieldError, Forbidden, lazy_format
from jianguan.officers.models import Conflict, Officer
from jianguan.officers.schemas import OfficerIn
from jianguan.platform.importing import Importer, PreparedRow, register_importer
from jianguan.platform.services import check_department_ref, find_department, find_sectors, resolve_region
from jianguan.subjects.models import Subject


def _account_problem(username: str, department: Any, officer: Officer | None = None) -> tuple[Any, Any]:
    """The staff account named for an officer, or the reason it cannot be linked."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return None, _("No staff account has this user name.")
    if department is not None and user.department_id != department.pk:
        return None, _("The account belongs to another department than the officer.")
    linked = Officer.objects.filter(user=user).exclude(pk=getattr(officer, "pk", None)).first()
    if linked is not None:
        return None, lazy_format(_("The account is already linked to officer %(o)s."), {"o": linked.name})
    return user, None


def _account(username: str | None, department: Any, officer: Officer | None = None) -> Any:
    if not username:
        return None
    user, problem = _account_problem(username, department, officer)
    if problem is not None:
        raise DomainError("account_invalid", problem, [FieldError("username", problem, "account_invalid")])
    return user


def link_account(officer: Officer, username: str | None, actor: Any = None) -> Officer:
    """Link the officer to the staff account he signs in with (None: unlink)."""
    if actor is not None and not can_write_department(actor, officer.department):
        raise Forbidden(_("You may not change officers of this department."))
    user = _account(username, officer.department, officer)
    with transaction.atomic():
        before = officer.user_id
        Officer.objects.filter(pk=officer.pk).update(user=user)
        officer.user = user
        record_event(
            actor,
            "officers.link_account",
            "officer",
            officer.pk,
            before={"user": before},
            after={"user": getattr(user, "pk", None)},
        )
    return officer


def _bulk_create(records: Sequence[OfficerIn]) -> list[Officer]:
    departments = {ref: find_department(ref) for ref in {r.department for r in records}}
    users = {r.username: _account(r.username, departments[r.department]) for r in records if r.username}
    sectors = {ref: find_sectors([ref])[0] for r in records for ref in r.sectors}
    regions = {code: resolve_region(code) for code in {r.home_region_code for r in records}}
    officers = Officer.objects.bulk_create(
        [
            Officer(
                name=r.name,
                certificate_no=r.certificate_no,
                department=departments[r.department],
                status=r.status,
                certificate_valid_until=r.certificate_valid_until,
                home_region=regions[r.home_region_code],
                user=users.get(r.username) if r.username else None,
            )
            for r in records
        ],
        batch_size=1000,
    )
    Through = Officer.sectors.through
    Through.objects.bulk_create(
        [
            Through(officer_id=o.pk, sector_id=s.pk)
            for o, r in zip(officers, records, strict=True)
            for ref in r.sectors
            for s in sectors[ref]
        ],
        batch_size=2000,
    )
    return officers


def bulk_register_officers(records: Sequence[OfficerIn], actor: Any = None) -> list[Officer]:
    """Register many new officers at once; one audit event for the batch."""
    with transaction.atomic():
        officers = _bulk_create(records)
        record_batch(
            actor,
            "officers.bulk_register",
            "officer",
            [[o.name, o.certificate_no, o.department_id] for o in officers],
        )
    return officers


def register_officer(record: OfficerIn, actor: Any = None) -> Officer:
    """Add an officer to the register."""
    department = find_department(record.department)
    if department is None:
        raise DomainError(
            "unknown_department",
            _("Unknown department."),
            [FieldError("department", _("Unknown department."), "unknown_department")],
        )
    if actor is not None and not can_write_department(actor, department):
        raise Forbidden(_("You may not register officers of this department."))
    sectors, missing = find_sectors(record.sectors)
    if missing:
        raise DomainError("unknown_sector", lazy_format(_("Unknown sector: %(s)s"), {"s": "、".join(missing)}))
    if Officer.objects.filter(certificate_no=record.certificate_no).exists():
        raise DomainError("duplicate_certificate", _("This certificate number is already registered."), status=409)
    user = _account(record.username, department)
    with transaction.atomic():
        officer = Officer.objects.create(
            name=record.name,
            certificate_no=record.certificate_no,
            department=department,
            status=record.status,
            certificate_valid_until=record.certificate_valid_until,
            home_region=resolve_region(record.home_region_code),
            user=user,
        )
        officer.sectors.set(sectors)
        record_event(
            actor,
            "officers.register",
            "officer",
            officer.pk,
            after={
                "name": officer.name,
                "certificate_no": officer.certificate_no,
                "department": department.pk,
                "sectors": [s.code for s in sectors],
                "user": getattr(user, "pk", None),
            },
        )
    return officer


OFFICER_EDITABLE = frozenset({"name", "department", "sectors", "status", "certificate_valid_until", "home_region"})


def _officer_view(officer: Officer) -> dict[str, Any]:
    return {
        "name": officer.name,
        "department": officer.department_id,
        "sectors": sorted(officer.sectors.values_list("pk", flat=True)),
        "status": officer.status,
        "certificate_valid_until": officer.certificate_valid_until.isoformat()
        if officer.certificate_valid_until
        else None,
        "home_region": officer.home_region_id,
    }


def update_officer(officer: Officer, changes: dict[str, Any], actor: Any = None) -> Officer:
    """Change an officer's descriptive fields; the certificate number is his identity and stays."""
    unknown = set(changes) - OFFICER_EDITABLE
    if unknown:
        raise DomainError(
            "field_not_editable",
            lazy_format(_("These fields cannot be changed here: %(f)s"), {"f": ", ".join(sorted(unknown))}),
        )
    if actor is not None and not can_write_department(actor, officer.department):
        raise Forbidden(_("You may not change officers of this department."))
    department = changes.get("department", officer.department)
    if department.pk != officer.department_id:
        if actor is not None and not can_write_department(actor, department):
            problem = _("You may not move officers to this department.")
            raise DomainError("forbidden_department", problem, [FieldError("department", problem, "forbidden")])
        if officer.user_id and officer.user.department_id != department.pk:
            problem = _("The officer's staff account belongs to his present department: move the account first.")
            raise DomainError("account_department", problem, [FieldError("department", problem, "account_invalid")])
    with transaction.atomic():
        before = _officer_view(officer)
        for name, value in changes.items():
            if name != "sectors":
                setattr(officer, name, value)
        officer.full_clean(exclude=["certificate_no", "user"])
        officer.save()
        if "sectors" in changes:
            officer.sectors.set(changes["sectors"])
        record_event(actor, "officers.update", "officer", officer.pk, before=before, after=_officer_view(officer))
    return officer


def declare_conflict(
    officer: Officer, subject: Subject, reason: str, actor: Any = None, on: dt.date | None = None
) -> Conflict:
    """Record a conflict of interest the officer declared with a subject (grounds for recusal)."""
    with transaction.atomic():
        conflict, _created = Conflict.objects.update_or_create(
            officer=officer,
            subject=subject,
            defaults={"reason": reason, "declared_at": on or dt.date.today()},
        )
        record_event(
            actor,
            "officers.declare_conflict",
            "officer",
            officer.pk,
            after={"subject": subject.pk, "reason": reason},
        )
    return conflict


@register_importer
class OfficerImporter(Importer):
    kind = "officers"
    schema = OfficerIn
    label = _("Officers")
    required_columns = ("name", "certificate_no", "department")

    def keys(self, record: OfficerIn) -> list[str]:
        return [f"cert:{record.certificate_no}"]

    def existing_keys(self, keys: set[str]) -> set[str]:
        numbers = [k[5:] for k in keys]
        found = set()
        for start in range(0, len(numbers), 900):
            found.update(
                f"cert:{n}"
                for n in Officer.objects.filter(certificate_no__in=numbers[start : start + 900]).values_list(
                    "certificate_no", flat=True
                )
            )
        return found

    def check(self, rows: list[PreparedRow]) -> None:
        departments: dict[str, Any] = {}
        usernames: dict[str, int] = {}
        for row in rows:
            department = check_department_ref(row, row.record.department, self.actor, departments)
            username = row.record.username
            if username:
                _user, problem = _account_problem(username, department)
                if problem is None and username in usernames:
                    problem = lazy_format(_("The account is also named in row %(n)s."), {"n": usernames[username]})
                if problem is not None:
                    row.errors.append(FieldError("username", problem, "account_invalid", row.number))
                usernames.setdefault(username, row.number)
            _found, missing = find_sectors(row.record.sectors)
            if missing:
                row.errors.append(
                    FieldError(
                        "sectors",
                        lazy_format(_("Unknown sector: %(s)s"), {"s": "、".join(missing)}),
                        "unknown_sector",
                        row.number,
                    )
                )
            if row.record.home_region_code and resolve_region(row.record.home_region_code) is None:
                row.errors.append(
                    FieldError("home_region_code", _("Unknown region code."), "unknown_region", row.number)
                )

    def create(self, records: Sequence[OfficerIn]) -> list[Officer]:
        return _bulk_create(records)

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for o in queryset.select_related("department", "home_region", "user").prefetch_related("sectors"):
            yield [
                o.name,
                o.certificate_no,
                o.department.uscc or o.department.name,
                "、".join(s.name for s in o.sectors.all()),
                o.get_status_display(),
                o.certificate_valid_until,
                o.home_region_id,
                o.user.username if o.user_id else "",
            ]
