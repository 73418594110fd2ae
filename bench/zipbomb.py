"""A zip bomb against the import: a few hundred KB of .xlsx holding 99,000 rows x 150 cells of XML.

Prints, for the bomb with an honest and with a false <dimension>, the time and the peak memory until
the import refuses it, against reading a legitimate 2,000 x 10 workbook in the same run (the baseline).

    .venv/bin/python bench/zipbomb.py [--rows 99000] [--columns 150]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import tempfile
import time
import tracemalloc
import zipfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianguan.config.settings")
os.environ.setdefault("JIANGUAN_VAR_DIR", tempfile.mkdtemp(prefix="jianguan-bench-"))

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

from jianguan.core.errors import DomainError  # noqa: E402
from jianguan.core.tabular import read_table  # noqa: E402


def small_workbook(rows: int, columns: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for r in range(rows + 1):
        sheet.append([f"值{r}-{c}" for c in range(columns)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(rows: int, columns: int, honest: bool) -> bytes:
    """The skeleton of a real workbook with its sheet replaced by a huge, very compressible one."""
    skeleton = zipfile.ZipFile(io.BytesIO(small_workbook(1, 1)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in skeleton.infolist():
            if not info.filename.startswith("xl/worksheets/sheet"):
                target.writestr(info, skeleton.read(info))
                continue
            head = skeleton.read(info).split(b"<sheetData>")[0].split(b"<sheetData/>")[0]
            last = openpyxl.utils.get_column_letter(columns)
            dimension = f'<dimension ref="A1:{last}{rows if honest else 1}"/>'.encode()
            head = re.sub(rb"<dimension[^>]*/>", b"", head).replace(b"<sheetViews>", dimension + b"<sheetViews>")
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                cells = b"<c><v>0</v></c>" * columns  # 16 bytes a cell: under the unpacked limit at 99,000 x 150
                for r in range(1, rows + 1):
                    sheet.write(b'<row r="%d">' % r + cells + b"</row>")
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def measure(data: bytes) -> tuple[float, float, str]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        table = read_table(data, "file.xlsx", max_rows=100_000)
        outcome = f"read {len(table.rows)} rows"
    except DomainError as exc:
        outcome = f"refused: {exc.code}"
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=99_000)
    parser.add_argument("--columns", type=int, default=150)
    args = parser.parse_args()
    baseline = small_workbook(2_000, 10)
    base_time, base_peak, base_outcome = measure(baseline)
    print(
        f"baseline 2,000 x 10 ({len(baseline) / 1024:.0f} KB): {base_time:.2f} s, peak {base_peak:.0f} MiB, {base_outcome}"
    )
    for honest in (True, False):
        data = bomb(args.rows, args.columns, honest)
        elapsed, peak, outcome = measure(data)
        label = "honest dimension" if honest else "false dimension"
        print(
            f"bomb {args.rows:,} x {args.columns} ({len(data) / 1024:.0f} KB, {label}): {elapsed:.2f} s "
            f"({elapsed / base_time:.2f}x baseline), peak {peak:.0f} MiB ({peak / base_peak:.2f}x), {outcome}"
        )


if __name__ == "__main__":
    main()
