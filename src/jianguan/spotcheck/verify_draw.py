#!/usr/bin/env python3
"""Recompute a published random-check draw (双随机) offline, from its draw record (JSON).

Usage:
    python3 verify_draw.py draw-record.json
    python3 verify_draw.py draw-record.json --subject 91370102MA0000001X --code <the subject's code>

Needs only the Python standard library (3.9+). Download the record from the batch's public page
("draw record (JSON)") and this script from the same page; nothing is asked of the server.

What it checks (algorithm jianguan-draw-v2):
1. SHA-256 of the revealed seed equals the seed hash published when the seed was committed,
   before the pool was frozen.
2. The pool: each stratum's members are pseudonyms; the lines "pseudonym<TAB>stratum" (a risk-based
   batch adds "<TAB>score"), sorted, joined with LF, hash to the pool hash.
3. The key is SHA-256(seed ‖ pool hash ‖ public entropy). In each stratum members are ranked by
   SHA-256(key ‖ pseudonym) (a risk-based batch: highest score first, that hash breaking ties) and the
   first k are drawn, k = min(n, max(minimum, ceil(ratio × n))), capped by the stratum's maximum.
4. The drawn pseudonyms are exactly the record's selection; "stratum<TAB>rank<TAB>pseudonym" lines
   hash to the selection hash; as many subjects are named as drawn.
5. A risk selection (subjects put on the batch before its seed was committed, from an alert say): they
   form the stratum "P", drawn in full (ratio 1). Their pseudonyms, sorted, one per line with LF,
   hash to the commitment's priority_hash, published with the seed hash: the list was fixed before
   anyone could know the seed, and nothing else sits in that stratum.
6. With --subject and --code (the code a drawn subject is given with its inspection notice):
   SHA-256(code ‖ subject code), first 32 hex digits, is one of the drawn pseudonyms.

The pseudonym of a subject is SHA-256(c ‖ token)[:32] where c = SHA-256(blind ‖ token) in hex: the
blinding key is committed with the seed and never published, so no one can tell which subject is in
which stratum (risk grade); the department gives each drawn subject its own c, and auditors the blind.

Exit status 0 when everything recomputes, 1 with the first difference otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import math
import sys
from typing import Any

ALGORITHM = "jianguan-draw-v2"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def subject_code(blind: str, token: str) -> str:
    """The per-subject code c that opens one pseudonym (and nothing else)."""
    return sha256_hex((blind + token).encode())


def pseudonym_from_code(code: str, token: str) -> str:
    return sha256_hex((code + token).encode())[:32]


def pseudonym(blind: str, token: str) -> str:
    return pseudonym_from_code(subject_code(blind, token), token)


def pseudonyms(blind: str, tokens: list[str]) -> list[str]:
    """`pseudonym` of each token, the calls inlined: a pool has a million of them."""
    sha256 = hashlib.sha256
    return [sha256((sha256((blind + t).encode()).hexdigest() + t).encode()).hexdigest()[:32] for t in tokens]


PRIORITY = "P"  # the stratum of the risk selection, drawn in full


def priority_digest(names: list[str]) -> str:
    """The commitment to a risk selection: SHA-256 of its pseudonyms, sorted, one per line."""
    return sha256_hex("".join(f"{name}\n" for name in sorted(names)).encode())


def quota_size(quota: dict[str, Any] | None, n: int) -> int:
    if not quota:
        return 0
    k = max(int(quota.get("minimum") or 0), math.ceil(float(quota["ratio"]) * n - 1e-9))
    if quota.get("maximum") is not None:
        k = min(k, int(quota["maximum"]))
    return max(0, min(n, k))


def _lines(record: dict[str, Any]) -> list[tuple[str, ...]]:
    entries = []
    for stratum, data in record["strata"].items():
        for member in data["members"]:
            if isinstance(member, list):
                entries.append((member[0], stratum, member[1]))
            else:
                entries.append((member, stratum))
    return sorted(entries)


def check(record: dict[str, Any], subject: str | None = None, code: str | None = None) -> list[str]:
    """The differences between the record and its recomputation; empty when it recomputes exactly."""
    if record.get("algorithm") != ALGORITHM:
        return [f"this script verifies {ALGORITHM} records, not {record.get('algorithm')!r}"]
    problems = []
    if sha256_hex(record["seed"].encode()) != record["commitment"]["seed_hash"]:
        problems.append("the revealed seed does not match the committed seed hash")
    committed = record["commitment"].get("priority_hash") or ""
    if committed or PRIORITY in record["strata"]:
        members = record["strata"].get(PRIORITY, {}).get("members", [])
        names = [member[0] if isinstance(member, list) else member for member in members]
        if priority_digest(names) != committed:
            problems.append("the risk selection (stratum P) does not match the list committed with the seed")
        if names and float((record["quotas"].get(PRIORITY) or {}).get("ratio", 0)) != 1:
            problems.append("the risk selection (stratum P) is not drawn in full")
    canonical = "".join("\t".join(entry) + "\n" for entry in _lines(record)).encode()
    if sha256_hex(canonical) != record["pool_hash"]:
        problems.append("the published pool does not hash to the pool hash")
    key = hashlib.sha256(f"{record['seed']}{record['pool_hash']}{record.get('public_entropy', '')}".encode()).digest()
    base = hashlib.sha256(key)
    expected: dict[str, list[str]] = {}
    for stratum in sorted(record["strata"]):
        members = record["strata"][stratum]["members"]
        k = quota_size(record["quotas"].get(stratum), len(members))
        ranked = []
        for member in members:
            name = member[0] if isinstance(member, list) else member
            digest = base.copy()
            digest.update(name.encode())
            score = -float(member[1]) if isinstance(member, list) else 0.0
            ranked.append((score, digest.digest(), name))
        expected[stratum] = [name for _score, _rank, name in heapq.nsmallest(k, ranked)]
    selection = record["selection"]
    for stratum in sorted(set(expected) | set(selection)):
        if expected.get(stratum, []) != selection.get(stratum, []):
            problems.append(f"stratum {stratum}: the recomputed selection differs from the published one")
    lines = "".join(
        f"{stratum}\t{rank}\t{name}\n" for stratum in sorted(expected) for rank, name in enumerate(expected[stratum], 1)
    ).encode()
    if sha256_hex(lines) != record["selection_hash"]:
        problems.append("the selection does not hash to the selection hash")
    drawn = sum(len(names) for names in expected.values())
    if len(record.get("drawn_subjects", [])) != drawn:
        problems.append(f"{drawn} subjects drawn, {len(record.get('drawn_subjects', []))} named")
    if subject is not None and code is not None:
        chosen = {name for names in selection.values() for name in names}
        if pseudonym_from_code(code, subject) not in chosen:
            problems.append(f"subject {subject}: its code does not open one of the drawn pseudonyms")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Recompute a published random-check draw from its record.")
    parser.add_argument("record", help="the draw record (JSON) downloaded from the public page")
    parser.add_argument("--subject", help="a drawn subject's code (its USCC) to check its own place in the draw")
    parser.add_argument("--code", help="the verification code given to that subject")
    args = parser.parse_args(argv)
    with open(args.record, encoding="utf-8") as handle:
        record = json.load(handle)
    try:
        problems = check(record, args.subject, args.code)
    except (KeyError, TypeError, ValueError) as exc:
        problems = [f"the record is malformed: {exc!r}"]
    if problems:
        for problem in problems:
            print("FAILED:", problem)
        return 1
    drawn = sum(len(v) for v in record["selection"].values())
    pool = sum(len(v["members"]) for v in record["strata"].values())
    print(f"ok: {drawn} of {pool} subjects drawn exactly as published")
    return 0


if __name__ == "__main__":
    sys.exit(main())
