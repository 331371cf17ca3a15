"""What every ledger backend offers: the item, its states, the protocol, named migrations.

One row per (route, case) with its state, attempts, the frozen card it wrote,
the target's record id, the last error and artifacts; plus an audit row for
every attempt and one per run. States::

    pending ──► writing ──► written ──► done
                  │   ▲                    (verified, or verification off)
                  ▼   │
               unknown ─┘  (crash or lost answer mid-save: resolved with find_existing)
    failed     a business error: a clerk must look; replayed by `casebot replay`
    retry      transient errors outlasted the attempts of one run; tried again next run

A case is worked under a lease: :meth:`Ledger.reserve` leases the row to one
owner and increments its fencing ``token``; every later write of that case
(:meth:`Ledger.begin_write`, :meth:`Ledger.set_state`) carries the token and
raises :class:`~casebot.errors.LeaseLost` if another owner reserved the row
since. The caller holds its :class:`Item` in hand: each write updates it, so
it is never read again. A normal case costs four round trips: ``reserve`` →
``begin_write`` → ``set_state(written)`` → ``set_state(done, release=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from casebot.states import ALL as STATES
from casebot.states import UNCERTAIN as UNCERTAIN  # the ledger's word too (casebot.ledger re-exports it)


def now() -> str:
    """The ledger's clock: ISO 8601 UTC, milliseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def later(seconds: float) -> str:
    """``now()`` plus ``seconds``: when a lease taken now runs out."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Migration:
    """One schema step, applied once and recorded by ``name`` (append-only: never edit or reorder)."""

    name: str
    sql: str


@dataclass
class Item:
    id: int
    route: str
    target: str
    case_key: str
    state: str
    attempts: int
    card: dict[str, Any] | None
    card_hash: str | None
    source_hash: str | None
    record_id: str | None
    error_type: str | None
    error_message: str | None
    artifacts: list[str] = field(default_factory=list)
    created_at: str = ""
    updated_at: str = ""
    #: fencing token: incremented by every successful reserve; writes carrying an older one are refused
    token: int = 0
    lease_owner: str | None = None
    #: ISO UTC time the lease runs out
    lease_until: str | None = None
    #: what the source showed of the case when casebot last took it (the police list's 修改时间)
    source_version: str | None = None

    def as_json(self, *, with_card: bool = False) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "route", "target", "case_key", "state", "attempts",
                                           "record_id", "error_type", "error_message", "artifacts",
                                           "created_at", "updated_at")}
        if with_card:
            d["card"] = self.card
        return d


class Ledger(Protocol):
    """What the runner and the commands need of a ledger (see :func:`casebot.ledger.open_ledger`)."""

    # -- a case's journey (fenced by the item's token) ------------------------------
    def reserve(self, route: str, target: str, case_key: str, *, owner: str, lease_s: float) -> Item | None:
        """Get or create the row and lease it to ``owner``; ``None`` if another owner holds a live lease."""
        ...

    def release(self, item: Item) -> None: ...
    def heartbeat(self, items: list[Item], lease_s: float) -> None: ...
    def begin_write(self, item: Item, card: dict[str, Any], card_hash: str, run_id: str) -> int:
        """Record the intent before the save is sent (state ``writing``); returns the attempt's id."""
        ...

    def set_state(self, item: Item, state: str, *, record_id: str | None = None,
                  error_type: str | None = None, error_message: str | None = None,
                  artifacts: list[str] | None = None, attempt_id: int | None = None,
                  source_hash: str | None = None, release: bool = False,
                  source_version: str | None = None) -> None: ...

    # -- the read side ----------------------------------------------------------------
    def get(self, route: str, case_key: str) -> Item | None: ...
    def items(self, *, route: str | None = None, states: tuple[str, ...] | None = None,
              ids: list[int] | None = None, limit: int | None = None) -> list[Item]: ...
    def case_keys(self, route: str, states: tuple[str, ...]) -> set[str]:
        """The keys of the route's cases in ``states`` (a listing's filter: no cards read)."""
        ...

    def case_versions(self, route: str, states: tuple[str, ...]) -> dict[str, str | None]:
        """The cases of ``route`` in ``states``: case key -> the source version last written (no card parsed)."""
        ...

    def counts(self) -> dict[str, dict[str, int]]: ...
    def attempts_of(self, item_id: int) -> list[dict[str, Any]]: ...

    # -- runs -------------------------------------------------------------------------
    def start_run(self) -> str: ...
    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None: ...
    def last_run(self) -> dict[str, Any] | None: ...
    def close(self) -> None: ...

    # -- the history of the cards a case's target record was given (append-only) --
    def record_version(self, item: Item, card: dict[str, Any], card_hash: str, *, kind: str,
                       source_hash: str | None, source_version: str | None, run_id: str | None) -> int:
        """Append the card now in the target (``written``, ``adopted``, ``updated``); its version number."""
        ...

    def last_version(self, item_id: int) -> dict[str, Any] | None:
        """The latest card version of a case (``card``, ``source_hash``, ``version``, ...), or None."""
        ...

    def versions(self, item_id: int) -> list[dict[str, Any]]: ...

    def set_source_version(self, item: Item, source_version: str | None) -> None:
        """What the source showed of the case when it was last taken (a version that changed nothing mapped)."""
        ...


def check_state(state: str) -> None:
    if state not in STATES:
        raise ValueError(f"unknown ledger state {state!r}")


def applied(item: Item, state: str, t: str, *, record_id: str | None, error_type: str | None,
            error_message: str | None, artifacts: list[str] | None, source_hash: str | None,
            release: bool) -> None:
    """Mirror a successful ``set_state`` on the caller's item (every backend updates the same columns)."""
    item.state, item.updated_at = state, t
    item.error_type, item.error_message = error_type, error_message
    if record_id is not None:
        item.record_id = record_id
    if artifacts is not None:
        item.artifacts = list(artifacts)
    if source_hash is not None:
        item.source_hash = source_hash
    if release:
        item.lease_owner = item.lease_until = None
