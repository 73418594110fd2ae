"""Reading submissions without holding them in memory: JSON lines, JSON arrays, Excel and CSV.

Each reader yields (row number, record or JSON line[, original cells]); a line that cannot be
parsed becomes a row with its error where it is validated, never a silent skip. A JSON array is checked for syntax in a first streaming
pass, so that a broken file writes nothing at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import DomainError, lazy_format

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


def json_lines(handle: BinaryIO) -> Iterator[tuple[int, Any]]:
    """(line number, the line's bytes): each line is parsed where it is validated, so a broken line
    becomes a rejected row with its reason, and lines travel cheaply to a worker process."""
    for number, line in enumerate(handle, start=1):
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if line.strip():
            yield number, line


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
