"""Reading and writing the tables offices use: Excel (.xlsx) and CSV in UTF-8, GBK or GB18030.

Reading returns raw rows keyed by header text; nothing here knows about any register. A file
that cannot be read raises a DomainError and no row is returned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, lazy_format

FORMULA_WITHOUT_VALUE = object()


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the user sees it, values by header)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("file_encoding", _("The CSV file is neither UTF-8 nor GBK/GB18030 text."))


def _read_csv(data: bytes, max_rows: int) -> Table:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader)
    except StopIteration:
        raise DomainError("file_empty", _("The file is empty.")) from None
    except csv.Error as exc:
        raise DomainError("file_malformed", lazy_format(_("The CSV file is malformed: %(e)s"), {"e": exc})) from None
    headers = [h.strip() for h in headers]
    rows = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(headers)}))
    except csv.Error as exc:
        raise DomainError("file_malformed", lazy_format(_("The CSV file is malformed: %(e)s"), {"e": exc})) from None
    return Table(headers, rows)


def _too_many(max_rows: int) -> DomainError:
    return DomainError(
        "file_too_many_rows",
        lazy_format(_("The file has more than %(n)d data rows; split it into smaller files."), {"n": max_rows}),
    )


def _unreadable(exc: Exception) -> DomainError:
    return DomainError(
        "file_unreadable",
        lazy_format(_("The Excel file cannot be read (%(e)s). Save it again as .xlsx."), {"e": exc.__class__.__name__}),
    )


def _too_large(limit: Any, value: int) -> DomainError:
    return DomainError(
        "file_too_large_unpacked",
        lazy_format(
            _("The workbook unpacks to more than the import allows (%(limit)s: %(value)d); split it."),
            {"limit": limit, "value": value},
        ),
        status=413,
    )


_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_RELATION = re.compile(rb"<Relationship\b[^>]*>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:([A-Z]+)(\d+)\"")
# How a row and a cell element begin, with or without a namespace prefix (bytes.count: no allocation).
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")


def _count(data: bytes, tags: tuple[bytes, ...], end: int) -> int:
    return sum(data.count(tag, 0, end) for tag in tags)


def _first_sheet(archive: zipfile.ZipFile) -> str:
    """The archive member holding the workbook's first sheet (the one imported)."""
    entry = _SHEET_ENTRY.search(archive.read("xl/workbook.xml")[:1_000_000])
    if entry is not None:
        for relation in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels")[:1_000_000]):
            if f'Id="{entry.group(1).decode()}"'.encode() in relation:
                target = re.search(rb'Target="([^"]+)"', relation)
                if target is not None:
                    path = target.group(1).decode().lstrip("/")
                    return path if path.startswith("xl/") else f"xl/{path}"
    raise KeyError("first sheet")


def _check_workbook(data: bytes, max_rows: int) -> None:
    """Refuse a workbook too big to load before loading it: a small .xlsx can unpack to gigabytes.

    Three checks, cheapest first: the unpacked size the archive declares; the first sheet's declared
    dimension; then the sheet's XML read as a stream, a megabyte at a time, counting rows and cells
    and stopping at either limit, since a dimension may be missing or false. Only a workbook within
    every limit is loaded whole (merged cells and formulas need the full model), so its memory stays
    bounded by the cell limit.
    """
    max_cells = settings.IMPORT_MAX_CELLS

    def within(rows: int, cells: int) -> None:
        if rows - 1 > max_rows:
            raise _too_many(max_rows)
        if cells > max_cells:
            raise _too_large(_("cells"), cells)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise _too_large(_("unpacked bytes"), unpacked)
            with archive.open(_first_sheet(archive)) as sheet:
                chunk = sheet.read(1 << 20)
                dimension = _DIMENSION.search(chunk[:65536])
                if dimension is not None:
                    declared_rows = int(dimension.group(2))
                    within(declared_rows, declared_rows * _column_number(dimension.group(1).decode()))
                rows = cells = 0
                tail = b""
                while chunk:
                    # Counted up to the last "<": every tag begun before it is whole; the rest waits
                    # for the next chunk, so a tag split between chunks is counted once.
                    window = tail + chunk
                    cut = max(window.rfind(b"<"), 0)
                    rows += _count(window, _ROW_TAGS, cut)
                    cells += _count(window, _CELL_TAGS, cut)
                    tail = window[cut:]
                    within(rows, cells)
                    chunk = sheet.read(1 << 20)
            within(rows + _count(tail, _ROW_TAGS, len(tail)), cells + _count(tail, _CELL_TAGS, len(tail)))
    except DomainError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise _unreadable(exc) from None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    import openpyxl

    _check_workbook(data, max_rows)
    try:
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _unreadable(exc) from None
    sheet, formula_sheet = values.worksheets[0], formulas.worksheets[0]
    if sheet.max_row - 1 > max_rows:
        raise _too_many(max_rows)
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    # A merged range shows its value in every cell it covers, as the person who merged it meant.
    for merged in sheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row - 1 < len(grid) else None
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            for c in range(merged.min_col - 1, merged.max_col):
                if c < len(grid[r]):
                    grid[r][c] = top
    # A formula whose result was never calculated (file written by a program, not by Excel) has no value.
    for r, row in enumerate(formula_sheet.iter_rows(values_only=True)):
        for c, cell in enumerate(row):
            if isinstance(cell, str) and cell.startswith("=") and r < len(grid) and grid[r][c] is None:
                grid[r][c] = FORMULA_WITHOUT_VALUE
    if not grid:
        raise DomainError("file_empty", _("The file is empty."))
    headers = [str(h).strip() if h is not None else "" for h in grid[0]]
    rows = []
    for number, values_row in enumerate(grid[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values_row):
            continue
        rows.append((number, {h: values_row[i] if i < len(values_row) else None for i, h in enumerate(headers) if h}))
    return Table(headers, rows)


def read_table(data: bytes, filename: str, *, max_rows: int) -> Table:
    """Parse an uploaded .xlsx or .csv file into raw rows; refuse anything else."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data, max_rows)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(data, max_rows)
    if name.endswith(".xls"):
        raise DomainError("file_type", _("Old .xls files are not supported; save the file as .xlsx."))
    raise DomainError("file_type", _("Only .xlsx and .csv files can be imported."))


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones: local time
    if isinstance(value, dt.datetime | dt.date | int | float) or value is None:
        return value
    text = str(value)
    # A cell starting with = + - @ would run as a formula when the export is opened in Excel.
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "data") -> bytes:
    return write_xlsx_sheets([(title, headers, rows)])


def write_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One workbook with a sheet per (title, headers, rows); bold, frozen header rows."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=False)
    book.remove(book.active)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    # UTF-8 with BOM: Excel on Chinese Windows opens it as UTF-8 instead of guessing GBK.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
