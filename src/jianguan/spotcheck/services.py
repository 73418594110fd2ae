"""Writes of random spot checks: plans, batches, the seed commitment, the draw and its cancellation.

The order that makes a draw verifiable: the batch is approved; the seed's hash is committed (and
public) before the pool exists; the draw freezes the pool, reveals the seed, selects and assigns;
everything it used is stored with the draw, so `verify_draw` (and anyone with the published data)
can recompute it. A batch is drawn once: a second draw is refused, a cancellation needs a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.accounts.permissions import can_write_department, require_department_staff
from jianguan.accounts.scope import staff_user
from jianguan.audit.services import record_event
from jianguan.catalog.key_matters import require_sectors
from jianguan.catalog.models import CheckPoint, SupervisionItem
from jianguan.core.bulk import allocate_ids, blob_written_meanwhile, bulk_insert, fetch_by_keys, gc_paused
from jianguan.core.calendar import add_working_days
from jianguan.core.errors import DomainError, FieldError, Forbidden, lazy_format
from jianguan.core.models import Department
from jianguan.core.pii import decrypt, encrypt
from jianguan.exchange.choices import Channel
from jianguan.exchange.models import SourceSystem
from jianguan.exchange.services import receive_rows, register_source
from jianguan.facts.services import publish
from jianguan.officers.choices import OfficerStatus
from jianguan.officers.models import Conflict, Officer
from jianguan.platform.importing import checked_file
from jianguan.records.choices import CHECK_RESULT_ALIASES
from jianguan.records.models import Record
from jianguan.spotcheck import draw as algorithm
from jianguan.spotcheck import verify_draw as public_record
from jianguan.spotcheck.choices import (
    DEFAULT_RESULTS,
    EVIDENCE_MAX_BYTES,
    EVIDENCE_TYPES,
    BatchStatus,
    FollowUp,
    TaskStatus,
)
from jianguan.spotcheck.models import Batch, BatchAddition, Draw, Evidence, Plan, Task, TaskOfficer, TaskResult
from jianguan.spotcheck.objects import object_filter
from jianguan.spotcheck.permissions import acting_officer
from jianguan.spotcheck.policy import default_quotas, policy
from jianguan.spotcheck.snapshot import frozen_pool, pool_text


def _require_writer(actor: Any, department: Department) -> None:
    if actor is not None and not can_write_department(actor, department):
        raise Forbidden(_("Only an administrator of this department may do this."))


def create_plan(department: Department, year: int, title: str, actor: Any = None) -> Plan:
    """An annual plan; due by the policy's date of its year (31 March as shipped)."""
    _require_writer(actor, department)
    with transaction.atomic():
        if Plan.objects.filter(department=department, year=year, title=title).exists():
            message = _("This department already has a plan with this title for the year.")
            raise DomainError("plan_exists", message, [FieldError("title", message, "plan_exists")])
        plan = Plan.objects.create(
            department=department,
            year=year,
            title=title,
            due_on=dt.date(year, *policy()["plan_due"]),
            created_by=actor if getattr(getattr(actor, "_meta", None), "model_name", "") == "user" else None,
        )
        record_event(
            actor,
            "spotcheck.create_plan",
            "plan",
            plan.pk,
            after={"department": department.pk, "year": year, "title": title},
        )
    return plan


