"""The draw algorithm (v1), in plain functions: anyone can re-run it from what is published.

1. The pool is a list of (token, stratum) pairs: a subject's public token (its USCC, its
   registration number, or "S<id>" for a subject without either) and its risk grade. Its canonical
   form is the pairs sorted by token, one "token<TAB>stratum<LF>" line each, UTF-8; the pool hash
   is the SHA-256 of that text.
2. The seed (64 hex characters) is committed before the pool is frozen by publishing SHA-256(seed).
3. The draw key is SHA-256(seed ‖ pool hash ‖ public entropy), so the same seed over another pool,
   or with other public entropy, ranks everything differently.
   A risk-based batch adds a third field, the subject's risk score (6 decimals), and ranks by it,
   highest first, the keyed hash below breaking ties.
4. In each stratum every token is ranked by SHA-256(key ‖ token) (the key is 32 secret-until-drawn
   bytes of fixed length, so this keyed hash cannot be steered or extended); the lowest k are
   selected, k = min(n, max(minimum, ceil(ratio × n))) capped by the stratum's maximum; ties, which
   need a SHA-256 collision, would fall to the token.
5. Officers are ranked the same way, by SHA-256(key ‖ "officer:" + certificate number).
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALGORITHM = "jianguan-draw-v1"  # the version of the steps below: a change of any step is a new version


def canonical_pool(pool: Iterable[tuple[str, ...]]) -> bytes:
    """One line per entry, fields joined by tabs, sorted: token, stratum[, risk score]."""
    return "".join("\t".join(entry) + "\n" for entry in sorted(pool)).encode()


def parse_pool(data: bytes) -> list[tuple[str, ...]]:
    return [tuple(line.split("\t")) for line in data.decode().splitlines()]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def draw_key(seed: str, pool_hash: str, public_entropy: str = "") -> bytes:
    return hashlib.sha256(f"{seed}{pool_hash}{public_entropy}".encode()).digest()


class Ranker:
    """SHA-256(key ‖ text), with the key absorbed once."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ValueError("the draw key has 32 bytes")
        self._base = hashlib.sha256(key)

    def rank(self, text: str) -> bytes:
        digest = self._base.copy()
        digest.update(text.encode())
        return digest.digest()


@dataclass(frozen=True)
class Quota:
    ratio: float
    minimum: int = 0
    maximum: int | None = None

    def size(self, n: int) -> int:
        k = max(self.minimum, math.ceil(self.ratio * n - 1e-9))
        if self.maximum is not None:
            k = min(k, self.maximum)
        return max(0, min(n, k))


def select_indexes(pool: Sequence[tuple[str, str]], key: bytes, quotas: dict[str, Quota]) -> dict[str, list[int]]:
    """Per stratum, the positions in `pool` of the selected entries, in rank order (lowest first)."""
    strata: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(pool):
        strata[entry[1]].append(index)
    base = Ranker(key)._base
    chosen: dict[str, list[int]] = {}
    for stratum in sorted(strata):
        members = strata[stratum]
        quota = quotas.get(stratum)
        k = quota.size(len(members)) if quota else 0
        if not k:
            chosen[stratum] = []
            continue
        # The ranking of Ranker.rank, inlined: this loop runs once per subject of the pool.
        tokens = [pool[i][0] for i in members]
        ranks = []
        fresh = base.copy
        for token in tokens:
            digest = fresh()
            digest.update(token.encode())
            ranks.append(digest.digest())
        if len(pool[members[0]]) > 2:
            # A risk-based batch: highest risk score first; the keyed hash only breaks ties.
            scores = [-float(pool[i][2]) for i in members]
            ranked = heapq.nsmallest(k, zip(scores, ranks, tokens, members, strict=True))
            chosen[stratum] = [i for _score, _rank, _token, i in ranked]
            continue
        chosen[stratum] = [i for _rank, _token, i in heapq.nsmallest(k, zip(ranks, tokens, members, strict=True))]
    return chosen


def select(pool: Sequence[tuple[str, str]], key: bytes, quotas: dict[str, Quota]) -> dict[str, list[str]]:
    """Per stratum, the selected tokens in rank order (lowest first)."""
    return {s: [pool[i][0] for i in indexes] for s, indexes in select_indexes(pool, key, quotas).items()}


def strata_sizes(pool: Sequence[tuple[str, str]]) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for entry in pool:
        sizes[entry[1]] += 1
    return dict(sizes)


@dataclass
class OfficerSlot:
    officer_id: int
    department_id: int
    certificate: str
    home_region: str | None
    capacity: int
    load: int = 0


@dataclass
class Assignment:
    teams: dict[int, list[int]]  # task index → officer ids
    unassigned: dict[int, dict[str, int]]  # task index → {reason: officers passed over for it}


def assign(
    tasks: Sequence[tuple[str, str]],
    officers: Sequence[OfficerSlot],
    key: bytes,
    *,
    team_size: int,
    conflicts: dict[str, set[int]],
    recent: dict[str, set[int]],
    recuse_home_county: bool,
) -> Assignment:
    """Teams from one officer pool for tasks in order, under recusal and capacity; no rule is relaxed.

    A task is (subject token, subject region code). Officers wait in a heap ordered by (load, HMAC
    rank), so the load stays balanced and ties are broken by the seed; an officer at capacity leaves
    the heap for good. A task that cannot get a full team gets none, with the reasons counted.
    """
    ranker = Ranker(key)
    # The heap holds one int per officer, load × width + the officer's place in (HMAC rank, id) order:
    # ordered exactly as (load, rank, id) tuples would be, compared many times faster.
    ranked = sorted(
        (slot for slot in officers if slot.capacity > 0),
        key=lambda slot: (ranker.rank("officer:" + slot.certificate), slot.officer_id),
    )
    width = max(len(ranked), 1)
    ids = [slot.officer_id for slot in ranked]
    homes = [slot.home_region for slot in ranked]
    heap = list(range(len(ranked)))  # every load 0, in rank order: already a heap
    pop, push = heapq.heappop, heapq.heappush
    teams: dict[int, list[int]] = {}
    unassigned: dict[int, dict[str, int]] = {}
    for index, (token, region) in enumerate(tasks):
        conflicted = conflicts.get(token, ())
        inspected = recent.get(token, ())
        team: list[int] = []
        passed: list[int] = []
        reasons: dict[str, int] = {}
        while len(team) < team_size and heap:
            entry = pop(heap)
            place = entry % width
            officer_id = ids[place]
            if officer_id in conflicted:
                reason = "conflict"
            elif officer_id in inspected:
                reason = "inspected_recently"
            elif recuse_home_county and homes[place] == region:
                reason = "home_county"
            else:
                team.append(entry)
                continue
            reasons[reason] = reasons.get(reason, 0) + 1
            passed.append(entry)
        if len(team) < team_size:
            reasons["too_few_officers"] = team_size - len(team)
            unassigned[index] = reasons
            for entry in team + passed:
                push(heap, entry)
            continue
        teams[index] = [ids[entry % width] for entry in team]
        for entry in team:
            slot = ranked[entry % width]
            slot.load += 1
            if slot.load < slot.capacity:
                passed.append(entry + width)  # one more task: the next load, the same place
        for entry in passed:
            push(heap, entry)
    return Assignment(teams, unassigned)
