"""Text from outside: characters that no stored text may hold.

PostgreSQL cannot store NUL (U+0000) in text, and the other C0 controls (except tab, line feed and
carriage return), DEL and lone surrogates are never part of a real document: they come from broken
exports or from probing. Every path that takes text from outside rejects them per row with the code
``control_character``, so that one bad row never fails its batch.
"""

from __future__ import annotations

import re

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
