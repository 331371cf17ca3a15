"""Moving SQLite ledgers into the shared one, and checking either backend (real PostgreSQL)."""

from __future__ import annotations

import shutil
import time

import psycopg
import pytest

from casebot.errors import LedgerError
from casebot.ledger.postgres import PostgresLedger
from casebot.ledger.sqlite import SQLiteLedger
from casebot.ledger.tools import check, move_to_postgres


def _workstation(path, cases: dict[str, str]) -> SQLiteLedger:
    """A SQLite ledger whose cases reached the given states, with an audit row per write."""
    led = SQLiteLedger(path)
    run = led.start_run()
    for key, state in cases.items():
        item = led.reserve("police-procuratorate", "procuratorate", key, owner="ws/w0", lease_s=60)
        if state == "pending":
            led.release(item)
            continue
        if state == "failed":
            led.set_state(item, "failed", error_type="DataError", error_message="身份证号码校验位错误",
                          source_hash="src-" + key, release=True)
            continue
        attempt = led.begin_write(item, {"ajmc": key, "ay": "盗窃罪"}, "h-" + key, run)
        if state == "writing":
            led.release(item)
            continue
        led.set_state(item, "written", record_id="R-" + key, attempt_id=attempt, source_hash="src-" + key,
                      release=state == "written")
        if state == "done":
            led.record_version(item, {"ajmc": key, "ay": "盗窃罪"}, "h-" + key, kind="write",
                               source_hash="src-" + key, source_version="2026-11-01 09:00:00", run_id=run)
            led.record_version(item, {"ajmc": key, "ay": "诈骗罪"}, "h2-" + key, kind="update",
                               source_hash="src2-" + key, source_version="2026-11-02 10:00:00", run_id=run)
            led.set_state(item, "done", artifacts=[f"{key}.png"], release=True,
                          source_version="2026-11-02 10:00:00")
    led.finish_run(run, "0", {"done": sum(s == "done" for s in cases.values())})
    return led


def test_a_workstations_history_moves_whole_and_the_old_file_is_closed(tmp_path, pg_url):
    cases = {"A1": "done", "A2": "done", "A3": "failed", "A4": "writing", "A5": "pending", "A6": "written"}
    src = _workstation(tmp_path / "ledger.sqlite3", cases)
    before = {i.case_key: i for i in src.items()}
    audit = {i.case_key: src.attempts_of(i.id) for i in src.items()}
    dest = PostgresLedger(pg_url)
    report = move_to_postgres(src, dest)
    assert (report.items, report.merged, report.runs) == (6, 0, 1)
    assert report.attempts == sum(len(a) for a in audit.values())
    assert dest.counts() == src.counts()
    for key, old in before.items():
        new = dest.get("police-procuratorate", key)
        assert (new.state, new.attempts, new.record_id, new.card, new.card_hash, new.source_hash, new.error_type,
                new.error_message, new.artifacts) == (old.state, old.attempts, old.record_id, old.card,
                                                      old.card_hash, old.source_hash, old.error_type,
                                                      old.error_message, old.artifacts)
        assert [a["outcome"] for a in dest.attempts_of(new.id)] == [a["outcome"] for a in audit[key]]
        assert new.lease_owner is None
        assert new.source_version == old.source_version, "a done case is not taken for changed after the move"
        kept = ("version", "kind", "card", "card_hash", "source_hash", "source_version", "run_id")
        assert [{k: v[k] for k in kept} for v in dest.versions(new.id)] == [
            {k: v[k] for k in kept} for v in src.versions(old.id)], "the card history moves with the case"
    assert [v["kind"] for v in dest.versions(dest.get("police-procuratorate", "A1").id)] == ["write", "update"]
    assert dest.last_run()["summary"] == {"done": 2}
    src.close()
    with pytest.raises(LedgerError, match="was moved to the shared ledger"):
        SQLiteLedger(tmp_path / "ledger.sqlite3")
    dest.close()


def test_the_same_ledger_is_never_moved_twice(tmp_path, pg_url):
    src = _workstation(tmp_path / "ledger.sqlite3", {"A1": "done"})
    src.close()
    shutil.copytree(tmp_path, tmp_path.parent / (tmp_path.name + "-copy"))
    dest = PostgresLedger(pg_url)
    move_to_postgres(SQLiteLedger(tmp_path / "ledger.sqlite3"), dest)
    copy = SQLiteLedger(tmp_path.parent / (tmp_path.name + "-copy") / "ledger.sqlite3")
    with pytest.raises(LedgerError, match="already moved"):
        move_to_postgres(copy, dest)
    assert dest.counts() == {"police-procuratorate": {"done": 1}}
    copy.close()
    dest.close()


def test_two_workstations_move_into_one_ledger_and_shared_cases_keep_the_furthest_state(tmp_path, pg_url):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _workstation(tmp_path / "a" / "ledger.sqlite3", {"S1": "writing", "S2": "done", "A1": "done"})
    b = _workstation(tmp_path / "b" / "ledger.sqlite3", {"S1": "done", "S2": "failed", "B1": "pending"})
    dest = PostgresLedger(pg_url)
    move_to_postgres(a, dest)
    report = move_to_postgres(b, dest)
    assert (report.items, report.merged) == (1, 2)
    s1, s2 = dest.get("police-procuratorate", "S1"), dest.get("police-procuratorate", "S2")
    assert (s1.state, s1.record_id, s1.attempts) == ("done", "R-S1", 2), "b's done wins over a's doubt"
    assert (s2.state, s2.record_id, s2.attempts) == ("done", "R-S2", 1), "a's done is kept over b's failure"
    assert len(dest.attempts_of(s1.id)) == 2
    assert dest.counts() == {"police-procuratorate": {"done": 3, "pending": 1}}
    assert not check(dest).problems
    dest.close()


def test_check_reads_either_backend(tmp_path, pg_url):
    src = _workstation(tmp_path / "ledger.sqlite3", {"A1": "done", "A2": "writing"})
    rep = check(src)
    assert rep.ok and rep.backend == "sqlite" and rep.ledger_id == src.ledger_id
    assert any("in doubt" in n for n in rep.notes)
    src.conn.execute("UPDATE items SET state = 'finished' WHERE case_key = 'A1'")
    assert any("unknown state 'finished'" in p for p in check(src).problems)
    src.close()

    led = PostgresLedger(pg_url)
    led.reserve("r", "court", "K1", owner="ws1/w0", lease_s=0.01)
    time.sleep(0.05)
    rep = check(led)
    assert rep.ok and rep.backend == "postgresql" and len(rep.migrations) >= 4
    assert any("ran out" in n for n in rep.notes)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("UPDATE items SET state = 'finished'")
    assert not check(led).ok
    led.close()
