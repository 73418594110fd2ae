"""Who may see which subjects: the region dimension of the actor's scope (a shared register)."""

from __future__ import annotations

import contextlib
from typing import Any

from django.db.models import Q, QuerySet

from jianguan.accounts.scope import restrict
from jianguan.core.codes import CodeError, validate_id_number
from jianguan.core.errors import NotFound
from jianguan.core.pii import keyed_hash
from jianguan.subjects.models import Subject


def visible_subjects(actor: Any) -> QuerySet[Subject]:
    # Subjects are not owned by a department: every department shares one register, cut by region.
    return restrict(Subject.objects.select_related("region"), actor, region="region__code")


def access_subject(actor: Any, pk: Any) -> Subject:
    subject = visible_subjects(actor).filter(pk=pk).first()
    if subject is None:
        raise NotFound()
    return subject


def search_subjects(actor: Any, query: str) -> QuerySet[Subject]:
    """Visible subjects whose name contains `query`, or whose code equals it."""
    return matching_subjects(visible_subjects(actor), query)


def matching_subjects(subjects: QuerySet[Subject], query: str) -> QuerySet[Subject]:
    """Those of `subjects` whose name contains `query`, or whose code equals it."""
    query = (query or "").strip()
    if not query:
        return subjects
    code = query.upper().replace(" ", "")
    condition = Q(name__contains=query)
    if len(code) == 18:
        condition |= Q(uscc=code)
        with contextlib.suppress(CodeError):
            condition |= Q(id_number_hash=keyed_hash(validate_id_number(code)))
    elif len(code) == 15:
        condition |= Q(registration_no=code)
    return subjects.filter(condition)
