"""期限预警: every statutory deadline of a case, computed from the cards the ledger holds.

- :mod:`~casebot.deadlines.rules`: the rules as versioned data (``rules.yaml``);
- :mod:`~casebot.deadlines.counting`: counting days and months as the law counts them;
- :mod:`~casebot.deadlines.calendar`: working days (chinesecalendar, a site's year files, weekends);
- :mod:`~casebot.deadlines.compute`: per case and person, with each date's derivation;
- :mod:`~casebot.deadlines.report`: what people see.

Pure rules and arithmetic over cards: no ledger, no notification (``casebot.ops.deadlines`` reads the
ledger and tells people). May import: the domain, ``errors``, ``logs`` and ``htmlenv``.
"""

from __future__ import annotations

from casebot.deadlines.calendar import Calendar, library_version
from casebot.deadlines.compute import Deadline, compute, from_ledger
from casebot.deadlines.report import Report
from casebot.deadlines.rules import shipped

__all__ = ["Calendar", "Deadline", "Report", "compute", "from_ledger", "library_version", "shipped"]
