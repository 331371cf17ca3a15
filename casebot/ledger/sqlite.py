"""The embedded ledger: one SQLite file in WAL mode (see :mod:`casebot.ledger.base` for the states).

A ledger file is never silently recreated: the ledger keeps its own id
(``ledger_meta``) and leaves a marker beside it holding the same id. A missing
or empty (truncated) ledger with a marker present, a file that is not a
readable SQLite database or not a casebot ledger, and a ledger whose id is not
its marker's (swapped for another) raise :class:`~casebot.errors.LedgerCorrupt`,
and so does an older copy of the same ledger put back: each open counts a
generation, kept in the ledger (``ledger_meta``) and in the marker, and a
ledger behind its marker is an old copy (it would write again what was written
since);
a ledger casebot may not write (read-only file or folder) raises
:class:`~casebot.errors.LedgerError`, and so does one whose history was moved
to a shared ledger. Every write is one ``BEGIN IMMEDIATE`` transaction (one
round trip); a write of a case checks the item's fencing token in the same
statement.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casebot.errors import LeaseLost, LedgerCorrupt, LedgerError
from casebot.ledger.base import Item, applied, check_state, later, now
from casebot.ledger.migrations import NAMES, SQLITE


def _json(text: str, where: str) -> Any:
    """A JSON column of the ledger; damaged (a flipped byte) is LedgerCorrupt, not a traceback."""
    try:
        return json.loads(text)
    except ValueError as exc:
        reason = getattr(exc, "msg", None) or str(exc)[:80]
        raise LedgerCorrupt(f"ledger is damaged: {where} is not valid JSON ({reason}); "
                            "restore it from backup") from None


class SQLiteLedger:
    """The embedded ledger: one SQLite file in WAL mode."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self.marker = self.path.with_name(self.path.name + ".id")
        self._lock = threading.RLock()
        exists = self.path.exists()
        marked, self._marked_generation = self._read_marker()
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
        if not exists:
            # created 0600 before SQLite opens it: its -wal and -shm files (which hold the frozen cards)
            # take the database file's mode when SQLite creates them
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self.conn.row_factory = sqlite3.Row
            if exists:
                # the full check `casebot ledger check` makes: quick_check does not compare an index with
                # its table (an index missing rows passes it), and a run lists a route's cases through one
                ok = self.conn.execute("PRAGMA integrity_check").fetchone()[0]
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
        for path in (self.path, self.path.with_name(self.path.name + "-wal"),
                     self.path.with_name(self.path.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_mode & 0o077:
                    os.chmod(path, 0o600)  # ledgers made before this was done
        self._write_marker()

    def _read_marker(self) -> tuple[str | None, int | None]:
        """The marker's ledger id and generation (a marker from before generations holds the id only)."""
        try:
            words = self.marker.read_text(encoding="utf-8").split()
        except FileNotFoundError:
            return None, None
        if not words:
            return None, None
        generation = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
        return words[0], generation

    def _write_marker(self) -> None:
        tmp = self.marker.with_name(self.marker.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, f"{self.ledger_id} {self.generation}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.marker)

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
        """The ledger's own id, checked against its marker; a ledger from before ids takes its marker's.

        Each open also counts one generation, in the ledger and (after) in the marker: a crash in
        between leaves the ledger one ahead, which is fine; a ledger behind its marker is an older copy.
        """
        with self._tx() as db:
            row = db.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()
            gen_row = db.execute("SELECT value FROM ledger_meta WHERE key = 'generation'").fetchone()
            generation = int(gen_row[0]) if gen_row is not None and str(gen_row[0]).isdigit() else 0
            if row is not None and marked and str(row[0]) == marked and self._marked_generation is not None \
                    and generation < self._marked_generation:
                raise LedgerCorrupt(
                    f"ledger {self.path} is an older copy of this ledger (generation {generation}, "
                    f"{self.marker.name} shows {self._marked_generation}): what was written since would be "
                    "written again. Put the current ledger back; or, once sure this copy is the one to keep, "
                    f"delete {self.marker.name} (find_existing still guards against duplicates).")
            # a write now: a ledger casebot may not write is refused at once, not in the middle of a run
            self.generation = max(generation, self._marked_generation or 0) + 1
            db.execute("INSERT OR REPLACE INTO ledger_meta VALUES ('generation', ?)", (str(self.generation),))
            if row is None:
                ledger_id = marked or str(uuid.uuid4())
                db.execute("INSERT INTO ledger_meta VALUES ('ledger_id', ?)", (ledger_id,))
                return ledger_id
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
        if "Could not decode to UTF-8" in str(exc):
            # a byte flipped inside a row: SQLite's quick check does not read the rows' text
            return LedgerCorrupt(f"ledger {self.path} is damaged: a row holds text that is not UTF-8 "
                                 f"({str(exc)[:80]}…); restore it from backup")
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
            cols = [r[1] for r in db.execute("PRAGMA table_info(schema_migrations)")]
            if cols and "name" not in cols:
                # a ledger of the first format recorded migrations by list position (1, 2):
                # the same steps, now known by name
                versions = sorted(r[0] for r in db.execute("SELECT version FROM schema_migrations"))
                rows = [(NAMES[v - 1], t) for v, t in db.execute(
                    "SELECT version, applied_at FROM schema_migrations ORDER BY version") if 0 < v <= len(NAMES)]
                if versions != list(range(1, len(rows) + 1)):
                    raise LedgerCorrupt(f"ledger {self.path}: unexpected schema versions {versions}")
                db.execute("DROP TABLE schema_migrations")
                db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
                db.executemany("INSERT INTO schema_migrations VALUES (?, ?)", rows)
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
            for migration in SQLITE:
                if migration.name in done:
                    continue
                for stmt in filter(str.strip, migration.sql.split(";")):
                    db.execute(stmt)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (migration.name, now()))

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
                    card=_json(row["card_json"], "items.card_json") if row["card_json"] else None,
                    card_hash=row["card_hash"], source_hash=row["source_hash"], record_id=row["record_id"],
                    error_type=row["error_type"], error_message=row["error_message"],
                    artifacts=_json(row["artifacts_json"] or "[]", "items.artifacts_json"),
                    created_at=row["created_at"], updated_at=row["updated_at"],
                    token=row["token"], lease_owner=row["lease_owner"], lease_until=row["lease_until"],
                    source_version=row["source_version"])

    # -- Ledger ------------------------------------------------------------
    def get(self, route: str, case_key: str) -> Item | None:
        with self._reading():
            row = self.conn.execute("SELECT * FROM items WHERE route = ? AND case_key = ?",
                                    (route, case_key)).fetchone()
        return self._item(row) if row else None

    def reserve(self, route: str, target: str, case_key: str, *, owner: str, lease_s: float) -> Item | None:
        with self._tx() as db:
            t = now()
            db.execute("INSERT INTO items (route, target, case_key, state, created_at, updated_at) "
                       "VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (route, case_key) DO NOTHING",
                       (route, target, case_key, t, t))
            row = db.execute("UPDATE items SET token = token + 1, lease_owner = ?, lease_until = ? "
                             "WHERE route = ? AND case_key = ? AND (lease_owner IS NULL OR lease_owner = ? "
                             "OR lease_until IS NULL OR lease_until < ?) RETURNING *",
                             (owner, later(lease_s), route, case_key, owner, t)).fetchone()
        return self._item(row) if row else None

    def release(self, item: Item) -> None:
        with self._tx() as db:
            db.execute("UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND token = ?",
                       (item.id, item.token))
        item.lease_owner = item.lease_until = None

    def heartbeat(self, items: list[Item], lease_s: float) -> None:
        if not items:
            return
        until = later(lease_s)
        with self._tx() as db:
            db.executemany("UPDATE items SET lease_until = ? WHERE id = ? AND token = ? AND lease_owner IS NOT NULL",
                           [(until, i.id, i.token) for i in items])
        for i in items:
            if i.lease_owner is not None:
                i.lease_until = until

    def begin_write(self, item: Item, card: dict[str, Any], card_hash: str, run_id: str) -> int:
        """Record the intent before the save is sent: a crash after this leaves ``writing``."""
        with self._tx() as db:
            t = now()
            cur = db.execute("UPDATE items SET state = 'writing', attempts = attempts + 1, card_json = ?, "
                             "card_hash = ?, error_type = NULL, error_message = NULL, updated_at = ? "
                             "WHERE id = ? AND token = ?",
                             (json.dumps(card, ensure_ascii=False), card_hash, t, item.id, item.token))
            self._fenced(cur, item)
            cur = db.execute("INSERT INTO attempts (item_id, run_id, started_at) VALUES (?, ?, ?)",
                             (item.id, run_id, t))
            attempt_id = int(cur.lastrowid or 0)
        item.state, item.attempts, item.updated_at = "writing", item.attempts + 1, t
        item.card, item.card_hash, item.error_type, item.error_message = card, card_hash, None, None
        return attempt_id

    def set_state(self, item: Item, state: str, *, record_id: str | None = None,
                  error_type: str | None = None, error_message: str | None = None,
                  artifacts: list[str] | None = None, attempt_id: int | None = None,
                  source_hash: str | None = None, release: bool = False,
                  source_version: str | None = None) -> None:
        check_state(state)
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
            if source_version is not None:
                sets.append("source_version = ?")
                args.append(source_version)
            if release:
                sets.append("lease_owner = NULL, lease_until = NULL")
            cur = db.execute(f"UPDATE items SET {', '.join(sets)} WHERE id = ? AND token = ?",
                             (*args, item.id, item.token))
            self._fenced(cur, item)
            if attempt_id is not None:
                db.execute("UPDATE attempts SET finished_at = ?, outcome = ?, error_type = ?, error_message = ? "
                           "WHERE id = ?", (t, state, error_type, error_message, attempt_id))
        applied(item, state, t, record_id=record_id, error_type=error_type, error_message=error_message,
                artifacts=artifacts, source_hash=source_hash, release=release)
        if source_version is not None:
            item.source_version = source_version

    def _fenced(self, cur: sqlite3.Cursor, item: Item) -> None:
        """Inside a write transaction: the row was not updated, so its token moved on (rolled back)."""
        if cur.rowcount == 0:
            raise LeaseLost(f"ledger: case {item.route}/{item.id} was reserved by another owner "
                            f"(token {item.token} is stale)")

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

    def case_versions(self, route: str, states: tuple[str, ...]) -> dict[str, str | None]:
        sql = f"SELECT case_key, source_version FROM items WHERE route = ? AND state IN ({','.join('?' * len(states))})"
        with self._reading():
            return {r[0]: r[1] for r in self.conn.execute(sql, (route, *states))}

    def case_keys(self, route: str, states: tuple[str, ...]) -> set[str]:
        with self._reading():
            return {r[0] for r in self.conn.execute(
                f"SELECT case_key FROM items WHERE route = ? AND state IN ({','.join('?' * len(states))})",
                (route, *states))}

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

    def last_run(self) -> dict[str, Any] | None:
        with self._reading():
            row = self.conn.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        if row is None:
            return None
        run = dict(row)
        run["summary"] = _json(run.pop("summary_json") or "null", "runs.summary_json")
        return run

    # -- card versions -----------------------------------------------------------
    def record_version(self, item: Item, card: dict[str, Any], card_hash: str, *, kind: str,
                       source_hash: str | None, source_version: str | None, run_id: str | None) -> int:
        with self._tx() as db:
            n = db.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM card_versions WHERE item_id = ?",
                           (item.id,)).fetchone()[0]
            db.execute("INSERT INTO card_versions (item_id, version, kind, card_json, card_hash, source_hash, "
                       "source_version, run_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (item.id, n, kind, json.dumps(card, ensure_ascii=False, sort_keys=True), card_hash,
                        source_hash, source_version, run_id, now()))
            cur = db.execute("UPDATE items SET source_version = ? WHERE id = ? AND token = ?",
                             (source_version, item.id, item.token))
            self._fenced(cur, item)
        item.source_version = source_version
        return int(n)

    def last_version(self, item_id: int) -> dict[str, Any] | None:
        found = self.versions(item_id, last=True)
        return found[0] if found else None

    def versions(self, item_id: int, *, last: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM card_versions WHERE item_id = ? ORDER BY version" + (" DESC LIMIT 1" if last else "")
        with self._lock:
            rows = [dict(r) for r in self.conn.execute(sql, (item_id,))]
        for r in rows:
            r["card"] = _json(r.pop("card_json"), "card_versions.card_json")
        return rows

    def set_source_version(self, item: Item, source_version: str | None) -> None:
        with self._tx() as db:
            cur = db.execute("UPDATE items SET source_version = ? WHERE id = ? AND token = ?",
                             (source_version, item.id, item.token))
            self._fenced(cur, item)
        item.source_version = source_version

    def close(self) -> None:
        with self._lock:
            self.conn.close()

