"""What a run ends with: exit codes, each case's result, the run's summary.

This is what the commands and the report import; it knows nothing of browsers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from casebot import errors
from casebot.states import OUTCOMES as OUTCOMES  # re-exported: the commands and the report read it here
from casebot.states import UNFINISHED_OUTCOMES

# exit statuses, for schedulers (documented in the README)
EXIT_OK = 0
EXIT_CASES_FAILED = 1      # some cases need a clerk (bad data, refused, verification)
EXIT_RETRY_LATER = 2       # transient errors outlasted this run's attempts; next run retries
EXIT_HUMAN_REQUIRED = 3    # a system needs an interactive login (captcha)
EXIT_CONFIG = 4            # configuration or mapping invalid; nothing ran
EXIT_LOCKED = 5            # another run holds the lock
EXIT_LEDGER = 6            # ledger missing or corrupt
EXIT_PAGE_CHANGED = 7      # a system's pages changed: run `casebot doctor`
#: what a clerk reads when a changed page stopped a route (the report and the console show it too)
PAGE_CHANGED_BANNER = "页面已变化，请运行 casebot doctor"
EXIT_BUG = 8               # an error casebot does not know: a bug, see the log
EXIT_LEDGER_UNAVAILABLE = 9  # the shared ledger's database cannot be reached: the run stopped, nothing lost
EXIT_AUDIT_ALTERED = 10    # `casebot audit verify`: the audit log was altered
EXIT_INTERRUPTED = 130     # Ctrl-C
EXIT_TERMINATED = 143      # SIGTERM (a scheduler's timeout)

#: every exit status casebot gives: (its word for logs, JSON and metrics, what a person reads). The one
#: table: REASONS and the console's texts are read from it, README's table is tested against it.
EXITS: dict[int, tuple[str, str]] = {
    EXIT_OK: ("ok", "正常"),
    EXIT_CASES_FAILED: ("cases_failed", "有案件需要人工处理"),
    EXIT_RETRY_LATER: ("retry_later", "暂时性错误，下次运行重试"),
    EXIT_HUMAN_REQUIRED: ("login_required", "需要人工登录（casebot login 系统名）"),
    EXIT_CONFIG: ("config", "配置错误或缺少密码"),
    EXIT_LOCKED: ("locked", "另一次运行正在进行"),
    EXIT_LEDGER: ("ledger", "台账缺失或损坏"),
    EXIT_PAGE_CHANGED: ("pages_changed", PAGE_CHANGED_BANNER),
    EXIT_BUG: ("bug", "意外错误（程序缺陷，详见日志）"),
    EXIT_LEDGER_UNAVAILABLE: ("ledger_unavailable", "共享台账数据库无法连接（运行已停止，未丢失任何数据）"),
    EXIT_AUDIT_ALTERED: ("audit_altered", "审计记录被改动"),
    EXIT_INTERRUPTED: ("interrupted", "被中断"),
    EXIT_TERMINATED: ("terminated", "被终止（如超时）"),
}
#: each exit status in a word, for logs (run.finished's ``reason``), JSON and metrics
REASONS = {code: word for code, (word, _) in EXITS.items()}
#: each exit status in a person's words (the console, messages)
EXIT_TEXT = {code: text for code, (_, text) in EXITS.items()}

#: casebot's errors that end a command or a run (not one case): (error type, exit status, the word a
#: person reads first); the first that matches wins. The one table the CLI and the runner read.
ERROR_EXITS: tuple[tuple[type[BaseException], int, str | None], ...] = (
    (errors.UsageError, EXIT_CONFIG, "用法错误"),
    (errors.SecretError, EXIT_CONFIG, "密码问题"),
    (errors.ConfigError, EXIT_CONFIG, "配置错误"),
    (errors.MappingError, EXIT_CONFIG, "配置错误"),
    (errors.RunLocked, EXIT_LOCKED, None),
    (errors.LedgerUnavailable, EXIT_LEDGER_UNAVAILABLE, "台账无法连接"),
    (errors.LedgerError, EXIT_LEDGER, "台账错误"),
    (errors.HumanRequired, EXIT_HUMAN_REQUIRED, None),
)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, a shutdown): unwinds like Ctrl-C so the lock and browser are let go."""


def error_exit(exc: BaseException) -> int | None:
    """The documented exit status of one of casebot's errors (:data:`ERROR_EXITS`); None for others."""
    return next((code for kind, code, _ in ERROR_EXITS if isinstance(exc, kind)), None)


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
                "system_errors": self.system_errors, "counters": self.counters}
