"""Fault plans: the failures a real system shows, injected deterministically under a seed.

A plan (``POST /_sandbox/faults``) holds:

``latency_ms`` [min, max]   every page answer is delayed by a uniform draw
``error_rate``              answer 500 without acting
``commit_then_error_rate``  save, then answer 500 (the client cannot know)
``session_max_requests``    after this many requests the session ends
``notice_rate``             the blocking notice modal shows on page loads
``captcha``                 login demands a captcha a robot cannot solve
``reject_rate``             a save is refused with a validation message
``hidden_codes``            codes the forms' pickers do not offer (a code the system lacks)
``ambiguous``               the case form shows a second "案件名称" box with the same id (a changed page)
``seed``                    seeds every draw, so a run can be replayed

Draws come from one ``random.Random(seed)`` per system, taken under a lock,
so the same sequence of requests meets the same faults.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class FaultPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_ms: tuple[int, int] = (0, 0)
    error_rate: float = Field(0.0, ge=0, le=1)
    commit_then_error_rate: float = Field(0.0, ge=0, le=1)
    session_max_requests: int | None = Field(None, ge=1)
    notice_rate: float = Field(0.0, ge=0, le=1)
    captcha: bool = False
    reject_rate: float = Field(0.0, ge=0, le=1)
    hidden_codes: list[str] = Field(default_factory=list)
    ambiguous: bool = False
    seed: int = 0

    @field_validator("latency_ms")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        lo, hi = v
        if lo < 0 or hi < lo:
            raise ValueError("latency_ms must be [min, max] with 0 <= min <= max")
        return v


class Faults:
    """The live fault state of one system, with counters of what was injected."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self.set(plan or FaultPlan())

    def set(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._rng = random.Random(plan.seed)
            self.counts: dict[str, int] = {}

    def _draw(self, rate: float, name: str) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            hit = self._rng.random() < rate
            if hit:
                self.counts[name] = self.counts.get(name, 0) + 1
        return hit

    def latency(self) -> float:
        lo, hi = self.plan.latency_ms
        if hi <= 0:
            return 0.0
        with self._lock:
            return self._rng.uniform(lo, hi) / 1000.0

    def error(self) -> bool:
        return self._draw(self.plan.error_rate, "error")

    def commit_then_error(self) -> bool:
        return self._draw(self.plan.commit_then_error_rate, "commit_then_error")

    def notice(self) -> bool:
        return self._draw(self.plan.notice_rate, "notice")

    def reject(self) -> bool:
        return self._draw(self.plan.reject_rate, "reject")

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {"plan": self.plan.model_dump(mode="json"), "injected": dict(self.counts)}
