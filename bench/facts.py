"""Benchmark: the facts channel — publishing beside the audit event, draining a backlog, and the real
subscribers (credit records and risk grades) behind a gateway load.

1. Per-commit cost: transactions that each write an audit event, with and without a fact published
   beside it (numbered and delivered to a no-op subscriber after each commit, as in production when
   the consumer keeps up). Ratio: with facts / without.
2. Backlog drain: a backlog of facts published in bulk, then delivered to a no-op subscriber, against
   reading the same rows in the same order and chunk size (the floor of any delivery).
3. Behind the gateway: inspection and penalty records ingested chunk by chunk with each chunk's
   `records.written` delivered after its commit to the credit subscriber (sync and regrade), against
   the same ingest with delivery held until the end (the demo's way). Prints the backlog's peak
   and the lag (commit → handled) of the facts.

Run:
  .venv/bin/python bench/facts.py [--records 50000] [--facts 100000] [--database sqlite|postgresql]
PostgreSQL: JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres (a database per run is created
and dropped there).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from common import peak_rss_mib, pg_database, setup_django  # noqa: E402

NAME = "bench.happened"


def _noop_subscriber(register: bool = True):
    from jianguan.facts import services

    services.declare(NAME, "基准测试事实")
    handled = {"n": 0}

    def handler(facts):
        handled["n"] += len(facts)

    if register:
        services.subscribe(NAME, handler, key="bench.noop", label="bench", batch=1000)
    return handled, handler


def per_commit(args) -> dict:
    from django.db import transaction

    from jianguan.audit.services import record_event
    from jianguan.facts.services import publish

    handled, _handler = _noop_subscriber()
    n = args.commits
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            record_event("bench", "bench.write", "thing", i, after={"n": i})
    without = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            event = record_event("bench", "bench.write", "thing", i, after={"n": i})
            publish(NAME, object_type="thing", object_id=i, payload={"n": i}, audit_event=event)
    with_facts = n / (time.perf_counter() - started)
    assert handled["n"] == n, handled
    return {"commits": n, "without": round(without), "with": round(with_facts), "peak_rss_mib": peak_rss_mib()}


def drain(args) -> dict:
    from jianguan.facts import services
    from jianguan.facts.models import Fact
    from jianguan.facts.services import deliver, publish_many

    # The backlog builds up before the subscriber exists, as behind a stopped consumer.
    handled, handler = _noop_subscriber(register=False)
    n = args.facts
    for start in range(0, n, 5000):
        publish_many(NAME, [{"object_id": i, "payload": {"n": i}} for i in range(start, min(start + 5000, n))])
    services.subscribe(NAME, handler, key="bench.noop", label="bench", batch=1000)
    started = time.perf_counter()
    deliver(["bench.noop"])
    seconds = time.perf_counter() - started
    assert handled["n"] == n, handled
    started = time.perf_counter()
    cursor, read = 0, 0
    while True:
        rows = list(Fact.objects.filter(seq__gt=cursor, name=NAME).order_by("seq")[:1000])
        if not rows:
            break
        cursor, read = rows[-1].seq, read + len(rows)
    baseline = time.perf_counter() - started
    return {
        "facts": n,
        "per_second": round(n / seconds),
        "read_per_second": round(read / baseline),
        "peak_rss_mib": peak_rss_mib(),
    }


def gateway(args) -> dict:
    import ingest as ingest_bench  # bench/ingest.py: the same reference data and records
    from django.utils import timezone

    from jianguan.credit.models import CreditRecord
    from jianguan.facts import services
    from jianguan.facts.models import Fact, Subscription

    source, departments, crews, parties = ingest_bench._reference_data(args.subjects)
    path = Path(os.environ["JIANGUAN_VAR_DIR"]) / "records.jsonl"
    ingest_bench._write_rows(path, args.records, departments, crews, parties)
    lags, backlogs = [], []
    real = services.SUBSCRIBERS["credit.sync_records"]

    def measured(facts):
        now = timezone.now()
        lags.extend((now - fact.at).total_seconds() for fact in facts)
        cursor = Subscription.objects.get(key=real.key).cursor
        backlogs.append(Fact.objects.filter(name="records.written", seq__gt=cursor).count())
        real.handler(facts)

    services.SUBSCRIBERS[real.key] = services.Subscriber(real.key, real.names, measured, real.batch, real.label)
    started = time.perf_counter()
    with services.deferred() if args.mode == "deferred" else contextlib.nullcontext():
        batch = ingest_bench.ingest_file(source, path)
    seconds = time.perf_counter() - started

    return {
        "records": args.records,
        "accepted": batch.accepted,
        "per_second": round(args.records / seconds),
        "seconds": round(seconds, 2),
        "deliveries": len(backlogs),
        "backlog_peak": max(backlogs or [0]),
        "lag_max_s": round(max(lags or [0]), 2),
        "lag_mean_s": round(sum(lags) / len(lags), 2) if lags else 0,
        "credit_records": CreditRecord.objects.count(),
        "peak_rss_mib": peak_rss_mib(),
    }


def worker(args) -> None:
    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-")
    os.environ.setdefault("JIANGUAN_TASKS_IMMEDIATE", "true")  # deliveries run in this process, after commit
    setup_django(args.database, var_dir, args.pg_url)
    part = {"commit": per_commit, "drain": drain, "inline": gateway, "deferred": gateway}[args.mode]
    print(json.dumps(part(args)))


def run(args, mode: str) -> dict:
    name = f"jianguan_bench_facts_{os.getpid()}_{mode}"
    url = pg_database(args.pg_base, True, name) if args.database == "postgresql" else ""
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(HERE),
                "--worker",
                "--mode",
                mode,
                "--database",
                args.database,
                "--pg-url",
                url,
                "--records",
                str(args.records),
                "--facts",
                str(args.facts),
                "--commits",
                str(args.commits),
                "--subjects",
                str(args.subjects),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        if args.database == "postgresql":
            pg_database(args.pg_base, False, name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--commits", type=int, default=2_000)
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--mode", default="")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    args.pg_base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
    if args.database == "postgresql" and not args.pg_base:
        sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database)")
    commit = run(args, "commit")
    print(f"{args.database}: facts channel")
    print(
        f"  per commit, audit event only          {commit['without']:>8,} commits/s\n"
        f"  per commit, with a fact delivered     {commit['with']:>8,} commits/s   ratio {commit['with'] / commit['without']:.2f}"
        f"   peak RSS {commit['peak_rss_mib']} MiB"
    )
    drained = run(args, "drain")
    print(
        f"  backlog of {drained['facts']:,} delivered      {drained['per_second']:>8,} facts/s   "
        f"reading them: {drained['read_per_second']:,} rows/s, ratio {drained['per_second'] / drained['read_per_second']:.2f}"
        f"   peak RSS {drained['peak_rss_mib']} MiB"
    )
    inline, held = run(args, "inline"), run(args, "deferred")
    for label, result in (("delivered after each chunk", inline), ("delivered once at the end", held)):
        print(
            f"  gateway, {result['records']:,} records, {label:<27} {result['per_second']:>7,} records/s "
            f"({result['seconds']} s), {result['deliveries']} deliveries, backlog peak {result['backlog_peak']} facts, "
            f"lag max {result['lag_max_s']} s / mean {result['lag_mean_s']} s, "
            f"{result['credit_records']:,} credit records, peak RSS {result['peak_rss_mib']} MiB"
        )
    print(f"  ratio in-line / held: {inline['per_second'] / held['per_second']:.2f}")


if __name__ == "__main__":
    main()
