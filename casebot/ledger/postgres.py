"""The shared ledger: one PostgreSQL database that several workstations work from at once.

The same protocol and the same named migrations as the SQLite ledger, with what
a shared queue needs on top:

- ``reserve`` leases a case to one worker (``SELECT ... FOR UPDATE SKIP LOCKED``:
  a case another worker is changing this instant, or holds a live lease on, is
  passed over, never waited for) and increments the case's fencing token;
- every state change names the token it was reserved with, in the same
  statement: a worker whose lease ran out and was taken over records nothing
  (:class:`~casebot.errors.LeaseLost`);
- leases expire on the database's clock, never a workstation's, so workstations
  whose clocks differ still agree on who holds a case; ``heartbeat`` extends them;
- the run lock is an advisory lock held by the run's own session: it is
  released by the server when the process dies, whatever the machine;
- the server unreachable is :class:`~casebot.errors.LedgerUnavailable`: the run
  stops, and what was committed is all there is (a save sent but not recorded
  stays ``writing`` and is looked up in the target before any new write).

Each call is one round trip in autocommit mode: a normal case costs four
(reserve, begin_write, written, done with release). Only ``begin_write`` (the
intent recorded before a save is sent) waits for the server's disk; the other
calls commit asynchronously (``synchronous_commit = off``), because each is
recovered by the next run if the server itself crashes in the fraction of a
second before they reach its disk: a lost ``written``/``done`` leaves the case
``writing`` (looked up in the target, adopted), a lost lease or failure leaves it
as it was. A durable commit also makes every earlier one durable (one WAL). A
server crash breaks every connection: a ledger whose connection was lost is
unusable for the rest of its run (:class:`~casebot.errors.LedgerUnavailable`),
so no worker goes on with a lease the server may have forgotten.
"""

from __future__ import annotations

import json
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from casebot.errors import LeaseLost, LedgerError, LedgerUnavailable, RunLocked
from casebot.ledger.base import Item, applied, check_state
from casebot.ledger.migrations import POSTGRES as MIGRATIONS

#: every advisory lock casebot takes is in this class (first key), so it never meets another program's
LOCK_CLASS = 0x0CA5
LOCK_MIGRATE = 1

ITEM_COLUMNS = ("id, route, target, case_key, state, attempts, card_json, card_hash, source_hash, record_id, "
                "error_type, error_message, artifacts_json, created_at, updated_at, token, lease_owner, lease_until, "
                "source_version")

RESERVE = f"""
WITH fresh AS (
    INSERT INTO items (route, target, case_key, state, token, lease_owner, lease_until, created_at, updated_at)
    VALUES (%(route)s, %(target)s, %(key)s, 'pending', 1, %(owner)s,
            clock_timestamp() + make_interval(secs => %(lease)s), clock_timestamp(), clock_timestamp())
    ON CONFLICT (route, case_key) DO NOTHING
    RETURNING {ITEM_COLUMNS}
), free AS (
    SELECT id FROM items
    WHERE route = %(route)s AND case_key = %(key)s
      AND (lease_owner IS NULL OR lease_owner = %(owner)s OR lease_until < clock_timestamp())
    FOR UPDATE SKIP LOCKED
), leased AS (
    UPDATE items SET token = items.token + 1, lease_owner = %(owner)s,
                     lease_until = clock_timestamp() + make_interval(secs => %(lease)s)
    FROM free WHERE items.id = free.id
    RETURNING {', '.join('items.' + c.strip() for c in ITEM_COLUMNS.split(','))}
)
SELECT * FROM fresh UNION ALL SELECT * FROM leased
"""

BEGIN_WRITE = """
WITH durable AS (SELECT set_config('synchronous_commit', 'on', true) AS sync),
upd AS (
    UPDATE items SET state = 'writing', attempts = attempts + 1, card_json = %(card)s, card_hash = %(hash)s,
                     error_type = NULL, error_message = NULL, updated_at = clock_timestamp()
    WHERE id = %(id)s AND token = %(token)s AND lease_until > clock_timestamp()
      AND (SELECT sync FROM durable) = 'on'
    RETURNING id, attempts, updated_at
)
INSERT INTO attempts (item_id, run_id, started_at)
SELECT id, %(run)s, updated_at FROM upd
RETURNING id, (SELECT attempts FROM upd), (SELECT updated_at FROM upd)
"""


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    return str(value)


def display_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        info = conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://", 1))
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable URL)"
    host = info.get("host") or "localhost"
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname') or ''}"


