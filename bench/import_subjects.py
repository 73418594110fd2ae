"""Benchmark: subject import throughput and peak memory, against a baseline measured in the same run.

The baseline is the cheapest possible work on the same file (csv parsing plus USCC check
characters); the ratio shows what validation, duplicate detection, database writes and the audit
event cost on top. Run: `JIANGUAN_VAR_DIR=$(mktemp -d) .venv/bin/python bench/import_subjects.py [ROWS]`.
"""

import csv
import io
import os
import sys
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from jianguan.core.codes import uscc_with_check, validate_uscc  # noqa: E402
from jianguan.platform.importing import run_import  # noqa: E402


def make_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["名称", "统一社会信用代码", "行政区划代码", "成立日期", "法定代表人"])
    counties = ["370102", "370103", "370202", "370302", "370402", "370502", "370602", "370702"]
    for n in range(rows):
        county = counties[n % len(counties)]
        writer.writerow(
            [f"山东测试{n}号商贸有限公司", uscc_with_check(f"91{county}MA{n:07d}"), county, "2020-03-05", "张三"]
        )
    return out.getvalue().encode("utf-8")


def measure(label: str, work) -> tuple[float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1024 / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    call_command("migrate", verbosity=0)
    data = make_file(rows)

    def baseline():
        for row in csv.DictReader(io.StringIO(data.decode("utf-8"))):
            validate_uscc(row["统一社会信用代码"])

    base_time, base_mem = measure("baseline", baseline)
    batch_holder = {}
    import_time, import_mem = measure(
        "import", lambda: batch_holder.setdefault("batch", run_import("subjects", data, "bench.csv"))
    )
    batch = batch_holder["batch"]
    assert batch.accepted == rows, (batch.accepted, batch.rejected)
    print(f"rows: {rows}  database: {django.db.connection.vendor}")
    print(f"baseline (parse + check characters): {rows / base_time:,.0f} rows/s, peak {base_mem:.1f} MiB")
    print(f"run_import (validate, dedupe, write, audit): {rows / import_time:,.0f} rows/s, peak {import_mem:.1f} MiB")
    print(f"ratio import/baseline time: {import_time / base_time:.1f}x")


if __name__ == "__main__":
    main()
