"""`casebot ledger migrate` and `casebot ledger check`: moving a workstation's history, verifying a ledger.

``move_to_postgres`` copies a SQLite ledger's items, attempts and runs into the
shared ledger in one transaction, then marks the SQLite file as moved (it
refuses to be used again, so a workstation left on its old setting stops with a
clear message instead of working beside the others). Several workstations'
ledgers may be moved into one database, one after the other: a case two of them
hold keeps the furthest state (done, then written, then uncertain, failed,
retry, pending) and the attempts of both. The same SQLite ledger is never moved
twice (its id is recorded in the shared ledger).

``check`` reads a ledger of either backend and lists what is wrong with it
(problems: exit status 6) and what the next run will settle by itself (notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casebot.errors import LedgerError
from casebot.ledger.base import STATES, UNCERTAIN, now
from casebot.ledger.migrations import NAMES
from casebot.ledger.postgres import PostgresLedger
from casebot.ledger.sqlite import SQLiteLedger

#: which state wins when two workstations' ledgers hold the same case
RANK = {"done": 6, "written": 5, "unknown": 4, "writing": 4, "failed": 3, "retry": 2, "pending": 1}

ITEM_FIELDS = ("route", "target", "case_key", "state", "attempts", "card_json", "card_hash", "source_hash",
               "record_id", "error_type", "error_message", "artifacts_json", "created_at", "updated_at",
               "source_version")


@dataclass
class MoveReport:
    source: str
    source_id: str
    destination: str
    items: int = 0
    merged: int = 0
    attempts: int = 0
    runs: int = 0
    #: card versions (the history of what was written for each case)
    versions: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def move_to_postgres(source: SQLiteLedger, dest: PostgresLedger) -> MoveReport:
    """Copy ``source`` into ``dest`` (one transaction), then mark ``source`` as moved."""
    report = MoveReport(source=str(source.path), source_id=source.ledger_id, destination=dest.where)
    with source._reading() as db:
        items = [dict(r) for r in db.execute("SELECT * FROM items ORDER BY id")]
        attempts = [dict(r) for r in db.execute("SELECT * FROM attempts ORDER BY id")]
        runs = [dict(r) for r in db.execute("SELECT * FROM runs ORDER BY started_at")]
        versions = [dict(r) for r in db.execute("SELECT * FROM card_versions ORDER BY item_id, version")]
    key = f"moved_from:{source.ledger_id}"
    with dest._db() as pg, pg.transaction():
        pg.execute("SET LOCAL synchronous_commit = on")
        if pg.execute("SELECT value FROM ledger_meta WHERE key = %s", (key,)).fetchone():
            raise LedgerError(f"ledger {source.ledger_id} ({source.path}) was already moved to {dest.where}")
        ids: dict[int, int] = {}
        cols = ", ".join(ITEM_FIELDS)
        marks = ", ".join("%s::timestamptz" if f.endswith("_at") else "%s" for f in ITEM_FIELDS)
        for it in items:
            row = pg.execute(f"INSERT INTO items ({cols}) VALUES ({marks}) ON CONFLICT (route, case_key) DO NOTHING "
                             "RETURNING id", [it[f] for f in ITEM_FIELDS]).fetchone()
            if row is not None:
                ids[it["id"]] = row[0]
                report.items += 1
                continue
            held_id, held_state = pg.execute("SELECT id, state FROM items WHERE route = %s AND case_key = %s "
                                             "FOR UPDATE", (it["route"], it["case_key"])).fetchone()
            ids[it["id"]] = held_id
            report.merged += 1
            if RANK.get(it["state"], 0) > RANK.get(held_state, 0):
                sets = ", ".join(f"{f} = %s" + ("::timestamptz" if f.endswith("_at") else "")
                                 for f in ITEM_FIELDS[3:] if f not in ("attempts", "created_at"))
                vals = [it[f] for f in ITEM_FIELDS[3:] if f not in ("attempts", "created_at")]
                pg.execute(f"UPDATE items SET {sets}, attempts = attempts + %s WHERE id = %s",
                           [*vals, it["attempts"], held_id])
            else:
                pg.execute("UPDATE items SET attempts = attempts + %s WHERE id = %s", (it["attempts"], held_id))
        for a in attempts:
            pg.execute("INSERT INTO attempts (item_id, run_id, started_at, finished_at, outcome, error_type, "
                       "error_message) VALUES (%s, %s, %s::timestamptz, %s::timestamptz, %s, %s, %s)",
                       (ids[a["item_id"]], a["run_id"], a["started_at"], a["finished_at"], a["outcome"],
                        a["error_type"], a["error_message"]))
            report.attempts += 1
        for v in versions:  # after the shared ledger's own versions of a merged case
            pg.execute("INSERT INTO card_versions (item_id, version, kind, card_json, card_hash, source_hash, "
                       "source_version, run_id, recorded_at) SELECT %s, COALESCE(MAX(version), 0) + 1, %s, %s, %s, "
                       "%s, %s, %s, %s::timestamptz FROM card_versions WHERE item_id = %s",
                       (ids[v["item_id"]], v["kind"], v["card_json"], v["card_hash"], v["source_hash"],
                        v["source_version"], v["run_id"], v["recorded_at"], ids[v["item_id"]]))
            report.versions += 1
        for r in runs:
            cur = pg.execute("INSERT INTO runs (id, started_at, finished_at, status, summary_json) "
                             "VALUES (%s, %s::timestamptz, %s::timestamptz, %s, %s) ON CONFLICT (id) DO NOTHING",
                             (r["id"], r["started_at"], r["finished_at"], r["status"], r["summary_json"]))
            report.runs += cur.rowcount
        pg.execute("INSERT INTO ledger_meta VALUES (%s, %s)", (key, now()))
    source.mark_moved(dest.where)
    return report


@dataclass
class CheckReport:
    backend: str
    where: str
    ledger_id: str
    migrations: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


def check(ledger: Any) -> CheckReport:
    """What is wrong with ``ledger`` (either backend), and what the next run settles by itself."""
    if isinstance(ledger, PostgresLedger):
        return _check_postgres(ledger)
    if isinstance(ledger, SQLiteLedger):
        return _check_sqlite(ledger)
    raise TypeError(f"no check for {type(ledger).__name__}")


def _common(rep: CheckReport, bad_states: list[tuple[Any, ...]], uncertain: int, expired: int,
            live: int) -> None:
    for route, key, state in bad_states:
        rep.problems.append(f"item {route}/{key} has an unknown state {state!r}")
    if uncertain:
        rep.notes.append(f"{uncertain} case(s) in doubt (writing/unknown): the next run looks each up in its "
                         "target before writing")
    if expired:
        rep.notes.append(f"{expired} lease(s) ran out without being released (a worker stopped): the cases are "
                         "free again")
    if live:
        rep.notes.append(f"{live} case(s) leased right now by a running workstation")


def _migrations(rep: CheckReport) -> None:
    missing = [n for n in NAMES if n not in rep.migrations]
    if missing:
        rep.problems.append(f"migrations not applied: {', '.join(missing)}")
    unknown = [n for n in rep.migrations if n not in NAMES]
    if unknown:
        rep.problems.append(f"migrations this casebot does not know (a newer version wrote here): "
                            f"{', '.join(unknown)}")


def _check_postgres(led: PostgresLedger) -> CheckReport:
    rep = CheckReport("postgresql", led.where, led.ledger_id)
    with led._db() as db:
        rep.migrations = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        bad = db.execute("SELECT route, case_key, state FROM items WHERE NOT (state = ANY(%s))",
                         (list(STATES),)).fetchall()
        uncertain = db.execute("SELECT count(*) FROM items WHERE state = ANY(%s)", (list(UNCERTAIN),)).fetchone()[0]
        expired, live = db.execute(
            "SELECT count(*) FILTER (WHERE lease_until < clock_timestamp()), "
            "count(*) FILTER (WHERE lease_until >= clock_timestamp()) FROM items WHERE lease_owner IS NOT NULL"
        ).fetchone()
        dupes = db.execute("SELECT count(*) FROM (SELECT route, case_key FROM items GROUP BY route, case_key "
                           "HAVING count(*) > 1) d").fetchone()[0]
        done_without_record = db.execute("SELECT count(*) FROM items WHERE state IN ('done', 'written') "
                                         "AND record_id IS NULL").fetchone()[0]
        moved = [r[0] for r in db.execute("SELECT key FROM ledger_meta WHERE key LIKE 'moved_from:%'")]
    _migrations(rep)
    if dupes:
        rep.problems.append(f"{dupes} case(s) hold more than one row")
    if done_without_record:
        rep.notes.append(f"{done_without_record} case(s) written without a record id (adopted from the target)")
    if moved:
        rep.notes.append(f"holds the history of {len(moved)} moved SQLite ledger(s)")
    _common(rep, bad, uncertain, expired, live)
    rep.counts = led.counts()
    return rep


def _check_sqlite(led: SQLiteLedger) -> CheckReport:
    rep = CheckReport("sqlite", str(led.path), led.ledger_id)
    with led._reading() as db:
        rep.migrations = [str(r[0]) for r in db.execute("SELECT * FROM schema_migrations ORDER BY 1")]
        integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        bad = db.execute(f"SELECT route, case_key, state FROM items WHERE state NOT IN "
                         f"({','.join('?' * len(STATES))})", STATES).fetchall()
        uncertain = db.execute(f"SELECT count(*) FROM items WHERE state IN ({','.join('?' * len(UNCERTAIN))})",
                               UNCERTAIN).fetchone()[0]
        cols = {r[1] for r in db.execute("PRAGMA table_info(items)")}
        expired = live = 0
        if "lease_until" in cols:
            t = now()
            expired, live = db.execute(
                "SELECT count(CASE WHEN lease_until < ? THEN 1 END), count(CASE WHEN lease_until >= ? THEN 1 END) "
                "FROM items WHERE lease_owner IS NOT NULL", (t, t)).fetchone()
    _migrations(rep)
    if integrity != ["ok"]:
        rep.problems.append("integrity check: " + "; ".join(integrity[:5]))
    if fk:
        rep.problems.append(f"{len(fk)} attempt(s) point at no item")
    _common(rep, [tuple(r) for r in bad], uncertain, expired, live)
    rep.counts = led.counts()
    return rep
