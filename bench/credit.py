"""Benchmark: risk grading of 1,000,000 subjects over 5,000,000 records, on PostgreSQL and on DuckDB.

The grading job is the Ibis expression of `credit.jobs` (as `jianguan credit grade` runs it,
without writing the grades). In the same run, on the same backend, a plain aggregate scan over the
records (a count per subject) gives the baseline. The records are synthetic: kinds in the demo's
proportions, dates over four years, one in ten inspections with a problem. Run:
  JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres .venv/bin/python bench/credit.py [--subjects N] [--records N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import RECORD_COLUMNS, SUBJECT_COLUMNS, peak_rss_mib, pg_database, setup_django, subject_row  # noqa: E402

AS_OF = dt.date(2026, 11, 1)
KINDS = ["inspection"] * 70 + ["licence"] * 15 + ["penalty"] * 10 + ["coercion"] * 3 + ["other"] * 2


def load(subjects: int, records: int) -> None:
    """Subjects and records straight into the tables (setup, not timed)."""
    import random

    from django.db import connection
    from django.utils import timezone

    from jianguan.core.bulk import bulk_insert

    rng = random.Random(3)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    bulk_insert(
        "subjects_subject",
        SUBJECT_COLUMNS,
        (
            subject_row(pk, "370102", "", now, dt.date(2010, 1, 1) + dt.timedelta(days=pk % 6000))
            for pk in range(1, subjects + 1)
        ),
    )
    start = dt.date(2022, 11, 1)
    bulk_insert(
        "records_record",
        RECORD_COLUMNS,
        (
            (
                pk,
                kind,
                "bench",
                f"R{pk}",
                "v1",
                1,
                "37010001010000",
                1,
                rng.randrange(1, subjects + 1),
                "2",
                "001",
                "",
                "",
                "",
                "370102",
                start + dt.timedelta(days=rng.randrange(4 * 365)),
                now,
                now,
                "",
                "发现问题已责令改正" if kind == "inspection" and rng.random() < 0.1 else "未发现问题",
                "",
                "{}",
                1.0,
                0,
                "",
                1,
                False,
                None,
                now,
            )
            for pk in range(1, records + 1)
            for kind in [rng.choice(KINDS)]
        ),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE subjects_subject")
            cursor.execute("ANALYZE records_record")


def measure(backend, subjects_table, records_table, label: str) -> dict:
    from jianguan.credit.jobs import grading, load_model

    scan_expression = records_table.group_by("subject_id").aggregate(n=records_table.count())
    backend.to_pyarrow(scan_expression)  # warm-up: both measurements then read from a warm cache
    started = time.perf_counter()
    counts = backend.to_pyarrow(scan_expression)
    scan = time.perf_counter() - started
    started = time.perf_counter()
    graded = backend.to_pyarrow(grading(subjects_table, records_table, AS_OF, load_model(), "national"))
    grade = time.perf_counter() - started
    return {
        "backend": label,
        "scan": scan,
        "grade": grade,
        "graded": graded.num_rows,
        "groups": counts.num_rows,
        "grades": dict(
            zip(*[c.to_pylist() for c in graded.group_by("grade").aggregate([("grade", "count")]).columns], strict=True)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    args = parser.parse_args()
    base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
    if not base:
        sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database)")
    name = f"jianguan_bench_credit_{os.getpid()}"
    url = pg_database(base, True, name)
    try:
        setup_django("postgresql", tempfile.mkdtemp(prefix="jianguan-bench-"), url)
        started = time.perf_counter()
        load(args.subjects, args.records)
        print(
            f"setup: {args.subjects:,} subjects and {args.records:,} records loaded in {time.perf_counter() - started:.0f} s"
        )
        import ibis

        from jianguan.credit.services import ibis_backend

        pg = ibis_backend()
        results = [measure(pg, pg.table("subjects_subject"), pg.table("records_record"), "postgresql")]
        duck = ibis.duckdb.connect()
        columns = ["subject_id", "kind", "action_date", "result", "is_deleted"]
        for table, arrow in (
            ("records", pg.table("records_record").select(*columns).to_pyarrow()),
            ("subjects", pg.table("subjects_subject").select("id", "registration_date").to_pyarrow()),
        ):
            duck.con.register(f"{table}_arrow", arrow)
            duck.con.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_arrow")  # noqa: S608 - fixed names
        results.append(measure(duck, duck.table("subjects"), duck.table("records"), "duckdb"))
        for r in results:
            print(
                f"{r['backend']:<11} grade {r['graded']:,} subjects: {r['grade']:6.2f} s   plain scan (count per subject): "
                f"{r['scan']:5.2f} s   ratio {r['grade'] / r['scan']:.1f}x   grades {r['grades']}"
            )
        print(f"peak RSS {peak_rss_mib()} MiB")
    finally:
        from django.db import connections

        connections.close_all()
        pg_database(base, False, name)


if __name__ == "__main__":
    main()