def add_batch(
    plan: Plan,
    *,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    item_codes: list[str],
    pool_filter: dict[str, Any] | None = None,
    quotas: dict[str, dict[str, Any]] | None = None,
    officer_departments: list[int] | None = None,
    officer_sectors: list[str] | None = None,
    team_size: int = 2,
    capacity: int = 20,
    exclude_months: int = 12,
    recusal_months: int = 12,
    recuse_home_county: bool = False,
    cooperators: list[Department] | None = None,
    selection: str = "random",
    actor: Any = None,
) -> Batch:
    """A draft batch of the plan; its items must be catalogue items marked for random checks.

    With cooperators it is a joint batch (部门联合抽查): one visit per subject covers every
    department's items; each department checks the items of its sector with its own officers.
    """
    _require_writer(actor, plan.department)
    if team_size < 2:
        raise DomainError("team_too_small", _("A spot-check team has at least 2 officers."))
    if selection not in ("random", "risk"):
        raise DomainError("unknown_selection", _("Selection is random or risk."))
    if ends_on < starts_on:
        message = _("The batch ends before it starts.")
        raise DomainError("window_reversed", message, [FieldError("ends_on", message, "window_reversed")])
    items = list(
        SupervisionItem.objects.in_force(starts_on)
        .filter(code__in=item_codes, random_check=True)
        .select_related("parent")
    )
    missing = sorted(set(item_codes) - {i.code for i in items})
    if missing or not items:
        message = lazy_format(
            _("These items are unknown, not in force or not marked for random checks: %(codes)s"),
            {"codes": "、".join(missing) or "—"},
        )
        raise DomainError(
            "items_not_for_random_checks", message, [FieldError("item_codes", message, "items_not_for_random_checks")]
        )
    cooperators = [d for d in (cooperators or []) if d.pk != plan.department_id]
    for department in cooperators:
        if not any(
            item.sector_id == department.sector_id or (item.parent and item.parent.sector_id == department.sector_id)
            for item in items
        ):
            raise DomainError(
                "cooperator_without_items",
                lazy_format(_("%(d)s has no item of its sector in this batch."), {"d": department.name}),
            )
    if cooperators:
        require_sectors(
            {i.pk for i in items} | {i.parent_id for i in items if i.parent_id},
            {d.sector_id for d in [plan.department, *cooperators]},
        )
    quotas = quotas if quotas is not None else default_quotas()
    for grade, quota in quotas.items():
        ratio = quota.get("ratio")
        if not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
            message = lazy_format(_("The sampling ratio of grade %(g)s must be between 0 and 1."), {"g": grade})
            raise DomainError("invalid_ratio", message, [FieldError(f"quotas.{grade}", message, "invalid_ratio")])
    with transaction.atomic():
        batch = Batch.objects.create(
            plan=plan,
            number=(plan.batches.count() + 1),
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            pool_filter={**object_filter(items), **(pool_filter or {})},
            quotas=quotas,
            officer_departments=officer_departments or [plan.department_id],
            officer_sectors=officer_sectors or [],
            team_size=team_size,
            capacity=capacity,
            exclude_months=exclude_months,
            recusal_months=recusal_months,
            recuse_home_county=recuse_home_county,
            result_options=DEFAULT_RESULTS,
            selection=selection,
            publish_within=policy()["publish_within_working_days"],
        )
        batch.items.set(items)
        batch.cooperators.set(cooperators)
        record_event(actor, "spotcheck.add_batch", "batch", batch.pk, after=_batch_view(batch))
    return batch


def _batch_view(batch: Batch) -> dict[str, Any]:
    return {
        "plan": batch.plan_id,
        "number": batch.number,
        "items": sorted(batch.items.values_list("code", flat=True)),
        "pool_filter": batch.pool_filter,
        "quotas": batch.quotas,
        "officer_departments": batch.officer_departments,
        "cooperators": sorted(batch.cooperators.values_list("pk", flat=True)),
        "team_size": batch.team_size,
        "capacity": batch.capacity,
        "status": batch.status,
    }


def _transition(batch: Batch, source: set[str], target: str, action: str, actor: Any, **extra: Any) -> Batch:
    _require_writer(actor, batch.plan.department)
    with transaction.atomic():
        updated = Batch.objects.filter(pk=batch.pk, status__in=source).update(status=target, **extra)
        if not updated:
            raise DomainError(
                "wrong_state",
                lazy_format(
                    _("The batch is %(state)s; this step is not possible now."), {"state": batch.get_status_display()}
                ),
                status=409,
            )
        batch.refresh_from_db()
        record_event(actor, f"spotcheck.{action}", "batch", batch.pk, after={"status": target, **extra})
    return batch


def approve_batch(batch: Batch, actor: Any = None) -> Batch:
    return _transition(batch, {BatchStatus.DRAFT}, BatchStatus.APPROVED, "approve", actor)


def commit_seed(batch: Batch, actor: Any = None) -> str:
    """Choose the seed and publish its hash; the seed stays sealed until the draw."""
    _require_writer(actor, batch.plan.department)
    if batch.status != BatchStatus.APPROVED or batch.seed_hash:
        raise DomainError("cannot_commit", _("A seed can be committed once, for an approved batch."), status=409)
    seed = secrets.token_hex(32)
    seed_hash = hashlib.sha256(seed.encode()).hexdigest()
    # The blinding key of the published pool is fixed now too: chosen later, it could be tried until
    # the draw came out as wished.
    blind = secrets.token_hex(32)
    blind_hash = hashlib.sha256(blind.encode()).hexdigest()
    with transaction.atomic():
        # The batch row locked: no subject joins the risk selection between its hash and the commitment.
        Batch.objects.select_for_update().filter(pk=batch.pk).first()
        added = [subject_token(a.subject) for a in BatchAddition.objects.filter(batch=batch).select_related("subject")]
        priority_hash = public_record.priority_digest(public_record.pseudonyms(blind, added)) if added else ""
        updated = Batch.objects.filter(pk=batch.pk, seed_hash="").update(
            seed_hash=seed_hash,
            seed_sealed=encrypt(seed),
            blind_hash=blind_hash,
            blind_sealed=encrypt(blind),
            priority_hash=priority_hash,
            committed_at=timezone.now(),
        )
        if not updated:
            raise DomainError("cannot_commit", _("A seed can be committed once, for an approved batch."), status=409)
        record_event(
            actor,
            "spotcheck.commit_seed",
            "batch",
            batch.pk,
            after={
                "seed_hash": seed_hash,
                "blind_hash": blind_hash,
                "priority_hash": priority_hash,
                "priority": len(added),
            },
        )
    batch.refresh_from_db()
    return seed_hash


