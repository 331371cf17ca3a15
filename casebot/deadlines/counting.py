"""Counting a period as the Criminal Procedure Law counts it (art. 105) and as practice counts months.

- the day a period starts on is not counted: ``n`` days from ``start`` end on ``start + n``;
- a month runs from a day to the same day of the next month; where that day does
  not exist (31 January + 1 month), to the last day of that month; a period that
  starts on a month's last day runs to the last day of the month it ends in
  (28 February 2026 + 1 month = 31 March 2026);
- a period whose last day is a holiday (a day off in the official calendar)
  ends on the first working day after it, **except** while the person is in
  custody: then it ends on its last day, holiday or not.

Pure functions on :class:`datetime.date`; the calendar is passed in.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

#: a holiday run longer than this is a broken calendar, not a holiday week
MAX_HOLIDAY_RUN = 31


class WorkCalendar(Protocol):
    def is_workday(self, day: date) -> bool: ...
    def verified(self, day: date) -> bool: ...


def last_day(year: int, month: int) -> int:
    return _cal.monthrange(year, month)[1]


def add_days(start: date, days: int) -> date:
    """``days`` days from ``start``, the start day not counted."""
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """``months`` months from ``start``: the same day, or the month's last day where it does not exist;
    from a month's last day, to the last day of the month reached."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    end = last_day(year, month)
    if start.day == last_day(start.year, start.month):
        return date(year, month, end)
    return date(year, month, min(start.day, end))


@dataclass(frozen=True)
class Length:
    """A period's length: months and days (both may be set: 1 month and 15 days counts months first)."""

    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        return add_days(add_months(start, self.months), self.days)

    def plus(self, other: Length) -> Length:
        return Length(self.months + other.months, self.days + other.days)

    def words(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months}个月")
        if self.days:
            parts.append(f"{self.days}日")
        return "".join(parts) or "0日"


@dataclass(frozen=True)
class Shift:
    """What the holiday rule did to a period's last day."""

    last_day: date
    due: date
    #: the last day was a holiday and the period was not extended because the person is in custody
    custody_kept: bool
    #: every day looked at is in a year some calendar covers
    verified: bool

    @property
    def moved(self) -> bool:
        return self.due != self.last_day


def holiday_shift(last: date, cal: WorkCalendar, *, in_custody: bool) -> Shift:
    """The period's expiry given its last day: the next working day if that day is a holiday, unless in custody."""
    if in_custody:  # no calendar decides the day: it is verified whatever the year
        return Shift(last, last, not cal.is_workday(last), True)
    day, verified = last, cal.verified(last)
    for _ in range(MAX_HOLIDAY_RUN):
        if cal.is_workday(day):
            return Shift(last, day, False, verified)
        day += timedelta(days=1)
        verified = verified and cal.verified(day)
    raise ValueError(f"no working day within {MAX_HOLIDAY_RUN} days after {last}: the holiday calendar is broken")
