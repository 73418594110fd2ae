"""The frozen pool of a draw and its selection, computed where it is cheapest.

The pool is what a batch's filter admits minus its exclusions, as (token, stratum) entries; its
canonical text and hash are defined in `draw.py`. Two ways compute the same result:

- in PostgreSQL (simple selection): the pool goes into a temporary table; the database builds the
  canonical text in one ordered aggregate and ranks each stratum by SHA-256(key ‖ token) with a
  top-k sort, so no per-subject Python runs at all;
- in memory (SQLite, and risk-based batches, whose scores come from a Python model): every entry is
  read and ranked by `draw.select_indexes`.

Both rank by the same bytes (PostgreSQL compares bytea as Python compares bytes, and sorts text
"C" by code point as Python sorts str), so a draw is the same whichever way it was made, and
`verify_draw` recomputes every draw in Python from the stored pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from jianguan.credit.targeting import platform_history, score_all
from jianguan.records.models import Record
from jianguan.spotcheck import draw as algorithm
from jianguan.spotcheck.choices import DEFAULT_GRADE
from jianguan.spotcheck.models import Batch
from jianguan.spotcheck.verify_draw import pseudonyms
from jianguan.subjects.choices import SubjectKind, SubjectStatus
from jianguan.subjects.models import Subject

# (token, subject id, region code) of one selected subject
Chosen = tuple[str, int, str]


def pool_queryset(batch: Batch):
    """The subjects the batch's filter admits, before exclusions."""
    spec = batch.pool_filter or {}
    subjects = Subject.objects.filter(status__in=spec.get("statuses") or [SubjectStatus.OPERATING])
    # Natural persons are not drawn unless the filter names them: their records need an ID number
    # the register keeps only as a hash.
    subjects = subjects.filter(kind__in=spec.get("kinds") or [k for k in SubjectKind.values if k != SubjectKind.PERSON])
    prefixes = spec.get("regions") or []
    if prefixes:
        condition = Q()
        for prefix in prefixes:
            condition |= Q(region__code__startswith=prefix)
        subjects = subjects.filter(condition)
    if spec.get("industries"):
        subjects = subjects.filter(industry_code__in=spec["industries"])
    # The items' objects (objects.py): an industry of theirs, or a licence they need.
    if spec.get("industry_prefixes") or spec.get("licences"):
        applies = Q(pk__in=[])
        for prefix in spec.get("industry_prefixes") or []:
            applies |= Q(industry_code__startswith=prefix)
        if spec.get("licences"):
            licensed = Record.objects.filter(
                subject_id=OuterRef("pk"), kind="licence", is_deleted=False, details__licence_name__in=spec["licences"]
            )
            applies |= Exists(licensed)
        subjects = subjects.filter(applies)
    return subjects


def pool_rows(batch: Batch, today: dt.date):
    """(subject id, token, stratum, region) of the pool: the filter's subjects without those checked on
    one of the batch's items within the period, or with an open case."""
    codes = list(batch.items.values_list("code", flat=True))
    checked = Record.objects.filter(
        subject_id=OuterRef("pk"),
        kind="inspection",
        item_code__in=codes,
        action_date__gte=today - relativedelta(months=batch.exclude_months),
        is_deleted=False,
    )
    rows = pool_queryset(batch).filter(~Exists(checked))
    if batch.exclude_open_cases:
        open_cases = Record.objects.filter(subject_id=OuterRef("pk"), kind="penalty", is_deleted=False).exclude(
            details__has_key="closed_on"
        )
        rows = rows.filter(~Exists(open_cases))
    return (
        rows.annotate(
            token=Coalesce("uscc", "registration_no", Concat(Value("S"), Cast("id", CharField()))),
            stratum=Coalesce(NullIf("risk_grade", Value("")), Value(DEFAULT_GRADE)),
        )
        .values_list("pk", "token", "stratum", "region_id")
        .order_by()
    )


@dataclass
class FrozenPool:
    canonical: bytes
    hash: str
    sizes: dict[str, int]  # entries per stratum
    _select: object = field(repr=False, default=None)

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def select(self, key: bytes, quotas: dict[str, algorithm.Quota]) -> dict[str, list[Chosen]]:
        """Per stratum, the selected subjects in rank order (lowest first)."""
        return self._select(key, quotas)


