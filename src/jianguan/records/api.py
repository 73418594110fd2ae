"""Supervision actions: list, detail and the one-file-per-subject timeline, all within scope."""

from __future__ import annotations

import datetime as dt

from ninja import Router

from jianguan.platform.apitools import page
from jianguan.records.display import record_out
from jianguan.records.permissions import access_record, subject_timeline, visible_records
from jianguan.subjects.api import subject_out
from jianguan.subjects.permissions import access_subject

router = Router(tags=["records"])


@router.get("", response=dict, summary="Supervision actions in scope, newest first")
def list_records(
    request,
    kind: str = "",
    subject_id: int | None = None,
    department_id: int | None = None,
    source: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
):
    records = visible_records(request.auth)
    filters = {
        "kind": kind or None,
        "subject_id": subject_id,
        "department_id": department_id,
        "source": source or None,
        "action_date__gte": date_from,
        "action_date__lte": date_to,
    }
    records = records.filter(**{k: v for k, v in filters.items() if v is not None}).order_by("-action_date", "-id")
    return page(records, limit, offset, record_out)


@router.get("/subjects/{subject_id}/timeline", response=dict, summary="一户一档: one subject's actions in scope")
def timeline(request, subject_id: int, kind: str = "", limit: int = 100, offset: int = 0):
    subject = access_subject(request.auth, subject_id)
    records = subject_timeline(request.auth, subject, kind)
    body = page(records, limit, offset, record_out)
    body["subject"] = subject_out(subject)
    body["provisional"] = subject.provisional
    return body


@router.get("/{record_id}", response=dict)
def get_record(request, record_id: int):
    return record_out(access_record(request.auth, record_id))
