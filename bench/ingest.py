"""Benchmark: ingesting inspection records through the gateway, against a bare bulk load of the same rows.

The ingest path is the API's: streamed JSON lines → schema validation and rules → register checks
(items, departments, officers, regions) → linking to subjects (unknown parties become provisional
subjects) → record upserts keyed by (source, source_id) → outbox entries → quarantine rows →
quality counters → one audit event per chunk. The baseline loads the same rows, parsed from the
same file, with a bare bulk load (COPY on PostgreSQL, executemany on SQLite), twice: into a plain
table of the record table's columns, and into the record table itself with the keys and indexes
every load pays for. Each measurement runs in its own process, so its peak RSS is its own; the
ingest runs at two sizes to show that memory stays flat as the batch grows.

Run:
  .venv/bin/python bench/ingest.py [--rows 200000] [--database sqlite|postgresql|both]
PostgreSQL: JIANGUAN_BENCH_PG_URL=postgres://user@host:port/postgres (a database per run is created
and dropped there).
"""

from __future__ import annotations

import argparse
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

from common import RECORD_COLUMNS, peak_rss_mib, pg_database, setup_django  # noqa: E402

# ---------------------------------------------------------------- worker (one measurement)


def _reference_data(subjects: int):
    """A city market department with counties, officers, one item and `subjects` registered parties."""
    import datetime as dt

    from jianguan.catalog.schemas import SupervisionItemIn
    from jianguan.catalog.services import create_item
    from jianguan.core.codes import uscc_with_check
    from jianguan.core.models import Region
    from jianguan.exchange.services import register_source
    from jianguan.officers.schemas import OfficerIn
    from jianguan.officers.services import bulk_register_officers
    from jianguan.platform.services import create_department, ensure_sector
    from jianguan.subjects.schemas import SubjectIn
    from jianguan.subjects.services import bulk_register_subjects

    sector = ensure_sector("scjg", "市场监管")
    city = create_department(
        name="济南市市场监督管理局",
        region=Region.objects.get(code="370100"),
        sector=sector,
        uscc=uscc_with_check("11370100MB0000001"),
    )
    counties = ["370102", "370103", "370104", "370105", "370112"]
    departments = [
        create_department(
            name=f"{code}市场监督管理局",
            region=Region.objects.get(code=code),
            sector=sector,
            parent=city,
            uscc=uscc_with_check(f"11{code}MB000000{n}"),
        )
        for n, code in enumerate(counties, start=2)
    ]
    create_item(
        SupervisionItemIn(
            code="37010001010000",
            name="对食品经营者的日常监督检查",
            department=str(city.pk),
            sector_code="scjg",
            effective_from=dt.date(2020, 1, 1),
        )
    )
    crews = {}
    officers = []
    for department in departments:
        crew = [(f"执法员{department.pk}{i}", f"{department.region_id}{department.pk:03d}{i:04d}") for i in range(6)]
        crews[department.uscc] = crew
        officers += [
            OfficerIn(
                name=name,
                certificate_no=cert,
                department=str(department.pk),
                sectors=["scjg"],
                certificate_valid_until=dt.date(2030, 12, 31),
            )
            for name, cert in crew
        ]
    bulk_register_officers(officers)
    parties = []
    records = []
    for n in range(subjects):
        county = counties[n % len(counties)]
        code = uscc_with_check(f"91{county}MA{n:07d}")
        parties.append((code, f"济南测试{n}号商贸有限公司", county))
        records.append(SubjectIn(name=parties[-1][1], uscc=code, region_code=county))
    for start in range(0, len(records), 5000):
        bulk_register_subjects(records[start : start + 5000])
    source, _token = register_source("bench", "基准测试执法系统", city)
    return source, departments, crews, parties


