"""Personal data inside free text: found, masked for display and storage, the original sealed.

Found: resident ID numbers (18 characters, valid check character and date of birth, GB 11643),
mobile and fixed-line phone numbers, bank card numbers (16 to 19 digits passing the Luhn check),
and the detailed part of a person's address (after 住址, 家住, 住在 … up to the house or room
number, or a building–unit–room number on its own). A text is stored masked; when anything was
found, the original is kept sealed beside it, for the people who may see the person.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from stdnum import luhn

from jianguan.core.codes import CodeError, mask_id_number, validate_id_number
from jianguan.core.pii import decrypt, encrypt

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![\d-])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?![\d-])")
_MOBILE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3}-)\d{7,8}(?![\d-])")
_NUMBER = r"(?:\d{1,5}|[一二三四五六七八九十百零]{1,4})"
# House, building, unit and room numbers in a row, e.g. 188号3号楼2单元501室 (the last room number may stand bare).
_PARTS = rf"(?:{_NUMBER}(?:号楼|号院|栋|幢|座|单元|室|号|户|院))+(?:\d{{1,5}}(?![\d号]))?"
_AT_HOME = re.compile(
    rf"(?P<lead>住址|家住|住在|居住在|居住地|家庭住址|现住址?|户籍地址?)[：:\s]*"
    rf"(?P<place>[^\s，。,;；！!？?、]{{0,40}}?{_PARTS})"
)
# A flat on its own: building and unit, unit and room, or building and room.
_UNIT = re.compile(
    rf"(?:{_NUMBER}(?:号楼|栋|幢|座))?{_NUMBER}单元{_NUMBER}(?:室|号|户)?|{_NUMBER}(?:号楼|栋|幢|座){_NUMBER}(?:室|户)"
)


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # id_number / bank_card / phone / address
    start: int
    end: int
    masked: str


def _id(match: re.Match) -> str | None:
    try:
        number = validate_id_number(match.group().upper())
    except CodeError:
        return None
    return mask_id_number(number)


def _card(match: re.Match) -> str | None:
    digits = re.sub(r"\D", "", match.group())
    if not 16 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return None
    return f"{digits[:4]} **** **** {digits[-4:]}"


def _phone(match: re.Match) -> str | None:
    text = match.group()
    if text.startswith(("0", "(")):  # fixed line: the area code stays
        area, number = re.split(r"[-)]", text.lstrip("("), maxsplit=1)
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    digits = re.sub(r"\D", "", text)[-11:]
    return digits[:3] + "****" + digits[-4:]


def _address(match: re.Match) -> str | None:
    lead = match.groupdict().get("lead") or ""
    return f"{lead}****"


_FINDERS: list[tuple[str, re.Pattern, Callable[[re.Match], str | None]]] = [
    ("id_number", _ID, _id),
    ("bank_card", _CARD, _card),
    ("phone", _MOBILE, _phone),
    ("phone", _LANDLINE, _phone),
    ("address", _AT_HOME, _address),
    ("address", _UNIT, _address),
]


def find(text: str) -> list[Found]:
    """Personal data in a text, in order, without overlaps (the first finder to claim a span wins)."""
    if not text:
        return []
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, mask in _FINDERS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            masked = mask(match)
            if masked is not None:
                found.append(Found(kind, start, end, masked))
                taken.append((start, end))
    return sorted(found, key=lambda f: f.start)


def masked(text: str) -> str:
    """The text with each piece of personal data replaced by its masked form."""
    pieces, at = [], 0
    for item in find(text):
        pieces += [text[at : item.start], item.masked]
        at = item.end
    return "".join(pieces) + text[at:] if pieces else text


def sealed_texts(**texts: str) -> tuple[dict[str, str], str]:
    """Mask several texts of one object; returns the masked texts and, if anything was found,
    the originals sealed together (else "")."""
    shown = {name: masked(value or "") for name, value in texts.items()}
    if shown == {name: value or "" for name, value in texts.items()}:
        return shown, ""

    return shown, encrypt(orjson.dumps(texts).decode())


def unsealed_texts(sealed: str) -> dict[str, str]:
    return orjson.loads(decrypt(sealed)) if sealed else {}


def _masked_value(value, whole: Callable[[str], str] | None):
    if isinstance(value, str):
        return whole(value) if whole else masked(value)
    if isinstance(value, dict):
        return {k: _masked_value(v, None) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_value(v, None) for v in value]
    return value


def mask_whole_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1)


def mask_whole_code(code: str) -> str:
    return mask_id_number(code)


def kept_row(data: dict, whole: dict[str, Callable[[str], str]] | None = None) -> tuple[dict, str]:
    """A row kept for correction: every text masked where it holds personal data, the keys named in
    `whole` masked entirely (an ID number that failed its check is still someone's); the original,
    if anything changed, sealed (else "")."""
    whole = whole or {}
    shown = {key: _masked_value(value, whole.get(key)) for key, value in data.items()}
    if shown == data:
        return data, ""

    return shown, encrypt(orjson.dumps(data).decode())


def unsealed_row(data: dict, sealed: str) -> dict:
    """The row as sent, for the people correcting it."""

    return orjson.loads(decrypt(sealed)) if sealed else data