def draw_quotas(batch: Batch) -> dict[str, dict[str, Any]]:
    """The batch's quotas per grade, and the risk selection's stratum drawn in full when it has one."""
    if batch.priority_hash:
        return {**batch.quotas, public_record.PRIORITY: {"ratio": 1}}
    return dict(batch.quotas)


def _quotas(batch: Batch) -> dict[str, algorithm.Quota]:
    return {
        grade: algorithm.Quota(float(q["ratio"]), int(q.get("minimum") or 0), q.get("maximum"))
        for grade, q in draw_quotas(batch).items()
    }


def add_to_risk_selection(
    batch: Batch,
    subject: Any,
    *,
    origin: str,
    origin_url: str = "",
    reason: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> BatchAddition:
    """Put a subject on the batch's risk selection (重点对象): the draw selects it for certain. Only
    before the seed is committed, so that the commitment covers the list and the draw stays
    verifiable; `origin` says where it came from (an alert's number). Added twice: the first entry."""
    require_department_staff(actor, batch.plan.department)
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Batch.objects.select_for_update()
            .filter(pk=batch.pk, seed_hash="", status__in=[BatchStatus.DRAFT, BatchStatus.APPROVED])
            .first()
        )
        if locked is None:
            raise DomainError(
                "batch_committed",
                _("The batch's seed is committed: subjects can no longer be added to its risk selection."),
                status=409,
            )
        existing = BatchAddition.objects.filter(batch=batch, subject=subject).first()
        if existing is not None:
            return existing
        addition = BatchAddition.objects.create(
            batch=batch,
            subject=subject,
            origin=origin[:64],
            origin_url=origin_url[:200],
            reason=reason.strip(),
            added_at=now,
            added_by=staff_user(actor),
        )
        record_event(
            actor,
            "spotcheck.add_to_risk_selection",
            "batch",
            batch.pk,
            after={"subject": subject.pk, "origin": addition.origin},
        )
    return addition


def open_batches_for_selection(department: Department):
    """The department's batches that still take subjects on their risk selection (seed not committed)."""
    return (
        Batch.objects.filter(
            plan__department=department, seed_hash="", status__in=[BatchStatus.DRAFT, BatchStatus.APPROVED]
        )
        .select_related("plan")
        .order_by("-plan__year", "plan_id", "number")
    )


def participants(batch: Batch) -> list[tuple[Department, list[SupervisionItem]]]:
    """The departments that check a batch and the items each checks: cooperators the items of their
    sector, the initiating department the rest (all of them in a batch of its own)."""
    items = list(batch.items.select_related("parent").order_by("code"))
    cooperators = list(batch.cooperators.order_by("pk"))

    def sector_of(item):
        return item.sector_id or (item.parent.sector_id if item.parent else None)

    out, claimed = [], set()
    for department in cooperators:
        own = [item for item in items if sector_of(item) == department.sector_id]
        claimed |= {item.pk for item in own}
        out.append((department, own))
    initiator = batch.plan.department
    return [(initiator, [item for item in items if item.pk not in claimed] or items), *out]


def officer_pool(batch: Batch, departments: list[int] | None = None) -> list[algorithm.OfficerSlot]:
    """Active officers of the given departments (default: the batch's officer departments) and their
    subdepartments, with a certificate valid through the batch, in the batch's sectors if it names any."""
    chosen = departments if departments is not None else batch.officer_departments
    paths = list(Department.objects.filter(pk__in=chosen).values_list("path", flat=True))
    condition = Q()
    for path in paths:
        condition |= Q(department__path__startswith=path)
    officers = Officer.objects.filter(condition, status=OfficerStatus.ACTIVE).filter(
        Q(certificate_valid_until__isnull=True) | Q(certificate_valid_until__gte=batch.ends_on)
    )
    if batch.officer_sectors:
        officers = officers.filter(sectors__code__in=batch.officer_sectors).distinct()
    return [
        algorithm.OfficerSlot(pk, department, cert, home, batch.capacity)
        for pk, department, cert, home in officers.order_by("pk").values_list(
            "pk", "department_id", "certificate_no", "home_region_id"
        )
    ]


