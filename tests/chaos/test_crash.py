"""Crash safety: the real `casebot run` process is SIGKILLed at many points and started again.

Whatever the point, the systems end with every eligible case exactly once and
equal to its preview: nothing written twice, nothing lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from casebot.commands.demo import prosecute_some
from tests.e2e.helpers import assert_court_exact, assert_procuratorate_exact


def casebot(config_file, *args, failpoint=None, kill_after=None, timeout=240):
    env = {**os.environ, "CASEBOT_CONFIG": str(config_file)}
    env.pop("CASEBOT_FAILPOINT", None)
    if failpoint:
        env["CASEBOT_FAILPOINT"] = failpoint
    proc = subprocess.Popen([sys.executable, "-m", "casebot", *args], env=env, cwd=config_file.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    if kill_after is not None:
        try:
            proc.wait(kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    _reap_browsers(proc.pid)
    return proc.returncode, out.decode(), err.decode()


def _reap_browsers(pid: int) -> None:
    """A SIGKILLed robot leaves its browser behind, as on a real workstation; the test cleans it up."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_save:2", "after_save:1", "after_ledger_written:2", "before_verify:3"])
def test_killed_at_a_point_then_restarted(sandbox, config_file, point):
    sandbox.seed(3, seed=21, status="已移送起诉")  # three eligible cases: every fail point is reached
    police = sandbox.police_cases()
    code, _, _ = casebot(config_file, "run", "--route", "police-procuratorate", failpoint=point)
    assert code == -signal.SIGKILL, "the fail point killed the run"
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate", "--json")
    assert code == 0, out + err
    assert_procuratorate_exact(sandbox, police)


@pytest.mark.slow
def test_killed_at_random_moments_on_both_routes(sandbox, config_file):
    sandbox.seed(5, seed=22, status="已移送起诉")
    police = sandbox.police_cases()
    for delay in (2.0, 4.0):
        casebot(config_file, "run", "--route", "police-procuratorate", kill_after=delay)
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate")
    assert code == 0, out + err
    assert_procuratorate_exact(sandbox, police)
    prosecute_some(sandbox, fraction=0.9)
    for point in ("after_save:1", "before_save:2"):
        casebot(config_file, "run", "--route", "procuratorate-court", failpoint=point)
    code, out, err = casebot(config_file, "run")
    assert code == 0, out + err
    assert_court_exact(sandbox, police)
    assert_procuratorate_exact(sandbox, police)


def test_missing_ledger_is_a_clear_error_not_a_fresh_start(sandbox, config_file):
    sandbox.seed(2, seed=23)
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate")
    assert code == 0, out + err
    ledger = config_file.parent / "var" / "ledger.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        p = ledger.with_name(ledger.name + suffix)
        if p.exists():
            p.unlink()
    code, out, err = casebot(config_file, "run")
    assert code == 6
    assert "refusing to start" in out + err
