import os
import stat

import pytest

from casebot.errors import LedgerCorrupt, LedgerError
from casebot.ledger import MIGRATIONS, SQLiteLedger


@pytest.fixture
def ledger(tmp_path):
    led = SQLiteLedger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def test_new_ledger_is_private_wal_and_migrated(tmp_path, ledger):
    path = tmp_path / "ledger.sqlite3"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    versions = [r[0] for r in ledger.conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_reopening_applies_no_migration_twice(tmp_path, ledger):
    ledger.close()
    again = SQLiteLedger(tmp_path / "ledger.sqlite3")
    assert again.conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_item_lifecycle_and_audit(ledger):
    item = ledger.ensure("r", "court", "A1", "h1")
    assert item.state == "pending"
    assert ledger.ensure("r", "court", "A1", "h2").id == item.id, "one row per route and case"
    attempt = ledger.begin_write(item.id, {"ay": "盗窃罪"}, "c1", "run1")
    cur = ledger.get("r", "A1")
    assert cur.state == "writing" and cur.attempts == 1 and cur.card == {"ay": "盗窃罪"}
    ledger.set_state(item.id, "written", record_id="（2026）闽0502刑初1号", attempt_id=attempt)
    ledger.set_state(item.id, "done")
    cur = ledger.get("r", "A1")
    assert cur.state == "done" and cur.record_id == "（2026）闽0502刑初1号"
    audit = ledger.attempts_of(item.id)
    assert len(audit) == 1 and audit[0]["outcome"] == "written" and audit[0]["finished_at"]


def test_counts_and_filters(ledger):
    for i in range(5):
        it = ledger.ensure("a", "t", f"K{i}", None)
        ledger.set_state(it.id, "failed" if i % 2 else "done", error_type="DataError", error_message="x")
    assert ledger.counts() == {"a": {"done": 3, "failed": 2}}
    assert {i.case_key for i in ledger.items(states=("failed",))} == {"K1", "K3"}


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
from casebot.ledger import SQLiteLedger
led = SQLiteLedger(sys.argv[1])
item = led.ensure("r", "t", "A1", None)
led.begin_write(item.id, {"x": 1}, "h", "run")          # committed
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
