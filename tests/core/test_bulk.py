"""The bulk helpers' ids: fresh, distinct and never handed out twice."""

import pytest
from django.db import transaction

pytestmark = pytest.mark.django_db


def test_allocated_ids_are_fresh_distinct_and_never_handed_out_twice():
    from jianguan.core.bulk import allocate_ids
    from jianguan.spotcheck.models import Task

    with transaction.atomic():
        first = allocate_ids(Task, 500)
        second = allocate_ids(Task, 3)
    assert len(set(first)) == 500 and first == sorted(first)
    assert not set(first) & set(second) and min(second) > max(first)
    assert allocate_ids(Task, 0) == []


def test_rows_given_by_columns_are_written_with_their_types_and_texts():
    """insert_columns: ints, texts with quotes, tabs, backslashes, non-ASCII and JSON-looking content,
    JSON columns from their text and NULLs arrive as given, on either database."""
    from jianguan.core.bulk import insert_columns
    from jianguan.spotcheck.models import Task

    names = ['企业 "甲"\t1', "O'Brien\\n", '{"a": 1}', "ä\u2028b"]
    with transaction.atomic():
        assert insert_columns(Task, {}) == 0
        written = insert_columns(
            Task,
            {
                "draw_id": [7, 7, 7, 7],
                "subject_id": [1, 2, 3, 4],
                "token": names,
                "stratum": ["A", "B", "C", "A1"],
                "rank": [1, 2, 3, 2**31 - 1],
                "status": ["assigned", "unassigned", "assigned", "assigned"],
                "unassigned_reasons": ["{}", '{"3": {"conflict": 2}}', "{}", '{"x": "企"}'],
                "completed_at": [None, None, None, None],
            },
        )
    assert written == 4
    rows = list(
        Task.objects.filter(draw_id=7)
        .order_by("subject_id")
        .values_list("token", "stratum", "rank", "status", "unassigned_reasons", "completed_at")
    )
    assert rows == [
        (names[0], "A", 1, "assigned", {}, None),
        (names[1], "B", 2, "unassigned", {"3": {"conflict": 2}}, None),
        (names[2], "C", 3, "assigned", {}, None),
        (names[3], "A1", 2**31 - 1, "assigned", {"x": "企"}, None),
    ]
    with pytest.raises(ValueError):
        insert_columns(Task, {"draw_id": [1], "rank": []})
