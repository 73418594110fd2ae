"""The frozen pool of a draw and its selection, computed where it is cheapest.

The pool is what a batch's filter admits minus its exclusions, as (token, stratum) entries; its
canonical text and hash are defined in `draw.py`. Two ways compute the same result:

- in PostgreSQL (simple selection): the pool goes into a temporary table; the database builds the
  canonical text in one ordered aggregate and ranks each stratum by SHA-256(key ‖ token) with a
  top-k sort, so no per-subject Python runs at all;
- in memory (SQLite, and risk-based batches, whose scores come from a Python model): every entry is
  read and ranked by `draw.select_indexes`;
- in bulk, for a blinded random draw (algorithm v2, every draw since seeds come with a blinding key):
  the rows in parts of an id range, pseudonyms hashed while the next part is read, the order, text
  and stored snapshot made by numpy from the pseudonyms' 16 bytes, each stratum's top k found among
  the few candidates the ranks' first 8 bytes leave; `_frozen_blinded`, equal to the in-memory way.

Both rank by the same bytes (PostgreSQL compares bytea as Python compares bytes, and sorts text
"C" by code point as Python sorts str), so a draw is the same whichever way it was made, and
`verify_draw` recomputes every draw in Python from the stored pool.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import hashlib
import json
import queue
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, Max, Min, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from jianguan.records.models import Record
from jianguan.spotcheck import draw as algorithm
from jianguan.spotcheck.choices import DEFAULT_GRADE
from jianguan.spotcheck.models import Batch, BatchAddition
from jianguan.spotcheck.verify_draw import PRIORITY, pseudonyms
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
    stratum = Coalesce(NullIf("risk_grade", Value("")), Value(DEFAULT_GRADE))
    # The risk selection (subjects added before the seed commitment) is in the pool whatever the
    # filter and the exclusions say, in its own stratum, drawn in full.
    priority = list(BatchAddition.objects.filter(batch=batch).values_list("subject_id", flat=True))
    if priority:
        rows = Subject.objects.filter(Q(pk__in=rows.values("pk")) | Q(pk__in=priority))
        stratum = Case(When(pk__in=priority, then=Value(PRIORITY)), default=stratum, output_field=CharField())
    return (
        rows.annotate(
            token=Coalesce("uscc", "registration_no", Concat(Value("S"), Cast("id", CharField()))),
            stratum=stratum,
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
    stored: bytes | None = field(repr=False, default=None)  # the snapshot as stored, when not zlib text
    offline: bool = True  # the selection is computed here, without the database

    @property
    def snapshot(self) -> bytes:
        """What `Draw.pool` keeps: `pool_text` gives the canonical text back."""
        return self.stored if self.stored is not None else zlib.compress(self.canonical, 1)

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
    if blind is not None and batch.selection != "risk":
        yield _frozen_blinded(batch, today, blind)
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

    return FrozenPool(canonical, algorithm.sha256_hex(canonical), sizes, select, offline=False)


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

    from jianguan.credit.targeting import platform_history, score_all  # pandas: loaded by a draw only

    history = platform_history()
    scores = score_all(history, today)
    scores[None] = float(history["failed"].mean()) if len(history) else 0.0
    return scores


# ---------------------------------------------------------------- the blinded pool (algorithm v2)

# A blinded pool's snapshot: this line, a JSON header line ({"n": entries, "strata": [grade, ...]}),
# the entries' pseudonyms in canonical order as 16 raw bytes each, then the zlib of one byte per
# entry, the index of its grade in the header's list. The pseudonyms are random, so zlib would not
# shrink them (a million: 16 MB raw against 19 MB of compressed text, and no second spent
# compressing). Snapshots of other pools, and of draws made before, are the zlib of the text.
COMPACT_MAGIC = b"jianguan-pool-2\n"
_CHUNK = 50_000  # rows per fetch: the database reads the next chunk while the last one is hashed


def pool_text(snapshot: bytes) -> bytes:
    """The canonical text of a stored pool snapshot, whichever form it was stored in."""
    snapshot = bytes(snapshot)
    if not snapshot.startswith(COMPACT_MAGIC):
        try:
            return zlib.decompress(snapshot)
        except zlib.error as exc:
            raise ValueError("a damaged pool snapshot") from exc
    start = len(COMPACT_MAGIC)
    end = snapshot.index(b"\n", start)
    header = json.loads(snapshot[start:end])
    n, strata = int(header["n"]), [str(s) for s in header["strata"]]
    raw = snapshot[end + 1 : end + 1 + 16 * n]
    try:
        codes = np.frombuffer(zlib.decompress(snapshot[end + 1 + 16 * n :]), dtype=np.uint8)
    except zlib.error as exc:
        raise ValueError("a damaged pool snapshot") from exc
    if len(raw) != 16 * n or len(codes) != n or (n and int(codes.max()) >= len(strata)):
        raise ValueError("a damaged pool snapshot")
    return _canonical_lines(np.frombuffer(raw, dtype=np.uint8).reshape(n, 16), codes, strata)


def _canonical_lines(raw: np.ndarray, codes: np.ndarray, strata: list[str]) -> bytes:
    """ "pseudonym<TAB>grade<LF>" for each entry, in the order given: raw holds the pseudonyms' bytes."""
    n = len(codes)
    hexes = np.frombuffer(binascii.hexlify(np.ascontiguousarray(raw).tobytes()), dtype=np.uint8).reshape(n, 32)
    names = [s.encode() for s in strata]
    if len({len(name) for name in names}) > 1:  # grades of several lengths: line by line
        flat = hexes.tobytes()
        return b"".join(flat[32 * i : 32 * i + 32] + b"\t" + names[c] + b"\n" for i, c in enumerate(codes.tolist()))
    width = len(names[0]) if names else 1
    lines = np.empty((n, 34 + width), dtype=np.uint8)
    lines[:, :32] = hexes
    lines[:, 32] = ord("\t")
    if names:
        lines[:, 33 : 33 + width] = np.frombuffer(b"".join(names), dtype=np.uint8).reshape(-1, width)[codes]
    lines[:, -1] = ord("\n")
    return lines.tobytes()


