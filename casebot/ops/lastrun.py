"""The last run, as ops read it: ``last-run.json`` in the log's folder, written at the end of every run.

It holds the run's id, start and end (Unix seconds), exit code, the reason in a
word (``ok``, ``cases_failed``, ``retry_later``, ``login_required``, ``config``,
``locked``, ``ledger``, ``pages_changed``, ``bug``, ``system_unreachable``, ``interrupted``, ``terminated``)
and the cases by route and outcome.
``status``, ``metrics`` and the console read it; nothing else depends on it.
A replay (``casebot replay``, the console's button) is kept apart in
``last-replay.json``: it is not the scheduled run ops watch.

``counters.json`` beside it holds what ``metrics`` shows as counters (they only
grow): cases by route and outcome, scheduled runs and replays by exit status,
when a scheduled run last went through (exit 0 or 1), and each system's state
at the last scheduled run (reachable, login needing a person).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebot.config import Settings
from casebot.domain.exits import EXIT_TEXT as EXIT_TEXT  # the one exit table (casebot.domain.exits.EXITS
from casebot.domain.exits import REASONS
from casebot.ops.reading import read_state, write_state


def path(settings: Settings) -> Path:
    from casebot.ops.reading import state_dir

    return state_dir(settings) / "last-run.json"


def save(settings: Settings, record: dict[str, Any]) -> None:
    write_state(path(settings), record)


def load(settings: Settings, kind: str = "run") -> dict[str, Any] | None:
    """The last scheduled run's end (``kind`` ``run``) or the last replay's (``replay``)."""
    return read_state(_path_of(settings, kind))


def _path_of(settings: Settings, kind: str) -> Path:
    return path(settings) if kind == "run" else path(settings).with_name("last-replay.json")


def counters_path(settings: Settings) -> Path:
    return path(settings).with_name("counters.json")


def load_counters(settings: Settings) -> dict[str, Any]:
    return read_state(counters_path(settings)) or {}


def systems_state(settings: Settings, summary: Any, before: dict[str, Any]) -> dict[str, dict[str, bool]]:
    """Each system's state after a scheduled run: down when the run met it unreachable (SystemUnreachable),
    up when the run reached it, else as it was (a run that did not need it says nothing of it)."""
    down = getattr(summary, "unreachable", {})
    reached = getattr(summary, "reached", set())
    out = {}
    for s in settings.systems:
        up = False if s in down else True if s in reached else bool(before.get(s, {}).get("up", True))
        out[s] = {"up": up, "login_blocked": s in summary.blocked}
    return out


def record_end(settings: Settings, summary: Any, *, kind: str = "run") -> None:
    """A run's (``kind`` ``run``) or a replay's (``replay``) end: its record and the counters."""
    data = summary.as_json()
    save_as = record(run_id=summary.run_id, started=summary.started, finished=summary.finished,
                     exit_code=summary.exit_code, by_route=data["by_route"])
    stopped = getattr(summary, "stopped_routes", None)
    if stopped:  # the routes a changed page stopped, and what changed (system, page, field)
        from casebot.domain.privacy import scrub_text

        save_as["stopped"] = {route: scrub_text(str(why)) for route, why in stopped.items()}
    down = getattr(summary, "unreachable", None)
    if down:  # the systems the run could not reach, by their own names
        save_as["unreachable"] = dict(down)
    write_state(_path_of(settings, kind), save_as)
    c = load_counters(settings)
    cases = c.setdefault("cases", {})
    for r in summary.results:
        if not r.known:
            by = cases.setdefault(r.route, {})
            by[r.outcome] = by.get(r.outcome, 0) + 1
    runs = c.setdefault("runs" if kind == "run" else "replays", {})
    runs[str(summary.exit_code)] = runs.get(str(summary.exit_code), 0) + 1
    if kind == "run":
        if summary.exit_code in (0, 1):
            c["last_success"] = summary.finished
        c["systems"] = systems_state(settings, summary, c.get("systems", {}))
    write_state(counters_path(settings), c)


def count_run(settings: Settings, exit_code: int) -> None:
    """A scheduled run that ended before it had a summary (config, lock, ledger, login): counted all the same."""
    c = load_counters(settings)
    runs = c.setdefault("runs", {})
    runs[str(exit_code)] = runs.get(str(exit_code), 0) + 1
    write_state(counters_path(settings), c)


def record(*, run_id: str | None, started: float, finished: float, exit_code: int,
           by_route: dict[str, dict[str, int]], reason: str | None = None) -> dict[str, Any]:
    return {"run_id": run_id, "started": started, "finished": finished, "exit_code": exit_code,
            "reason": reason or REASONS.get(exit_code, "unknown"), "by_route": by_route}
