"""A change at the police followed exactly once, whatever the moment the robot is killed (SPEC rule 10)."""

from __future__ import annotations

import copy
import signal

import pytest

from tests.chaos.test_crash import casebot, no_safety_net
from tests.e2e.test_follow import ACCOMPLICE_CARD, accomplice
from tests.golden import EXAMPLE, assert_holds, golden


@pytest.mark.slow
def test_killed_before_then_after_an_update_then_restarted(sandbox, config_file):
    """Killed before the update is sent, then (the next run) right after it was applied and before the ledger
    heard of it: the run after finds the change already there and applies nothing twice."""
    g = golden().only(EXAMPLE)
    [case] = g.police
    sandbox.add_cases([case])
    no_safety_net(sandbox)   # only the robot keeps a second record away
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate")
    assert code == 0, out + err
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    changed = copy.deepcopy(case)
    changed["xyr"].append(accomplice(case))
    sandbox.add_cases([changed])
    for point in ("before_update:1", "after_update:1"):
        code, _, _ = casebot(config_file, "run", "--route", "police-procuratorate", failpoint=point)
        assert code == -signal.SIGKILL, f"the fail point {point} killed the run"
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate", "--json")
    assert code == 0, out + err
    want = copy.deepcopy(g.procuratorate)
    want[EXAMPLE]["xyr"].append(ACCOMPLICE_CARD)   # the suspect added once, 张三's card unchanged
    assert_holds(sandbox, "procuratorate", want)
    assert sandbox.saves("procuratorate") == {EXAMPLE: 1}, "followed through the edit page, never saved anew"
