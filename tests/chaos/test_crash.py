"""Crash safety: the real `casebot run` process is SIGKILLed at many points and started again.

Whatever the point, the systems end with every eligible case exactly once and
equal to its hand-written golden record: nothing written twice, nothing lost.
The targets' own duplicate refusal is off (``refuse_duplicates=False``), so only
the robot's ledger and lookups keep a second save away; the systems count saves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.golden import EXAMPLE, SECOND, THIRD, assert_holds, golden, prosecute


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


def no_safety_net(sandbox) -> None:
    """Targets that store a second record for a case they hold, as a system without a unique key would."""
    for system in ("procuratorate", "court"):
        sandbox.set_faults(system, refuse_duplicates=False)


@pytest.mark.slow
def test_killed_at_each_point_in_turn_then_restarted(sandbox, config_file):
    """A kill at each fail point in turn, each run taking over what the killed one left (a save the ledger
    never heard of, a write recorded but not verified, ...), then a run to the end."""
    g = golden().only(EXAMPLE, SECOND, THIRD)  # three eligible cases: every fail point is reached
    sandbox.add_cases(g.police)
    no_safety_net(sandbox)
    codes = {}
    for point in ("after_save:1", "after_ledger_written:1", "before_verify:1", "before_save:1"):
        codes[point], _, _ = casebot(config_file, "run", "--route", "police-procuratorate", failpoint=point)
    killed = [p for p, code in codes.items() if code == -signal.SIGKILL]
    assert killed[:3] == ["after_save:1", "after_ledger_written:1", "before_verify:1"], codes
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate", "--json")
    assert code == 0, out + err
    assert sandbox.saves("procuratorate") == dict.fromkeys(g.written, 1)
    assert_holds(sandbox, "procuratorate", g.procuratorate)


@pytest.mark.slow
@pytest.mark.timeout(600)  # four robot processes, each starting a browser
def test_killed_at_random_moments_on_both_routes(sandbox, config_file):
    g = golden().only(EXAMPLE, SECOND)
    sandbox.add_cases(g.police)
    no_safety_net(sandbox)
    casebot(config_file, "run", "--route", "police-procuratorate", kill_after=3.0)
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate")
    assert code == 0, out + err
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    prosecute(sandbox, g.prosecutions)
    casebot(config_file, "run", "--route", "procuratorate-court", failpoint="after_save:1")
    code, out, err = casebot(config_file, "run")
    assert code == 0, out + err
    assert sandbox.saves("procuratorate") == dict.fromkeys(g.written, 1)
    assert sandbox.saves("court") == dict.fromkeys(g.court, 1)
    assert_holds(sandbox, "court", g.court)
    assert_holds(sandbox, "procuratorate", g.procuratorate_after())


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
    assert "refusing to start" in " ".join((out + err).split())  # however the terminal wrapped it
