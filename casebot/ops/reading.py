"""The ledger as ops read it: opened without creating, closed after each read; no ledger yet reads as empty."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from casebot.config import Settings

T = TypeVar("T")


def state_dir(settings: Settings) -> Path:
    """Where ops state lives (last-run.json, notified.json): the log file's folder (``var/``)."""
    return settings.path(settings.logging.file).parent


def _exists(settings: Settings) -> bool:
    """A SQLite ledger's file exists; a database ledger is taken to (opening it says otherwise)."""
    from casebot.ledger import sqlite_path

    path = sqlite_path(settings.ledger_url())
    return path is None or path.exists()


@contextmanager
def ledger(settings: Settings) -> Iterator[Any]:
    """The ledger, opened for reading (LedgerError when there is none)."""
    from casebot.ledger import open_ledger

    opened = open_ledger(settings.ledger_url(), create=False)
    try:
        yield opened
    finally:
        opened.close()


def read(settings: Settings, fn: Callable[[Any], T], empty: T) -> T:
    """``fn(ledger)``, or ``empty`` before the first run made a ledger."""
    if not _exists(settings):
        return empty
    with ledger(settings) as opened:
        return fn(opened)


def read_state(path: Path) -> dict[str, Any] | None:
    """An ops state file (last run, counters, what was notified): its object, None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_state(path: Path, data: dict[str, Any]) -> None:
    """Write an ops state file whole (a reader never sees half of it), readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def private_dir(path: Path) -> Path:
    """``path`` made (with its parents) and kept readable by this user alone (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path
