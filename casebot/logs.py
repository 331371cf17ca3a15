"""Structured logs: JSON lines to a file, a readable console, personal data masked everywhere.

Event names are stable (``case.written``, ``case.failed``, ``run.started``...);
a processor masks personal keys and anything shaped like an ID number, so no
log line ever holds a raw ID, a full name or a password.
"""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

import structlog

from casebot.domain.privacy import mask_mapping

_configured_file: Path | None = None


def _mask(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return mask_mapping(event_dict)


class _PrivateRotatingFile(RotatingFileHandler):
    """Rotates by size; every new file is readable by the user only, like the first."""

    def _open(self) -> Any:
        stream = super()._open()
        os.chmod(self.baseFilename, 0o600)
        return stream


def configure(*, log_file: Path | None = None, console: bool = True, level: str = "INFO",
              max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> None:
    """Set up structlog once per process: JSON to ``log_file`` (rotated at ``max_bytes``), key=value to stderr."""
    global _configured_file
    handlers: list[logging.Handler] = []
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(log_file, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
            fh = _PrivateRotatingFile(log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        except OSError as exc:
            from casebot.errors import LedgerError

            # the log lives beside the ledger (var/): a folder casebot may not write stops it as the ledger would
            raise LedgerError(f"日志文件 {log_file} 无法写入（{exc.strerror}）：casebot 必须能写入该文件及其所在目录"
                              f"（{log_file.parent}），请给运行 casebot 的用户写权限。") from exc
        fh.setFormatter(structlog.stdlib.ProcessorFormatter(
            processor=structlog.processors.JSONRenderer(ensure_ascii=False),
            foreign_pre_chain=[structlog.processors.TimeStamper(fmt="iso", utc=True), _mask]))
        handlers.append(fh)
    if console:
        ch = logging.StreamHandler(sys.stderr)
        ch.setFormatter(structlog.stdlib.ProcessorFormatter(
            processor=structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()),
            foreign_pre_chain=[structlog.processors.TimeStamper(fmt="%H:%M:%S"), _mask]))
        handlers.append(ch)
    root = logging.getLogger("casebot")
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    root.propagate = False
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _mask,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    _configured_file = log_file


def get(name: str = "casebot") -> Any:
    return structlog.get_logger("casebot" if name == "casebot" else f"casebot.{name}")
