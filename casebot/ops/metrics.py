"""``casebot metrics``: the ledger and the last run in OpenMetrics, for a node_exporter textfile collector.

Every configured route and every ledger state is present, zeros included, so
an alert rule never waits on a series that does not exist yet. Counters
(``_total``) only grow: cases by route and outcome, scheduled runs and replays
by exit status (``casebot.ops.lastrun`` keeps them). ``last_run_*`` is the last
scheduled run (a replay never stands in for it). Every series carries the
``workstation`` label, so several workstations' files can be told apart.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, write_to_textfile
from prometheus_client.openmetrics.exposition import generate_latest

from casebot.domain.states import OUTCOMES
from casebot.ledger.base import STATES

EXITS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "11", "130", "143")


def registry(*, routes: list[str], counts: dict[str, dict[str, int]], last_run: dict[str, Any] | None,
             oldest_failure: datetime | None, now: float | None = None, settings: Any = None) -> CollectorRegistry:
    from casebot.ops import lastrun

    now = time.time() if now is None else now
    ws = settings.workstation() if settings is not None else ""
    kept = lastrun.load_counters(settings) if settings is not None else {}
    reg = CollectorRegistry()
    cases = Gauge("casebot_ledger_cases", "Cases in the ledger by route and state (queue depth).",
                  ["workstation", "route", "state"], registry=reg)
    for route in sorted(set(routes) | set(counts)):
        for state in (*STATES, *sorted(set(counts.get(route, {})) - set(STATES))):
            cases.labels(ws, route, state).set(counts.get(route, {}).get(state, 0))
    done = kept.get("cases", {})
    total = Counter("casebot_cases", "Cases taken by runs and replays, by route and outcome.",
                    ["workstation", "route", "outcome"], registry=reg)
    for route in sorted(set(routes) | set(done)):
        for outcome in (*OUTCOMES, *sorted(set(done.get(route, {})) - set(OUTCOMES))):
            total.labels(ws, route, outcome).inc(done.get(route, {}).get(outcome, 0))
    for name, key, what in (("casebot_runs", "runs", "Scheduled runs (casebot run) by exit status."),
                            ("casebot_replays", "replays", "Replays (casebot replay, the console) by exit status.")):
        runs = Counter(name, what, ["workstation", "exit"], registry=reg)
        seen = kept.get(key, {})
        for code in (*EXITS, *sorted(set(seen) - set(EXITS))):
            runs.labels(ws, code).inc(seen.get(code, 0))
    Gauge("casebot_last_success_timestamp_seconds",
          "When a scheduled run last went through (exit 0 or 1; Unix time; 0: never).", ["workstation"],
          registry=reg).labels(ws).set(float(kept.get("last_success") or 0))
    systems = sorted(settings.systems) if settings is not None else []
    state = kept.get("systems", {})
    up = Gauge("casebot_system_up", "Whether scheduled runs reach the system (1) or found its server unreachable (0).",
               ["workstation", "system"], registry=reg)
    blocked = Gauge("casebot_system_login_blocked",
                    "Whether the system waits for a person to log in or renew its password (1).",
                    ["workstation", "system"], registry=reg)
    for system in systems:
        up.labels(ws, system).set(1 if state.get(system, {}).get("up", True) else 0)
        refused = settings.login_cap_file(system).exists()
        blocked.labels(ws, system).set(1 if refused or state.get(system, {}).get("login_blocked") else 0)
    outcomes = Gauge("casebot_last_run_cases", "Cases of the last scheduled run by route and outcome.",
                     ["workstation", "route", "outcome"], registry=reg)
    by_route = (last_run or {}).get("by_route", {})
    for route in sorted(set(routes) | set(by_route)):
        for outcome in (*OUTCOMES, *sorted(set(by_route.get(route, {})) - set(OUTCOMES))):
            outcomes.labels(ws, route, outcome).set(by_route.get(route, {}).get(outcome, 0))
    Gauge("casebot_last_run_timestamp_seconds", "When the last scheduled run finished (Unix time; 0: never ran).",
          ["workstation"], registry=reg).labels(ws).set(float((last_run or {}).get("finished") or 0))
    Gauge("casebot_last_run_exit_code", "Exit status of the last scheduled run (-1: never ran).", ["workstation"],
          registry=reg).labels(ws).set((last_run or {}).get("exit_code", -1))
    duration = 0.0
    if last_run and last_run.get("finished") and last_run.get("started"):
        duration = max(0.0, float(last_run["finished"]) - float(last_run["started"]))
    Gauge("casebot_last_run_duration_seconds", "How long the last scheduled run took.", ["workstation"],
          registry=reg).labels(ws).set(duration)
    Gauge("casebot_oldest_failure_age_seconds", "Age of the oldest case waiting for a person (0: none).",
          ["workstation"], registry=reg).labels(ws).set(
        max(0.0, now - oldest_failure.timestamp()) if oldest_failure else 0.0)
    return reg


def openmetrics(reg: CollectorRegistry) -> str:
    return generate_latest(reg).decode()


def write_textfile(reg: CollectorRegistry, path: Path) -> None:
    """Prometheus text format, written atomically (the textfile collector reads ``*.prom``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), reg)
