"""Pydantic field types for the data standard, forgiving of how offices type things in Excel.

Dates may be real dates, Excel serial numbers, or text such as 2024-03-05, 2024/3/5, 2024.3.5,
20240305 or 2024年3月5日. Codes typed as numbers lose their trailing ".0". Blank text is None.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError


def invalid(code: str, zh: str, en: str) -> PydanticCustomError:
    """A validation error that carries its Chinese and English messages."""
    return PydanticCustomError(code, en, {"zh": zh})


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _blank_to_none(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def parse_date(value: Any) -> dt.date | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise invalid("date_invalid", f"{value} 不是日期", f"{value} is not a date")
    text = str(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise invalid("date_invalid", f"{text} 不是有效日期", f"{text} is not a calendar date") from None
    raise invalid(
        "date_format",
        f"无法识别日期“{text}”，请使用 YYYY-MM-DD 格式",
        f"{text} is not a date (use YYYY-MM-DD)",
    )


def parse_code(value: Any) -> str | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s", "", str(value)).upper()


def parse_text(value: Any) -> str | None:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRUE = {"1", "true", "yes", "y", "是", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "否", "×", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text.endswith(".0"):
        text = text[:-2]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise invalid("bool_invalid", f"“{value}”应为“是”或“否”", f"{value!r} is not yes/no")


def parse_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[,，;；、|]", str(value)) if part.strip()]


DateValue = Annotated[dt.date | None, BeforeValidator(parse_date)]
CodeValue = Annotated[str | None, BeforeValidator(parse_code)]
TextValue = Annotated[str | None, BeforeValidator(parse_text)]
BoolValue = Annotated[bool, BeforeValidator(parse_bool)]
ListValue = Annotated[list[str], BeforeValidator(parse_list)]


# An id from outside: positive and inside the database's 64-bit integer.
ObjectId = Annotated[int, Field(gt=0, lt=2**63)]
