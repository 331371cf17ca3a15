"""Fault plans: the failures a real system shows, injected deterministically under a seed.

A plan (``POST /_sandbox/faults``) holds:

``latency_ms`` [min, max]   every page answer is delayed by a uniform draw
``error_rate``              answer 500 without acting
``commit_then_error_rate``  save, then answer 500 (the client cannot know)
``session_max_requests``    after this many requests the session ends
``session_expiries``        at most this many sessions end that way (then sessions last):
                            an expiry in the middle of a run, once, whatever a card costs
``notice_rate``             the blocking notice modal shows on page loads
``captcha``                 login demands a captcha a robot cannot solve
``reject_rate``             a save is refused with a validation message
``alter_text_rate``         a save stores its free text (案情摘要) altered, as a content
                            filter would: the last character masked with ＊
``hidden_codes``            codes the forms' pickers do not offer (a code the system lacks)
``ambiguous``               the case form shows a second "案件名称" box with the same id (a changed page)
``alter_rate``              a save stores a record that differs from what was sent: one
                            defendant dropped, a date shifted by a day, or a name cut to
                            its first character (the kind drawn under the seed too)
``refuse_duplicates``       ``true`` (default): a save of a case the target already holds
                            is refused (``该案件已受理`` / ``该案件已立案``); ``false``
                            turns that safety net off, so a second save stores a second
                            record, as a system without a unique key would
``seed``                    seeds every draw, so a run can be replayed

Draws come from one ``random.Random(seed)`` per system, taken under a lock,
so the same sequence of requests meets the same faults.
"""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: what the ``alter_rate`` fault does to a stored record
ALTERATIONS = ("drop_person", "shift_date", "truncate_name")


def alter(record: dict[str, Any], kind: str, *, persons: str, date_field: str) -> dict[str, Any]:
    """``record`` as the fault stores it: the last person dropped (the first name cut when there is
    only one), ``date_field`` a day later, or the first person's name cut to its first character."""
    out = {**record, persons: [dict(p) for p in record[persons]]}
    people = out[persons]
    if kind == "drop_person" and len(people) > 1:
        people.pop()
    elif kind == "shift_date" and out.get(date_field):
        out[date_field] = (date.fromisoformat(out[date_field]) + timedelta(days=1)).isoformat()
    else:
        people[0]["xm"] = people[0]["xm"][:1]
    return out


class FaultPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    latency_ms: tuple[int, int] = (0, 0)
    error_rate: float = Field(0.0, ge=0, le=1)
    commit_then_error_rate: float = Field(0.0, ge=0, le=1)
    session_max_requests: int | None = Field(None, ge=1)
    session_expiries: int | None = Field(None, ge=1)
    notice_rate: float = Field(0.0, ge=0, le=1)
    captcha: bool = False
    reject_rate: float = Field(0.0, ge=0, le=1)
    alter_text_rate: float = Field(0.0, ge=0, le=1)
    hidden_codes: list[str] = Field(default_factory=list)
    ambiguous: bool = False
    alter_rate: float = Field(0.0, ge=0, le=1)
    refuse_duplicates: bool = True
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

    def alteration(self) -> str | None:
        """Which alteration a save meets, if any: ``drop_person``, ``shift_date`` or ``truncate_name``."""
        if not self._draw(self.plan.alter_rate, "alter"):
            return None
        with self._lock:
            kind = self._rng.choice(ALTERATIONS)
            self.counts[f"alter.{kind}"] = self.counts.get(f"alter.{kind}", 0) + 1
        return kind
    def alter_text(self) -> bool:
        return self._draw(self.plan.alter_text_rate, "alter_text")

    def session_ends(self, requests: int) -> bool:
        """Whether a session that has served ``requests`` requests ends now (counted when it does)."""
        plan = self.plan
        if plan.session_max_requests is None or requests <= plan.session_max_requests:
            return False
        with self._lock:
            if plan.session_expiries is not None and self.counts.get("session_expired", 0) >= plan.session_expiries:
                return False
            self.counts["session_expired"] = self.counts.get("session_expired", 0) + 1
        return True

    def count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def as_json(self) -> dict[str, Any]:
        return {"plan": self.plan.model_dump(mode="json"), "injected": dict(self.counts)}
