"""期限预警: every statutory deadline of a case, computed from the cards the ledger holds.

- :mod:`~casebot.deadlines.rules`: the rules as versioned data (``rules.yaml``);
- :mod:`~casebot.deadlines.counting`: counting days and months as the law counts them;
- :mod:`~casebot.deadlines.calendar`: working days (chinesecalendar, a site's year files, weekends);
- :mod:`~casebot.deadlines.compute`: per case and person, with each date's derivation;
- :mod:`~casebot.deadlines.report`, :mod:`~casebot.deadlines.alerts`: what people see and hear.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from casebot.deadlines.calendar import Calendar, library_version
from casebot.deadlines.compute import Deadline, compute, from_ledger
from casebot.deadlines.report import Report
from casebot.deadlines.rules import shipped

__all__ = ["Calendar", "Deadline", "Report", "calendar_for", "report_for"]


def calendar_for(settings: Any) -> Calendar:
    return Calendar.load([settings.path(p) for p in settings.deadlines.calendars])


def calendar_words(cal: Calendar) -> str:
    words = f"chinesecalendar {library_version()}" if library_version() else "仅按周末"
    if cal.years:
        words += "；本地文件 " + "、".join(str(y) for y in sorted(cal.years))
    return words


def report_for(settings: Any, *, today: date | None = None) -> Report:
    """The deadlines of every case in the configured ledger (an empty report before the first run)."""
    from casebot.ops.reading import read

    cal = calendar_for(settings)
    cases = read(settings, from_ledger, [])
    today = today or date.today()
    rules = shipped()
    found = compute(cases, today=today, cal=cal, rules=rules, soon_days=settings.deadlines.soon_days)
    return Report(today, rules.version, calendar_words(cal), found)
