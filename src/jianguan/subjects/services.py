"""Writes to the subject register: registration, update, file import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_region
from jianguan.audit.services import record_batch, record_event
from jianguan.core.address import address_parser
from jianguan.core.bulk import fetch_by_keys
from jianguan.core.codes import NATIONAL_REGISTRATION, mask_id_number
from jianguan.core.errors import DomainError, FieldError, Forbidden, lazy_format
from jianguan.core.models import Region
from jianguan.core.pii import keyed_hash
from jianguan.platform.importing import Importer, PreparedRow, register_importer
from jianguan.platform.services import resolve_region, resolve_region_loose
from jianguan.subjects.models import Subject
from jianguan.subjects.schemas import SubjectIn


def subject_region(record: SubjectIn) -> tuple[Region | None, bool]:
    """The region a new subject lives in, and whether it is left for review.

    Usually the region given, else the one embedded in its USCC or registration number. A unit
    registered centrally (USCC authority code 100000, such as a university under a ministry) carries
    no region in its code: its address decides when it names a city or county of the province, and
    otherwise it is placed at the province, to review.
    """
    code = record.inferred_region_code()
    if code != NATIONAL_REGISTRATION:
        return resolve_region_loose(code), False
    parser = address_parser()
    address = record.registered_address or record.operating_address or ""
    found = parser.parse(address)
    if found.code and parser.places[found.code].level >= 2:
        return resolve_region(found.code), False
    province = next((p.code for p in parser.places.values() if p.level == 1), None)
    return (resolve_region(province) if province else None), True


def _build(record: SubjectIn, region, to_review: bool = False) -> Subject:
    return Subject(
        kind=record.kind,
        name=record.name,
        uscc=record.uscc,
        registration_no=record.registration_no,
        id_number_hash=keyed_hash(record.id_number) if record.id_number else None,
        id_number_masked=mask_id_number(record.id_number) if record.id_number else "",
        legal_representative=record.legal_representative or "",
        registered_address=record.registered_address or "",
        operating_address=record.operating_address or "",
        region=region,
        region_to_review=to_review,
        industry_code=record.industry_code or "",
        status=record.status,
        registration_date=record.registration_date,
    )


def _identity_keys(record: SubjectIn) -> list[str]:
    keys = []
    if record.uscc:
        keys.append(f"uscc:{record.uscc}")
    if record.registration_no:
        keys.append(f"regno:{record.registration_no}")
    if record.id_number:
        keys.append(f"id:{keyed_hash(record.id_number)}")
    return keys


def _existing(keys: set[str]) -> set[str]:
    found = set()
    groups = {"uscc": "uscc", "regno": "registration_no", "id": "id_number_hash"}
    for prefix, field in groups.items():
        values = [k.split(":", 1)[1] for k in keys if k.startswith(prefix + ":")]
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            found.update(
                f"{prefix}:{v}" for v in Subject.objects.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
            )
    return found


def _placed(records: Iterable[SubjectIn]) -> Iterator[tuple[Region | None, bool]]:
    """`subject_region` for many records: once per region code, and per record only when the
    address decides (centrally registered units)."""
    by_code: dict[str | None, tuple[Region | None, bool]] = {}
    for record in records:
        code = record.inferred_region_code()
        if code == NATIONAL_REGISTRATION:
            yield subject_region(record)
            continue
        if code not in by_code:
            by_code[code] = subject_region(record)
        yield by_code[code]


def _bulk_create(records: Sequence[SubjectIn]) -> list[Subject]:
    subjects = [_build(record, *placed) for record, placed in zip(records, _placed(records), strict=True)]
    return Subject.objects.bulk_create(subjects, batch_size=2000)


def bulk_register_subjects(records: Sequence[SubjectIn], actor: Any = None) -> list[Subject]:
    """Register many new subjects at once (identities must be new); one audit event for the batch."""
    with transaction.atomic():
        subjects = _bulk_create(records)
        record_batch(actor, "subjects.bulk_register", "subject", [_audit_view(s) for s in subjects])
    return subjects


def register_subject(record: SubjectIn, actor: Any = None) -> Subject:
    """Add one subject to the register; an identity already registered is refused."""
    region, to_review = subject_region(record)
    if region is None:
        raise DomainError(
            "unknown_region",
            _("The region of this subject is unknown; give a region code."),
            [FieldError("region_code", _("Unknown region code."), "unknown_region")],
        )
    if actor is not None and not can_write_region(actor, region.code):
        raise Forbidden(_("You may not register subjects in this region."))
    taken = _existing(set(_identity_keys(record)))
    if taken:
        raise DomainError("duplicate_subject", _("A subject with this identity is already registered."), status=409)
    with transaction.atomic():
        subject = _build(record, region, to_review)
        subject.save()
        record_event(actor, "subjects.register", "subject", subject.pk, after=_audit_view(subject))
    return subject


def update_subject(subject: Subject, changes: dict[str, Any], actor: Any = None) -> Subject:
    """Change a subject's descriptive fields (not its identity codes)."""
    editable = {
        "name",
        "legal_representative",
        "registered_address",
        "operating_address",
        "industry_code",
        "status",
        "registration_date",
    }
    unknown = set(changes) - editable
    if unknown:
        raise DomainError(
            "field_not_editable",
            lazy_format(_("These fields cannot be changed here: %(f)s"), {"f": ", ".join(sorted(unknown))}),
        )
    with transaction.atomic():
        before = _audit_view(subject)
        for name, value in changes.items():
            setattr(subject, name, value if value is not None else "")
        subject.full_clean(exclude=["region", "uscc", "registration_no", "id_number_hash"])
        subject.save()
        record_event(actor, "subjects.update", "subject", subject.pk, before=before, after=_audit_view(subject))
    return subject


