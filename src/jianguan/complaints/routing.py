"""Where a demand goes: its region (from the address), its subject (from the text), the responsible
department (from the dispatch catalogue) and the 12345 office that receives it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum.cn import uscc as uscc_code

from jianguan.complaints.choices import RoutingOutcome
from jianguan.complaints.models import Category, DispatchRule
from jianguan.complaints.policy import policy
from jianguan.core.address import address_parser
from jianguan.core.models import Department, Region, Sector
from jianguan.platform.services import (
    unit_for_region,
    unit_preference,
)
from jianguan.subjects.models import Subject

_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Subject names end in one of these; candidates are the strings ending there (4 to 40 characters).
_NAME_ENDINGS = re.compile(
    r"(有限责任公司|股份有限公司|有限公司|分公司|分店|超市|商场|酒店|饭店|餐厅|餐馆|药店|大药房|诊所|门诊部|医院|"
    r"加油站|便利店|商店|商行|经营部|专卖店|旅行社|网吧|健身房|美容院|幼儿园|培训学校|物业服务中心|"
    r"五金|餐饮|食品|家政|娱乐|广告|化工|运输|机械|房产|网络|农业|建筑)"
)
_LEVEL = {DispatchRule.Level.COUNTY: 3, DispatchRule.Level.CITY: 2, DispatchRule.Level.PROVINCE: 1}


@dataclass
class Route:
    outcome: str
    lead: Department | None = None
    co: list[Department] = field(default_factory=list)


def locate(text: str, hint: str | None) -> tuple[str | None, float]:
    found = address_parser().parse(text, hint)
    return found.code, found.confidence


def find_subject(text: str, uscc: str | None = None) -> tuple[Subject | None, str]:
    """A subject named in the text: by a valid USCC first, else by an exact registered name."""
    return find_subjects([(text, uscc)])[0]


def find_subjects(items: list[tuple[str, str | None]]) -> list[tuple[Subject | None, str]]:
    """`find_subject` for many (text, uscc) at once, with a query for the codes and one for the names.

    By code: the first registered subject (lowest id) among the USCC given and the valid ones in
    the text. By name: the longest registered name that ends the text's candidate names (the most
    specific), of the 20 last in name order; two of the same length: none.
    """
    codes = []
    for text, uscc in items:
        found = [uscc] if uscc else []
        found += [c for c in _USCC.findall(text or "") if uscc_code.is_valid(c)]
        codes.append(found)
    by_code: dict[str, Subject] = {}
    for subject in Subject.objects.filter(uscc__in={c for found in codes for c in found}).order_by("id"):
        by_code.setdefault(subject.uscc, subject)
    out: list[tuple[Subject | None, str]] = [(None, "")] * len(items)
    wanted: dict[int, list[str]] = {}
    for index, ((text, _uscc), found) in enumerate(zip(items, codes, strict=True)):
        matches = [by_code[c] for c in found if c in by_code]
        if matches:
            out[index] = (min(matches, key=lambda subject: subject.pk), "uscc")
            continue
        candidates: set[str] = set()
        for match in _NAME_ENDINGS.finditer(text or ""):
            end = match.end()
            for start in range(max(0, end - 40), end - 3):
                candidates.add(text[start:end])
        if candidates:
            wanted[index] = sorted(candidates)
    if not wanted:
        return out
    registered: dict[str, list[int]] = {}
    for pk, name in Subject.objects.filter(name__in={n for names in wanted.values() for n in names}).values_list(
        "pk", "name"
    ):
        registered.setdefault(name, []).append(pk)
    chosen: dict[int, int] = {}
    for index, candidates in wanted.items():
        named = sorted(((pk, n) for n in candidates for pk in registered.get(n, ())), key=lambda x: x[1], reverse=True)
        named = named[:20]
        if not named:
            continue
        longest = max(len(n) for _pk, n in named)
        best = [pk for pk, n in named if len(n) == longest]
        if len(best) == 1:
            chosen[index] = best[0]
    subjects = Subject.objects.in_bulk(set(chosen.values()))
    for index, pk in chosen.items():
        out[index] = (subjects[pk], "name")
    return out


class Catalogue:
    """The dispatch catalogue, the departments and the region tree, read once: route many orders
    (an import, the demo, a benchmark) without querying per order. A live intake uses a fresh one."""

    def __init__(self) -> None:
        self.rules = {
            r.category_id: r for r in DispatchRule.objects.select_related("sector").prefetch_related("co_sectors")
        }
        self.parents = dict(Category.objects.values_list("pk", "parent_id"))
        self.regions = {
            code: (parent, level) for code, parent, level in Region.objects.values_list("code", "parent_id", "level")
        }
        self.departments: dict[tuple[int, str], Department] = {}
        units = Department.objects.filter(is_active=True, sector__isnull=False).select_related("parent")
        for department in sorted(units, key=unit_preference):
            self.departments[(department.sector_id, department.region_id)] = department

    def rule_for(self, category: Category | None) -> DispatchRule | None:
        node = category.pk if category is not None else None
        while node is not None:
            if node in self.rules:
                return self.rules[node]
            node = self.parents.get(node)
        return None

    def department_for(self, sector_id: int, region_code: str, deepest_level: int) -> Department | None:
        code = region_code
        while code is not None:
            parent, level = self.regions.get(code, (None, 0))
            if level <= deepest_level and (sector_id, code) in self.departments:
                return self.departments[(sector_id, code)]
            code = parent
        return None

    def route(self, category: Category | None, region_code: str) -> Route:
        """Category + region → lead unit and co-handlers."""
        if category is None:
            return Route(RoutingOutcome.NO_CATEGORY)
        rule = self.rule_for(category)
        if rule is None:
            return Route(RoutingOutcome.NO_RULE)
        level = _LEVEL[rule.level]
        lead = self.department_for(rule.sector_id, region_code, level)
        if lead is None:
            return Route(RoutingOutcome.NO_DEPARTMENT)
        co = []
        for sector in rule.co_sectors.all():
            department = self.department_for(sector.pk, region_code, level)
            if department is not None and department != lead:
                co.append(department)
        return Route(RoutingOutcome.ROUTED, lead, co)


def route(category: Category | None, region_code: str) -> Route:
    """Category + region → lead unit and co-handlers, through the dispatch catalogue (one order)."""
    return _LiveCatalogue().route(category, region_code)


class _LiveCatalogue(Catalogue):
    """The same rules with targeted queries, for one live order."""

    def __init__(self) -> None:  # noqa: D107 - nothing is preloaded
        pass

    def rule_for(self, category: Category | None) -> DispatchRule | None:
        node = category
        while node is not None:
            rule = DispatchRule.objects.filter(category=node).select_related("sector").first()
            if rule is not None:
                return rule
            node = node.parent
        return None

    def department_for(self, sector_id: int, region_code: str, deepest_level: int) -> Department | None:
        return unit_for_region(sector_id, region_code, deepest_level)


def office_for(region_code: str | None) -> Department | None:
    """The 12345 office of the region's city, else the provincial office."""

    sector = Sector.objects.filter(code=policy()["office_sector"]).first()
    if sector is None:
        return None
    if region_code:
        found = unit_for_region(sector.pk, region_code, 2)
        if found is not None:
            return found
    return Department.objects.filter(sector=sector, parent__isnull=True, is_active=True).order_by("pk").first()
