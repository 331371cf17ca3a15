"""The shared ledger's server out of reach: the run stops cleanly with its own exit status, nothing lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import psycopg
import pytest

from casebot.domain.exits import EXIT_LEDGER_UNAVAILABLE, EXIT_OK
from casebot.ledger.postgres import PostgresLedger
from tests.golden import assert_holds, golden


def _shared(config_file, url: str) -> None:
    with open(config_file, "a", encoding="utf-8") as f:
        f.write(f'\n[ledger]\nurl = "{url}"\nworkstation = "ws-outage"\nlease_s = 10\n')


def _casebot(config_file, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CASEBOT_CONFIG": str(config_file)}
    env.pop("CASEBOT_FAILPOINT", None)
    return subprocess.Popen([sys.executable, "-m", "casebot", *args], env=env, cwd=config_file.parent, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str]:
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the browser, if anything was left
        except ProcessLookupError:
            pass
    return proc.returncode, " ".join((out + err).split())  # as one line: the console wraps its messages


def test_unreachable_at_start_is_exit_9_and_nothing_is_touched(sandbox, config_file):
    sandbox.seed(2, seed=61, status="已移送起诉")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _shared(config_file, f"postgresql://casebot@127.0.0.1:{port}/casebot")
    code, output = _finish(_casebot(config_file, "run"), timeout=120)
    assert code == EXIT_LEDGER_UNAVAILABLE, output[-2000:]
    assert "台账无法连接" in output and "cannot be reached" in output
    assert "Traceback" not in output
    assert sandbox.records("procuratorate") == []


@pytest.mark.slow
def test_connection_lost_mid_run_stops_with_exit_9_and_the_next_run_loses_nothing(sandbox, config_file, pg_url):
    g = golden()
    g = g.only(*g.written[:4])
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", latency_ms=[150, 300])  # a run long enough to be cut in the middle
    _shared(config_file, pg_url)
    PostgresLedger(pg_url).close()
    proc = _casebot(config_file, "run", "--route", "police-procuratorate")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            if admin.execute("SELECT 1 FROM items WHERE attempts > 0").fetchone():
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the run was still going when its connection was cut"
        # what a server restart or a network cut does to the run's session
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE application_name = 'casebot' AND datname = current_database()")
    code, output = _finish(proc)
    assert code == EXIT_LEDGER_UNAVAILABLE, output[-3000:]
    assert "台账无法连接" in output and "Traceback" not in output

    sandbox.set_faults("procuratorate")
    code, output = _finish(_casebot(config_file, "run", "--route", "police-procuratorate"))
    assert code == EXIT_OK, output[-3000:]
    assert_holds(sandbox, "procuratorate", g.procuratorate)  # each case once: what was cut short was resolved
    assert all(n == 1 for n in sandbox.saves("procuratorate").values()), "not redone"
