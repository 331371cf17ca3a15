"""A SQLite ledger that is not the one this workstation wrote is refused, never silently re-initialised.

The ledger keeps its own id (``ledger_meta``) and the marker beside it holds the
same id: a file truncated to 0 bytes, or replaced by another SQLite file (another
workstation's ledger, or anything else), no longer matches its marker. A
read-only ledger is a clear ledger error too. Through the real ``casebot``
process, each is exit 6 with a message, never a traceback (as root, the process
runs without the capabilities that let root write a read-only file).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from casebot.domain.exits import EXIT_LEDGER
from casebot.errors import LedgerCorrupt
from casebot.ledger.sqlite import SQLiteLedger


def _drop_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            p.unlink()


def _closed_ledger(path: Path) -> str:
    led = SQLiteLedger(path)
    led.release(led.reserve("r", "court", "A1", owner="ws/w0", lease_s=60))
    ledger_id = getattr(led, "ledger_id", "")
    led.close()
    _drop_sidecars(path)
    return ledger_id


def _config(folder: Path) -> Path:
    """A casebot.toml whose systems are never reached: the ledger is opened before any page is."""
    cfg = folder / "casebot.toml"
    cfg.write_text(
        "[systems.police]\nurl = \"http://127.0.0.1:9\"\nusername = \"casebot\"\n\n"
        "[systems.court]\nurl = \"http://127.0.0.1:9\"\nusername = \"casebot\"\n\n"
        "[[routes]]\nname = \"r\"\nsource = \"police\"\ntarget = \"court\"\n\n"
        "[ledger]\npath = \"ledger.sqlite3\"\n", encoding="utf-8")
    return cfg


def _casebot(cfg: Path, *args: str, read_only_root: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CASEBOT_POLICE_PASSWORD": "x", "CASEBOT_COURT_PASSWORD": "x"}
    prefix: list[str] = []
    if read_only_root and os.geteuid() == 0:
        # root writes files whatever their mode: drop the capabilities that let it
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run([*prefix, sys.executable, "-m", "casebot", *args, "--config", str(cfg)],
                          capture_output=True, text=True, env=env, cwd=cfg.parent, timeout=120)


def test_the_ledger_keeps_its_id_and_the_marker_holds_the_same(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    ledger_id = _closed_ledger(path)
    assert len(ledger_id) == 36
    stored = sqlite3.connect(path).execute("SELECT value FROM ledger_meta WHERE key = 'ledger_id'").fetchone()[0]
    assert stored == ledger_id
    assert (tmp_path / "ledger.sqlite3.id").read_text().split()[0] == ledger_id
    again = SQLiteLedger(path)
    assert again.ledger_id == ledger_id and again.get("r", "A1") is not None
    again.close()


def test_a_ledger_truncated_to_zero_bytes_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    _closed_ledger(path)
    path.write_bytes(b"")
    with pytest.raises(LedgerCorrupt, match="empty"):
        SQLiteLedger(path)
    assert path.stat().st_size == 0, "the refused file is left as it was found"


def test_a_ledger_swapped_for_another_workstations_is_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mine = tmp_path / "a" / "ledger.sqlite3"
    _closed_ledger(mine)
    other_id = _closed_ledger(tmp_path / "b" / "ledger.sqlite3")
    shutil.copyfile(tmp_path / "b" / "ledger.sqlite3", mine)
    with pytest.raises(LedgerCorrupt, match="another ledger") as err:
        SQLiteLedger(mine)
    assert other_id in str(err.value)


def test_a_ledger_swapped_for_a_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    _closed_ledger(path)
    path.unlink()
    foreign = sqlite3.connect(path)
    foreign.execute("CREATE TABLE notes (x TEXT)")
    foreign.commit()
    foreign.close()
    with pytest.raises(LedgerCorrupt, match="not a casebot ledger"):
        SQLiteLedger(path)


def test_a_ledger_from_before_ids_takes_its_markers_id(tmp_path):
    """Ledgers written before the id existed adopt the id their marker already holds."""
    path = tmp_path / "ledger.sqlite3"
    ledger_id = _closed_ledger(path)
    db = sqlite3.connect(path)
    db.execute("DELETE FROM ledger_meta")
    db.commit()
    db.close()
    again = SQLiteLedger(path)
    assert again.ledger_id == ledger_id
    again.close()


def test_a_lost_marker_is_written_again_from_the_ledger(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    ledger_id = _closed_ledger(path)
    (tmp_path / "ledger.sqlite3.id").unlink()
    SQLiteLedger(path).close()
    assert (tmp_path / "ledger.sqlite3.id").read_text().split()[0] == ledger_id


@pytest.mark.parametrize("damage", ["truncated", "swapped"])
def test_casebot_run_on_a_damaged_ledger_exits_6(tmp_path, damage):
    cfg = _config(tmp_path)
    path = tmp_path / "ledger.sqlite3"
    _closed_ledger(path)
    if damage == "truncated":
        path.write_bytes(b"")
    else:
        (tmp_path / "other").mkdir()
        _closed_ledger(tmp_path / "other" / "ledger.sqlite3")
        shutil.copyfile(tmp_path / "other" / "ledger.sqlite3", path)
    proc = _casebot(cfg, "run")
    assert proc.returncode == EXIT_LEDGER, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "台账错误" in proc.stderr and "ledger.sqlite3" in proc.stderr


@pytest.mark.parametrize("command", ["run", "status"])
def test_a_read_only_ledger_exits_6_without_a_traceback(tmp_path, command):
    cfg = _config(tmp_path)
    path = tmp_path / "ledger.sqlite3"
    _closed_ledger(path)
    os.chmod(path, 0o400)
    proc = _casebot(cfg, command, read_only_root=True)
    assert proc.returncode == EXIT_LEDGER, proc.stdout[-1000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "read-only" in proc.stderr


@pytest.mark.parametrize("command", ["run", "status"])
def test_a_read_only_var_folder_exits_6_without_a_traceback(tmp_path, command):
    """issue 26 item 15: var/ (the log and the ledger together) read-only: exit 6 and a message."""
    cfg = tmp_path / "casebot.toml"
    cfg.write_text(_config(tmp_path).read_text(encoding="utf-8").replace(
        '[ledger]\npath = "ledger.sqlite3"\n', ""), encoding="utf-8")
    var = tmp_path / "var"
    var.mkdir()
    _closed_ledger(var / "ledger.sqlite3")
    (var / "casebot.jsonl").write_text("", encoding="utf-8")
    for p in var.iterdir():
        os.chmod(p, 0o400)
    os.chmod(var, 0o500)
    try:
        proc = _casebot(cfg, command, read_only_root=True)
    finally:
        os.chmod(var, 0o700)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == EXIT_LEDGER, proc.stdout[-1000:] + proc.stderr[-2000:]
    assert "var" in proc.stderr


def _ledger_with_a_failure(path: Path) -> None:
    led = SQLiteLedger(path)
    item = led.reserve("r", "court", "A1", owner="ws/w0", lease_s=60)
    led.begin_write(item, {"ajmc": "盗窃案", "marker": "ZZZZ"}, "h", "run")
    led.set_state(item, "failed", error_type="DataError", error_message="坏数据 QQQQ", release=True)
    led.close()
    _drop_sidecars(path)


@pytest.mark.parametrize(("needle", "flipped"), [(b'"ZZZZ"}', b'"ZZZZ"!'), ("盗".encode(), b"\xff\xfe\xfd")])
@pytest.mark.parametrize("command", ["status", "failures"])
def test_one_flipped_byte_exits_6_without_a_traceback(tmp_path, command, needle, flipped):
    """issue 26 item 16: a byte flipped in a row (a card's JSON, its UTF-8) passes SQLite's quick check."""
    cfg = _config(tmp_path)
    path = tmp_path / "ledger.sqlite3"
    _ledger_with_a_failure(path)
    data = path.read_bytes()
    assert data.count(needle) == 1
    path.write_bytes(data.replace(needle, flipped))
    proc = _casebot(cfg, command)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == EXIT_LEDGER, proc.stdout[-1000:] + proc.stderr[-2000:]
    assert "ledger" in proc.stderr


def test_damage_quick_check_cannot_see_is_refused_when_any_command_opens_the_ledger(tmp_path):
    """issue 26 item 16: `run` opened the ledger with SQLite's quick_check only, which does not compare an
    index with its table: an index missing rows (a run's list of a route's cases reads through it) passed.
    Every open, `run`'s included, makes the full integrity check `casebot ledger check` makes."""
    path = tmp_path / "ledger.sqlite3"
    _ledger_with_a_failure(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema=ON")
    db.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX items_route_state ON items (state, route)' "
               "WHERE name = 'items_route_state'")
    db.commit()
    db.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok", "damage the quick check does not see"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
    db.close()
    with pytest.raises(LedgerCorrupt, match="integrity check"):
        SQLiteLedger(path)
    proc = _casebot(_config(tmp_path), "run")
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == EXIT_LEDGER, proc.stdout[-1000:] + proc.stderr[-2000:]
