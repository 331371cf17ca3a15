"""What the ledger and the last run say now, read once for ``status``, ``metrics`` and the console."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from casebot.config import Settings
from casebot.ledger.base import STATES
from casebot.ops import lastrun, timefmt

#: states a person must act on: failed, outcome unknown, written but not verified
from casebot.states import NEEDS_PERSON


@dataclass
class Snapshot:
    routes: list[str]
    counts: dict[str, dict[str, int]]
    needing: list[Any] = field(default_factory=list)
    last_run: dict[str, Any] | None = None
    taken: float = field(default_factory=time.time)

    @property
    def oldest(self) -> Any | None:
        return min(self.needing, key=lambda i: i.updated_at) if self.needing else None

    @property
    def oldest_at(self) -> datetime | None:
        item = self.oldest
        return timefmt.parse(item.updated_at) if item is not None else None

    @property
    def oldest_age_s(self) -> float | None:
        at = self.oldest_at
        return max(0.0, self.taken - at.timestamp()) if at else None


def take(settings: Settings) -> Snapshot:
    """Every configured route and every state present (zeros too); no ledger yet reads as empty."""
    from casebot.ops.reading import read

    routes = [r.name for r in settings.routes]
    counts, needing = read(settings, lambda ledger: (ledger.counts(), ledger.items(states=NEEDS_PERSON)), ({}, []))
    full = {route: {s: counts.get(route, {}).get(s, 0) for s in STATES} for route in routes}
    for route, c in counts.items():  # a route since removed from the config still shows
        full.setdefault(route, {s: 0 for s in STATES}).update(c)
    return Snapshot(routes=sorted(full), counts=full, needing=needing, last_run=lastrun.load(settings))
