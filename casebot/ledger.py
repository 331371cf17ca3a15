"""The ledger: what was written where, so that nothing is written twice and nothing is lost.

One row per (route, case) with its state, attempts, the frozen card it wrote,
the target's record id, the last error and artifacts; plus an audit row for
every attempt and one per run. States::

    pending ──► writing ──► written ──► done
                  │   ▲                    (verified, or verification off)
                  ▼   │
               unknown ─┘  (crash or lost answer mid-save: resolved with find_existing)
    failed     a business error: a clerk must look; replayed by `casebot replay`
    retry      transient errors outlasted the attempts of one run; tried again next run

The runner only talks to :class:`Ledger` (a Protocol); :class:`SQLiteLedger`
is the embedded default (WAL, append-only migrations). A shared PostgreSQL
ledger for several workstations working one queue implements the same
methods with row locks (``SELECT ... FOR UPDATE SKIP LOCKED`` in ``claim``).

A ledger file is never silently recreated: the ledger keeps its own id
(``ledger_meta``) and leaves a marker beside it holding the same id. A missing
or empty (truncated) ledger with a marker present, a file that is not a
readable SQLite database or not a casebot ledger, and a ledger whose id is not
its marker's (swapped for another) raise :class:`~casebot.errors.LedgerCorrupt`;
a ledger casebot may not write (read-only file or folder) raises
:class:`~casebot.errors.LedgerError`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from casebot.errors import LedgerCorrupt, LedgerError

STATES = ("pending", "writing", "unknown", "written", "done", "failed", "retry")
#: states where the ledger cannot tell whether the target holds the record
UNCERTAIN = ("writing", "unknown")

MIGRATIONS: list[str] = [
    # 1: items, attempts, runs
    """
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        route TEXT NOT NULL,
        target TEXT NOT NULL,
        case_key TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        card_json TEXT,
        card_hash TEXT,
        source_hash TEXT,
        record_id TEXT,
        error_type TEXT,
        error_message TEXT,
        artifacts_json TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (route, case_key)
    );
    CREATE INDEX items_state ON items (state);
    CREATE INDEX items_route_state ON items (route, state);
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT,
        summary_json TEXT
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES items(id),
        run_id TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        error_type TEXT,
        error_message TEXT
    );
    CREATE INDEX attempts_item ON attempts (item_id);
    """,
    # 2: failures listing by time
    """
    CREATE INDEX items_updated ON items (state, updated_at);
    """,
    # 3: the ledger's own id, also kept in its marker: a swapped file no longer matches
    """
    CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
    #: fencing token: incremented at every reservation; a state change with an older one is refused
    token: int = 0
    lease_owner: str | None = None
    #: ISO UTC time the lease runs out
    lease_until: str | None = None

    def as_json(self, *, with_card: bool = False) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("id", "route", "target", "case_key", "state", "attempts",
                                           "record_id", "error_type", "error_message", "artifacts",
                                           "created_at", "updated_at")}
        if with_card:
            d["card"] = self.card
        return d