@contextlib.contextmanager
def frozen_pool(batch: Batch, today: dt.date, blind: str | None = None) -> Iterator[FrozenPool]:
    """The pool as of now; its selection reads the same snapshot while inside the block.

    With a blinding key (algorithm v2) every entry's token is the subject's pseudonym, computed here
    in Python (the same function the offline verifier uses), so the in-memory path is taken.
    """
    if connection.vendor == "postgresql" and batch.selection != "risk" and blind is None:
        outermost = not connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            if outermost:
                # The aggregate and the selections must see one state of the register.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            # Room for the top-k sorts in memory (the largest keeps a few tens of thousands of rows).
            cursor.execute("SET LOCAL work_mem = '64MB'")
            yield _frozen_in_database(batch, today, cursor)
        return
    yield _frozen_in_memory(batch, today, blind)


def _frozen_in_database(batch: Batch, today: dt.date, cursor) -> FrozenPool:
    sql, params = pool_rows(batch, today).query.sql_with_params()
    cursor.execute(
        "SELECT string_agg(token || E'\\t' || stratum || E'\\n', '' "  # noqa: S608 (no input in the text)
        f'ORDER BY token COLLATE "C", stratum COLLATE "C") FROM ({sql}) AS pool',
        params,
    )
    canonical = (cursor.fetchone()[0] or "").encode()
    sizes = _strata_sizes(canonical)

    def select(key: bytes, quotas: dict[str, algorithm.Quota]) -> dict[str, list[Chosen]]:
        chosen: dict[str, list[Chosen]] = {}
        for stratum in sorted(sizes):
            quota = quotas.get(stratum)
            k = quota.size(sizes[stratum]) if quota else 0
            if not k:
                chosen[stratum] = []
                continue
            cursor.execute(
                f"SELECT token, pk, region_id FROM ({sql}) AS pool WHERE stratum = %s "  # noqa: S608
                "ORDER BY sha256(%s::bytea || convert_to(token, 'UTF8')), token COLLATE \"C\", pk LIMIT %s",
                [*params, stratum, key, k],
            )
            chosen[stratum] = [tuple(row) for row in cursor.fetchall()]
        return chosen

    return FrozenPool(canonical, algorithm.sha256_hex(canonical), sizes, select)


def _strata_sizes(canonical: bytes) -> dict[str, int]:
    """Entries per stratum of a two-field canonical pool, counted in its bytes: tokens hold no tab, so
    "<TAB>grade<LF>" occurs once per entry of that grade. A grade outside A–D means parsing it all."""
    sizes = {g: n for g in "ABCD" if (n := canonical.count(f"\t{g}\n".encode()))}
    if sum(sizes.values()) != canonical.count(b"\n"):
        sizes = algorithm.strata_sizes(algorithm.parse_pool(canonical))
    return sizes


def _frozen_in_memory(batch: Batch, today: dt.date, blind: str | None = None) -> FrozenPool:
    # The rows straight from the driver: Django's per-row conversion would double the read.
    sql, params = pool_rows(batch, today).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    subject_ids = [row[0] for row in rows]
    regions = [row[3] for row in rows]
    tokens = [row[1] for row in rows]
    if blind is not None:
        tokens = pseudonyms(blind, tokens)
    if batch.selection == "risk":
        scores = _risk_scores(today)
        fallback = scores[None]
        entries = [
            (token, row[2], f"{scores.get(row[0], fallback):.6f}") for token, row in zip(tokens, rows, strict=True)
        ]
    else:
        entries = [(token, row[2]) for token, row in zip(tokens, rows, strict=True)]
    del rows
    # Sorting the lines orders them as sorting the entries would: fields hold no control character, so
    # the tab that ends a field sorts before anything that could continue it.
    canonical = "".join(sorted(["\t".join(entry) + "\n" for entry in entries])).encode()

    def select(key: bytes, quotas: dict[str, algorithm.Quota]) -> dict[str, list[Chosen]]:
        return {
            stratum: [(entries[i][0], subject_ids[i], regions[i]) for i in indexes]
            for stratum, indexes in algorithm.select_indexes(entries, key, quotas).items()
        }

    return FrozenPool(canonical, algorithm.sha256_hex(canonical), algorithm.strata_sizes(entries), select)


def _risk_scores(today: dt.date) -> dict:
    """Learned risk scores from the platform's inspections; None → the score of a subject without history."""

    history = platform_history()
    scores = score_all(history, today)
    scores[None] = float(history["failed"].mean()) if len(history) else 0.0
    return scores
