"""Records typed by hand count (issue 13, SPEC rule 9): the adversarial examples of the issue, with a real Chromium.

The clerk's records are the golden cards (written by hand from SPEC.md) typed
with key variants. On the code before this issue each of these wrote a second
record and exited 0.
"""

from __future__ import annotations

import copy
from typing import Any

from casebot.domain.exits import EXIT_CASES_FAILED
from casebot.run import Runner
from tests.golden import EXAMPLE, SECOND, THIRD, assert_holds, golden, holdings, prosecute

#: the fields a clerk types into a procuratorate 案卡 (the rest the system sets itself)
TYPED = ("ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "xyr")


def stored(card: dict[str, Any], **over: Any) -> dict[str, Any]:
    """The procuratorate card as a clerk would have typed it by hand (POST /_sandbox/records)."""
    rec = {k: copy.deepcopy(card[k]) for k in TYPED}
    rec.update(over)
    return rec


def prosecuted_example(sandbox: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The example case held by the procuratorate (typed by hand) and prosecuted: its prosecution and the
    court record a clerk would type for it."""
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(g.procuratorate[EXAMPLE])])
    prosecute(sandbox, g.prosecutions)
    [p] = g.prosecutions
    return p, g.court[p["qsswh"]]


def results(summary: Any) -> dict[str, Any]:
    return {r.case_key: r for r in summary.results}


async def test_procuratorate_records_typed_by_hand_are_adopted_or_stopped_never_doubled(sandbox, settings):
    g = golden().only(EXAMPLE, THIRD, SECOND)
    sandbox.add_cases(g.police)
    cards = g.procuratorate
    one, two, three = EXAMPLE, THIRD, SECOND
    typo = SECOND[:-2] + "95"
    typed = [
        stored(cards[one], ysajbh=one.lower() + " "),                      # the same card, key typed loosely
        stored(cards[two], ysajbh=two[:-1] + "3\u3000", ajmc="手工录入的案名"),  # a clerk's own wording
        stored(cards[three], ysajbh=typo),                                 # a typo in the key, same suspects
    ]
    bmsah = sandbox.call("procuratorate", "POST", "/_sandbox/records", typed)["bmsah"]
    before = holdings(sandbox, "procuratorate")
    assert sorted(before) == sorted(r["ysajbh"] for r in typed)

    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    got = results(summary)
    assert got[one].outcome == "done" and got[one].record_id == bmsah[0], got[one].error
    assert got[two].outcome == "failed" and got[two].record_id == bmsah[1]
    assert got[two].error_type == "AdoptedDiffers" and "未覆盖" in got[two].error
    assert "案件名称" in got[two].error, "the field that differs is named (free text by its length only)"
    assert got[three].outcome == "failed" and got[three].error_type == "ProbableMatch"
    assert "目标系统中可能已有此案" in got[three].error and bmsah[2] in got[three].error
    assert summary.exit_code == EXIT_CASES_FAILED
    assert holdings(sandbox, "procuratorate") == before, "no second record, a person's record never overwritten"

    again = await Runner(settings, routes=["police-procuratorate"]).run()
    assert again.exit_code == EXIT_CASES_FAILED
    assert holdings(sandbox, "procuratorate") == before


async def test_court_case_typed_with_other_brackets_is_adopted(sandbox, settings):
    p, court = prosecuted_example(sandbox)
    assert p["qsswh"] == "泉鲤检刑诉〔2026〕123号"
    typed = {**{k: copy.deepcopy(court[k]) for k in ("ay", "gsjg", "sarq", "bgr")}, "qsswh": "泉鲤检刑诉[2026]123号"}
    [ah] = sandbox.call("court", "POST", "/_sandbox/records", [typed])["ah"]
    assert ah == "（2026）闽0502刑初1号"

    summary = await Runner(settings, routes=["procuratorate-court"]).run()
    [result] = summary.results
    assert result.outcome == "done" and result.record_id == ah, result.error
    # the clerk's record, as typed (brackets and all), is the only one: no 刑初2号
    assert_holds(sandbox, "court", {typed["qsswh"]: typed})
    assert [r["ah"] for r in sandbox.records("court")] == [ah]
