"""Writes of credit supervision: credit records from supervision actions, and their publication.

A record's publication window comes from the rule version in force on its decision date. The
daily refresh switches publication on and off by the window, so publication starts and stops by
itself; a repaired record stops at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ibis
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.audit.services import record_event
from jianguan.core.bulk import allocate_ids, bulk_insert, bulk_upsert
from jianguan.core.calendar import calendar_session, session_calendar
from jianguan.core.errors import Bilingual, DomainError, FieldError
from jianguan.core.pii import encrypt
from jianguan.credit.jobs import explanation, grading, load_model
from jianguan.credit.models import CreditRecord, CreditReport, PublicationRuleSet, RepairRequest, RiskGrade
from jianguan.credit.permissions import access_credit_record, public_profile
from jianguan.credit.publication_periods import decide
from jianguan.credit.reports import content_hash, font_file, new_code, render_pdf, report_content
from jianguan.facts.services import publish_many
from jianguan.records.models import Record


def _facts(record: Record) -> tuple[str, dict[str, Any], str]:
    details = record.details or {}
    if record.kind == "penalty":
        kinds = details.get("kinds") or []
        title = f"行政处罚 {record.document_no or details.get('decision_no', '')}".strip()
        return (
            "penalty",
            {
                "kind": "penalty",
                "procedure": details.get("procedure"),
                "kinds": kinds,
                "fine_amount": details.get("fine_amount"),
            },
            title,
        )
    if record.kind == "licence":
        title = f"行政许可 {details.get('licence_name') or ''} {details.get('licence_no') or ''}"
        return "licence", {"kind": "licence"}, " ".join(title.split())
    return "spotcheck", {"kind": "spotcheck"}, f"双随机抽查 {record.result}".strip()


def credit_sources():
    """The supervision actions that become credit records: penalties, licences (双公示) and
    spot-check inspections."""
    return Record.objects.filter(is_deleted=False).filter(
        Q(kind__in=("penalty", "licence")) | (Q(kind="inspection") & ~Q(plan_id=""))
    )


def _publish_until(record: Record, decision) -> dt.date:
    """The last day of publication: the rule's months after the decision, or for a licence with a
    validity end (when its rule says so) that end."""
    if decision.until_valid_to:
        valid_to = (record.details or {}).get("valid_to")
        if valid_to:
            try:
                # publish_until is the first day off the site; the licence is valid through valid_to.
                return dt.date.fromisoformat(str(valid_to)[:10]) + dt.timedelta(days=1)
            except ValueError:
                pass
    return record.action_date + relativedelta(months=decision.months)


def sync_credit_records(records=None, actor: Any = None, *, refresh: bool = True) -> int:
    """Create or update the credit records of these supervision actions (default: all); returns how many.

    With `refresh`, publication is then switched by the windows (`refresh_publication`); a caller
    syncing chunk by chunk refreshes once at the end."""
    versions = list(PublicationRuleSet.objects.order_by("effective_from"))
    calendar = session_calendar()  # a caller syncing chunk by chunk loads it once
    due_dates: dict[tuple[dt.date, int], dt.date] = {}

    def due(day: dt.date, working_days: int) -> dt.date:
        if (day, working_days) not in due_dates:
            due_dates[(day, working_days)] = calendar.add_working_days(day, working_days)
        return due_dates[(day, working_days)]

    records = records if records is not None else credit_sources()
    count = 0
    fields = [
        "subject_id",
        "kind",
        "title",
        "decided_on",
        "rule_version",
        "rule_name",
        "level",
        "publish_due",
        "publish_from",
        "publish_until",
    ]
    # Written by one upsert per chunk of plain rows: a new record starts unpublished (the refresh
    # switches it), an existing one keeps its publication flag and repair.
    columns = ["record_id", *fields, "updated_at", "is_public"]
    pending: list[tuple] = []

    def flush() -> None:
        bulk_upsert(CreditRecord, columns, pending, conflict=["record_id"], update=[*fields, "updated_at"])
        pending.clear()

    now = timezone.now()
    with transaction.atomic():
        for record in records.only(
            "pk", "subject_id", "kind", "action_date", "details", "document_no", "result"
        ).iterator(chunk_size=2000):
            kind, facts, title = _facts(record)
            decision = decide(versions, record.action_date, facts)
            if decision is None:
                continue
            publish = decision.publish
            pending.append(
                (
                    record.pk,
                    record.subject_id,
                    kind,
                    title[:300],
                    record.action_date,
                    decision.version,
                    decision.rule,
                    decision.level,
                    due(record.action_date, decision.within_working_days) if publish else None,
                    record.action_date if publish else None,
                    _publish_until(record, decision) if publish else None,
                    now,
                    False,
                )
            )
            count += 1
            if len(pending) >= 2000:
                flush()
        flush()
        record_event(actor, "credit.sync", "credit_record", after={"records": count})
    if refresh:
        refresh_publication()
    return count


def refresh_publication(today: dt.date | None = None, actor: Any = None) -> dict[str, int]:
    """Publish what is inside its window today; withdraw what is outside it, or repaired."""
    today = today or timezone.localdate()
    inside = Q(publish_from__lte=today, publish_until__gt=today, repaired_at__isnull=True)
    with transaction.atomic():
        started = CreditRecord.objects.filter(inside, is_public=False).update(is_public=True)
        stopped = CreditRecord.objects.filter(is_public=True).exclude(inside).update(is_public=False)
        if started or stopped:
            record_event(
                actor,
                "credit.refresh",
                "credit_record",
                after={"on": today.isoformat(), "started": started, "stopped": stopped},
            )
    return {"started": started, "stopped": stopped}


# ---------------------------------------------------------------- credit repair (信用修复)


@dataclass
class Check:
    code: str
    ok: bool
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "ok": self.ok, "message": self.zh, "message_en": self.en}


def _rule(credit: CreditRecord) -> tuple[PublicationRuleSet, dict[str, Any]]:
    version = PublicationRuleSet.objects.get(version=credit.rule_version)
    return version, next(r for r in version.rules if r["name"] == credit.rule_name)


def repair_wait_months(credit: CreditRecord) -> int | None:
    """Months a record must have been public before repair may be asked (None: not repairable)."""
    version, rule = _rule(credit)
    if rule.get("repairable") is False or not rule.get("publish"):
        return None
    months = rule.get("repair_after_months") or rule.get("min_months")
    if months is None:
        return None
    longer = version.longer_repair_wait or {}
    item_name = credit.record.item.name if credit.record.item_id else ""
    if any(word in item_name for word in longer.get("item_name_contains", [])):
        months = max(months, int(longer.get("months") or months))
    return int(months)


def repair_eligibility(credit: CreditRecord, today: dt.date | None = None, performed: bool = True) -> list[Check]:
    """Every rule of eligibility, each passed or not, with its reason in both languages."""
    today = today or timezone.localdate()
    checks = [
        Check("published", credit.is_public, "该信用记录正在公示", "The record is being published."),
        Check(
            "not_repaired", credit.repaired_at is None, "该记录尚未修复", "The record has not been repaired already."
        ),
    ]
    wait = repair_wait_months(credit)
    checks.append(
        Check(
            "repairable_kind",
            wait is not None,
            "此类信息不适用信用修复（警告、通报批评、较低数额罚款等到期自动停止公示）",
            "This kind of record is not repairable (warnings, criticism and low fines come down by themselves).",
        )
    )
    if wait is not None and credit.publish_from is not None:
        allowed_from = credit.publish_from + relativedelta(months=wait)
        checks.append(
            Check(
                "minimum_period",
                today >= allowed_from,
                f"公示满 {wait} 个月后方可申请（{allowed_from.isoformat()} 起）",
                f"Repair may be asked after {wait} months of publication (from {allowed_from.isoformat()}).",
            )
        )
    checks.append(
        Check(
            "performed",
            performed,
            "须已履行行政处罚并消除不良影响",
            "The penalty must have been performed and its effects removed.",
        )
    )
    return checks


def request_repair(
    credit: CreditRecord, *, applicant: str, contact: str = "", performed: bool, statement: str = "", actor: Any = None
) -> RepairRequest:
    """Ask for repair (by the subject itself unless an applicant is named); refused with every failed
    rule when the record is not eligible."""
    applicant = (applicant or "").strip() or credit.subject.name
    checks = repair_eligibility(credit, performed=performed)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise DomainError(
            "not_eligible",
            _("This record is not eligible for credit repair."),
            [FieldError(c.code, Bilingual(c.zh, c.en), code=c.code) for c in failed],
        )
    with transaction.atomic():
        request = RepairRequest.objects.create(
            credit=credit,
            applicant=applicant,
            contact_sealed=encrypt(contact) if contact else "",
            performed=performed,
            statement=statement,
            eligibility=[c.as_dict() for c in checks],
        )
        record_event(actor, "credit.request_repair", "repair_request", request.pk, after={"credit": credit.pk})
    return request


def decide_repair(request: RepairRequest, approve: bool, note: str = "", actor: Any = None) -> RepairRequest:
    """Approve (publication stops at once) or reject, with a note; both audited."""
    if approve is False and not note.strip():
        message = _("A rejection needs a reason.")
        raise DomainError("reason_required", message, [FieldError("note", message, "reason_required")])
    now = timezone.now()
    with transaction.atomic():
        status = RepairRequest.Status.APPROVED if approve else RepairRequest.Status.REJECTED
        if not RepairRequest.objects.filter(pk=request.pk, status=RepairRequest.Status.SUBMITTED).update(
            status=status, decided_at=now, decision_note=note
        ):
            raise DomainError("already_decided", _("This request has been decided."), status=409)
        if approve:
            CreditRecord.objects.filter(pk=request.credit_id).update(repaired_at=now, is_public=False)
        record_event(
            actor, "credit.decide_repair", "repair_request", request.pk, after={"status": status, "note": note}
        )
    request.refresh_from_db()
    return request


# ---------------------------------------------------------------- risk grades (信用风险分类)


def ibis_backend():
    """An Ibis backend on the operational database.

    On PostgreSQL it wraps Django's own connection (so the job sees the calling transaction); on
    SQLite a second sqlite3 connection to the same database, because sharing Django's SQLite
    connection with Ibis ends its transaction. (The shared in-memory database of a test run is
    read uncommitted, so there too the job sees what the caller wrote.)
    """
    import ibis

    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return ibis.postgres.from_connection(connection.connection)
    database = connection.get_connection_params()["database"]
    raw = sqlite3.connect(database, uri=str(database).startswith("file:"), check_same_thread=False)
    if "mode=memory" in str(database):
        raw.execute("PRAGMA read_uncommitted = true")
    return ibis.sqlite.from_connection(raw)


# The columns the grading job reads, as tables not bound to a connection: the job's SQL is compiled
# once per day, scheme and model (compiling takes a tenth of a second, and a second with a literal
# list of 2,000 ids), and runs on Django's own connection, inside the caller's transaction.
_GRADED_SUBJECTS = {"id": "int64", "registration_date": "date"}
_GRADED_RECORDS = {
    "subject_id": "int64",
    "kind": "string",
    "result": "string",
    "action_date": "date",
    "is_deleted": "boolean",
}
_CHOSEN = "credit_grading_chosen"  # a temporary table of the subjects to grade when not all


@lru_cache(maxsize=8)
def _grading_sql(vendor: str, as_of: dt.date, scheme: str, model_text: str, only_chosen: bool) -> str:
    subjects = ibis.table(_GRADED_SUBJECTS, name="subjects_subject")
    records = ibis.table(_GRADED_RECORDS, name="records_record")
    if only_chosen:
        wanted = ibis.table({"subject_id": "int64"}, name=_CHOSEN)
        subjects = subjects.semi_join(wanted, subjects.id == wanted.subject_id)
        records = records.semi_join(wanted, records.subject_id == wanted.subject_id)
    expression = grading(subjects, records, as_of, json.loads(model_text), scheme)
    return str(ibis.to_sql(expression, dialect="postgres" if vendor == "postgresql" else "sqlite"))


def _graded_rows(as_of: dt.date, scheme: str, model: dict[str, Any], chosen: list[int] | None) -> list[dict]:
    """The grading job's rows (subject_id, score, grade, points per indicator) for every subject or the chosen."""
    sql = _grading_sql(connection.vendor, as_of, scheme, json.dumps(model, sort_keys=True), chosen is not None)
    with connection.cursor() as cursor:
        if chosen is not None:
            cursor.execute(f'CREATE TEMPORARY TABLE IF NOT EXISTS "{_CHOSEN}" (subject_id bigint PRIMARY KEY)')
            cursor.execute(f'DELETE FROM "{_CHOSEN}"')  # noqa: S608 - a constant name
            bulk_insert(_CHOSEN, ("subject_id",), ((pk,) for pk in chosen))
        cursor.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def grade_subjects(
    as_of: dt.date | None = None, scheme: str = "national", actor: Any = None, subject_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Grade subjects as of a day (every subject monthly; those named when their records change).

    Writes the grades with their explanations and publishes `credit.grade_changed` for each subject
    whose grade differs from its previous one (the subjects register keeps the grade it shows).
    """

    as_of = as_of or timezone.localdate()
    model = load_model()
    if scheme not in model["schemes"]:
        raise DomainError("unknown_scheme", _("Unknown grading scheme."))
    chosen = None
    if subject_ids is not None:
        chosen = sorted(set(subject_ids))
        if not chosen:
            return {}
    rows = _graded_rows(as_of, scheme, model, chosen)
    for row in rows:
        row["explanation"] = explanation(row, model)
    counts: dict[str, int] = {}
    with transaction.atomic():
        previous = _previous_grades(scheme, as_of, [row["subject_id"] for row in rows])
        same_day = RiskGrade.objects.filter(as_of=as_of, scheme=scheme)
        if chosen is None:
            same_day.delete()
        else:
            for start in range(0, len(chosen), 2000):
                same_day.filter(subject_id__in=chosen[start : start + 2000]).delete()
        ids = allocate_ids(RiskGrade, len(rows))
        bulk_insert(
            RiskGrade,
            ("id", "subject_id", "as_of", "scheme", "model_version", "grade", "score", "explanation"),
            (
                (
                    pk,
                    row["subject_id"],
                    as_of,
                    scheme,
                    model["version"],
                    row["grade"],
                    int(row["score"]),
                    json.dumps(row["explanation"], ensure_ascii=False),
                )
                for pk, row in zip(ids, rows, strict=True)
            ),
        )
        for row in rows:
            counts[row["grade"]] = counts.get(row["grade"], 0) + 1
        counts = dict(sorted(counts.items()))
        event = record_event(
            actor,
            "credit.grade",
            "subject",
            after={"as_of": as_of.isoformat(), "scheme": scheme, "grades": counts, "subjects": len(rows)},
        )
        changes = [_grade_change(row, previous.get(row["subject_id"]), as_of, scheme) for row in rows]
        publish_many("credit.grade_changed", [change for change in changes if change], audit_event=event)
    return counts


def _previous_grades(scheme: str, as_of: dt.date, subject_ids: list[int]) -> dict[int, tuple[str, int, list]]:
    """Each subject's latest grade up to `as_of` under the scheme: (grade, score, explanation)."""
    previous: dict[int, tuple[str, int, list]] = {}
    for start in range(0, len(subject_ids), 2000):
        grades = RiskGrade.objects.filter(
            scheme=scheme, as_of__lte=as_of, subject_id__in=subject_ids[start : start + 2000]
        ).order_by("subject_id", "-as_of", "-id")
        if connection.vendor == "postgresql":
            grades = grades.distinct("subject_id")
        for subject_id, grade, score, explained in grades.values_list("subject_id", "grade", "score", "explanation"):
            previous.setdefault(subject_id, (grade, score, explained))
    return previous


def _grade_change(row: dict[str, Any], before: tuple | None, as_of: dt.date, scheme: str) -> dict[str, Any] | None:
    """The fields of a `credit.grade_changed` fact, or None if the grade stayed."""
    old_grade, old_score, old_explained = before or ("", None, [])
    if row["grade"] == old_grade:
        return None
    old_points = {item["indicator"]: item["points"] for item in old_explained or []}
    new_points = {item["indicator"]: item["points"] for item in row["explanation"]}
    moved = {
        name: [old_points.get(name, 0), new_points.get(name, 0)]
        for name in sorted(old_points.keys() | new_points.keys())
        if old_points.get(name, 0) != new_points.get(name, 0)
    }
    return {
        "subject": row["subject_id"],
        "object_type": "subject",
        "object_id": row["subject_id"],
        "payload": {
            "scheme": scheme,
            "as_of": as_of.isoformat(),
            "from": old_grade,
            "to": row["grade"],
            "score": int(row["score"]),
            "previous_score": old_score,
            "indicators": moved,
        },
    }


def sync_written(facts: list) -> None:
    """Subscriber of `records.written`: credit records for exactly the penalties and spot-check
    inspections written, and new grades for the subjects of every record written."""
    actor = "facts:credit.sync_records"
    ids = sorted(
        {pk for fact in facts for pks in fact.payload.get("ids", {}).values() for pk in pks}
        | {pk for fact in facts for pk in fact.payload.get("deleted", [])}
    )
    subjects: set[int] = set()
    with calendar_session():
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            # credit_sources() leaves the withdrawn records out; their subjects are regraded all the same.
            sync_credit_records(credit_sources().filter(pk__in=chunk), actor=actor, refresh=False)
            subjects.update(Record.objects.filter(pk__in=chunk).values_list("subject_id", flat=True))
    refresh_publication(actor=actor)
    if subjects:
        grade_subjects(subject_ids=subjects, actor=actor)


def issue_credit_report(subject: Any, verify_url: str, actor: Any = None) -> tuple[CreditReport, bytes]:
    """信用报告: the subject's public profile as a PDF with a new verification code; the code, the
    time, the content and both hashes are stored so that the portal can verify the report later."""
    font_file()  # refuse before anything is stored when the font is missing
    content = report_content(public_profile(subject))
    generated_at = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        code = new_code()
        while CreditReport.objects.filter(code=code).exists():
            code = new_code()
        digest = content_hash(content, code, generated_at)
        data = render_pdf(content, code, generated_at, digest, verify_url)
        report = CreditReport.objects.create(
            code=code,
            subject=subject,
            subject_name=subject.name,
            subject_code=subject.uscc or subject.registration_no or "",
            generated_at=generated_at,
            content=content,
            content_sha256=digest,
            pdf_sha256=hashlib.sha256(data).hexdigest(),
        )
        record_event(
            actor,
            "credit.issue_report",
            "credit_report",
            report.pk,
            after={"subject": subject.pk, "content_sha256": digest, "pdf_sha256": report.pdf_sha256},
        )
    return report, data


def access_credit_record_for_write(actor: Any, credit: CreditRecord) -> None:
    access_credit_record(actor, credit.pk, write=True)
