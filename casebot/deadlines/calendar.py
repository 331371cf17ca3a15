"""Which days are working days: the official schedule of a maintained library, a site's own files, or weekends.

Sources, first that covers the day's year wins:

1. a year file a site added (``[deadlines] calendars``): the State Council's
   notice for that year as data, so a new year needs no new release;
2. the ``chinesecalendar`` package (official holidays and swapped working days,
   2004 to the last year its release knows);
3. weekends only: Saturday and Sunday off. A day counted this way is
   *unverified*, and so is every deadline that depended on it.

A year file (YAML)::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays: [2027-01-01, 2027-02-10, ...]   # days off (weekdays; weekends may be listed too)
    workdays: [2027-02-07, ...]               # weekend days that are working days (调休上班)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from casebot.errors import ConfigError


@dataclass(frozen=True)
class YearSchedule:
    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def load_year(path: Path) -> YearSchedule:
    """A site's year file; every problem is a ConfigError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"deadlines.calendars: {path.name}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise ConfigError(f"deadlines.calendars: {path.name}: needs year (a number), holidays and workdays")
    year = data["year"]
    days = {}
    for key in ("holidays", "workdays"):
        listed = data.get(key) or []
        if not isinstance(listed, list):
            raise ConfigError(f"deadlines.calendars: {path.name}: {key} must be a list of dates")
        days[key] = frozenset(_day(v, f"deadlines.calendars: {path.name}: {key}") for v in listed)
        stray = sorted(d for d in days[key] if d.year != year)
        if stray:
            raise ConfigError(f"deadlines.calendars: {path.name}: {key}: {stray[0]} is not in {year}")
    both = days["holidays"] & days["workdays"]
    if both:
        raise ConfigError(f"deadlines.calendars: {path.name}: {min(both)} is both a holiday and a working day")
    return YearSchedule(year, str(data.get("source") or path.name), days["holidays"], days["workdays"])


def _library() -> Any:
    try:
        import chinese_calendar
    except ModuleNotFoundError:  # pragma: no cover - a dependency; weekends only without it
        return None
    return chinese_calendar


def library_version() -> str | None:
    lib = _library()
    return getattr(lib, "__version__", None) if lib is not None else None


@dataclass
class Calendar:
    """Working days as the law's periods need them (see the module's doc for the sources)."""

    years: dict[int, YearSchedule] = field(default_factory=dict)
    use_library: bool = True
    _covered: dict[int, bool] = field(default_factory=dict, repr=False)
    #: days already looked up (the library validates its range on every call: slow for thousands of periods)
    _days: dict[date, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, files: Iterable[Path] = (), *, use_library: bool = True) -> Calendar:
        years: dict[int, YearSchedule] = {}
        for path in files:
            sched = load_year(path)
            if sched.year in years:
                raise ConfigError(f"deadlines.calendars: two files for {sched.year}")
            years[sched.year] = sched
        return cls(years, use_library)

    def _library_covers(self, year: int) -> bool:
        if not self.use_library:
            return False
        if year not in self._covered:
            lib = _library()
            ok = False
            if lib is not None:
                try:
                    lib.is_workday(date(year, 6, 1))
                    ok = True
                except NotImplementedError:
                    ok = False
            self._covered[year] = ok
        return self._covered[year]

    def source(self, year: int) -> str:
        """What the year's days come from, in words."""
        if year in self.years:
            return f"本地节假日文件（{self.years[year].source}）"
        if self._library_covers(year):
            return f"chinesecalendar {library_version() or ''}".strip()
        return "仅按周末计算（未核实）"

    def verified(self, day: date) -> bool:
        return day.year in self.years or self._library_covers(day.year)

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._look_up(day)
        return known

    def _look_up(self, day: date) -> bool:
        if day.year in self.years:
            return self.years[day.year].is_workday(day)
        if self._library_covers(day.year):
            return bool(_library().is_workday(day))
        return day.weekday() < 5