def _recusals(batch: Batch, chosen: list[tuple[str, int]], today: dt.date) -> tuple[dict, dict]:
    """Per subject token: officers with a declared conflict, and officers who inspected it on the
    batch's items within the recusal period."""
    token_of = {pk: token for token, pk in chosen}
    ids = list(token_of)
    conflicts: dict[str, set[int]] = {}
    for subject_id, officer_id in fetch_by_keys(Conflict, "subject_id", ids, ("officer_id",)):
        conflicts.setdefault(token_of[subject_id], set()).add(officer_id)
    recent: dict[str, set[int]] = {}
    since = today - relativedelta(months=batch.recusal_months)
    codes = list(batch.items.values_list("code", flat=True))
    # All recent inspections on the batch's items, matched here: far cheaper than a list of every
    # drawn subject in the query.
    inspections = Record.objects.filter(
        kind="inspection", item_code__in=codes, action_date__gte=since, is_deleted=False
    ).values_list("subject_id", "details")
    certificates: dict[str, set[str]] = {}
    for subject_id, details in inspections.iterator(chunk_size=5000):
        token = token_of.get(subject_id)
        if token is None:
            continue
        for officer in (details or {}).get("officers", []):
            certificates.setdefault(token, set()).add(officer.get("certificate_no", ""))
    if certificates:
        wanted = sorted({c for certs in certificates.values() for c in certs})
        by_cert = dict(fetch_by_keys(Officer, "certificate_no", wanted, ("id",)))
        for token, certs in certificates.items():
            recent[token] = {by_cert[c] for c in certs if c in by_cert}
    return conflicts, recent


def draw_batch(batch: Batch, actor: Any = None, public_entropy: str = "", timings: dict | None = None) -> Draw:
    """Freeze the pool, reveal the seed, select per grade, assign teams; once per batch.

    `timings`, when given, receives the seconds each step took: freeze, select (with the pool snapshot
    sent meanwhile when the selection is computed in Python), write_pool (what was left of that write),
    recusals, assign, write_tasks, write_officers, commit.
    """
    with gc_paused():  # a million-entry pool makes the collector's full passes the slowest part
        return _draw(batch, actor, public_entropy, _Clock(timings))


