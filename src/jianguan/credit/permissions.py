"""What the public may read of a subject's credit: registration facts, licences and penalties inside
their publication period (双公示), published spot-check results. Never the risk grade, never expired
data; the legal representative's name only masked."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_department
from jianguan.accounts.scope import restrict
from jianguan.core.errors import Forbidden, NotFound
from jianguan.core.personal import mask_whole_name
from jianguan.core.ratelimit import check_public_rate as limit_rate
from jianguan.credit.lists import list_rules
from jianguan.credit.models import CreditRecord, CreditReport, ListEntry, RepairRequest
from jianguan.subjects.choices import SubjectKind, SubjectStatus
from jianguan.subjects.models import Subject


def check_public_rate(client_key: str) -> None:
    """At most PUBLIC_QUERIES_PER_MINUTE credit queries per client (address) and minute."""
    limit_rate(client_key, "public-credit")


def public_subjects(query: str) -> QuerySet[Subject]:
    """Businesses and organisations by exact USCC / registration number, or name substring (at least 2 characters)."""
    query = (query or "").strip()
    subjects = (
        Subject.objects.exclude(kind=SubjectKind.PERSON)
        .filter(provisional=False)
        .select_related("region__parent__parent")
    )
    code = query.upper().replace(" ", "")
    if len(code) in (15, 18) and code.isalnum():
        return subjects.filter(uscc=code) | subjects.filter(registration_no=code)
    if len(query) < 2:
        return subjects.none()
    return subjects.filter(name__contains=query).order_by("name")


# A query answers at most PUBLIC_RESULT_CAP subjects, PUBLIC_PAGE_SIZE a page: the register is
# searched, never listed (a name needs 2 characters; a code must be whole).
PUBLIC_RESULT_CAP = 50
PUBLIC_PAGE_SIZE = 10


def public_search(query: str, page: Any = 1) -> tuple[Page, bool]:
    """The public result list (GSXT's first screen): one page of at most PUBLIC_PAGE_SIZE rows of
    name, code, masked legal representative, status and region, and whether more subjects matched
    than PUBLIC_RESULT_CAP (the visitor should then narrow the query). Cached like `public_query`."""

    normal = " ".join((query or "").split())
    key = "public-credit-list:v1:" + hashlib.sha256(normal.encode()).hexdigest()
    rows = cache.get(key) if settings.PUBLIC_QUERY_CACHE_SECONDS else None
    if rows is None:
        rows = [
            {
                "id": s.pk,
                "name": s.name,
                "code": s.uscc or s.registration_no,
                "legal_representative": mask_whole_name(s.legal_representative) if s.legal_representative else "",
                "kind": str(s.get_kind_display()),
                "status": str(s.get_status_display()),
                "operating": s.status == SubjectStatus.OPERATING,
                "region": s.region.full_name,
            }
            for s in public_subjects(normal)[: PUBLIC_RESULT_CAP + 1]
        ]
        if settings.PUBLIC_QUERY_CACHE_SECONDS:
            cache.set(key, rows, timeout=settings.PUBLIC_QUERY_CACHE_SECONDS)
    capped = len(rows) > PUBLIC_RESULT_CAP
    return Paginator(rows[:PUBLIC_RESULT_CAP], PUBLIC_PAGE_SIZE).get_page(page), capped


def public_subject(pk: Any) -> Subject:
    """A subject whose public profile may be shown (not a person, not provisional), else NotFound."""
    subject = (
        Subject.objects.exclude(kind=SubjectKind.PERSON)
        .filter(provisional=False, pk=pk if str(pk).isdigit() else None)
        .select_related("region__parent__parent")
        .first()
    )
    if subject is None:
        raise NotFound()
    return subject


def verify_report(code: str) -> CreditReport | None:
    """The issued report with this verification code (spaces, dashes and case ignored), or None."""
    normal = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(normal) != 16:
        return None
    grouped = "-".join(normal[i : i + 4] for i in range(0, 16, 4))
    return CreditReport.objects.filter(code=grouped).first()


def public_query(query: str) -> list[dict[str, Any]]:
    """The public answer to a query: up to 20 profiles, each with its subject id. What the public
    may see is the same for everyone, so the answer is cached for PUBLIC_QUERY_CACHE_SECONDS
    (a repeated popular name costs one cache read, not the search)."""

    normal = " ".join((query or "").split())
    key = "public-credit-answer:v2:" + hashlib.sha256(normal.encode()).hexdigest()
    answer = cache.get(key) if settings.PUBLIC_QUERY_CACHE_SECONDS else None
    if answer is None:
        subjects = list(public_subjects(normal)[:20])
        answer = [{"id": s.pk, **p} for s, p in zip(subjects, public_profiles(subjects), strict=True)]
        if settings.PUBLIC_QUERY_CACHE_SECONDS:
            cache.set(key, answer, timeout=settings.PUBLIC_QUERY_CACHE_SECONDS)
    return answer


def public_profile(subject: Subject) -> dict[str, Any]:
    return public_profiles([subject])[0]


def public_profiles(subjects: list[Subject]) -> list[dict[str, Any]]:
    """The public credit profile of each subject, in three queries whatever their number: the
    subjects (with their regions, read by `public_subjects`), their public credit records, and
    their list entries."""

    ids = [subject.pk for subject in subjects]
    # Plain rows, not model instances: the profile reads six columns of each record and its
    # department, and building the objects cost more than the queries themselves.
    credit: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for c in (
        CreditRecord.objects.filter(subject_id__in=ids, is_public=True, kind__in=("penalty", "licence", "spotcheck"))
        .order_by("-decided_on", "-id")
        .values(
            "subject_id",
            "kind",
            "decided_on",
            "publish_until",
            document_no=F("record__document_no"),
            details=F("record__details"),
            result=F("record__result"),
            authority=F("record__department__name"),
        )
    ):
        c["details"] = c["details"] or {}
        credit[c["subject_id"]].append(c)
    entries: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for e in ListEntry.objects.filter(subject_id__in=ids, status=ListEntry.Status.LISTED).values(
        "subject_id", "kind", "reason", "listed_on", authority=F("department__name")
    ):
        entries[e["subject_id"]].append(e)
    list_kinds = dict(ListEntry.Kind.choices)
    reasons = list_rules()["abnormal_reasons"]
    return [
        {
            "name": subject.name,
            "lists": [
                {
                    "list": str(list_kinds.get(e["kind"], e["kind"])),
                    "reason": reasons.get(e["reason"], e["reason"]),
                    "listed_on": e["listed_on"],
                    "authority": e["authority"],
                }
                for e in entries[subject.pk]
            ],
            "uscc": subject.uscc,
            "registration_no": subject.registration_no,
            "kind": str(subject.get_kind_display()),
            "status": str(subject.get_status_display()),
            "region": subject.region.full_name,
            "registration_date": subject.registration_date,
            "legal_representative": mask_whole_name(subject.legal_representative)
            if subject.legal_representative
            else "",
            "penalties": [
                {
                    "decided_on": c["decided_on"],
                    "document_no": c["document_no"] or c["details"].get("decision_no", ""),
                    "authority": c["authority"],
                    "facts": c["details"].get("facts", ""),
                    "kinds": c["details"].get("kinds", []),
                    "fine_amount": c["details"].get("fine_amount"),
                    "published_until": c["publish_until"],
                }
                for c in credit[subject.pk]
                if c["kind"] == "penalty"
            ],
            "licences": [
                {
                    "decided_on": c["decided_on"],
                    "licence_name": c["details"].get("licence_name") or "",
                    "licence_no": c["details"].get("licence_no") or "",
                    "document_no": c["document_no"] or c["details"].get("decision_no") or "",
                    "authority": c["authority"],
                    "valid_from": c["details"].get("valid_from"),
                    "valid_to": c["details"].get("valid_to"),
                    "published_until": c["publish_until"],
                }
                for c in credit[subject.pk]
                if c["kind"] == "licence"
            ],
            "spot_checks": [
                {"checked_on": c["decided_on"], "authority": c["authority"], "result": c["result"]}
                for c in credit[subject.pk]
                if c["kind"] == "spotcheck"
            ],
        }
        for subject in subjects
    ]


def public_action_ids(subject: Any) -> QuerySet:
    """The ids of the subject's supervision actions that the portal publishes today."""
    return CreditRecord.objects.filter(subject=subject, is_public=True).values("record_id")


def visible_credit_records(actor: Any) -> QuerySet[CreditRecord]:
    """Staff see the credit records made by departments in their scope."""

    return restrict(
        CreditRecord.objects.select_related("record__department", "record__item"),
        actor,
        department="record__department",
    )


def access_credit_record(actor: Any, pk: Any, write: bool = False) -> CreditRecord:
    credit = visible_credit_records(actor).filter(pk=pk).first()
    if credit is None:
        raise NotFound()
    if write and not can_write_department(actor, credit.record.department):
        raise Forbidden(_("Only an administrator of the deciding department may do this."))
    return credit


def access_repair(actor: Any, pk: Any, write: bool = False):
    repair = RepairRequest.objects.filter(pk=pk).first()
    if repair is None:
        raise NotFound()
    access_credit_record(actor, repair.credit_id, write=write)
    return repair


def visible_list_entries(actor: Any) -> QuerySet[ListEntry]:
    """Credit-list entries decided by a department in the actor's scope."""
    return restrict(ListEntry.objects.select_related("subject", "department"), actor, department="department")


def writable_list_entries(actor: Any) -> QuerySet[ListEntry]:
    """The entries an administrator may cure or remove: those decided by his own department or one below it."""
    department = getattr(actor, "department", None)
    if department is None or not can_write_department(actor, department):
        return ListEntry.objects.none()
    return visible_list_entries(actor).filter(department__path__startswith=department.path)
