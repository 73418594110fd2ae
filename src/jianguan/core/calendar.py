"""Chinese working-day calendar (工作日 / 调休).

The `chinese-calendar` package knows the State Council's holiday schedule for the years it ships
(2004-2026 in 1.11). Administrators add later years as `CalendarOverride` rows and mark the year as
published (`CalendarYear`). For a year that neither source covers, the calendar falls back to
Monday-Friday and every result computed through such a day is marked provisional, naming the year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import chinese_calendar
from django.utils import timezone

from jianguan.core.choices import CalendarDayKind
from jianguan.core.models import CalendarOverride, CalendarYear

_PACKAGE_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
# Deadlines never run further than this many calendar days per working day; guards against loops.
_MAX_SPAN_DAYS = 3700


class CalendarDate(dt.date):
    """A date computed on the working-day calendar; `provisional` when a year was not covered."""

    provisional: bool
    missing_years: tuple[int, ...]

    def __new__(cls, value: dt.date, missing_years: set[int] | tuple[int, ...] = ()):
        obj = super().__new__(cls, value.year, value.month, value.day)
        obj.missing_years = tuple(sorted(set(missing_years)))
        obj.provisional = bool(obj.missing_years)
        return obj

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, self.day)

    # Arithmetic gives plain dates: a shifted date is no longer the calendar's answer.
    def __add__(self, other):
        return self.as_date() + other

    __radd__ = __add__

    def __sub__(self, other):
        return self.as_date() - (other.as_date() if isinstance(other, CalendarDate) else other)

    def __reduce__(self):
        return (CalendarDate, (dt.date(self.year, self.month, self.day), self.missing_years))


@dataclass
class WorkingCalendar:
    """The calendar for one computation: package data plus the overrides loaded once."""

    overrides: dict[dt.date, str] = field(default_factory=dict)
    published_years: frozenset[int] = frozenset()
    missing: set[int] = field(default_factory=set)
    _memo: dict[dt.date, bool] = field(default_factory=dict, repr=False)
    # add_working_days answers by (start, n): a bulk computation (a year of imported work orders)
    # asks the same spans from the same days thousands of times; the calendar is fixed once loaded.
    _spans: dict[tuple[dt.date, int], CalendarDate] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, start: dt.date | None = None, end: dt.date | None = None) -> WorkingCalendar:
        rows = CalendarOverride.objects.all()
        if start is not None:
            rows = rows.filter(date__gte=start)
        if end is not None:
            rows = rows.filter(date__lte=end)
        return cls(
            overrides=dict(rows.values_list("date", "kind")),
            published_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        )

    def covers(self, year: int) -> bool:
        return year in _PACKAGE_YEARS or year in self.published_years

    def is_workday(self, day: dt.date) -> bool:
        known = self._memo.get(day)
        if known is not None:
            return known
        answer = self._is_workday(day)
        if day.year in _PACKAGE_YEARS or day.year in self.published_years or day in self.overrides:
            self._memo[day] = answer  # fallback answers are not memoised: they mark the year missing
        return answer

    def _is_workday(self, day: dt.date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDayKind.WORKDAY
        if day.year in _PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in self.published_years:
            self.missing.add(day.year)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> CalendarDate:
        """The date n working days after `start` (n = 0: start itself if a workday, else the next one)."""
        if n < 0:
            return self.subtract_working_days(start, -n)
        known = self._spans.get((start, n))
        if known is not None:
            self.missing = set(known.missing_years)
            return known
        answer = self._spans[(start, n)] = self._add_working_days(start, n)
        return answer

    def _add_working_days(self, start: dt.date, n: int) -> CalendarDate:
        self.missing = set()
        day = start
        if n == 0:
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
            return CalendarDate(day, self.missing)
        counted = 0
        for _ in range(_MAX_SPAN_DAYS):
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
                if counted == n:
                    return CalendarDate(day, self.missing)
        raise ValueError(f"no {n} working days within {_MAX_SPAN_DAYS} days of {start}")

    def subtract_working_days(self, start: dt.date, n: int) -> CalendarDate:
        self.missing = set()
        day, counted = start, 0
        while counted < n:
            day -= dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return CalendarDate(day, self.missing)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        self.missing = set()
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


_session: ContextVar[WorkingCalendar | None] = ContextVar("working_calendar", default=None)


@contextmanager
def calendar_session() -> Iterator[WorkingCalendar]:
    """Load the calendar once for a bulk computation (an import of many deadlines): inside the
    block, add_working_days and deadline_after use it instead of querying the overrides per call."""
    calendar = WorkingCalendar.load()
    token = _session.set(calendar)
    try:
        yield calendar
    finally:
        _session.reset(token)


def session_calendar() -> WorkingCalendar:
    """The calendar of the enclosing `calendar_session`, else one loaded now."""
    session = _session.get()
    return session if session is not None else WorkingCalendar.load()


def add_working_days(start: dt.date, n: int) -> CalendarDate:
    """The date n working days after `start`, on statutory holidays, 调休 and admin overrides."""
    session = _session.get()
    if session is not None:
        return session.add_working_days(start, n)
    horizon = start + dt.timedelta(days=abs(n) * 3 + 40)
    low, high = (start, horizon) if n >= 0 else (start - dt.timedelta(days=abs(n) * 3 + 40), start)
    return WorkingCalendar.load(low, high).add_working_days(start, n)


def is_workday(day: dt.date) -> bool:
    return WorkingCalendar.load(day, day).is_workday(day)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return WorkingCalendar.load(min(start, end), max(start, end)).working_days_between(start, end)


def uncovered_years(start: dt.date, end: dt.date) -> list[int]:
    """Years in [start, end] for which neither the package nor a published override year exists."""

    calendar = WorkingCalendar(published_years=frozenset(CalendarYear.objects.values_list("year", flat=True)))
    return [year for year in range(start.year, end.year + 1) if not calendar.covers(year)]


def deadline_after(
    start: dt.datetime, *, working_days: int | None = None, hours: int | None = None, fraction: float = 1.0
) -> tuple[dt.datetime, bool]:
    """The moment `fraction` of an SLA has run from `start`, and whether it is provisional.

    A working-day SLA ends at the close (24:00 local) of the n-th working day after the start date;
    a fraction of it is counted in whole working days plus a share of the next one. An hour SLA
    counts clock hours, because hour-level deadlines are for urgent matters that do not wait.
    """

    if hours is not None:
        return start + dt.timedelta(hours=hours * fraction), False
    assert working_days is not None
    local = timezone.localtime(start)
    span = working_days * fraction
    whole = int(span)
    share = span - whole
    if share == 0:
        day = add_working_days(local.date(), whole)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=local.tzinfo)
        return end, day.provisional
    day = add_working_days(local.date(), whole + 1)
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=local.tzinfo) + dt.timedelta(days=share)
    return moment, day.provisional