def _draw(batch: Batch, actor: Any, public_entropy: str, clock: _Clock) -> Draw:
    _require_writer(actor, batch.plan.department)
    if Draw.objects.filter(batch=batch).exists():
        raise DomainError("already_drawn", _("This batch has been drawn; a batch is drawn only once."), status=409)
    if batch.status != BatchStatus.APPROVED or not batch.seed_hash:
        raise DomainError("not_ready", _("Approve the batch and commit its seed before drawing."), status=409)
    today = timezone.localdate()
    blind = decrypt(batch.blind_sealed) if batch.blind_sealed else None
    if blind is not None and hashlib.sha256(blind.encode()).hexdigest() != batch.blind_hash:
        raise DomainError("blind_mismatch", _("The sealed blinding key does not match its committed hash."), status=500)
    with frozen_pool(batch, today, blind) as pool:
        clock.lap("freeze")
        seed = decrypt(batch.seed_sealed)
        if hashlib.sha256(seed.encode()).hexdigest() != batch.seed_hash:
            raise DomainError("seed_mismatch", _("The sealed seed does not match its committed hash."), status=500)
        key = algorithm.draw_key(seed, pool.hash, public_entropy)
        # A selection the database computes runs in the pool's snapshot; one computed here waits for
        # the draw's row, so that the pool snapshot is sent meanwhile.
        chosen = None if pool.offline else pool.select(key, _quotas(batch))
    now = timezone.now()
    with transaction.atomic():
        if (
            Batch.objects.select_for_update()
            .filter(pk=batch.pk, status=BatchStatus.APPROVED)
            .update(status=BatchStatus.DRAWN)
            != 1
            or Draw.objects.filter(batch=batch).exists()
        ):
            raise DomainError("already_drawn", _("This batch has been drawn; a batch is drawn only once."), status=409)
        draw = Draw.objects.create(
            batch=batch,
            algorithm=(public_record.ALGORITHM if blind is not None else algorithm.ALGORITHM)
            + ("-risk" if batch.selection == "risk" else ""),
            seed_hash=batch.seed_hash,
            seed=seed,
            public_entropy=public_entropy,
            pool_hash=pool.hash,
            pool_size=pool.size,
            pool=b"",
            selection_hash="",
            drawn_at=now,
        )
        draw.pool = pool.snapshot
        with blob_written_meanwhile(Draw, draw.pk, "pool", draw.pool):
            if chosen is None:
                chosen = pool.select(key, _quotas(batch))
            clock.lap("select")
            # (stratum, rank, (token, subject id, region)), in the order of the tasks
            ordered = [
                (stratum, rank, entry) for stratum in sorted(chosen) for rank, entry in enumerate(chosen[stratum], 1)
            ]
            selection = "".join(f"{stratum}\t{rank}\t{entry[0]}\n" for stratum, rank, entry in ordered).encode()
            # Teams go first to the risk selection (the subjects an alert or a department named), then by grade.
            ordered.sort(key=lambda task: task[0] != public_record.PRIORITY)
        clock.lap("write_pool")  # what was left of the snapshot's write after the selection
        draw.strata = {
            g: {"n": pool.sizes.get(g, 0), "k": len(chosen.get(g, []))} for g in sorted(set(pool.sizes) | set(chosen))
        }
        draw.selection_hash = algorithm.sha256_hex(selection)
        Draw.objects.filter(pk=draw.pk).update(strata=draw.strata, selection_hash=draw.selection_hash)
        conflicts, recent = _recusals(batch, [(entry[0], entry[1]) for _s, _r, entry in ordered], today)
        clock.lap("recusals")
        tasks = [(entry[0], entry[2]) for _s, _r, entry in ordered]
        teams: dict[int, list[int]] = {}
        unassigned: dict[int, dict[str, dict[str, int]]] = {}
        for department, _items in participants(batch):
            # Each department draws its own officers (the initiator from the batch's officer departments).
            own = None if department.pk == batch.plan.department_id else [department.pk]
            assignment = algorithm.assign(
                tasks,
                officer_pool(batch, own),
                key,
                team_size=batch.team_size,
                conflicts=conflicts,
                recent=recent,
                recuse_home_county=batch.recuse_home_county,
            )
            for index, team in assignment.teams.items():
                teams.setdefault(index, []).extend(team)
            for index, reasons in assignment.unassigned.items():
                unassigned.setdefault(index, {})[str(department.pk)] = reasons
        clock.lap("assign")
        ids = allocate_ids(Task, len(ordered))
        bulk_insert(
            Task,
            ("id", "draw_id", "subject_id", "token", "stratum", "rank", "status", "unassigned_reasons"),
            (
                (
                    task_id,
                    draw.pk,
                    entry[1],
                    entry[0],
                    stratum,
                    rank,
                    TaskStatus.UNASSIGNED if index in unassigned else TaskStatus.ASSIGNED,
                    _json(unassigned[index]) if index in unassigned else "{}",
                )
                for index, (task_id, (stratum, rank, entry)) in enumerate(zip(ids, ordered, strict=True))
            ),
            binary=True,
        )
        clock.lap("write_tasks")
        bulk_insert(
            TaskOfficer,
            ("task_id", "officer_id"),
            ((ids[index], officer_id) for index, team in teams.items() for officer_id in team),
            binary=True,
        )
        clock.lap("write_officers")
        record_event(
            actor,
            "spotcheck.draw",
            "batch",
            batch.pk,
            after={
                "seed_hash": batch.seed_hash,
                "seed": seed,
                "public_entropy": public_entropy,
                "pool_hash": pool.hash,
                "pool_size": pool.size,
                "selection_hash": draw.selection_hash,
                "tasks": len(ordered),
                "unassigned": len(unassigned),
            },
        )
    clock.lap("commit")
    return draw


class _Clock:
    def __init__(self, into: dict | None):
        self.into, self.time = into, time.perf_counter
        self.last = self.time()

    def lap(self, name: str) -> None:
        now = self.time()
        if self.into is not None:
            self.into[name] = round(now - self.last, 3)
        self.last = now


def _json(value: dict) -> str:
    return json.dumps(value, sort_keys=True)


