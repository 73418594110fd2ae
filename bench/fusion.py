"""Benchmark: the province-wide fusion (`alerts.fusion.fuse_all`) over 1,000,000 subjects with
5,000,000 signals, against one aggregate scan of the same signals (their count per subject and
kind) measured in the same run. The setup (not timed) writes the subjects in four risk grades and
the signals of seven kinds and four levels spread over the last year, all by COPY. Run:
  JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres .venv/bin/python bench/fusion.py [--subjects N] [--signals N]
(a database is created and dropped; --database sqlite for a smaller run on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import SUBJECT_COLUMNS, peak_rss_mib, pg_database, setup_django, subject_row  # noqa: E402

GRADES = ["A"] * 73 + ["B"] * 19 + ["C"] * 5 + ["D"] * 3
KINDS = ["monitoring", "complaint_surge", "credit_downgrade", "credit_listing", "spotcheck_failure",
         "campaign_finding", "national_warning"]  # fmt: skip
LEVELS = ["red", "orange", "yellow", "blue"]


def build(subjects: int, signals: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from jianguan.alerts.models import Alert, Signal
    from jianguan.alerts.services import Incoming, raise_signal
    from jianguan.core.bulk import allocate_ids, bulk_insert
    from jianguan.core.models import Region
    from jianguan.platform.services import create_department, ensure_sector
    from jianguan.subjects.models import Subject

    rng = random.Random(11)
    now = timezone.now()
    sector = ensure_sector("scjg", "市场监管")
    create_department(name="济南市市场监督管理局", region=Region.objects.get(code="370100"), sector=sector)
    with transaction.atomic():
        ids = allocate_ids(Subject, subjects)
        bulk_insert(Subject, SUBJECT_COLUMNS, (subject_row(pk, "370102", rng.choice(GRADES), now) for pk in ids))
    # One real alert holds the signals (the fusion reads signals by subject, not by alert).
    holder = raise_signal(Incoming("monitoring", "seed", "blue", now, "基准", "370100"), now=now)
    assert isinstance(holder, Alert)
    first = ids[0]
    with transaction.atomic():
        signal_ids = allocate_ids(Signal, signals)
        bulk_insert(
            Signal,
            ("id", "alert_id", "subject_id", "kind", "rule", "rule_name", "reference", "level", "at", "summary", "detail"),
            (
                (
                    pk, holder.pk, first + rng.randrange(subjects), rng.choice(KINDS), "", "", f"b{pk}",
                    rng.choice(LEVELS), now - dt.timedelta(minutes=rng.randrange(525_600)), "基准", "{}",
                )
                for pk in signal_ids
            ),
        )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE alerts_signal") if not connection.in_atomic_block else None


def worker(args) -> None:
    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-")
    setup_django(args.database, var_dir, args.pg_url)
    from django.db import connection

    from jianguan.alerts.fusion import fuse_all

    build(args.subjects, args.signals)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT subject_id, kind, COUNT(*) FROM alerts_signal "
            "WHERE subject_id IS NOT NULL GROUP BY subject_id, kind) t"
        )
        groups = cursor.fetchone()[0]
        scan = time.perf_counter() - started
    started = time.perf_counter()
    scored = fuse_all()
    fused = time.perf_counter() - started
    print(json.dumps({"scan": scan, "groups": groups, "fused": fused, "scored": scored, "rss": peak_rss_mib()}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--signals", type=int, default=5_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    name, url = f"jianguan_bench_fusion_{os.getpid()}", ""
    if args.database == "postgresql":
        base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
        if not base:
            sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database)")
        url = pg_database(base, True, name)
    try:
        out = subprocess.run(
            [sys.executable, str(HERE), "--worker", "--database", args.database, "--subjects", str(args.subjects),
             "--signals", str(args.signals), "--pg-url", url],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            sys.exit(out.stderr[-4000:])
    finally:
        if args.database == "postgresql":
            pg_database(os.environ["JIANGUAN_BENCH_PG_URL"], False, name)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{args.database}: {args.subjects:,} subjects, {args.signals:,} signals")
    print(f"  one aggregate scan (count per subject and kind, {r['groups']:,} groups): {r['scan']:.2f} s")
    print(f"  fusion of every subject ({r['scored']:,} scored, written):           {r['fused']:.2f} s")
    print(f"  ratio fusion/scan: {r['fused'] / max(r['scan'], 1e-9):.2f}   "
          f"({args.signals / r['fused']:,.0f} signals/s)   peak RSS {r['rss']} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