def pseudonym_digests(blind: str, tokens: list[bytes]) -> list[bytes]:
    """SHA-256(c ‖ token) of each token, c = SHA-256(blind ‖ token) in hex: its first 16 bytes are the
    pseudonym of `verify_draw.pseudonym` (there in hex). The calls inlined: a pool has a million."""
    sha256, hexlify, blind_bytes = hashlib.sha256, binascii.hexlify, blind.encode()
    return [sha256(hexlify(sha256(blind_bytes + t).digest()) + t).digest() for t in tokens]


def _pool_parts(batch: Batch, today: dt.date) -> Iterator[tuple[list[bytes], str, list[str]]]:
    """The pool in parts: (tokens as UTF-8, strata joined by LF, "subject id[ region]") of each part's
    entries; a part is never empty.

    On PostgreSQL each part is one range of subject ids, read as three aggregated texts (the database
    joins them, in C, instead of the driver making four million values), and a thread reads the next
    part while the caller hashes the last one. The parts see one snapshot of the register: the draw's
    outermost transaction is REPEATABLE READ."""
    rows = pool_rows(batch, today)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            sql, params = rows.query.sql_with_params()
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if fetched:
            yield (
                [row[1].encode() for row in fetched],
                "\n".join(row[2] for row in fetched),
                [f"{row[0]} {row[3]}" if row[3] is not None else str(row[0]) for row in fetched],
            )
        return
    outermost = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if outermost:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        span = Subject.objects.aggregate(low=Min("pk"), high=Max("pk"))
        low, high = span["low"], span["high"]
        if low is None:
            return
        statements = []
        for start in range(low, high + 1, _CHUNK):
            sql, params = rows.filter(pk__gte=start, pk__lt=start + _CHUNK).query.sql_with_params()
            statements.append(
                (
                    "SELECT count(*), string_agg(token, E'\\n'), string_agg(stratum, E'\\n'), "  # noqa: S608
                    f"string_agg(pk || coalesce(' ' || region_id, ''), E'\\n') FROM ({sql}) AS pool",
                    params,
                )
            )
        driver = connection.connection  # the same connection and transaction, without Django's wrapper
        ready: queue.Queue = queue.Queue()

        def fetch() -> None:
            try:
                with driver.cursor() as own:
                    for sql, params in statements:
                        own.execute(sql, params)
                        ready.put(own.fetchone())
                ready.put(None)
            except BaseException as exc:  # noqa: BLE001 (handed to the reader, which raises it)
                ready.put(exc)

        reader = threading.Thread(target=fetch, name="jianguan-draw-pool", daemon=True)
        reader.start()
        try:
            while (part := ready.get()) is not None:
                if isinstance(part, BaseException):
                    raise part
                count, tokens, strata, keys = part
                if not count:
                    continue
                tokens, keys = tokens.encode().split(b"\n"), keys.split("\n")
                if not len(tokens) == strata.count("\n") + 1 == len(keys) == count:
                    raise ValueError("a subject's token or grade holds a line break")
                yield tokens, strata, keys
        finally:
            reader.join()


