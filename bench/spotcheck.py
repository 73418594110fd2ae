"""Benchmark: a spot-check draw over a 1,000,000-subject pool, against reading the pool's ids.

The setup (not timed) registers a city department with 10 county departments, 1,000,000 operating
food retailers (GB/T 4754 F5211, an industry the item's object admits) in 4 risk grades (73 % A,
19 % B, 5 % C, 3 % D, the distribution Bayannur published), 10,000 officers and 50,000 declared conflicts, and an approved batch with its seed committed
(A 2 %, B 5 %, C 20 %, D 100 %). The timed draw freezes the pool (with its exclusions), hashes
and stores it, reveals the seed, selects per grade, reads the recusals, assigns teams under
capacity and writes the tasks. In the same run the baseline reads the pool's ids. Run:
  .venv/bin/python bench/spotcheck.py [--subjects N] [--database sqlite|postgresql]
PostgreSQL: JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres (a database is created and dropped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import SUBJECT_COLUMNS, peak_rss_mib, pg_database, setup_django, subject_row  # noqa: E402

GRADES = [("A", 73), ("B", 19), ("C", 5), ("D", 3)]


def build(subjects: int, officers: int, conflicts: int):
    from django.db import transaction
    from django.utils import timezone

    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.core.bulk import allocate_ids, bulk_insert
    from jianguan.core.models import Region
    from jianguan.officers.models import Conflict, Officer
    from jianguan.platform.services import create_department, ensure_sector
    from jianguan.spotcheck.services import add_batch, approve_batch, commit_seed, create_plan
    from jianguan.subjects.models import Subject

    rng = random.Random(7)
    sector = ensure_sector("scjg", "市场监管")
    city = create_department(name="济南市市场监督管理局", region=Region.objects.get(code="370100"), sector=sector)
    counties = list(Region.objects.filter(parent_id="370100").order_by("code")[:10])
    departments = [
        create_department(name=f"{c.name}市场监督管理局", region=c, sector=sector, parent=city) for c in counties
    ]
    create_item(
        SupervisionItemIn(
            code="37010001020000",
            name="对食品经营者的双随机抽查",
            department=str(city.pk),
            sector_code="scjg",
            random_check=True,
            effective_from=dt.date(2020, 1, 1),
        )
    )
    now = timezone.now()
    grades = [g for g, share in GRADES for _ in range(share)]
    with transaction.atomic():
        ids = allocate_ids(Subject, subjects)
        bulk_insert(
            Subject,
            SUBJECT_COLUMNS,
            (subject_row(pk, counties[pk % len(counties)].code, rng.choice(grades), now) for pk in ids),
        )
        officer_ids = allocate_ids(Officer, officers)
        bulk_insert(
            Officer,
            (
                "id",
                "name",
                "certificate_no",
                "department_id",
                "status",
                "certificate_valid_until",
                "home_region_id",
                "created_at",
                "updated_at",
            ),
            (
                (
                    pk,
                    f"执法员{pk}",
                    f"CERT{pk:08d}",
                    departments[pk % len(departments)].pk,
                    "active",
                    dt.date(2030, 12, 31),
                    departments[pk % len(departments)].region_id,
                    now,
                    now,
                )
                for pk in officer_ids
            ),
        )
        pairs = {(rng.choice(officer_ids), rng.choice(ids)) for _ in range(conflicts)}
        bulk_insert(
            Conflict,
            ("officer_id", "subject_id", "reason", "declared_at"),
            ((officer, subject, "近亲属", dt.date(2026, 1, 5)) for officer, subject in sorted(pairs)),
        )
    plan = create_plan(city, 2026, "2026年度双随机抽查计划")
    batch = add_batch(
        plan,
        title="第一批",
        starts_on=dt.date(2026, 4, 1),
        ends_on=dt.date(2026, 6, 30),
        item_codes=["37010001020000"],
        pool_filter={"regions": ["3701"]},
        capacity=20,
    )
    approve_batch(batch)
    commit_seed(batch)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the statistics autovacuum would have gathered by now
            cursor.execute("ANALYZE")
    return batch


def worker(args) -> None:
    import json

    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-")
    setup_django(args.database, var_dir, args.pg_url)
    batch = build(args.subjects, args.officers, args.conflicts)
    from jianguan.spotcheck.services import draw_batch, verify_draw
    from jianguan.spotcheck.snapshot import pool_queryset

    started = time.perf_counter()
    ids = list(pool_queryset(batch).values_list("pk", flat=True).iterator(chunk_size=20000))
    read = time.perf_counter() - started
    started = time.perf_counter()
    steps: dict[str, float] = {}
    draw = draw_batch(batch, timings=steps)
    elapsed = time.perf_counter() - started
    tasks = draw.tasks.count()
    unassigned = draw.tasks.filter(status="unassigned").count()
    verified = verify_draw(draw)
    print(
        json.dumps(
            {
                "database": args.database,
                "pool": len(ids),
                "read_seconds": round(read, 2),
                "draw_seconds": round(elapsed, 2),
                "steps": steps,
                "tasks": tasks,
                "unassigned": unassigned,
                "strata": draw.strata,
                "verify": verified.message,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def main() -> None:
    import json
    import subprocess

    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--officers", type=int, default=10_000)
    parser.add_argument("--conflicts", type=int, default=50_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    url = ""
    name = f"jianguan_bench_spotcheck_{os.getpid()}"
    if args.database == "postgresql":
        base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
        if not base:
            sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database)")
        url = pg_database(base, True, name)
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(HERE),
                "--worker",
                "--database",
                args.database,
                "--subjects",
                str(args.subjects),
                "--officers",
                str(args.officers),
                "--conflicts",
                str(args.conflicts),
                "--pg-url",
                url,
            ],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.exit(out.stderr[-4000:])
        print(out.stderr[-3000:])
    finally:
        if args.database == "postgresql":
            pg_database(os.environ["JIANGUAN_BENCH_PG_URL"], False, name)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["pool"]:
        sys.exit("the pool is empty: the synthetic subjects are outside the item's object (spotcheck_objects)")
    print(
        f"{result['database']}: pool of {result['pool']:,} subjects, {args.officers:,} officers, "
        f"{args.conflicts:,} declared conflicts"
    )
    print(f"  read the pool's ids:                 {result['read_seconds']:>6} s")
    print(
        f"  draw + assignment (and task writes):  {result['draw_seconds']:>6} s  "
        f"({result['tasks']:,} tasks, {result['unassigned']:,} without a team; strata {result['strata']})"
    )
    steps = result["steps"]
    print("  steps: " + ", ".join(f"{name} {seconds} s" for name, seconds in steps.items()))
    core = steps["select"] + steps["recusals"] + steps["assign"]
    read = max(result["read_seconds"], 1e-6)
    print(
        f"  ratio to the read: whole draw {result['draw_seconds'] / read:.1f}x; "
        f"selection + recusals + assignment {core:.2f} s = {core / read:.1f}x"
    )
    print(f"  verify: {result['verify']}   peak RSS {result['peak_rss_mib']} MiB")


if __name__ == "__main__":
    main()
