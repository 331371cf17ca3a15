"""The SQLite ledger's -wal and -shm files hold the frozen cards (ID numbers): readable by the clerk only.

Found by adversarial testing: they were created 0644 (the database file was made 0600 only after SQLite
had created them with its mode), and read by another user on a shared tmpfs.
"""

from __future__ import annotations

import os
import stat

from casebot.ledger import open_ledger


def test_wal_and_shm_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
        item = ledger.reserve("r", "t", "A1", owner="o", lease_s=30)
        ledger.set_state(item, "failed", error_type="X", error_message="m", release=True)
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if "ledger" in p.name}
        ledger.close()
    finally:
        os.umask(old)
    assert {"ledger.sqlite3-wal", "ledger.sqlite3-shm"} <= set(files), files
    assert all(mode == 0o600 for mode in files.values()), {k: oct(v) for k, v in files.items()}