def _frozen_blinded(batch: Batch, today: dt.date, blind: str) -> FrozenPool:
    """The pool of a random draw under a blinding key, in bulk: pseudonyms hashed as the rows arrive,
    the canonical order and text made by numpy from the pseudonyms' bytes, the selection ranked by
    SHA-256(key ‖ pseudonym) per grade with only the few candidates for the top k compared as bytes.
    The result is that of `_frozen_in_memory` (and `draw.select_indexes`) exactly; tests compare them."""
    digests: list[bytes] = []
    grades: list[str] = []  # each part's strata joined by LF
    keys: list[str] = []  # "subject id[ region]", read only for the drawn
    for part_tokens, part_grades, part_keys in _pool_parts(batch, today):
        digests += pseudonym_digests(blind, part_tokens)
        grades.append(part_grades)
        keys += part_keys
    n = len(keys)
    codes, strata = _grade_codes("\n".join(grades), n)
    del grades
    raw = np.ascontiguousarray(np.frombuffer(b"".join(digests), dtype=np.uint8).reshape(n, 32)[:, :16])
    del digests
    # Lines sort as (pseudonym, grade): the pseudonyms have one length, so their bytes decide, then the
    # grade, whose index in `strata` sorts as its text. The first 8 bytes nearly always decide alone;
    # where two entries share them (a shared token, or 1 pool in 30 million) all three keys are sorted.
    words = raw.view(">u8").reshape(n, 2)
    order = np.argsort(words[:, 0])
    first = words[order, 0]
    if n > 1 and bool((first[1:] == first[:-1]).any()):
        order = np.lexsort((codes, words[:, 1], words[:, 0]))
    sorted_raw, sorted_codes = raw[order], codes[order]
    canonical = _canonical_lines(sorted_raw, sorted_codes, strata)
    stored = (
        COMPACT_MAGIC
        + json.dumps({"n": n, "strata": strata}).encode()
        + b"\n"
        + np.ascontiguousarray(sorted_raw).tobytes()
        + zlib.compress(sorted_codes.tobytes(), 1)
    )
    counts = np.bincount(codes, minlength=len(strata)) if n else np.zeros(len(strata), dtype=np.int64)
    sizes = {stratum: int(counts[i]) for i, stratum in enumerate(strata)}
    hexes = binascii.hexlify(raw.tobytes())  # in the order of the rows
    hex_rows = np.frombuffer(hexes, dtype=np.uint8).reshape(n, 32)

    def select(key: bytes, quotas: dict[str, algorithm.Quota]) -> dict[str, list[Chosen]]:
        chosen: dict[str, list[Chosen]] = {}
        algorithm.Ranker(key)  # the key's length checked
        sha256 = hashlib.sha256
        for code, stratum in enumerate(strata):
            quota = quotas.get(stratum)
            k = quota.size(sizes[stratum]) if quota else 0
            if not k:
                chosen[stratum] = []
                continue
            where = np.flatnonzero(codes == code)
            members = where.tolist()
            # The hashed texts key ‖ pseudonym in hex, 64 bytes each, made by numpy and handed out as
            # lists of bytes (no NUL in them, which fixed-width strings would drop from their ends), a
            # part at a time so that only one part's texts are held.
            ranks: list[bytes] = []
            texts = np.empty((min(len(members), _CHUNK), 64), dtype=np.uint8)
            texts[:, :32] = np.frombuffer(key, dtype=np.uint8)
            for start in range(0, len(members), _CHUNK):
                part = where[start : start + _CHUNK]
                texts[: len(part), 32:] = hex_rows[part]
                ranks += [sha256(text).digest() for text in texts[: len(part)].view("S64").ravel().tolist()]
            del texts
            candidates = range(len(members))
            if k < len(members):
                # Whatever is among the k lowest ranks has a first 8 bytes no higher than the k-th lowest
                # first 8 bytes; those few are then ordered in full, as `draw.select_indexes` orders all.
                prefix = np.frombuffer(b"".join(ranks), dtype=">u8")[::4]
                bound = np.partition(prefix, k - 1)[k - 1]
                candidates = np.flatnonzero(prefix <= bound).tolist()
            ranked = sorted((ranks[j], hexes[32 * members[j] : 32 * members[j] + 32], members[j]) for j in candidates)
            chosen[stratum] = [(token.decode(), *_subject(keys[i])) for _rank, token, i in ranked[:k]]
        return chosen

    return FrozenPool(canonical, algorithm.sha256_hex(canonical), sizes, select, stored)


def _grade_codes(text: str, n: int) -> tuple[np.ndarray, list[str]]:
    """Each of n entries' grade as its index among the pool's sorted grades, from the grades joined by
    LF. Grades of one ASCII character each (the shipped A–D) are every other byte of the text."""
    data = text.encode()
    if n and len(data) == 2 * n - 1:
        chars = np.frombuffer(data, dtype=np.uint8)[::2]
        present = np.flatnonzero(np.bincount(chars, minlength=256))
        if int(present.max()) < 128 and not (present == ord("\n")).any():
            table = np.zeros(256, dtype=np.uint8)
            table[present] = np.arange(len(present), dtype=np.uint8)
            return table[chars], [chr(c) for c in present.tolist()]
    grades = text.split("\n") if n else []
    strata = sorted(set(grades))
    if len(strata) > 255:
        raise ValueError("more than 255 risk grades in one pool")
    position = {stratum: i for i, stratum in enumerate(strata)}
    return np.frombuffer(bytes([position[grade] for grade in grades]), dtype=np.uint8), strata


def _subject(key: str) -> tuple[int, str | None]:
    subject_id, _space, region = key.partition(" ")
    return int(subject_id), region or None