class PostgresLedger:
    """The shared ledger in one PostgreSQL database (psycopg 3, autocommit, one round trip per call)."""

    backend = "postgresql"

    def __init__(self, url: str, *, create: bool = True, connect_timeout: float = 5.0) -> None:
        # SQLAlchemy-style "postgresql+psycopg://" is accepted; libpq wants the plain scheme
        self.url = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.where = display_url(url)
        self.connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._lost: str | None = None
        self._run_lock: int | None = None
        self.conn = self._connect()
        with self._db() as db:
            exists = db.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
        if not exists and not create:
            self.conn.close()
            raise LedgerError(f"no casebot ledger in {self.where}: run `casebot run` or `casebot ledger migrate` "
                              "first")
        self._migrate()
        with self._db() as db:
            row = db.execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()
        self.ledger_id = str(row[0])

    # -- plumbing --------------------------------------------------------------
    def _connect(self) -> psycopg.Connection[Any]:
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(self.connect_timeout)),
                                   application_name="casebot")
            conn.execute("SET synchronous_commit = off")  # begin_write asks for its own durable commit
            return conn
        except psycopg.OperationalError as exc:
            raise LedgerUnavailable(f"shared ledger {self.where} cannot be reached: {_first_line(exc)}") from exc
        except psycopg.ProgrammingError as exc:
            # libpq's own message may quote the URL, password included: not repeated here
            raise LedgerError("[ledger] url is not a PostgreSQL URL casebot can use "
                              "(postgresql://user@host:port/dbname)") from exc

    @contextmanager
    def _db(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection, under the lock; the server's errors as the ledger's own."""
        with self._lock:
            if self._lost is not None:
                raise LedgerUnavailable(f"shared ledger {self.where}: the connection was lost earlier "
                                        f"({self._lost}); this run stops here, the next one starts afresh")
            try:
                yield self.conn
            except (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction) as exc:
                raise LedgerError(f"shared ledger {self.where}: casebot may not write there "
                                  f"({_first_line(exc)}): grant the ledger's user write access") from exc
            except psycopg.OperationalError as exc:
                # connection lost, server shut down: nothing half-done is committed, and this
                # connection's leases and run lock are gone with it
                self._lost = _first_line(exc)
                self.conn.close()
                raise LedgerUnavailable(f"shared ledger {self.where} cannot be reached: "
                                        f"{_first_line(exc)}") from exc

    def _migrate(self) -> None:
        with self._db() as db, db.transaction():
            # one workstation migrates at a time; the others wait here, then find nothing to do
            db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, LOCK_MIGRATE))
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
            for m in MIGRATIONS:
                if m.name in done:
                    continue
                db.execute(m.sql)
                db.execute("INSERT INTO schema_migrations VALUES (%s, %s)", (m.name, _now()))
            db.execute("INSERT INTO ledger_meta VALUES ('ledger_id', %s) ON CONFLICT (key) DO NOTHING",
                       (str(uuid.uuid4()),))

    @staticmethod
    def _item(row: dict[str, Any]) -> Item:
        return Item(id=row["id"], route=row["route"], target=row["target"], case_key=row["case_key"],
                    state=row["state"], attempts=row["attempts"],
                    card=json.loads(row["card_json"]) if row["card_json"] else None,
                    card_hash=row["card_hash"], source_hash=row["source_hash"], record_id=row["record_id"],
                    error_type=row["error_type"], error_message=row["error_message"],
                    artifacts=json.loads(row["artifacts_json"] or "[]"),
                    created_at=_iso(row["created_at"]) or "", updated_at=_iso(row["updated_at"]) or "",
                    token=row["token"], lease_owner=row["lease_owner"], lease_until=_iso(row["lease_until"]),
                    source_version=row.get("source_version"))

    def _rows(self, sql: str, args: Any = None) -> list[dict[str, Any]]:
        with self._db() as db, db.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    # -- leases ----------------------------------------------------------------
    def reserve(self, route: str, target: str, case_key: str, *, owner: str, lease_s: float) -> Item | None:
        """Lease the case to ``owner`` (creating its row): ``None`` while another worker holds it."""
        rows = self._rows(RESERVE, {"route": route, "target": target, "key": case_key, "owner": owner,
                                    "lease": float(lease_s)})
        return self._item(rows[0]) if rows else None

    def release(self, item: Item) -> None:
        with self._db() as db:
            db.execute("UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE id = %s AND token = %s",
                       (item.id, item.token))
        item.lease_owner = item.lease_until = None

    def heartbeat(self, items: list[Item], lease_s: float) -> None:
        """Extend the leases still held (token unchanged); a lease already taken over stays lost."""
        if not items:
            return
        rows = self._rows(
            "UPDATE items SET lease_until = clock_timestamp() + make_interval(secs => %s) "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS held(id, token) "
            "WHERE items.id = held.id AND items.token = held.token AND items.lease_owner IS NOT NULL "
            "RETURNING items.id, items.lease_until",
            (float(lease_s), [i.id for i in items], [i.token for i in items]))
        until = {r["id"]: _iso(r["lease_until"]) for r in rows}
        for item in items:
            if item.id in until:
                item.lease_until = until[item.id]

    # -- writes (fenced) -------------------------------------------------------
    def begin_write(self, item: Item, card: dict[str, Any], card_hash: str, run_id: str) -> int:
        """Record the intent before the save is sent; only while this worker's lease is live."""
        with self._db() as db:
            row = db.execute(BEGIN_WRITE, {"card": json.dumps(card, ensure_ascii=False), "hash": card_hash,
                                           "id": item.id, "token": item.token, "run": run_id}).fetchone()
        if row is None:
            raise LeaseLost(f"ledger item {item.id}: the lease ran out or another worker reserved the case; "
                            "not writing it")
        item.state, item.attempts, item.card, item.card_hash = "writing", row[1], card, card_hash
        item.error_type = item.error_message = None
        item.updated_at = _iso(row[2]) or item.updated_at
        return int(row[0])

    def set_state(self, item: Item, state: str, *, record_id: str | None = None,
                  error_type: str | None = None, error_message: str | None = None,
                  artifacts: list[str] | None = None, attempt_id: int | None = None,
                  source_hash: str | None = None, release: bool = False,
                  source_version: str | None = None) -> None:
        check_state(state)
        sets = ["state = %(state)s", "updated_at = clock_timestamp()", "error_type = %(etype)s",
                "error_message = %(emsg)s"]
        args: dict[str, Any] = {"state": state, "etype": error_type, "emsg": error_message, "id": item.id,
                                "token": item.token, "attempt": attempt_id}
        if record_id is not None:
            sets.append("record_id = %(record)s")
            args["record"] = record_id
        if artifacts is not None:
            sets.append("artifacts_json = %(artifacts)s")
            args["artifacts"] = json.dumps(artifacts)
        if source_hash is not None:
            sets.append("source_hash = %(source)s")
            args["source"] = source_hash
        if source_version is not None:
            sets.append("source_version = %(source_version)s")
            args["source_version"] = source_version
        if release:
            sets += ["lease_owner = NULL", "lease_until = NULL"]
        sql = (f"WITH upd AS (UPDATE items SET {', '.join(sets)} WHERE id = %(id)s AND token = %(token)s "
               "RETURNING id, updated_at), "
               "att AS (UPDATE attempts SET finished_at = clock_timestamp(), outcome = %(state)s, "
               "error_type = %(etype)s, error_message = %(emsg)s "
               "WHERE id = %(attempt)s AND item_id IN (SELECT id FROM upd) RETURNING id) "
               "SELECT updated_at, (SELECT count(*) FROM att) FROM upd")
        with self._db() as db:
            row = db.execute(sql, args).fetchone()
        if row is None:
            raise LeaseLost(f"ledger item {item.id}: another worker reserved the case after this one's lease "
                            f"ran out; {state!r} not recorded")
        applied(item, state, _iso(row[0]) or item.updated_at, record_id=record_id, error_type=error_type,
                error_message=error_message, artifacts=artifacts, source_hash=source_hash, release=release)
        if source_version is not None:
            item.source_version = source_version

    # -- card versions (append-only) ------------------------------------------------
    def record_version(self, item: Item, card: dict[str, Any], card_hash: str, *, kind: str,
                       source_hash: str | None, source_version: str | None, run_id: str | None) -> int:
        """Append the card written (or adopted) for the case; fenced like every write."""
        sql = ("WITH upd AS (UPDATE items SET source_version = %(sv)s WHERE id = %(id)s AND token = %(token)s "
               "RETURNING id) "
               "INSERT INTO card_versions (item_id, version, kind, card_json, card_hash, source_hash, "
               "source_version, run_id, recorded_at) "
               "SELECT upd.id, COALESCE((SELECT MAX(version) FROM card_versions WHERE item_id = upd.id), 0) + 1, "
               "%(kind)s, %(card)s, %(hash)s, %(sh)s, %(sv)s, %(run)s, clock_timestamp() FROM upd "
               "RETURNING version")
        with self._db() as db:
            row = db.execute(sql, {"sv": source_version, "id": item.id, "token": item.token, "kind": kind,
                                   "card": json.dumps(card, ensure_ascii=False, sort_keys=True),
                                   "hash": card_hash, "sh": source_hash, "run": run_id}).fetchone()
        if row is None:
            raise LeaseLost(f"ledger item {item.id}: another worker reserved the case; version not recorded")
        item.source_version = source_version
        return int(row[0])

    def last_version(self, item_id: int) -> dict[str, Any] | None:
        found = self.versions(item_id, last=True)
        return found[0] if found else None

    def versions(self, item_id: int, *, last: bool = False) -> list[dict[str, Any]]:
        sql = "SELECT * FROM card_versions WHERE item_id = %s ORDER BY version" + (" DESC LIMIT 1" if last else "")
        rows = [{k: _iso(v) if isinstance(v, datetime) else v for k, v in r.items()}
                for r in self._rows(sql, (item_id,))]
        for r in rows:
            r["card"] = json.loads(r.pop("card_json"))
        return rows

    def set_source_version(self, item: Item, source_version: str | None) -> None:
        with self._db() as db:
            row = db.execute("UPDATE items SET source_version = %s WHERE id = %s AND token = %s RETURNING id",
                             (source_version, item.id, item.token)).fetchone()
        if row is None:
            raise LeaseLost(f"ledger item {item.id}: another worker reserved the case; not recorded")
        item.source_version = source_version

    # -- read side -------------------------------------------------------------
    def get(self, route: str, case_key: str) -> Item | None:
        rows = self._rows(f"SELECT {ITEM_COLUMNS} FROM items WHERE route = %s AND case_key = %s",
                          (route, case_key))
        return self._item(rows[0]) if rows else None

    def items(self, *, route: str | None = None, states: tuple[str, ...] | None = None,
              ids: list[int] | None = None, limit: int | None = None) -> list[Item]:
        sql = f"SELECT {ITEM_COLUMNS} FROM items WHERE true"
        args: list[Any] = []
        if route:
            sql += " AND route = %s"
            args.append(route)
        if states:
            sql += " AND state = ANY(%s)"
            args.append(list(states))
        if ids:
            sql += " AND id = ANY(%s)"
            args.append(list(ids))
        sql += " ORDER BY updated_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._item(r) for r in self._rows(sql, args)]

    def case_versions(self, route: str, states: tuple[str, ...]) -> dict[str, str | None]:
        with self._db() as db:
            return {r[0]: r[1] for r in db.execute(
                "SELECT case_key, source_version FROM items WHERE route = %s AND state = ANY(%s)",
                (route, list(states)))}

    def case_keys(self, route: str, states: tuple[str, ...]) -> set[str]:
        with self._db() as db:
            return {r[0] for r in db.execute("SELECT case_key FROM items WHERE route = %s AND state = ANY(%s)",
                                             (route, list(states)))}

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for row in self._rows("SELECT route, state, COUNT(*) AS n FROM items GROUP BY route, state"):
            out.setdefault(row["route"], {})[row["state"]] = row["n"]
        return out

    def attempts_of(self, item_id: int) -> list[dict[str, Any]]:
        rows = self._rows("SELECT * FROM attempts WHERE item_id = %s ORDER BY id", (item_id,))
        return [{k: _iso(v) if isinstance(v, datetime) else v for k, v in r.items()} for r in rows]

    def start_run(self) -> str:
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        with self._db() as db:
            db.execute("INSERT INTO runs (id, started_at) VALUES (%s, clock_timestamp())", (run_id,))
        return run_id

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self._db() as db:
            db.execute("UPDATE runs SET finished_at = clock_timestamp(), status = %s, summary_json = %s "
                       "WHERE id = %s", (status, json.dumps(summary, ensure_ascii=False), run_id))

    def last_run(self) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM runs ORDER BY started_at DESC LIMIT 1")
        if not rows:
            return None
        row = {k: _iso(v) if isinstance(v, datetime) else v for k, v in rows[0].items()}
        row["summary"] = json.loads(row.pop("summary_json") or "null")
        return row

    # -- run lock --------------------------------------------------------------
    def lock_run(self, name: str) -> None:
        """One run at a time per ``name`` (a workstation) on this shared ledger; other names run alongside.

        A session-level advisory lock on the ledger's connection: the server drops it
        when the process dies or the connection is lost, so a crash never leaves it held.
        """
        key = zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF
        with self._db() as db:
            got = db.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, key)).fetchone()[0]
        if not got:
            raise RunLocked(f"工作站 {name!r} 的另一次 casebot 运行正在使用 {self.where}：不再启动第二次运行")
        self._run_lock = key

    def unlock_run(self) -> None:
        if self._run_lock is None or self._lost is not None or self.conn.closed:
            return
        with self._db() as db:
            db.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, self._run_lock))
        self._run_lock = None

    def close(self) -> None:
        with self._lock:
            self.conn.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
