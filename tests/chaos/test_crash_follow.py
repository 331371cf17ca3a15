"""A change at the police followed exactly once, whatever the moment the robot is killed (SPEC rule 10)."""

from __future__ import annotations

import copy
import signal

import pytest

from casebot.verify import differences
from tests.chaos.test_crash import casebot
from tests.e2e.helpers import PIPELINE
from tests.e2e.test_follow import accomplice
from tests.e2e.test_hand_typed import police_cases


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_update:1", "after_update:1"])
def test_killed_during_an_update_then_restarted(sandbox, config_file, point):
    [case] = police_cases()[:1]
    sandbox.add_cases([case])
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate")
    assert code == 0, out + err
    changed = copy.deepcopy(case)
    changed["xyr"].append(accomplice(case))
    sandbox.add_cases([changed])
    code, _, _ = casebot(config_file, "run", "--route", "police-procuratorate", failpoint=point)
    assert code == -signal.SIGKILL, "the fail point killed the run"
    code, out, err = casebot(config_file, "run", "--route", "police-procuratorate", "--json")
    assert code == 0, out + err
    [rec] = sandbox.records("procuratorate")
    assert [p["xm"] for p in rec["xyr"]] == ["张三", "李四"], "the suspect added once"
    assert differences(PIPELINE.procuratorate_card(PIPELINE.case_card(changed)), rec) == []
