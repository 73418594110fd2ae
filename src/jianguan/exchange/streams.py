"""Reading submissions without holding them in memory: JSON lines, JSON arrays, Excel and CSV.

Each reader yields (row number, record[, original cells]); a line that cannot be parsed becomes a
row with its error, never a silent skip. A JSON array is checked for syntax in a first streaming
pass, so that a broken file writes nothing at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import orjson
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import Bilingual, DomainError, FieldError, lazy_format

_CHUNK = 1 << 20


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _first_byte(handle: BinaryIO) -> bytes:
    start = handle.read(4096).lstrip(b"\xef\xbb\xbf").lstrip()
    handle.seek(0)
    return start[:1]


def _line_error(number: int, code: str, zh: str, en: str) -> FieldError:
    return FieldError("__all__", Bilingual(zh, en), code=code, row=number)


def json_lines(handle: BinaryIO) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(handle, start=1):
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as bad:
                yield (
                    number,
                    _line_error(
                        number,
                        "invalid_utf8",
                        f"第 {number} 行不是有效的 UTF-8 文本",
                        f"Line {number} is not valid UTF-8 (byte {bad.start}).",
                    ),
                )
                continue
            yield (
                number,
                _line_error(
                    number,
                    "invalid_json",
                    f"第 {number} 行不是有效的 JSON：{exc}",
                    f"Line {number} is not valid JSON: {exc}",
                ),
            )


def _check_array(handle: BinaryIO) -> None:
    try:
        for _event in ijson.parse(handle):
            pass
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise DomainError(
            "invalid_json",
            lazy_format(_("The file is not a valid JSON array: %(detail)s"), {"detail": str(exc)[:200]}),
        ) from None
    finally:
        handle.seek(0)


def json_array(handle: BinaryIO) -> Iterator[tuple[int, Any]]:
    _check_array(handle)
    yield from enumerate(ijson.items(handle, "item", use_float=True), start=1)


def json_records(handle: BinaryIO) -> Iterator[tuple[int, Any]]:
    """A JSON array (rows numbered by position) or JSON lines (rows numbered by line)."""
    if _first_byte(handle) == b"[":
        return json_array(handle)
    return json_lines(handle)