def _audit_view(subject: Subject) -> dict[str, Any]:
    # The audit trail is readable by auditors: it holds the masked ID number only.
    return {
        "name": subject.name,
        "kind": subject.kind,
        "uscc": subject.uscc,
        "registration_no": subject.registration_no,
        "id_number": subject.id_number_masked,
        "region": subject.region_id,
        "status": subject.status,
        "legal_representative": subject.legal_representative,
    }


@register_importer
class SubjectImporter(Importer):
    kind = "subjects"
    schema = SubjectIn
    label = _("Subjects")
    required_columns = ("name",)

    def keys(self, record: SubjectIn) -> list[str]:
        return _identity_keys(record)

    def existing_keys(self, keys: set[str]) -> set[str]:
        return _existing(keys)

    def check(self, rows: list[PreparedRow]) -> None:
        for row, (region, _to_review) in zip(rows, _placed(row.record for row in rows), strict=True):
            if region is None:
                row.errors.append(
                    FieldError(
                        "region_code",
                        _("Unknown region code; give the 6-digit code."),
                        "unknown_region",
                        row.number,
                    )
                )
            elif self.actor is not None and not can_write_region(self.actor, region.code):
                row.errors.append(
                    FieldError("region_code", _("This region is outside your scope."), "out_of_scope", row.number)
                )

    def create(self, records: Sequence[SubjectIn]) -> list[Subject]:
        return _bulk_create(records)

    def export_rows(self, queryset) -> Iterable[Sequence[Any]]:
        for s in queryset.select_related("region").iterator(chunk_size=2000):
            yield [
                s.name,
                s.get_kind_display(),
                s.uscc,
                s.registration_no,
                s.id_number_masked,
                s.legal_representative,
                s.registered_address,
                s.operating_address,
                s.region_id,
                s.industry_code,
                s.get_status_display(),
                s.registration_date,
            ]


class Identity(NamedTuple):
    """A party as a supervision record names it: enough to find its subject, or to start one."""

    key: str  # "uscc:…", "regno:…", "id:<keyed hash>", "passport:<keyed hash>"
    name: str
    kind: str
    region_code: str
    masked: str = ""
    address: str = ""


_IDENTITY_FIELDS = {"uscc": "uscc", "regno": "registration_no", "id": "id_number_hash", "passport": "id_number_hash"}


def identity_key(id_type: str, code: str) -> str:
    """The linking key for an identity code of the given type (001 USCC, 099 reg. no, 111 ID, 414 passport)."""
    if id_type == "001":
        return f"uscc:{code}"
    if id_type == "099":
        return f"regno:{code}"
    if id_type == "111":
        return f"id:{keyed_hash(code)}"
    return f"passport:{keyed_hash('passport:' + code)}"


def _find_by_keys(keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    by_prefix: dict[str, list[str]] = {}
    for key in keys:
        prefix, value = key.split(":", 1)
        by_prefix.setdefault(prefix, []).append(value)
    for prefix, values in by_prefix.items():
        rows = fetch_by_keys(Subject, _IDENTITY_FIELDS[prefix], values, ("id",), probe=True)
        found.update({f"{prefix}:{value}": pk for value, pk in rows})
    return found


def link_identities(
    identities: Sequence[Identity], actor: Any = None, known: dict[str, int] | None = None
) -> dict[str, int]:
    """Subject ids for every identity; an identity the register lacks becomes a provisional subject.

    A record is never dropped for want of a subject: the provisional subject carries the record's
    name and region and is flagged for review; registering the real subject later is a review task.
    `known` holds ids the caller already resolved (within its own committed work).
    """
    known = known or {}
    wanted = {identity.key: identity for identity in identities if identity.key not in known}
    found = _find_by_keys(wanted)
    found.update((identity.key, known[identity.key]) for identity in identities if identity.key in known)
    missing = [identity for key, identity in wanted.items() if key not in found]
    if missing:
        new = []
        for identity in missing:
            prefix, value = identity.key.split(":", 1)
            subject = Subject(
                kind=identity.kind,
                name=identity.name,
                region_id=identity.region_code,
                registered_address=identity.address,
                provisional=True,
            )
            if prefix == "uscc":
                subject.uscc = value
            elif prefix == "regno":
                subject.registration_no = value
            else:
                subject.id_number_hash, subject.id_number_masked = value, identity.masked
            new.append(subject)
        # Another submission may create the same subject at the same moment: keep whichever won.
        Subject.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        created = _find_by_keys(identity.key for identity in missing)
        found.update(created)
        record_batch(
            actor,
            "subjects.provisional",
            "subject",
            [{"key": i.key if i.key.startswith(("uscc", "regno")) else i.masked, "name": i.name} for i in missing],
        )
    return found


def apply_risk_grades(facts: list) -> None:
    """Subscriber of `credit.grade_changed`: the register shows each subject's newest grade.

    Facts come in number order, so the last one per subject wins; setting a grade twice is harmless.
    """
    newest = {fact.subject_id: fact.payload["to"] for fact in facts if fact.subject_id}
    by_grade: dict[str, list[int]] = {}
    for subject_id, grade in newest.items():
        by_grade.setdefault(grade, []).append(subject_id)
    for grade, ids in by_grade.items():
        for start in range(0, len(ids), 900):
            Subject.objects.filter(pk__in=ids[start : start + 900]).update(risk_grade=grade)
