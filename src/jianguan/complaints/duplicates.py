"""Duplicate demands: the same subject (or the same caller) and category within N days, with
similar text (Jaccard similarity of character bigrams). A duplicate is merged into the earlier
order, never dropped: it keeps its own text, complainant and rating, and is answered with the
earlier order's reply."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q

from jianguan.complaints.choices import State
from jianguan.complaints.models import WorkOrder
from jianguan.complaints.policy import policy

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    clean = _NOISE.sub("", text or "")
    return {clean[i : i + 2] for i in range(len(clean) - 1)}


def similarity(a: str, b: str) -> float:
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def find_duplicate(
    *,
    content: str,
    category_id: int | None,
    subject_id: int | None,
    phone_hash: str,
    received_at: dt.datetime,
    exclude: int | None = None,
) -> tuple[WorkOrder | None, float]:
    """The open earlier order this demand repeats, and the text similarity, or (None, 0)."""
    settings = policy()["duplicates"]
    if category_id is None or not (subject_id or phone_hash):
        return None, 0.0
    same = Q()
    if subject_id:
        same |= Q(subject_id=subject_id)
    if phone_hash:
        same |= Q(complainant_phone_hash=phone_hash)
    candidates = (
        WorkOrder.objects.filter(
            same,
            category_id=category_id,
            merged_into__isnull=True,
            received_at__gte=received_at - dt.timedelta(days=settings["window_days"]),
            received_at__lte=received_at,
        )
        .exclude(state__in=[State.MERGED])
        .exclude(pk=exclude)
        .order_by("received_at")
        .only("pk", "content", "received_at")[:50]
    )
    best, best_score = None, 0.0
    for candidate in candidates:
        score = similarity(content, candidate.content)
        if score > best_score:
            best, best_score = candidate, score
    if best is None or best_score < settings["min_similarity"]:
        return None, best_score
    return best, round(best_score, 4)