def cancel_draw(draw: Draw, reason: str, actor: Any = None) -> Draw:
    """Cancel a draw, with its reason on the record (and on the public page); it is never redrawn."""
    if not (reason or "").strip():
        message = _("Cancelling a draw needs a reason.")
        raise DomainError("reason_required", message, [FieldError("reason", message, "reason_required")])
    _transition(
        draw.batch,
        {BatchStatus.DRAWN, BatchStatus.IN_PROGRESS},
        BatchStatus.CANCELLED,
        "cancel_draw",
        actor,
        cancel_reason=reason.strip(),
    )
    Draw.objects.filter(pk=draw.pk).update(cancelled_at=timezone.now())
    draw.refresh_from_db()
    return draw


@dataclass
class Verification:
    ok: bool
    message: str


def verify_draw(draw: Draw) -> Verification:
    """Recompute the draw from its published parts; report the first difference."""
    if hashlib.sha256(draw.seed.encode()).hexdigest() != draw.seed_hash:
        return Verification(False, "the revealed seed does not match the committed seed hash")
    try:
        canonical = pool_text(draw.pool)
    except ValueError:
        return Verification(False, "the stored pool snapshot is damaged")
    if algorithm.sha256_hex(canonical) != draw.pool_hash:
        return Verification(False, "the stored pool does not match the published pool hash")
    entries = algorithm.parse_pool(canonical)
    priority = [entry[0] for entry in entries if entry[1] == public_record.PRIORITY]
    if (priority or draw.batch.priority_hash) and public_record.priority_digest(priority) != draw.batch.priority_hash:
        return Verification(False, "the risk selection does not match the list committed with the seed")
    key = algorithm.draw_key(draw.seed, draw.pool_hash, draw.public_entropy)
    chosen = algorithm.select(entries, key, _quotas(draw.batch))
    expected = [(stratum, rank, token) for stratum in sorted(chosen) for rank, token in enumerate(chosen[stratum], 1)]
    stored = list(draw.tasks.order_by("stratum", "rank").values_list("stratum", "rank", "token"))
    for position, (want, have) in enumerate(zip(expected, stored, strict=False), start=1):
        if tuple(want) != tuple(have):
            return Verification(
                False, f"task {position}: expected {want[0]}{want[1]} {want[2]}, stored {have[0]}{have[1]} {have[2]}"
            )
    if len(expected) != len(stored):
        return Verification(False, f"expected {len(expected)} tasks, stored {len(stored)}")
    selection = "".join(f"{s}\t{r}\t{t}\n" for s, r, t in expected).encode()
    if algorithm.sha256_hex(selection) != draw.selection_hash:
        return Verification(False, "the selection does not match the published selection hash")
    return Verification(True, "ok")


def subject_token(subject: Any) -> str:
    """The public token of a subject in a draw's pool (see draw.py, step 1)."""
    return subject.uscc or subject.registration_no or f"S{subject.pk}"


def subject_verification_code(task: Task) -> str | None:
    """The code a drawn subject is given with its notice: it opens its own pseudonym in the public
    draw record (and no other), so the subject can check it was drawn as published."""
    batch = task.draw.batch
    if not batch.blind_sealed or not task.draw.algorithm.startswith(public_record.ALGORITHM):
        return None
    return public_record.subject_code(decrypt(batch.blind_sealed), subject_token(task.subject))


def public_draw_record(draw: Draw) -> dict[str, Any] | None:
    """Everything anyone needs to recompute the draw offline (`verify_draw.py`), without a subject's grade:
    the pool is published per stratum as pseudonyms, the drawn subjects by name, unlinked to the strata.
    None for a draw made before pools were published (algorithm v1: auditors verify it on the server)."""
    if not draw.algorithm.startswith(public_record.ALGORITHM):
        return None
    batch = draw.batch
    strata: dict[str, dict[str, Any]] = {}
    for entry in algorithm.parse_pool(pool_text(draw.pool)):
        members = strata.setdefault(entry[1], {"members": []})["members"]
        members.append([entry[0], entry[2]] if len(entry) > 2 else entry[0])
    for data in strata.values():
        data["n"] = len(data["members"])
    selection: dict[str, list[str]] = {}
    for stratum, token in draw.tasks.order_by("stratum", "rank").values_list("stratum", "token"):
        selection.setdefault(stratum, []).append(token)
    subjects = sorted(
        (
            {"name": name, "code": uscc or number or ""}
            for name, uscc, number in draw.tasks.values_list(
                "subject__name", "subject__uscc", "subject__registration_no"
            )
        ),
        key=lambda s: (s["code"], s["name"]),
    )
    return {
        "format": "jianguan-draw-record-1",
        "algorithm": public_record.ALGORITHM,
        "selection_rule": batch.selection,
        "batch": {
            "id": batch.pk,
            "department": batch.plan.department.name,
            "plan": batch.plan.title,
            "title": batch.title,
            "items": sorted(batch.items.values_list("code", flat=True)),
        },
        "commitment": {
            "seed_hash": draw.seed_hash,
            "blind_hash": batch.blind_hash,
            "priority_hash": batch.priority_hash,
            "committed_at": batch.committed_at.isoformat() if batch.committed_at else None,
        },
        "seed": draw.seed,
        "public_entropy": draw.public_entropy,
        "drawn_at": draw.drawn_at.isoformat(),
        "pool_hash": draw.pool_hash,
        "quotas": draw_quotas(batch),
        "strata": strata,
        "selection": selection,
        "selection_hash": draw.selection_hash,
        "drawn_subjects": subjects,
    }


