import os
import stat

import pytest

from casebot.errors import LeaseLost, LedgerCorrupt, LedgerError
from casebot.ledger import open_ledger
from casebot.ledger.migrations import NAMES, SQLITE
from casebot.ledger.sqlite import SQLiteLedger


@pytest.fixture
def ledger(tmp_path):
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def reserve(ledger, key, *, route="r", owner="ws1", lease_s=60.0):
    return ledger.reserve(route, "court", key, owner=owner, lease_s=lease_s)


def test_new_ledger_is_private_wal_and_migrated_by_name(tmp_path, ledger):
    path = tmp_path / "ledger.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = [r[0] for r in ledger.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [m.name for m in SQLITE] == list(NAMES)


def test_reopening_applies_no_migration_twice(tmp_path, ledger):
    ledger.close()
    again = SQLiteLedger(tmp_path / "ledger.sqlite3")
    assert again.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(SQLITE)
    again.close()


def test_a_ledger_with_numbered_migrations_is_converted_to_names(tmp_path):
    """A ledger of the first format (migrations 1 and 2 recorded by list position) opens, keeps its rows,
    records the same steps by name and gets the steps it lacks."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)")
    for m in SQLITE[:2]:
        db.executescript(m.sql)
    db.executemany("INSERT INTO schema_migrations VALUES (?, ?)", [(1, "2026-01-01"), (2, "2026-01-02")])
    db.execute("INSERT INTO items (route, target, case_key, state, attempts, created_at, updated_at) "
               "VALUES ('r', 'court', 'OLD1', 'done', 1, 't', 't')")
    db.commit()
    db.close()
    led = SQLiteLedger(path)
    rows = led.conn.execute("SELECT name, applied_at FROM schema_migrations ORDER BY name").fetchall()
    assert [tuple(r) for r in rows[:2]] == [(NAMES[0], "2026-01-01"), (NAMES[1], "2026-01-02")]
    assert [r[0] for r in rows] == list(NAMES)
    old = led.get("r", "OLD1")
    assert old.state == "done" and old.token == 0 and old.lease_owner is None
    led.close()


def test_open_ledger_chooses_the_backend_by_url(tmp_path, monkeypatch):
    by_url = open_ledger(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert isinstance(by_url, SQLiteLedger) and by_url.path == tmp_path / "a.sqlite3"
    by_url.close()
    monkeypatch.chdir(tmp_path)
    relative = open_ledger("sqlite:///var/b.sqlite3")
    assert relative.path.resolve() == (tmp_path / "var" / "b.sqlite3").resolve()
    relative.close()
    plain = open_ledger(tmp_path / "c.sqlite3")
    assert isinstance(plain, SQLiteLedger)
    plain.close()
    with pytest.raises(LedgerError, match="no ledger"):
        open_ledger(f"sqlite:///{tmp_path / 'none.sqlite3'}", create=False)
    with pytest.raises(Exception, match="unknown ledger backend"):
        open_ledger("mysql://db/casebot")


def test_item_lifecycle_and_audit_with_the_item_in_hand(ledger):
    item = reserve(ledger, "A1")
    assert item.state == "pending" and item.token == 1 and item.lease_owner == "ws1"
    attempt = ledger.begin_write(item, {"ay": "盗窃罪"}, "c1", "run1")
    assert item.state == "writing" and item.attempts == 1 and item.card == {"ay": "盗窃罪"}
    ledger.set_state(item, "written", record_id="（2026）闽0502刑初1号", attempt_id=attempt)
    ledger.set_state(item, "done", release=True)
    assert item.state == "done" and item.record_id == "（2026）闽0502刑初1号" and item.lease_owner is None
    cur = ledger.get("r", "A1")
    assert (cur.state, cur.record_id, cur.attempts, cur.lease_owner, cur.lease_until) == \
        ("done", "（2026）闽0502刑初1号", 1, None, None)
    audit = ledger.attempts_of(item.id)
    assert len(audit) == 1 and audit[0]["outcome"] == "written" and audit[0]["finished_at"]


def test_reserve_leases_one_owner_at_a_time(ledger):
    first = reserve(ledger, "A1", owner="ws1")
    assert reserve(ledger, "A1", owner="ws2") is None, "a live lease of another owner"
    again = reserve(ledger, "A1", owner="ws1")
    assert again.id == first.id and again.token == first.token + 1, "one row per route and case"
    ledger.release(again)
    taken = reserve(ledger, "A1", owner="ws2")
    assert taken.lease_owner == "ws2" and taken.token == again.token + 1


def test_an_expired_lease_can_be_taken_and_fences_the_old_owner(ledger):
    old = reserve(ledger, "A1", owner="ws1", lease_s=-1)   # already expired
    new = reserve(ledger, "A1", owner="ws2")
    assert new is not None and new.token == old.token + 1
    with pytest.raises(LeaseLost):
        ledger.begin_write(old, {"x": 1}, "h", "run")
    with pytest.raises(LeaseLost):
        ledger.set_state(old, "done", release=True)
    assert old.state == "pending", "a refused write leaves the caller's item as it was"
    ledger.release(old)                                    # stale token: a no-op
    cur = ledger.get("r", "A1")
    assert (cur.state, cur.attempts, cur.lease_owner) == ("pending", 0, "ws2")
    assert ledger.attempts_of(cur.id) == [], "the refused begin_write left no audit row"


def test_heartbeat_extends_live_leases_only(ledger):
    from casebot.ledger.base import later

    a = reserve(ledger, "A1", lease_s=1)
    b = reserve(ledger, "B1", lease_s=1)
    ledger.release(b)
    ledger.heartbeat([a, b], 3600)
    assert ledger.get("r", "A1").lease_until == a.lease_until > later(3000)
    assert ledger.get("r", "B1").lease_until is None and b.lease_until is None


def test_counts_and_filters(ledger):
    for i in range(5):
        it = reserve(ledger, f"K{i}", route="a")
        ledger.set_state(it, "failed" if i % 2 else "done", error_type="DataError", error_message="x", release=True)
    assert ledger.counts() == {"a": {"done": 3, "failed": 2}}
    assert {i.case_key for i in ledger.items(states=("failed",))} == {"K1", "K3"}
    assert ledger.case_keys("a", ("done",)) == {"K0", "K2", "K4"} and ledger.case_keys("b", ("done",)) == set()


def test_missing_ledger_with_marker_is_refused(tmp_path, ledger):
    ledger.close()
    (tmp_path / "ledger.sqlite3").unlink()
    for suffix in ("-wal", "-shm"):
        p = tmp_path / f"ledger.sqlite3{suffix}"
        if p.exists():
            p.unlink()
    with pytest.raises(LedgerCorrupt, match="refusing to start"):
        SQLiteLedger(tmp_path / "ledger.sqlite3")


def test_corrupt_ledger_is_refused(tmp_path, ledger):
    ledger.close()
    path = tmp_path / "ledger.sqlite3"
    for suffix in ("-wal", "-shm"):
        p = tmp_path / f"ledger.sqlite3{suffix}"
        if p.exists():
            p.unlink()
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerCorrupt):
        SQLiteLedger(path)


def test_no_ledger_for_read_only_commands(tmp_path):
    with pytest.raises(LedgerError, match="no ledger"):
        SQLiteLedger(tmp_path / "none.sqlite3", create=False)


KILLED_MID_WRITE = """
import os, signal, sys
from casebot.ledger.sqlite import SQLiteLedger
led = SQLiteLedger(sys.argv[1])
item = led.reserve("r", "t", "A1", owner="ws1", lease_s=60)
led.begin_write(item, {"x": 1}, "h", "run")          # committed
led.conn.execute("BEGIN IMMEDIATE")                       # a second write, never committed
led.conn.execute("UPDATE items SET state = 'done', record_id = 'lost' WHERE id = ?", (item.id,))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_committed_rows_survive_a_process_killed_mid_write(tmp_path):
    """The robot SIGKILLed inside a ledger transaction: what was committed is there, the rest is not."""
    import signal
    import subprocess
    import sys

    path = tmp_path / "ledger.sqlite3"
    proc = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (tmp_path / "ledger.sqlite3-wal").exists(), "the kill left the write-ahead log behind"
    again = SQLiteLedger(path)
    item = again.get("r", "A1")
    assert item.state == "writing" and item.record_id is None
    assert again.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again.close()


