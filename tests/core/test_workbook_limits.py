"""A workbook is measured before it is loaded: unpacked size, declared dimension, then rows and cells
while streaming. A small .xlsx that unpacks to a huge sheet is refused and nothing is written."""

import io
import re
import zipfile

import openpyxl
import pytest

from jianguan.core.errors import DomainError
from jianguan.core.models import ImportBatch
from jianguan.core.tabular import read_table
from jianguan.platform.importing import run_import

pytestmark = pytest.mark.django_db


def workbook(rows: int, columns: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["名称", "统一社会信用代码", "行政区划代码"] + [f"列{c}" for c in range(columns - 3)])
    for _ in range(rows):
        sheet.append(["0"] * columns)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def without_dimension(data: bytes) -> bytes:
    """The same workbook with its sheet's <dimension> claiming one cell: only streaming finds the truth."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb"<dimension[^>]*/>", b'<dimension ref="A1"/>', content)
            target.writestr(info, content)
    return out.getvalue()


def code_of(data: bytes, max_rows: int = 100_000) -> str:
    with pytest.raises(DomainError) as refused:
        read_table(data, "bomb.xlsx", max_rows=max_rows)
    return refused.value.code


def test_the_unpacked_size_is_checked_first(settings):
    data = workbook(200, 20)
    settings.IMPORT_MAX_UNPACKED_BYTES = 20_000
    assert len(data) < 20_000  # packed it fits; unpacked it does not
    assert code_of(data) == "file_too_large_unpacked"


def test_the_declared_dimension_and_the_streamed_cells_are_checked(settings):
    settings.IMPORT_MAX_CELLS = 10_000
    data = workbook(500, 40)  # 20,040 cells
    assert code_of(data) == "file_too_large_unpacked"
    assert code_of(without_dimension(data)) == "file_too_large_unpacked"


def test_rows_are_counted_while_streaming_when_the_dimension_lies():
    data = without_dimension(workbook(60, 3))
    assert code_of(data, max_rows=50) == "file_too_many_rows"


def test_a_refused_workbook_writes_nothing_and_says_why_in_both_languages(settings):
    settings.IMPORT_MAX_CELLS = 1_000
    with pytest.raises(DomainError) as refused:
        run_import("subjects", workbook(400, 10), "subjects.xlsx")
    body = refused.value.as_body()
    assert body["code"] == "file_too_large_unpacked" and "单元格" in body["message"] and "cells" in body["message_en"]
    assert not ImportBatch.objects.exists()


def test_a_workbook_within_the_limits_is_read_whole():
    table = read_table(workbook(300, 12), "ok.xlsx", max_rows=1000)
    assert len(table.rows) == 300 and len(table.headers) == 12