# ---------------------------------------------------------------- results and publication


def _source_for(department: Department):
    """The platform's own source system for a department's spot-check results (created on first use)."""

    name = f"spotcheck-{department.pk}"
    source = SourceSystem.objects.filter(name=name).first()
    if source is None:
        source, _token = register_source(name, f"{department.name}双随机抽查结果", department, with_client=False)
    return source


def record_result(
    task: Task,
    *,
    result: str,
    check_answers: dict[str, str],
    note: str = "",
    department: Department | None = None,
    follow_up: str = "",
    evidence: list[tuple[str, bytes]] | None = None,
    actor: Any = None,
) -> TaskResult:
    """Enter one department's result for a task (default: the initiating department's).

    The overall result comes from the batch's standard list; each of the department's check points
    is answered 合格/不合格/未检查/合理缺项. The result becomes an inspection record with the plan id,
    through the exchange gateway, so it is validated, linked, audited and queued for the national
    system like any other record. When every department has entered its result the task is done.
    """

    batch = Batch.objects.select_related("plan__department").get(pk=task.draw.batch_id)
    task = Task.objects.select_related("draw", "subject").get(pk=task.pk)
    roles = participants(batch)
    department = department or batch.plan.department
    own_items = next((items for d, items in roles if d.pk == department.pk), None)
    if own_items is None:
        raise DomainError("not_a_participant", _("This department does not take part in the batch."))
    _require_writer_or_team(actor, department, task)
    if task.status != TaskStatus.ASSIGNED or batch.status not in (BatchStatus.DRAWN, BatchStatus.IN_PROGRESS):
        raise DomainError("task_not_open", _("This task does not take a result now."), status=409)
    if TaskResult.objects.filter(task=task, department=department).exists():
        raise DomainError("result_exists", _("This department has already entered its result."), status=409)
    options = {option["code"]: option for option in batch.result_options}
    if result not in options:
        raise DomainError(
            "unknown_result",
            lazy_format(
                _("The result must be one of: %(codes)s"),
                {"codes": "、".join(f"{c} {o['label']}" for c, o in options.items())},
            ),
        )
    if follow_up not in FollowUp.values:
        raise DomainError("unknown_follow_up", _("Unknown follow-up."))
    if follow_up and not options[result].get("finding"):
        raise DomainError(
            "follow_up_without_finding", _("Only a result with a finding can open a rectification or a referral.")
        )
    files = [_checked_evidence(name, data) for name, data in (evidence or [])]
    points = set(CheckPoint.objects.filter(item__in=own_items).values_list("code", flat=True))
    answers = {code: CHECK_RESULT_ALIASES.get(answer, answer) for code, answer in check_answers.items()}
    unknown = sorted(set(answers) - points)
    invalid = sorted(code for code, answer in answers.items() if answer not in CHECK_RESULT_ALIASES.values())
    if unknown or invalid:
        raise DomainError(
            "invalid_check_answers",
            lazy_format(
                _("Unknown check points: %(unknown)s; answers not 合格/不合格/未检查/合理缺项: %(invalid)s"),
                {"unknown": "、".join(unknown) or "—", "invalid": "、".join(invalid) or "—"},
            ),
        )
    subject = task.subject
    team = list(task.officers.filter(department__path__startswith=department.path).order_by("pk"))
    now = timezone.now()
    source_id = f"SC-{task.pk}-{department.pk}"
    record = {
        "kind": "inspection",
        "source_id": source_id,
        "item_code": own_items[0].code,
        "department": department.uscc or str(department.pk),
        "subject_nature": "3" if subject.kind == "organisation" else "2",
        "subject_id_type": "001" if subject.uscc else "099",
        "subject_code": subject.uscc or subject.registration_no or "",
        "subject_name": subject.name,
        "region": subject.region_id,
        "action_date": timezone.localdate().isoformat(),
        "reported_at": now.isoformat(),
        "form": "01",
        "plan_id": f"SC{batch.plan_id}-{batch.number}",
        "result": options[result]["label"],
        "officers": [{"name": o.name, "certificate_no": o.certificate_no} for o in team],
        "check_items": [{"code": code, "result": answer} for code, answer in sorted(answers.items())],
        "attachments": [
            {"name": name[:200], "url": f"/spotchecks/evidence/{digest}/", "sha256": digest}
            for name, _data, digest in files
        ],
    }
    source = _source_for(department)
    with transaction.atomic():
        _message, ingested = receive_rows(
            source,
            [(1, record)],
            channel=Channel.API,
            actor=actor,
            payload_sha256=hashlib.sha256(repr(record).encode()).hexdigest(),
            payload_bytes=0,
            filename=f"{batch.plan.title} {batch.title}：{subject.name}"[:200],
        )
        if ingested.rejected:
            errors = ingested.rows.get().errors
            raise DomainError(
                "record_rejected",
                lazy_format(
                    _("The inspection record was refused: %(e)s"), {"e": "; ".join(e["message"] for e in errors)}
                ),
            )
        entry = TaskResult.objects.create(
            task=task,
            department=department,
            result=result,
            check_answers=answers,
            note=note,
            follow_up=follow_up,
            record=Record.objects.get(source=source.name, source_id=source_id),
            completed_at=now,
        )
        for name, data, digest in files:
            item = Evidence(result=entry, name=name[:200], sha256=digest, size=len(data))
            item.file.save(f"{digest[:16]}{Path(name).suffix.lower()}", ContentFile(data), save=False)
            item.save()
        if TaskResult.objects.filter(task=task).count() == len(roles):
            Task.objects.filter(pk=task.pk).update(status=TaskStatus.COMPLETED, completed_at=now)
        Batch.objects.filter(pk=batch.pk, status=BatchStatus.DRAWN).update(status=BatchStatus.IN_PROGRESS)
        event = record_event(
            actor,
            "spotcheck.record_result",
            "task",
            task.pk,
            after={"department": department.pk, "result": result, "record": entry.record_id},
        )
        publish(
            "spotcheck.result_recorded",
            department=department,
            region=subject.region_id,
            subject=subject,
            object_type="task",
            object_id=task.pk,
            payload={
                "batch": batch.pk,
                "result": result,
                "finding": bool(options[result].get("finding")),
                "follow_up": follow_up,
                "record": entry.record_id,
                "failed": sorted(code for code, answer in answers.items() if answer == "fail"),
                "entered_by": getattr(actor, "pk", None),
            },
            audit_event=event,
        )
        _complete_if_done(batch, now)
    return entry


