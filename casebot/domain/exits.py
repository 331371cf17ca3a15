"""Exit statuses: the one table of what a command or a run ends with, for schedulers and people.

Every status casebot gives, its word (logs, JSON, metrics) and what a person reads; which of casebot's
errors ends a command or a run with which status. README's table is tested against :data:`EXITS`.
Imports only the error tree.
"""

from __future__ import annotations

from casebot import errors

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
EXIT_UNREACHABLE = 11      # a system's server could not be reached: its routes waited; next run goes on
EXIT_INTERRUPTED = 130     # Ctrl-C
EXIT_TERMINATED = 143      # SIGTERM (a scheduler's timeout)

#: every exit status casebot gives: (its word for logs, JSON and metrics, what a person reads). The one
#: table: REASONS and the console's texts are read from it, README's table is tested against it.
EXITS: dict[int, tuple[str, str]] = {
    EXIT_OK: ("ok", "正常"),
    EXIT_CASES_FAILED: ("cases_failed", "有案件需要人工处理"),
    EXIT_RETRY_LATER: ("retry_later", "暂时性错误，下次运行重试"),
    EXIT_HUMAN_REQUIRED: ("login_required",
                          "需要人来处理登录（验证码：casebot login 系统名；密码被拒：casebot secret set 系统名）"),
    EXIT_CONFIG: ("config", "配置错误或缺少密码"),
    EXIT_LOCKED: ("locked", "另一次运行正在进行"),
    EXIT_LEDGER: ("ledger", "台账缺失或损坏"),
    EXIT_PAGE_CHANGED: ("pages_changed", PAGE_CHANGED_BANNER),
    EXIT_BUG: ("bug", "意外错误（程序缺陷，详见日志）"),
    EXIT_LEDGER_UNAVAILABLE: ("ledger_unavailable", "共享台账数据库无法连接（运行已停止，未丢失任何数据）"),
    EXIT_AUDIT_ALTERED: ("audit_altered", "审计记录被改动"),
    EXIT_UNREACHABLE: ("system_unreachable", "系统无法连接（服务器或网络故障；恢复后下次运行自动续办）"),
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


def error_exit(exc: BaseException) -> int | None:
    """The documented exit status of one of casebot's errors (:data:`ERROR_EXITS`); None for others."""
    return next((code for kind, code, _ in ERROR_EXITS if isinstance(exc, kind)), None)