def test_runs_are_recorded_and_the_last_one_is_read_back(ledger):
    assert ledger.last_run() is None
    first = ledger.start_run()
    ledger.finish_run(first, "0", {"done": 1})
    second = ledger.start_run()
    last = ledger.last_run()
    assert last["id"] == second and last["finished_at"] is None and last["summary"] is None
    ledger.finish_run(second, "1", {"failed": 1})
    assert ledger.last_run()["summary"] == {"failed": 1}


def _closed_copy(path, to):
    import shutil

    for suffix in ("-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        assert not p.exists() or suffix == "-shm" or p.stat().st_size == 0
    shutil.copyfile(path, to)


def test_an_older_copy_of_the_same_ledger_put_back_is_refused(tmp_path, ledger):
    """issue 26 item 13: the generation kept beside the ledger (in its marker) is ahead of the old copy."""
    path = tmp_path / "ledger.sqlite3"
    reserve(ledger, "A1")
    ledger.close()
    _closed_copy(path, tmp_path / "backup.sqlite3")
    later = SQLiteLedger(path)
    reserve(later, "A2")
    later.close()
    _closed_copy(tmp_path / "backup.sqlite3", path)
    with pytest.raises(LedgerCorrupt, match="older copy"):
        SQLiteLedger(path, create=False)
    # once a person says so (the marker deleted) the copy is taken up again
    (tmp_path / "ledger.sqlite3.id").unlink()
    SQLiteLedger(path, create=False).close()


def test_reopening_the_current_ledger_is_not_an_older_copy(tmp_path, ledger):
    ledger.close()
    for _ in range(3):
        SQLiteLedger(tmp_path / "ledger.sqlite3", create=False).close()
