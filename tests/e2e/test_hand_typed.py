"""Records typed by hand count (issue 13, SPEC rule 9): the adversarial examples of the issue, with a real Chromium.

On the code before this issue each of these wrote a second record and exited 0.
"""

from __future__ import annotations

import copy
from typing import Any

from casebot.idcard import check_digit
from casebot.keys import same_key
from casebot.run import EXIT_CASES_FAILED, Runner
from tests.e2e.helpers import PIPELINE, mappable
from tests.sandbox.test_police import sample_case

KEYS = ("A3505020000002026110001", "A3505020000002026110002", "A3505020000002026110003")


def police_cases() -> list[dict[str, Any]]:
    out = []
    for n, key in enumerate(KEYS, 1):
        case = sample_case(ajbh=key, ajmc=f"案件{n}")
        body = ["35050219900307241", "35050219910506001", "35050219850615003"][n - 1]
        case["xyr"][0]["zjhm"] = body + check_digit(body)
        out.append(case)
    return out


def stored(card: dict[str, Any], **over: Any) -> dict[str, Any]:
    """The procuratorate card as a clerk would have typed it by hand (POST /_sandbox/records)."""
    rec = {k: copy.deepcopy(card[k]) for k in ("ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "xyr")}
    rec.update(over)
    return rec


def results(summary: Any) -> dict[str, Any]:
    return {r.case_key: r for r in summary.results}


async def test_procuratorate_records_typed_by_hand_are_adopted_or_stopped_never_doubled(sandbox, settings):
    cases = police_cases()
    sandbox.add_cases(cases)
    cards = {k: PIPELINE.procuratorate_card(PIPELINE.case_card(c)) for k, c in mappable(cases).items()}
    assert set(cards) == set(KEYS)
    one, two, three = KEYS
    typed = [
        stored(cards[one], ysajbh=one.lower() + " "),                     # the same card, key typed loosely
        stored(cards[two], ysajbh=two[:-1] + "2\u3000", ajmc="手工录入的案名"),  # a clerk's own wording
        stored(cards[three], ysajbh="A3505020000002026110093"),           # a typo in the key, same suspect
    ]
    bmsah = sandbox.call("procuratorate", "POST", "/_sandbox/records", typed)["bmsah"]

    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    got = results(summary)
    assert len(sandbox.records("procuratorate")) == 3, "no second record for any case"
    assert got[one].outcome == "done" and got[one].record_id == bmsah[0], got[one].error
    assert got[two].outcome == "failed" and got[two].record_id == bmsah[1]
    assert got[two].error_type == "AdoptedDiffers" and "未覆盖" in got[two].error and "手工录入的案名" in got[two].error
    assert got[three].outcome == "failed" and got[three].error_type == "ProbableMatch"
    assert "目标系统中可能已有此案" in got[three].error and bmsah[2] in got[three].error
    assert summary.exit_code == EXIT_CASES_FAILED
    by_key = {r["bmsah"]: r for r in sandbox.records("procuratorate")}
    assert by_key[bmsah[1]]["ajmc"] == "手工录入的案名", "a person's record is never overwritten"

    again = await Runner(settings, routes=["police-procuratorate"]).run()
    assert len(sandbox.records("procuratorate")) == 3 and again.exit_code == EXIT_CASES_FAILED


async def test_court_case_typed_with_other_brackets_is_adopted(sandbox, settings):
    [case] = police_cases()[:1]
    sandbox.add_cases([case])
    proc = PIPELINE.procuratorate_card(PIPELINE.case_card(case))
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(proc)])
    sandbox.prosecute(case["ajbh"], "泉鲤检刑诉〔2026〕22号", "2026-12-01")
    [record] = sandbox.records("procuratorate")
    court = PIPELINE.court_card(PIPELINE.case_card(case), record)
    typed = {k: court[k] for k in ("ay", "gsjg", "sarq", "bgr")}
    [ah] = sandbox.call("court", "POST", "/_sandbox/records", [{**typed, "qsswh": "泉鲤检刑诉[2026]22号"}])["ah"]

    summary = await Runner(settings, routes=["procuratorate-court"]).run()
    [result] = summary.results
    assert result.outcome == "done" and result.record_id == ah, result.error
    court_records = sandbox.records("court")
    assert len(court_records) == 1 and same_key(court_records[0]["qsswh"], "泉鲤检刑诉〔2026〕22号")
    assert court_records[0]["ah"] == "（2026）闽0502刑初1号", "no 刑初2号"
