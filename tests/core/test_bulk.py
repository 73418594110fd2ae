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
