"""What a run ends with: exit codes, each case's result, the run's summary.

This is what the commands and the report import; it knows nothing of browsers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

# exit statuses, for schedulers (documented in the README)
EXIT_OK = 0
EXIT_CASES_FAILED = 1      # some cases need a clerk (bad data, refused, verification)
EXIT_RETRY_LATER = 2       # transient errors outlasted this run's attempts; next run retries
EXIT_HUMAN_REQUIRED = 3    # a system needs an interactive login (captcha)
EXIT_CONFIG = 4            # configuration or mapping invalid; nothing ran
EXIT_LOCKED = 5            # another run holds the lock
EXIT_LEDGER = 6            # ledger missing or corrupt
EXIT_PAGE_CHANGED = 7      # a system's pages changed: run `casebot doctor`
EXIT_BUG = 8               # an error casebot does not know: a bug, see the log

#: the outcomes a case can have in a run: the ledger state it was left in, or a dry run
OUTCOMES = ("done", "failed", "retry", "unknown", "written", "dry-run")
#: outcomes that the next run takes up again
UNFINISHED_OUTCOMES = ("retry", "unknown", "written")


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
    #: a system's pages are not what its adapter expects
    page_changed: bool = False
    #: an error casebot does not know happened (a bug)
    bug: bool = False
    #: the HTML report written for this run, once written
    report_path: str | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    def tally(self, name: str) -> None:
        self.counters[name] = self.counters.get(name, 0) + 1

    def exit_status(self) -> int:
        """The exit code this run deserves, the most urgent reason first."""
        if self.blocked:
            return EXIT_HUMAN_REQUIRED
        if self.page_changed:
            return EXIT_PAGE_CHANGED
        if self.bug:
            return EXIT_BUG
        if self.count("failed"):
            return EXIT_CASES_FAILED
        if any(self.count(o) for o in UNFINISHED_OUTCOMES) or self.system_errors:
            return EXIT_RETRY_LATER
        return EXIT_OK

    def as_json(self) -> dict[str, Any]:
        by_route: dict[str, dict[str, int]] = {}
        for r in self.results:
            by_route.setdefault(r.route, {}).setdefault(r.outcome, 0)
            by_route[r.route][r.outcome] += 1
        return {"run_id": self.run_id, "seconds": round(self.finished - self.started, 3),
                "exit_code": self.exit_code, "by_route": by_route, "system_errors": self.system_errors,
                "counters": self.counters}
