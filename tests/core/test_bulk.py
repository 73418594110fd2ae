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


def test_a_blob_written_meanwhile_lands_and_its_failure_is_raised_after_the_block():
    from django.db import DatabaseError, connection

    from jianguan.core.bulk import blob_written_meanwhile
    from jianguan.spotcheck.models import Task

    with transaction.atomic():
        task = Task.objects.create(draw_id=1, subject_id=1, token="t", stratum="B", rank=1, status="assigned")
        with blob_written_meanwhile(Task, task.pk, "token", "written meanwhile"):
            computed = sum(range(1000))
        assert computed == 499500
        assert Task.objects.get(pk=task.pk).token == "written meanwhile"
    if connection.vendor != "postgresql":
        return
    ran = []
    with (
        pytest.raises(DatabaseError),
        transaction.atomic(),
        blob_written_meanwhile(Task, task.pk, "rank", "not a number"),
    ):
        ran.append(True)
    assert ran == [True] and Task.objects.get(pk=task.pk).rank == 1
