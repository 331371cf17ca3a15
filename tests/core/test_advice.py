"""Every business error a run can leave names where a person fixes it: none is "未识别"."""

from __future__ import annotations

import pytest

from casebot import errors
from casebot.domain.codes import CodeMissing
from casebot.ops.advice import advise


def _leaves(cls: type) -> set[type]:
    subs = set(cls.__subclasses__())
    return subs | {s for c in subs for s in _leaves(c)}


@pytest.mark.parametrize("kind", sorted({c.__name__ for c in _leaves(errors.BusinessError)} | {CodeMissing.__name__}))
def test_every_business_error_has_a_place_to_fix_it(kind):
    advice = advise("failed", kind, "")
    assert advice.where != "未识别", kind


def test_where_each_living_case_stop_is_fixed():
    assert advise("failed", "EditConflict", "").where == "目标系统"
    assert "replay" in advise("failed", "EditConflict", "").what
    assert advise("failed", "ProbableMatch", "").where == "目标系统"
    assert advise("failed", "AdoptedDiffers", "").where == "目标系统"
    assert advise("failed", "OptionMissing", "").where == "目标系统"
    assert advise("failed", "SomethingNew", "").where == "未识别", "what is not known is said so, never guessed"
