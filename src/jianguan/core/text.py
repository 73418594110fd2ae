"""Text from outside: characters that no stored text may hold.

PostgreSQL cannot store NUL (U+0000) in text, and the other C0 controls (except tab, line feed and
carriage return), DEL and lone surrogates are never part of a real document: they come from broken
exports or from probing. Every path that takes text from outside rejects them per row with the code
``control_character``, so that one bad row never fails its batch.
"""

from __future__ import annotations

import re

import orjson
from django.utils.translation import gettext_lazy as _

from jianguan.core.errors import Bilingual, DomainError, FieldError

# C0 controls except \t \n \r, DEL, and UTF-16 surrogates (which cannot be encoded to UTF-8).
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
CODE = "control_character"


def first_forbidden(value: str) -> int | None:
    """The index of the first character no stored text may hold, or None."""
    match = FORBIDDEN.search(value)
    return match.start() if match else None


def describe(value: str, index: int) -> tuple[str, str]:
    """The Chinese and English message for a forbidden character at `index`."""
    char = value[index]
    label = f"U+{ord(char):04X}"
    return (
        f"第 {index + 1} 个字符是不允许的控制字符（{label}）",
        f"character {index + 1} is a control character that cannot be stored ({label})",
    )


# In a JSON line, the escapes and the one raw byte that can decode to a forbidden character: \u0000-\u001f
# (tab, LF and CR among them: a hit only sends the line to the exact check), \u007f, surrogates, \b, \f
# and a raw DEL. A line without any of them cannot hold a forbidden character once parsed.
JSON_HINT = re.compile(rb"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u[dD][89a-fA-F]|\\[bf]|\x7f")


def json_hint(encoded: bytes) -> bool:
    """Whether JSON text may decode to a forbidden character (`JSON_HINT` found in it).

    Every hint starts with a backslash or is a raw DEL; two byte searches rule out almost every line
    before the regular expression (whose alternatives it cannot search for at C speed) runs.
    """
    return (b"\\" in encoded or b"\x7f" in encoded) and JSON_HINT.search(encoded) is not None


def find_forbidden(value: object, path: str = "") -> tuple[str, str, int] | None:
    """The first forbidden character in a parsed value (keys included): (field path, text, index), or None.

    A record is first encoded by orjson and the bytes searched (about a third of the cost of walking
    it, and almost every record is clean); only a hit, or a value orjson cannot encode (a lone
    surrogate, a type of its own), is walked to name the field.
    """
    if isinstance(value, dict | list | tuple):
        try:
            if not json_hint(orjson.dumps(value)):
                return None
        except TypeError:
            pass
    return _walk(value, path)


def _walk(value: object, path: str) -> tuple[str, str, int] | None:
    if isinstance(value, str):
        index = first_forbidden(value)
        return (path or "__all__", value, index) if index is not None else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found = _walk(key, name) if isinstance(key, str) else None
            found = found or _walk(item, name)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for position, item in enumerate(value):
            found = _walk(item, f"{path}.{position}" if path else str(position))
            if found:
                return found
    return None


def scrubbed(value: object) -> object:
    """A copy fit to store (JSONB refuses NUL): each forbidden character shown as U+FFFD for correction."""
    if isinstance(value, str):
        return FORBIDDEN.sub("\ufffd", value)
    if isinstance(value, dict):
        return {scrubbed(key): scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return value


def forbidden_error(found: tuple[str, str, int], row: int | None = None) -> FieldError:
    """The FieldError for a forbidden character found by `find_forbidden`."""
    field, text, index = found
    zh, en = describe(text, index)
    # The path may name a key that holds the character itself: it is echoed and stored, so scrubbed.
    return FieldError(scrubbed(field), Bilingual(zh, en), code=CODE, row=row)


def refusal(error: FieldError, status: int = 400) -> DomainError:
    """A whole request refused for a forbidden character (one field error named)."""
    return DomainError("invalid_request", _("The request has invalid fields."), errors=[error], status=status)
