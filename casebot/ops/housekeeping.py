"""What a workstation left alone for months must not pile up: old run reports, the scheduler's run log.

Reports (``report-*.html``, never ``report-latest.html``) older than
``artifacts.keep_days`` are deleted after each run; failure artifacts are purged
by the run itself, and the log file rotates by size (see :mod:`casebot.logs`).
The scheduler appends each run's output to ``casebot-run.log`` beside the log:
it rotates at the log's size too (``casebot-run.log.1`` ..., as many as the log
keeps); the run writing at that moment goes on in ``.1``, the next one starts a
new file.
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


RUN_LOG = "casebot-run.log"


def rotate(path: Path, *, max_bytes: int, backups: int) -> bool:
    """``path`` moved to ``path.1`` (older ones shifted, the oldest dropped) once it outgrew ``max_bytes``."""
    try:
        if path.stat().st_size < max_bytes:
            return False
    except FileNotFoundError:
        return False
    for n in range(backups - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            older.replace(path.with_name(f"{path.name}.{n + 1}"))
    path.replace(path.with_name(f"{path.name}.1"))
    return True


def after_run(settings: Settings, *, now: float | None = None) -> int:
    run_log = settings.path(settings.logging.file).parent / RUN_LOG
    if rotate(run_log, max_bytes=int(settings.logging.max_mb * 1024 * 1024), backups=settings.logging.backups):
        log.info("run_log.rotated", path=str(run_log))
    keep = settings.artifacts.keep_days
    reports = purge(settings.path(settings.artifacts.reports), keep_days=keep, patterns=("report-*.html",),
                    keep=("report-latest.html",), now=now)
    if reports:
        log.info("reports.purged", count=len(reports), keep_days=keep)
    return len(reports)
