"""Address → region (GB/T 2260) with a confidence, over the platform's own region table.

An Aho-Corasick automaton (pyahocorasick) holds every region's full name and its short form (the
name without 省/市/区/县/自治县…, when at least two characters remain); historical names map to
their successors (莱芜市 → 济南市莱芜区). A found county is trusted most when a containing city or
province is also named; a short name shared by several counties (市中区) is resolved by the
other names found, else by the caller's hint (the receiving city), else left at the level above.

Packaged parsers were considered: their region lists predate the 2019 changes (莱芜) and they cannot
use the receiving office as context, which is what resolves 市中区 in Jinan versus Zaozhuang.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from jianguan.core.models import Region

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
# Short forms that are ordinary words in complaint texts and would match by accident.
_AMBIGUOUS_SHORT = frozenset({"市中", "高新", "开发", "新区", "城区", "郊区", "矿区", "东区", "西区", "南区", "北区"})

# Confidence by how the region was found (the stored region_confidence).
CONFIDENCE = {
    "county_with_parent": 0.95,
    "county_unique": 0.85,
    "county_by_hint": 0.7,
    "city": 0.6,
    "province": 0.3,
    "hint_only": 0.1,
}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: int
    parent: str | None


@dataclass(frozen=True)
class Found:
    code: str | None
    confidence: float
    how: str


class AddressParser:
    def __init__(self, places: dict[str, Place], successors: dict[str, str]):
        self.places = places
        self.automaton = ahocorasick.Automaton()
        names: dict[str, set[tuple[str, bool]]] = {}
        for place in places.values():
            full = place.name
            names.setdefault(full, set()).add((place.code, False))
            short = _short(full)
            if short and short not in _AMBIGUOUS_SHORT:
                names.setdefault(short, set()).add((place.code, True))
        for old_name, new_code in successors.items():
            names.setdefault(old_name, set()).add((new_code, False))
        for name, codes in names.items():
            self.automaton.add_word(name, (name, tuple(sorted(codes))))
        self.automaton.make_automaton()

    def ancestors(self, code: str) -> list[str]:
        out = []
        place = self.places.get(code)
        while place is not None and place.parent:
            out.append(place.parent)
            place = self.places.get(place.parent)
        return out

    def parse(self, text: str, hint: str | None = None) -> Found:
        """The most specific region the text names, and how sure that is; `hint` is a region code
        (the receiving office's city) used to choose among namesakes and as the fallback."""
        text = re.sub(r"\s+", "", text or "")
        found: dict[str, bool] = {}  # code → found only by a short name
        for _end, (_name, codes) in self.automaton.iter_long(text) if text else ():
            for code, short in codes:
                found[code] = found.get(code, True) and short
        if not found:
            return Found(hint, CONFIDENCE["hint_only"] if hint else 0.0, "hint_only" if hint else "none")
        named = set(found)
        by_level: dict[int, list[str]] = {}
        for code in named:
            by_level.setdefault(self.places[code].level, []).append(code)
        for level in (3, 2, 1):
            candidates = sorted(by_level.get(level, []))
            if not candidates:
                continue
            # Prefer candidates whose ancestors are also named, then those inside the hint.
            with_parent = [c for c in candidates if named.intersection(self.ancestors(c))]
            if with_parent:
                best = _deepest_agreement(with_parent, named, self)
                return Found(best, _level_confidence(level, "with_parent"), "named_with_parent")
            inside = [c for c in candidates if hint and _within(c, hint, self)]
            if len(candidates) == 1:
                how = "unique" if not hint or inside or level < 3 else "unique_outside_hint"
                return Found(candidates[0], _level_confidence(level, "unique"), how)
            if len(inside) == 1:
                return Found(inside[0], _level_confidence(level, "hint"), "by_hint")
            # Namesakes not resolved: keep the level above if they share it.
            parents = {self.places[c].parent for c in (inside or candidates)}
            if len(parents) == 1 and parents != {None}:
                parent = parents.pop()
                return Found(parent, _level_confidence(self.places[parent].level, "unique"), "namesakes_parent")
        return Found(hint, CONFIDENCE["hint_only"] if hint else 0.0, "ambiguous")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return ""


def _within(code: str, hint: str, parser: AddressParser) -> bool:
    return code == hint or hint in parser.ancestors(code)


def _deepest_agreement(candidates: list[str], named: set[str], parser: AddressParser) -> str:
    return max(candidates, key=lambda c: (len(named.intersection(parser.ancestors(c))), c))


def _level_confidence(level: int, how: str) -> float:
    if level == 3:
        return {
            "with_parent": CONFIDENCE["county_with_parent"],
            "unique": CONFIDENCE["county_unique"],
            "hint": CONFIDENCE["county_by_hint"],
        }[how]
    return CONFIDENCE["city"] if level == 2 else CONFIDENCE["province"]


@lru_cache(maxsize=4)
def _parser_for(province: str, version: int) -> AddressParser:
    rows = Region.objects.all() if not province else Region.objects.filter(code__startswith=province)
    places, successors = {}, {}
    for code, name, level, parent, historical, successor in rows.values_list(
        "code", "name", "level", "parent_id", "is_historical", "successor_id"
    ):
        if historical:
            if successor:
                successors[name] = successor
            continue
        places[code] = Place(code, name, level, parent)
    successors = {name: code for name, code in successors.items() if code in places}
    return AddressParser(places, successors)


_checked: dict[str, tuple[float, int]] = {}
RECHECK_SECONDS = 60


def address_parser(province: str = "37") -> AddressParser:
    """The parser over one province's regions (rebuilt when the region table changes; checked each minute)."""

    now = time.monotonic()
    last = _checked.get(province)
    if last is None or now - last[0] > RECHECK_SECONDS:
        last = _checked[province] = (now, Region.objects.count())
    return _parser_for(province, last[1])