def _write_rows(path: Path, rows: int, departments, crews, parties) -> None:
    import datetime as dt

    from jianguan.core.codes import uscc_with_check

    rng = random.Random(42)
    start = dt.date(2026, 1, 5)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(rows):
            department = departments[n % len(departments)]
            code, name, county = parties[rng.randrange(len(parties))]
            if n % 200 == 0:  # 0.5 % parties the register does not know: provisional subjects
                code, name = uscc_with_check(f"92{county}MB{n:07d}"), f"新登记个体户{n}"
            action = start + dt.timedelta(days=rng.randrange(300))
            reported = action + dt.timedelta(days=rng.choice([0, 1, 2, 3, 6, 12]))
            team = rng.sample(crews[department.uscc], 2)
            record = {
                "kind": "inspection",
                "source_id": f"INS-{n:08d}",
                "item_code": "37010001010000",
                "department": department.uscc,
                "subject_nature": "2",
                "subject_id_type": "001",
                "subject_code": code,
                "subject_name": name,
                "region": county,
                "action_date": action.isoformat(),
                "reported_at": f"{reported.isoformat()}T10:00:00+08:00",
                "form": "01",
                "result": "未发现问题",
                "officers": [{"name": o[0], "certificate_no": o[1]} for o in team],
                "check_items": [{"code": "0101", "result": "合格"}, {"code": "0102", "result": "合格"}],
            }
            if n % 100 == 7:  # 1 % break a rule: quarantined
                record["officers"] = record["officers"][:1]
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _bare_load(path: Path, into_records: bool = False) -> int:
    """Parse the same rows and bulk-load them: into a plain table with the record table's columns,
    or into the record table itself (its primary key, unique source key and indexes)."""
    import orjson
    from django.db import connection, transaction
    from django.utils import timezone

    from jianguan.core.bulk import bulk_insert

    table = "records_record"
    if not into_records:
        table = "bench_bare"
        with connection.cursor() as cursor:
            cursor.execute('CREATE TABLE bench_bare AS SELECT * FROM "records_record" WHERE 1 = 0')
    now = timezone.now()
    count = 0

    def rows():
        nonlocal count
        with path.open("rb") as handle:
            for n, line in enumerate(handle, start=1):
                r = orjson.loads(line)
                details = orjson.dumps({k: r[k] for k in ("form", "officers", "check_items")}).decode()
                count += 1
                yield (
                    n,
                    r["kind"],
                    "bench",
                    r["source_id"],
                    "v1",
                    1,
                    r["item_code"],
                    1,
                    1,
                    r["subject_nature"],
                    r["subject_id_type"],
                    r["subject_code"],
                    "",
                    r["subject_name"],
                    r["region"],
                    r["action_date"],
                    r["reported_at"],
                    now,
                    "",
                    r["result"],
                    "",
                    details,
                    1.0,
                    0,
                    "",
                    1,
                    False,
                    None,
                    now,
                )

    with transaction.atomic():
        bulk_insert(table, RECORD_COLUMNS, rows())
    return count


def ingest_file(source, path: Path, *, parallel: bool = False, stages: dict | None = None):
    """The file through the gateway as `jianguan ingest` sends it; with `parallel`, as the command
    runs large files (a worker process prepares the chunks). Returns the batch; `stages` receives
    the seconds per stage."""
    from jianguan.exchange.choices import Channel
    from jianguan.exchange.management.commands.ingest import PARALLEL_FROM_BYTES
    from jianguan.exchange.services import receive_rows
    from jianguan.exchange.streams import file_digest, json_records

    digest, size = file_digest(path)
    with path.open("rb") as handle:
        _message, batch = receive_rows(
            source,
            json_records(handle),
            channel=Channel.CLI,
            actor="bench",
            payload_sha256=digest,
            payload_bytes=size,
            filename=path.name,
            parallel=parallel and size > PARALLEL_FROM_BYTES,
            stages=stages,
        )
    return batch