class Ledger(Protocol):
    """What the runner needs of a ledger."""

    def get(self, route: str, case_key: str) -> Item | None: ...
    def ensure(self, route: str, target: str, case_key: str, source_hash: str | None) -> Item: ...
    def begin_write(self, item_id: int, card: dict[str, Any], card_hash: str, run_id: str) -> int: ...
    def set_state(self, item_id: int, state: str, *, record_id: str | None = None,
                  error_type: str | None = None, error_message: str | None = None,
                  artifacts: list[str] | None = None, attempt_id: int | None = None,
                  source_hash: str | None = None) -> None: ...
    def items(self, *, route: str | None = None, states: tuple[str, ...] | None = None,
              ids: list[int] | None = None, limit: int | None = None) -> list[Item]: ...
    def counts(self) -> dict[str, dict[str, int]]: ...
    def start_run(self) -> str: ...
    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class SQLiteLedger:
    """The embedded ledger: one SQLite file in WAL mode."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self.marker = self.path.with_name(self.path.name + ".id")
        self._lock = threading.RLock()
        exists = self.path.exists()
        marked = self._marker_id()
        if not exists and marked:
            raise LedgerCorrupt(
                f"ledger {self.path} is missing but {self.marker.name} shows one was here: refusing to start "
                "a fresh ledger, which could write every case again. Restore the file from backup, or, once "
                f"sure, delete {self.marker.name} to start anew (find_existing still guards against duplicates).")
        if exists and marked and self.path.stat().st_size == 0:
            raise LedgerCorrupt(
                f"ledger {self.path} is empty (0 bytes: truncated) but {self.marker.name} shows ledger {marked} "
                "was kept here: refusing to start a fresh ledger, which could write every case again. Restore "
                f"the file from backup, or, once sure, delete {self.marker.name} to start anew.")
        if not exists and not create:
            raise LedgerError(f"no ledger at {self.path}: run `casebot run` first")
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.conn.row_factory = sqlite3.Row
            if exists:
                ok = self.conn.execute("PRAGMA quick_check").fetchone()[0]
                if ok != "ok":
                    raise LedgerCorrupt(f"ledger {self.path} failed its integrity check: {ok}")
                self._check_casebot(marked)
            mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            self.ledger_id = self._identify(marked)
        except LedgerError:
            self.conn.close()
            raise
        except sqlite3.Error as exc:
            if hasattr(self, "conn"):
                self.conn.close()
            raise self._translate(exc) from exc
        if mode.lower() != "wal":
            raise LedgerError(f"ledger {self.path}: WAL mode unavailable ({mode})")
        if not exists:
            os.chmod(self.path, 0o600)
        if marked != self.ledger_id:
            self.marker.write_text(self.ledger_id + "\n", encoding="utf-8")
            os.chmod(self.marker, 0o600)

    def _marker_id(self) -> str | None:
        try:
            return self.marker.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _check_casebot(self, marked: str | None) -> None:
        """An existing file must be a casebot ledger (or, never marked, one that a crash left unmigrated)."""
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if {"schema_migrations", "items"} <= tables or (not tables and not marked):
            return
        what = f"holds tables {', '.join(sorted(tables))}" if tables else "holds no table"
        raise LedgerCorrupt(
            f"ledger {self.path} is not a casebot ledger (it {what}): it was replaced by another SQLite file. "
            "Put the ledger back from backup; casebot will not write into this file.")

    def _identify(self, marked: str | None) -> str:
        """The ledger's own id, checked against its marker; a ledger from before ids takes its marker's."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()
            if row is None:
                ledger_id = marked or str(uuid.uuid4())
                db.execute("INSERT INTO ledger_meta VALUES ('ledger_id', ?)", (ledger_id,))
                return ledger_id
            # a write now: a ledger casebot may not write is refused at once, not in the middle of a run
            db.execute("UPDATE ledger_meta SET value = value WHERE key = 'ledger_id'")
        stored = str(row[0])
        moved = self.conn.execute("SELECT value FROM ledger_meta WHERE key = 'moved_to'").fetchone()
        if moved:
            raise LedgerError(
                f"ledger {self.path} was moved to the shared ledger {moved[0]} (`casebot ledger migrate`): "
                "set [ledger] url in casebot.toml to it; this file is kept as a record only")
        if marked and stored != marked:
            raise LedgerCorrupt(
                f"ledger {self.path} is another ledger (id {stored}) than the one {self.marker.name} names "
                f"(id {marked}): it was swapped for another workstation's or an older copy. Put this "
                "workstation's ledger back; casebot will not write into another's.")
        return stored

    def mark_moved(self, where: str) -> None:
        """Close this ledger for work: its history now lives in the shared ledger at ``where``."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('moved_to', ?)", (f"{where} on {now()}",))

    def _translate(self, exc: sqlite3.Error) -> Exception:
        """SQLite's errors, as the ledger error a clerk can act on; any other is returned as it is."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_READONLY") or "readonly database" in str(exc):
            return LedgerError(f"ledger {self.path} is read-only: casebot must write to it (and to its folder). "
                               "Give the user running casebot write access to both.")
        if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_BUSY",
                            "SQLITE_LOCKED")):
            return LedgerError(f"ledger {self.path}: {exc}")
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or not hasattr(self, "ledger_id"):
            # unreadable, or anything going wrong while a file is first opened (as before)
            return LedgerCorrupt(f"ledger {self.path} is not a readable SQLite database ({exc}); "
                                 "restore it from backup rather than starting anew")
        return exc

    def _migrate(self) -> None:
        with self._tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in db.execute("SELECT version FROM schema_migrations")}
            for version, sql in enumerate(MIGRATIONS, 1):
                if version in done:
                    continue
                for stmt in filter(str.strip, sql.split(";")):
                    db.execute(stmt)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (version, now()))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self.conn
            except sqlite3.Error as exc:
                raise self._translate(exc) from exc

    @staticmethod
    def _item(row: sqlite3.Row) -> Item:
        return Item(id=row["id"], route=row["route"], target=row["target"], case_key=row["case_key"],
                    state=row["state"], attempts=row["attempts"],
                    card=json.loads(row["card_json"]) if row["card_json"] else None,
                    card_hash=row["card_hash"], source_hash=row["source_hash"], record_id=row["record_id"],
                    error_type=row["error_type"], error_message=row["error_message"],
                    artifacts=json.loads(row["artifacts_json"] or "[]"),
                    created_at=row["created_at"], updated_at=row["updated_at"])

    # -- Ledger ------------------------------------------------------------
    def get(self, route: str, case_key: str) -> Item | None:
        with self._reading():
            row = self.conn.execute("SELECT * FROM items WHERE route = ? AND case_key = ?",
                                    (route, case_key)).fetchone()
        return self._item(row) if row else None

    def ensure(self, route: str, target: str, case_key: str, source_hash: str | None) -> Item:
        with self._tx() as db:
            t = now()
            db.execute("INSERT INTO items (route, target, case_key, state, source_hash, created_at, updated_at) "
                       "VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (route, case_key) DO NOTHING",
                       (route, target, case_key, source_hash, t, t))
            row = db.execute("SELECT * FROM items WHERE route = ? AND case_key = ?", (route, case_key)).fetchone()
        return self._item(row)

    def begin_write(self, item_id: int, card: dict[str, Any], card_hash: str, run_id: str) -> int:
        """Record the intent before the save is sent: a crash after this leaves ``writing``."""
        with self._tx() as db:
            t = now()
            db.execute("UPDATE items SET state = 'writing', attempts = attempts + 1, card_json = ?, card_hash = ?, "
                       "error_type = NULL, error_message = NULL, updated_at = ? WHERE id = ?",
                       (json.dumps(card, ensure_ascii=False), card_hash, t, item_id))
            cur = db.execute("INSERT INTO attempts (item_id, run_id, started_at) VALUES (?, ?, ?)",
                             (item_id, run_id, t))
            return int(cur.lastrowid or 0)

    def set_state(self, item_id: int, state: str, *, record_id: str | None = None,
                  error_type: str | None = None, error_message: str | None = None,
                  artifacts: list[str] | None = None, attempt_id: int | None = None,
                  source_hash: str | None = None) -> None:
        if state not in STATES:
            raise ValueError(state)
        with self._tx() as db:
            t = now()
            sets = ["state = ?", "updated_at = ?", "error_type = ?", "error_message = ?"]
            args: list[Any] = [state, t, error_type, error_message]
            if record_id is not None:
                sets.append("record_id = ?")
                args.append(record_id)
            if artifacts is not None:
                sets.append("artifacts_json = ?")
                args.append(json.dumps(artifacts))
            if source_hash is not None:
                sets.append("source_hash = ?")
                args.append(source_hash)
            db.execute(f"UPDATE items SET {', '.join(sets)} WHERE id = ?", (*args, item_id))
            if attempt_id is not None:
                db.execute("UPDATE attempts SET finished_at = ?, outcome = ?, error_type = ?, error_message = ? "
                           "WHERE id = ?", (t, state, error_type, error_message, attempt_id))

    def items(self, *, route: str | None = None, states: tuple[str, ...] | None = None,
              ids: list[int] | None = None, limit: int | None = None) -> list[Item]:
        sql = "SELECT * FROM items WHERE 1=1"
        args: list[Any] = []
        if route:
            sql += " AND route = ?"
            args.append(route)
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args.extend(states)
        if ids:
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            args.extend(ids)
        sql += " ORDER BY updated_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._reading():
            return [self._item(r) for r in self.conn.execute(sql, args)]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._reading():
            for row in self.conn.execute("SELECT route, state, COUNT(*) FROM items GROUP BY route, state"):
                out.setdefault(row[0], {})[row[1]] = row[2]
        return out

    def attempts_of(self, item_id: int) -> list[dict[str, Any]]:
        with self._reading():
            return [dict(r) for r in self.conn.execute(
                "SELECT * FROM attempts WHERE item_id = ? ORDER BY id", (item_id,))]

    def start_run(self) -> str:
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self._tx() as db:
            db.execute("INSERT INTO runs (id, started_at) VALUES (?, ?)", (run_id, now()))
        return run_id

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET finished_at = ?, status = ?, summary_json = ? WHERE id = ?",
                       (now(), status, json.dumps(summary, ensure_ascii=False), run_id))

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def open_ledger(path: Path, *, create: bool = True) -> SQLiteLedger:
    return SQLiteLedger(path, create=create)
