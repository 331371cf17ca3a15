"""What a run ends with: each case's result, the run's summary, and the exit status they give
(the statuses themselves: :mod:`casebot.domain.exits`).

This is what the commands and the report import; it knows nothing of browsers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from casebot.domain.exits import (
    EXIT_BUG,
    EXIT_CASES_FAILED,
    EXIT_CONFIG,
    EXIT_HUMAN_REQUIRED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PAGE_CHANGED,
    EXIT_RETRY_LATER,
    EXIT_TERMINATED,
    EXIT_UNREACHABLE,
    error_exit,
)
from casebot.domain.states import OUTCOMES as OUTCOMES  # re-exported: the commands and the report read it here
from casebot.domain.states import UNFINISHED_OUTCOMES


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, a shutdown): unwinds like Ctrl-C so the lock and browser are let go."""


def ended_by(exc: BaseException) -> int | None:
    """The exit status of a run an exception ended; None for what does not end a run (SystemExit)."""
    if isinstance(exc, Terminated):
        return EXIT_TERMINATED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    code = error_exit(exc)
    if code is not None:
        return code
    return EXIT_BUG if isinstance(exc, Exception) else None


def digest(data: Any) -> str:
    """A short, stable hash of JSON-able data (a card, a source record)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class CaseResult:
    route: str
    case_key: str
    #: one of :data:`OUTCOMES`
    outcome: str = "pending"
    record_id: str | None = None
    error_type: str | None = None
    error: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    artifacts: list[str] = field(default_factory=list)
    #: a failure reported by an earlier run, still waiting for a clerk (nothing changed since): not news
    known: bool = False

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RunSummary:
    run_id: str
    started: float
    finished: float = 0.0
    results: list[CaseResult] = field(default_factory=list)
    system_errors: list[str] = field(default_factory=list)
    exit_code: int = EXIT_OK
    counters: dict[str, int] = field(default_factory=dict)
    #: systems that need a person (captcha): system -> why; their routes stop for this run
    blocked: dict[str, str] = field(default_factory=dict)
    #: systems whose configuration is unusable (a missing or unreadable password): system -> why;
    #: their routes stop for this run, the others go on, and the run exits 4
    unconfigured: dict[str, str] = field(default_factory=dict)
    #: systems whose server could not be reached: system -> its own name (the title clerks know it by);
    #: their routes stop for this run, the run exits 11
    unreachable: dict[str, str] = field(default_factory=dict)
    #: systems this run reached (logged in to a page of theirs): a system down before is back
    reached: set[str] = field(default_factory=set)
    #: a system's pages are not what its adapter expects
    page_changed: bool = False
    #: routes stopped for this run at their first PageChanged: route -> what changed
    stopped_routes: dict[str, str] = field(default_factory=dict)
    #: an error casebot does not know happened (a bug)
    bug: bool = False
    #: the HTML report written for this run, once written
    report_path: str | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def news(self) -> list[CaseResult]:
        """What this run did or found: every result but failures already reported and unchanged."""
        return [r for r in self.results if not r.known]

    @property
    def waiting(self) -> list[CaseResult]:
        """Failures an earlier run reported that still wait for a clerk (nothing changed since)."""
        return [r for r in self.results if r.known]

    def did_something(self) -> bool:
        return bool(self.news or self.system_errors)

    def mark_unreachable(self, exc: Any) -> bool:
        """A :class:`~casebot.errors.SystemUnreachable` met: its system's routes stop for this run; whether it
        is the first time this run meets it."""
        if exc.system in self.unreachable:
            return False
        self.unreachable[exc.system] = exc.title
        self.system_errors.append(str(exc))
        return True

    def tally(self, name: str) -> None:
        self.counters[name] = self.counters.get(name, 0) + 1

    def exit_status(self) -> int:
        """The exit code this run deserves, the most urgent reason first."""
        if self.blocked:
            return EXIT_HUMAN_REQUIRED
        if self.unconfigured:
            return EXIT_CONFIG
        if self.page_changed:
            return EXIT_PAGE_CHANGED
        if self.unreachable:  # before the cases that wait for a clerk: a system down is news for ops
            return EXIT_UNREACHABLE
        if self.bug:
            return EXIT_BUG
        if self.count("failed"):
            return EXIT_CASES_FAILED
        if any(self.count(o) for o in UNFINISHED_OUTCOMES) or self.system_errors:
            return EXIT_RETRY_LATER
        return EXIT_OK

    def as_json(self) -> dict[str, Any]:
        by_route: dict[str, dict[str, int]] = {}
        waiting: dict[str, int] = {}
        for r in self.results:
            if r.known:
                waiting[r.route] = waiting.get(r.route, 0) + 1
                continue
            by_route.setdefault(r.route, {}).setdefault(r.outcome, 0)
            by_route[r.route][r.outcome] += 1
        return {"run_id": self.run_id, "seconds": round(self.finished - self.started, 3),
                "exit_code": self.exit_code, "by_route": by_route, "waiting": waiting,
                "system_errors": self.system_errors, "unreachable": sorted(self.unreachable),
                "counters": self.counters}
