"""What a workstation left alone for months must not pile up: old run reports.

Reports (``report-*.html``, never ``report-latest.html``) older than
``artifacts.keep_days`` are deleted after each run; failure artifacts are purged
by the run itself, and the log file rotates by size (see :mod:`casebot.logs`).
"""

from __future__ import annotations

import time
from pathlib import Path

from casebot import logs
from casebot.config import Settings

log = logs.get("housekeeping")


def purge(directory: Path, *, keep_days: int, patterns: tuple[str, ...], keep: tuple[str, ...] = (),
          now: float | None = None) -> list[Path]:
    """Delete files under ``directory`` matching ``patterns`` last modified more than ``keep_days`` ago."""
    if not directory.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - keep_days * 86400
    removed: list[Path] = []
    for pattern in patterns:
        for path in directory.rglob(pattern):
            if path.name in keep or not path.is_file():
                continue
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:
                continue
    return removed


def after_run(settings: Settings, *, now: float | None = None) -> int:
    keep = settings.artifacts.keep_days
    reports = purge(settings.path(settings.artifacts.reports), keep_days=keep, patterns=("report-*.html",),
                    keep=("report-latest.html",), now=now)
    if reports:
        log.info("reports.purged", count=len(reports), keep_days=keep)
    return len(reports)
