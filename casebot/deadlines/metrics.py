"""Deadline gauges for ``casebot metrics``: cases per rule and deadline state, zeros included."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Gauge

from casebot.deadlines.compute import STATES, Deadline
from casebot.deadlines.rules import RuleSet, shipped


def add(reg: CollectorRegistry, deadlines: Iterable[Deadline], rules: RuleSet | None = None) -> None:
    """``casebot_deadline_cases{rule, state}``: a case counts once per rule, in its most urgent state."""
    rules = rules or shipped()
    rank = {s: i for i, s in enumerate(STATES)}
    worst: dict[tuple[str, str], str] = {}
    for d in deadlines:
        key = (d.rule, d.case)
        if key not in worst or rank[d.state] < rank[worst[key]]:
            worst[key] = d.state
    gauge = Gauge("casebot_deadline_cases", "Cases by deadline rule and their most urgent deadline state.",
                  ["rule", "state"], registry=reg)
    for rule in rules.rules:
        for state in STATES:
            gauge.labels(rule.id, state).set(sum(1 for (r, _), s in worst.items() if r == rule.id and s == state))