def worker(args) -> None:
    var_dir = tempfile.mkdtemp(prefix="jianguan-bench-")
    # As deployed: the gateway queues the delivery of its facts and the consumer runs the
    # subscribers (credit records, grades, work-order links); they are timed separately below.
    os.environ["JIANGUAN_TASKS_IMMEDIATE"] = "0"
    setup_django(args.database, var_dir, args.pg_url)
    source, departments, crews, parties = _reference_data(args.subjects)
    path = Path(var_dir) / "records.jsonl"
    _write_rows(path, args.rows, departments, crews, parties)
    result = {"database": args.database, "rows": args.rows, "mode": args.mode}
    started = time.perf_counter()
    if args.mode in ("ingest", "sequential"):
        stages: dict[str, float] = {}
        batch = ingest_file(source, path, parallel=args.mode == "ingest", stages=stages)
        result["stages"] = {name: round(seconds, 2) for name, seconds in stages.items()}
        assert batch.received == args.rows and batch.received == batch.accepted + batch.rejected + batch.duplicates
        result.update(accepted=batch.accepted, rejected=batch.rejected)
    else:
        result["loaded"] = _bare_load(path, into_records=args.mode == "bare-records")
    elapsed = time.perf_counter() - started
    result.update(
        seconds=round(elapsed, 2),
        per_second=round(args.rows / elapsed),
        peak_rss_mib=peak_rss_mib(),
        worker_rss_mib=peak_rss_mib(children=True),
    )
    if args.mode == "ingest":
        from jianguan.facts.services import deliver

        started = time.perf_counter()
        handled = deliver()
        result.update(subscribers_seconds=round(time.perf_counter() - started, 2), facts=sum(handled.values()))
    print(json.dumps(result))


# ---------------------------------------------------------------- driver

SUBSCRIBERS_LABEL = "then the subscribers, as the consumer runs them"


def run(database: str, mode: str, rows: int, subjects: int, pg_base: str) -> dict:
    name = f"jianguan_bench_{os.getpid()}_{mode}_{rows}"
    url = pg_database(pg_base, True, name) if database == "postgresql" else ""
    try:
        out = subprocess.run(
            [
                sys.executable,
                str(HERE),
                "--worker",
                "--database",
                database,
                "--mode",
                mode,
                "--rows",
                str(rows),
                "--subjects",
                str(subjects),
                "--pg-url",
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        if database == "postgresql":
            pg_database(pg_base, False, name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--mode", choices=["ingest", "sequential", "bare", "bare-records"], default="ingest")
    parser.add_argument("--pg-url", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    pg_base = os.environ.get("JIANGUAN_BENCH_PG_URL", "")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and not pg_base:
        sys.exit("set JIANGUAN_BENCH_PG_URL to a PostgreSQL server URL (its /postgres database) to bench PostgreSQL")
    small = max(args.rows // 4, 1000)
    for database in databases:
        ingest_small = run(database, "ingest", small, args.subjects, pg_base)
        ingest = run(database, "ingest", args.rows, args.subjects, pg_base)
        sequential = run(database, "sequential", args.rows, args.subjects, pg_base)
        bare = run(database, "bare", args.rows, args.subjects, pg_base)
        bare_records = run(database, "bare-records", args.rows, args.subjects, pg_base)
        load = "COPY" if database == "postgresql" else "executemany"
        print(
            f"{database}: {args.rows:,} inspection records ({ingest['accepted']:,} accepted, {ingest['rejected']:,} rejected)"
        )
        rows = [
            ("ingest, as `jianguan ingest` runs it", ingest),
            ("ingest, one process (the API's way)", sequential),
            (f"ingest of {small:,} rows (memory check)", ingest_small),
            (f"bare load ({load}) into a plain table", bare),
            (f"bare load ({load}) into the record table", bare_records),
        ]
        for label, result in rows:
            child = f", worker {result['worker_rss_mib']} MiB" if result.get("worker_rss_mib") else ""
            print(
                f"  {label:<48} {result['per_second']:>9,} records/s  {result['seconds']:>7} s  "
                f"peak RSS {result['peak_rss_mib']} MiB{child}"
            )
        print(
            f"  {SUBSCRIBERS_LABEL:<48} "
            f"{round(args.rows / ingest['subscribers_seconds']):>9,} records/s  {ingest['subscribers_seconds']:>7} s  "
            f"({ingest['facts']:,} facts delivered)"
        )
        print("  where the one-process ingest spends its time (seconds):")
        for stage, seconds in sequential["stages"].items():
            print(f"    {stage:<46} {seconds:>7}")
        print(
            f"  ratio ingest/bare: {ingest['per_second'] / bare['per_second']:.2f} (plain table), "
            f"{ingest['per_second'] / bare_records['per_second']:.2f} (record table)"
        )


if __name__ == "__main__":
    main()