def _checked_evidence(name: str, data: bytes) -> tuple[str, bytes, str]:
    return name, data, checked_file(name, data, types=EVIDENCE_TYPES, max_bytes=EVIDENCE_MAX_BYTES, kind="evidence")


def _require_writer_or_team(actor: Any, department: Department, task: Task) -> None:
    """Results are entered by the department's administrators, or by an officer of the department on the
    task's team (an officer of a subordinate department drawn for a superior's batch included)."""

    if actor is None or can_write_department(actor, department):
        return
    officer = acting_officer(actor)
    if (
        officer is not None
        and officer.department.path.startswith(department.path)
        and TaskOfficer.objects.filter(task=task, officer=officer).exists()
    ):
        return
    raise Forbidden(_("Only the task's team or the department's administrators may enter results."))


def _complete_if_done(batch: Batch, now: dt.datetime) -> None:
    """A batch whose teamed tasks all have results is completed; its publication deadline starts."""

    if Task.objects.filter(draw__batch=batch, status=TaskStatus.ASSIGNED).exists():
        return
    due = add_working_days(timezone.localtime(now).date(), batch.publish_within)
    Batch.objects.filter(pk=batch.pk, status__in=[BatchStatus.DRAWN, BatchStatus.IN_PROGRESS]).update(
        status=BatchStatus.COMPLETED, completed_at=now, publish_due_on=due
    )
    record_event(None, "spotcheck.complete", "batch", batch.pk, after={"publish_due_on": due.isoformat()})


def publish_batch(batch: Batch, actor: Any = None) -> Batch:
    """Publish a completed batch's results (一公开)."""
    return _transition(
        batch, {BatchStatus.COMPLETED}, BatchStatus.PUBLISHED, "publish", actor, published_at=timezone.now()
    )


def publication_overdue(batch: Batch, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return batch.status == BatchStatus.COMPLETED and batch.publish_due_on is not None and batch.publish_due_on < today
