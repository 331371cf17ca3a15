"""The last run, as ops read it: ``last-run.json`` in the log's folder, written at the end of every run.

It holds the run's id, start and end (Unix seconds), exit code, the reason in a
word (``ok``, ``cases_failed``, ``retry_later``, ``login_required``, ``config``,
``locked``, ``ledger``, ``pages_changed``, ``bug``, ``interrupted``, ``terminated``) and the cases by route and outcome.
``status``, ``metrics`` and the console read it; nothing else depends on it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from casebot.config import Settings
from casebot.run.outcome import EXIT_TEXT as EXIT_TEXT  # the one exit table (casebot.run.outcome.EXITS)
from casebot.run.outcome import REASONS


def path(settings: Settings) -> Path:
    from casebot.ops.reading import state_dir

    return state_dir(settings) / "last-run.json"


def save(settings: Settings, record: dict[str, Any]) -> None:
    p = path(settings)
    p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(p)


def load(settings: Settings) -> dict[str, Any] | None:
    try:
        data = json.loads(path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def record(*, run_id: str | None, started: float, finished: float, exit_code: int,
           by_route: dict[str, dict[str, int]], reason: str | None = None) -> dict[str, Any]:
    return {"run_id": run_id, "started": started, "finished": finished, "exit_code": exit_code,
            "reason": reason or REASONS.get(exit_code, "unknown"), "by_route": by_route}
