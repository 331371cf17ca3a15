"""``casebot metrics``: the ledger and the last run in OpenMetrics, for a node_exporter textfile collector.

Every configured route and every ledger state is present, zeros included, so
an alert rule never waits on a series that does not exist yet.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile
from prometheus_client.openmetrics.exposition import generate_latest

from casebot.ledger.base import STATES
from casebot.run.outcome import OUTCOMES


def registry(*, routes: list[str], counts: dict[str, dict[str, int]], last_run: dict[str, Any] | None,
             oldest_failure: datetime | None, now: float | None = None) -> CollectorRegistry:
    now = time.time() if now is None else now
    reg = CollectorRegistry()
    cases = Gauge("casebot_cases", "Cases in the ledger by route and state (queue depth).", ["route", "state"],
                  registry=reg)
    for route in sorted(set(routes) | set(counts)):
        for state in (*STATES, *sorted(set(counts.get(route, {})) - set(STATES))):
            cases.labels(route, state).set(counts.get(route, {}).get(state, 0))
    outcomes = Gauge("casebot_last_run_cases", "Cases of the last run by route and outcome.", ["route", "outcome"],
                     registry=reg)
    by_route = (last_run or {}).get("by_route", {})
    for route in sorted(set(routes) | set(by_route)):
        for outcome in (*OUTCOMES, *sorted(set(by_route.get(route, {})) - set(OUTCOMES))):
            outcomes.labels(route, outcome).set(by_route.get(route, {}).get(outcome, 0))
    Gauge("casebot_last_run_timestamp_seconds", "When the last run finished (Unix time; 0: never ran).",
          registry=reg).set(float((last_run or {}).get("finished") or 0))
    Gauge("casebot_last_run_exit_code", "Exit status of the last run (-1: never ran).",
          registry=reg).set((last_run or {}).get("exit_code", -1))
    duration = 0.0
    if last_run and last_run.get("finished") and last_run.get("started"):
        duration = max(0.0, float(last_run["finished"]) - float(last_run["started"]))
    Gauge("casebot_last_run_duration_seconds", "How long the last run took.", registry=reg).set(duration)
    Gauge("casebot_oldest_failure_age_seconds", "Age of the oldest case waiting for a person (0: none).",
          registry=reg).set(max(0.0, now - oldest_failure.timestamp()) if oldest_failure else 0.0)
    return reg


def openmetrics(reg: CollectorRegistry) -> str:
    return generate_latest(reg).decode()


def write_textfile(reg: CollectorRegistry, path: Path) -> None:
    """Prometheus text format, written atomically (the textfile collector reads ``*.prom``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), reg)
