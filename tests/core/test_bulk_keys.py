"""Key look-ups and counter upserts of the bulk helpers, on both databases."""

import datetime as dt

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db


def _department():
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department

    return create_department(name="测试局", region=Region.objects.get(code="370100"))


def test_probed_keys_find_the_same_rows_as_the_plain_lookup():
    from jianguan.core.bulk import fetch_by_keys
    from jianguan.subjects.models import Subject

    made = [
        Subject.objects.create(kind="enterprise", name=f"企业{n}", uscc=f"91370100MA{n:08d}", region_id="370100")
        for n in range(3)
    ]
    wanted = [made[0].uscc, made[2].uscc, "91370100MA99999999", made[0].uscc]
    expected = {(made[0].uscc, made[0].pk), (made[2].uscc, made[2].pk)}
    plain = fetch_by_keys(Subject, "uscc", wanted, ("id",))
    probed = fetch_by_keys(Subject, "uscc", wanted, ("id",), probe=True)
    assert set(plain) == set(probed) == expected
    assert len(probed) == 2  # a key sent twice is looked up once
    assert fetch_by_keys(Subject, "id", [made[1].pk, 10**12], ("uscc",), probe=True) == [(made[1].pk, made[1].uscc)]
    assert fetch_by_keys(Subject, "uscc", wanted, ("id",), {"name": "企业2"}, probe=True) == [
        (made[2].uscc, made[2].pk)
    ]


def test_thousands_of_keys_are_looked_up_through_the_index_on_a_small_table():
    """The record writer's look-up of a chunk's keys: a sequential scan on a table the planner
    believed small, whose cost then grew with the table, before the look-up was planned on the index
    (PostgreSQL; SQLite's batches of keys were always searched through it, and still are)."""
    from jianguan.core.bulk import index_probes, keys_query

    keys = [f"INS-{n:08d}" for n in range(5000)]
    sql, params = keys_query("records_record", "source_id", keys, ("id", "content_hash", "is_deleted"), {"source": "x"})
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql":
            raw.execute("ANALYZE records_record")
            with index_probes(raw):
                plan = "\n".join(row[0] for row in raw.execute("EXPLAIN " + sql, params).fetchall())
            assert raw.execute("SHOW enable_seqscan").fetchone()[0] == "on"
            assert "Seq Scan" not in plan and "Index" in plan
        else:
            raw.execute("ANALYZE records_record")
            batch = ", ".join("?" * 500)
            rows = raw.execute(
                f'EXPLAIN QUERY PLAN SELECT "source_id", "id" FROM "records_record" '  # noqa: S608
                f'WHERE "source_id" IN ({batch}) AND "source" = ?',
                [*keys[:500], "x"],
            ).fetchall()
            plan = "\n".join(str(row[-1]) for row in rows)
            assert "SEARCH" in plan and "INDEX" in plan, plan


def test_counters_with_the_same_key_in_one_call_add_up():
    from jianguan.core.bulk import bulk_increment
    from jianguan.exchange.models import RejectionDay

    department = _department()
    month = dt.date(2026, 3, 1)
    with transaction.atomic():
        bulk_increment(
            RejectionDay,
            ("day", "source", "department_id", "code"),
            ("count",),
            [
                (month, "s", department.pk, "a", 2),
                (month, "s", department.pk, "b", 1),
                (month, "s", department.pk, "a", 3),
            ],
        )
        bulk_increment(
            RejectionDay, ("day", "source", "department_id", "code"), ("count",), [(month, "s", department.pk, "a", 1)]
        )
        bulk_increment(RejectionDay, ("day", "source", "department_id", "code"), ("count",), [])
    counts = dict(RejectionDay.objects.values_list("code", "count"))
    assert counts == {"a": 6, "b": 1}
