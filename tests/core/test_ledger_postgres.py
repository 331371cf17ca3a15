"""The shared PostgreSQL ledger, against a real server (see tests/postgres.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from casebot.errors import LeaseLost, LedgerError, LedgerUnavailable, RunLocked
from casebot.ledger.migrations import NAMES
from casebot.ledger.postgres import PostgresLedger, display_url


@pytest.fixture
def ledger(pg_url):
    led = PostgresLedger(pg_url)
    yield led
    led.close()


class Counting(PostgresLedger):
    """Counts the statements sent (each ``_db`` use is one)."""

    sent = 0

    def _db(self):  # type: ignore[override]
        self.sent += 1
        return super()._db()


def test_named_migrations_applied_once_and_concurrent_first_opens_agree(pg_url):
    opened: list[PostgresLedger] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(PostgresLedger(pg_url))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len({led.ledger_id for led in opened}) == 1, "one ledger id, whoever migrated"
    names = [r[0] for r in opened[0].conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == list(NAMES)
    for led in opened:
        led.close()


def test_no_ledger_for_read_only_commands(pg_url):
    with pytest.raises(LedgerError, match="no casebot ledger"):
        PostgresLedger(pg_url, create=False)


def test_a_normal_case_costs_four_round_trips_and_the_item_stays_in_hand(pg_url):
    led = Counting(pg_url)
    led.sent = 0
    item = led.reserve("r", "court", "A1", owner="ws1/w0", lease_s=30)
    attempt = led.begin_write(item, {"ay": "盗窃罪"}, "c1", "run1")
    led.set_state(item, "written", record_id="（2026）闽0502刑初1号", attempt_id=attempt)
    led.set_state(item, "done", release=True)
    assert led.sent == 4
    assert led.conn.execute("SHOW synchronous_commit").fetchone()[0] == "off", \
        "begin_write's durable commit is its own (SET LOCAL), the session stays asynchronous"
    assert (item.state, item.attempts, item.record_id, item.lease_owner) == ("done", 1, "（2026）闽0502刑初1号", None)
    stored = led.get("r", "A1")
    assert (stored.state, stored.attempts, stored.record_id, stored.card) == ("done", 1, item.record_id,
                                                                              {"ay": "盗窃罪"})
    assert stored.token == item.token == 1 and stored.lease_owner is None
    audit = led.attempts_of(item.id)
    assert len(audit) == 1 and audit[0]["outcome"] == "written" and audit[0]["finished_at"]
    led.close()


def test_a_live_lease_keeps_other_workers_out_until_released(pg_url):
    a, b = PostgresLedger(pg_url), PostgresLedger(pg_url)
    mine = a.reserve("r", "court", "A1", owner="ws1/w0", lease_s=30)
    assert mine is not None and mine.lease_owner == "ws1/w0"
    assert b.reserve("r", "court", "A1", owner="ws2/w0", lease_s=30) is None
    again = a.reserve("r", "court", "A1", owner="ws1/w0", lease_s=30)
    assert again is not None and again.token == mine.token + 1, "the owner may renew its own reservation"
    a.release(again)
    theirs = b.reserve("r", "court", "A1", owner="ws2/w0", lease_s=30)
    assert theirs is not None and theirs.token == again.token + 1 and theirs.id == mine.id
    a.close()
    b.close()


def test_a_worker_whose_lease_ran_out_and_was_taken_over_records_nothing(pg_url):
    a, b = PostgresLedger(pg_url), PostgresLedger(pg_url)
    slow = a.reserve("r", "court", "A1", owner="ws1/w0", lease_s=0.2)
    attempt = a.begin_write(slow, {"x": 1}, "h1", "run-a")
    time.sleep(0.4)
    fast = b.reserve("r", "court", "A1", owner="ws2/w0", lease_s=30)
    assert fast is not None and fast.state == "writing", "the new owner sees the save in doubt"
    with pytest.raises(LeaseLost):
        a.set_state(slow, "written", record_id="R-a", attempt_id=attempt)
    with pytest.raises(LeaseLost):
        a.begin_write(slow, {"x": 1}, "h1", "run-a")
    b.set_state(fast, "written", record_id="R-b")
    b.set_state(fast, "done", release=True)
    stored = b.get("r", "A1")
    assert (stored.state, stored.record_id, stored.attempts) == ("done", "R-b", 1)
    assert slow.state == "writing", "a refused change leaves the loser's item as it was"
    a.close()
    b.close()


def test_a_save_is_not_started_on_an_expired_lease(ledger):
    item = ledger.reserve("r", "court", "A1", owner="ws1/w0", lease_s=0.1)
    time.sleep(0.3)
    with pytest.raises(LeaseLost):
        ledger.begin_write(item, {"x": 1}, "h", "run")
    assert ledger.get("r", "A1").state == "pending"


def test_heartbeat_extends_only_leases_still_held(pg_url):
    a, b = PostgresLedger(pg_url), PostgresLedger(pg_url)
    kept = a.reserve("r", "court", "K", owner="ws1/w0", lease_s=0.3)
    lost = a.reserve("r", "court", "L", owner="ws1/w0", lease_s=0.1)
    time.sleep(0.2)
    taken = b.reserve("r", "court", "L", owner="ws2/w0", lease_s=30)
    assert taken is not None
    before = kept.lease_until
    a.heartbeat([kept, lost], 30)
    assert kept.lease_until > before
    time.sleep(0.3)
    assert b.reserve("r", "court", "K", owner="ws2/w0", lease_s=30) is None, "the heartbeat kept K"
    assert b.get("r", "L").lease_owner == "ws2/w0", "the heartbeat did not take L back"
    a.close()
    b.close()


def test_reserve_passes_over_a_case_being_changed_instead_of_waiting(pg_url, ledger):
    ledger.reserve("r", "court", "A1", owner="ws1/w0", lease_s=0.01)
    time.sleep(0.05)
    other = PostgresLedger(pg_url)
    holder = psycopg.connect(pg_url)
    holder.execute("SELECT id FROM items WHERE case_key = 'A1' FOR UPDATE")  # a transaction left open
    got: list[object] = []
    t = threading.Thread(target=lambda: got.append(other.reserve("r", "court", "A1", owner="ws2/w0",
                                                                   lease_s=30)))
    t.start()
    t.join(20)
    assert not t.is_alive(), "reserve waited for the row lock instead of skipping it"
    assert got == [None]
    holder.rollback()
    assert other.reserve("r", "court", "A1", owner="ws2/w0", lease_s=30) is not None
    holder.close()
    other.close()


def test_many_workers_racing_for_one_case_lease_it_once(pg_url):
    ledgers = [PostgresLedger(pg_url) for _ in range(6)]
    barrier = threading.Barrier(len(ledgers))
    won: list[str] = []

    def race(i: int) -> None:
        barrier.wait()
        if ledgers[i].reserve("r", "court", "HOT", owner=f"ws{i}/w0", lease_s=30) is not None:
            won.append(f"ws{i}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(len(ledgers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(won) == 1
    assert ledgers[0].get("r", "HOT").lease_owner == f"{won[0]}/w0"
    for led in ledgers:
        led.close()


def test_listing_counts_and_runs(ledger):
    for i in range(5):
        it = ledger.reserve("a", "t", f"K{i}", owner="w", lease_s=30)
        ledger.set_state(it, "failed" if i % 2 else "done", error_type="DataError", error_message="x",
                         release=True)
    assert ledger.counts() == {"a": {"done": 3, "failed": 2}}
    assert ledger.case_keys("a", ("done",)) == {"K0", "K2", "K4"} and ledger.case_keys("b", ("done",)) == set()
    assert {i.case_key for i in ledger.items(states=("failed",))} == {"K1", "K3"}
    assert len(ledger.items(route="a", limit=2)) == 2
    one = ledger.items(states=("failed",))[0]
    assert [i.case_key for i in ledger.items(ids=[one.id])] == [one.case_key]
    run = ledger.start_run()
    ledger.finish_run(run, "0", {"done": 3})
    last = ledger.last_run()
    assert last["id"] == run and last["status"] == "0" and last["summary"] == {"done": 3}


def test_the_run_lock_is_per_workstation_and_dies_with_its_process(pg_url):
    a, b = PostgresLedger(pg_url), PostgresLedger(pg_url)
    a.lock_run("ws1")
    with pytest.raises(RunLocked, match="ws1"):
        b.lock_run("ws1")
    b.lock_run("ws2")
    b.unlock_run()
    a.unlock_run()
    b.lock_run("ws1")
    b.unlock_run()
    a.lock_run("ws1")
    a.close()
    code = ("import os, signal, sys; from casebot.ledger.postgres import PostgresLedger; "
            "led = PostgresLedger(sys.argv[1]); led.lock_run('ws1'); print('locked', flush=True); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", code, pg_url], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL and "locked" in proc.stdout, proc.stderr
    for _ in range(100):  # the server notices the dropped connection at once, or nearly
        try:
            b.lock_run("ws1")
            break
        except RunLocked:
            time.sleep(0.1)
    else:
        pytest.fail("the killed run's lock was never released")
    b.close()


def test_an_unreachable_server_is_its_own_error(postgres_server, pg_url):
    with pytest.raises(LedgerUnavailable, match="cannot be reached"):
        PostgresLedger(f"postgresql://casebot@127.0.0.1:{_closed_port()}/x", connect_timeout=2)
    led = PostgresLedger(pg_url)
    item = led.reserve("r", "court", "A1", owner="w", lease_s=30)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'casebot' AND datname = current_database()")
    with pytest.raises(LedgerUnavailable):
        led.begin_write(item, {"x": 1}, "h", "run")
    with pytest.raises(LedgerUnavailable, match="lost earlier"):
        led.get("r", "A1")  # a lost connection may have taken leases with it: this run is over
    led.close()
    again = PostgresLedger(pg_url)
    assert again.get("r", "A1").state == "pending", "nothing half-recorded"
    again.close()


def test_messages_never_show_the_password():
    assert display_url("postgresql://clerk:s3cret@db.example:5433/casebot") == "postgresql://clerk@db.example:5433/casebot"
    for url in ("postgresql://clerk:s3cret@[bad/db", "postgresql://clerk:s3cret@127.0.0.1:1/db?foo=bar",
                f"postgresql://clerk:s3cret@127.0.0.1:{_closed_port()}/db"):
        with pytest.raises(LedgerError) as err:
            PostgresLedger(url, connect_timeout=2)
        assert "s3cret" not in str(err.value)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
