"""The loop's further hops (SPEC 7) end to end, with a real Chromium, compared with hand-written golden records.

Hop 3: each police 提请批准逮捕 request becomes one 审查逮捕 card at the procuratorate (the requested
suspects only, the latest measure as of the request date); written once, a card a clerk typed already
adopted, a bad ID stopping its request only, a police correction followed on the card it touches.
Hop 4: each decision on a person card goes to the matching police suspect's 决定登记, once per suspect
and decision document; one entered by hand adopted; a decision changed on 复议 followed.
Hop 5: each judgment goes to the 判决情况 of the person card it judges (by ID number, else name: a
passport holder by name), the card 已判决; a penalty missing from penalties.csv stops its case only.
"""

from __future__ import annotations

import copy

import pytest

from casebot.commands.demo import sandbox_settings
from casebot.run import EXIT_CASES_FAILED, Runner
from tests.golden import arrest, assert_holds, decisions, golden, holdings, judgments, police_decisions

ARREST_ROUTE = "police-arrest-review"


@pytest.fixture
def loop_settings(sandbox, tmp_path):
    return sandbox_settings(sandbox.urls, tmp_path, loop=True, browser={"concurrency": 2},
                            run={"backoff_initial_s": 0.05, "backoff_max_s": 0.3, "max_attempts": 5})


async def test_requests_become_arrest_review_cards_once_adopted_stopped_and_followed(sandbox, loop_settings):
    hop = arrest()
    sandbox.add_cases(hop.police)
    # a clerk already typed the card of one request (the same document number, another bracket spelling)
    typed_key = "A3505830000002026100005#南公提捕〔2026〕31号"
    typed = {**copy.deepcopy(hop.expected[typed_key]), "tqpbsh": "南公提捕[2026]31号"}
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [typed])

    first = await Runner(loop_settings, routes=[ARREST_ROUTE]).run()
    outcomes = {r.case_key: r.outcome for r in first.results}
    assert outcomes == {**dict.fromkeys(hop.expected, "done"), **dict.fromkeys(hop.stops, "failed")}
    [stopped] = [r for r in first.results if r.outcome == "failed"]
    assert "证件号码" in (stopped.error or ""), stopped.error
    assert first.exit_code == EXIT_CASES_FAILED
    expected = {k: v for k, v in hop.expected.items() if k != typed_key}
    expected[f"{typed['ysajbh']}#{typed['tqpbsh']}"] = typed  # held as the clerk spelt it
    assert_holds(sandbox, "procuratorate", expected)
    assert sandbox.saves("procuratorate") == {"A3505020000002026110001": 1, "A3505830000002026100005": 1}, \
        "the card a clerk typed is adopted, not written again"

    again = await Runner(loop_settings, routes=[ARREST_ROUTE]).run()
    assert [r.outcome for r in again.results if not r.known] == [], "a second run writes nothing"
    assert sandbox.saves("procuratorate") == {"A3505020000002026110001": 1, "A3505830000002026100005": 1}

    # the police correct 周敏's 现住址: only the card of the request naming her follows, once
    case = copy.deepcopy(hop.police[1])
    case["xyr"][0]["xzz"] = "福建省南安市美林街道8号"
    sandbox.add_cases([case])
    followed = await Runner(loop_settings, routes=[ARREST_ROUTE]).run()
    done = {r.case_key for r in followed.results if r.outcome == "done"}
    assert "A3505830000002026100005#南公提捕〔2026〕47号" in done
    expected["A3505830000002026100005#南公提捕〔2026〕47号"]["xyr"][0]["xzz"] = "福建省南安市美林街道8号"
    assert_holds(sandbox, "procuratorate", expected)
    assert followed.counters.get("updates") == 1
    assert len(holdings(sandbox, "procuratorate")) == 3


DECISION_ROUTE = "procuratorate-police-decision"


async def test_decisions_flow_back_to_the_police_once_per_suspect_and_document(sandbox, loop_settings):
    hop, want = arrest(), decisions()
    # 杨峰's decision was already entered at the police by hand: it is adopted, not entered again
    police = copy.deepcopy(hop.police[:2])
    police[1]["xyr"][1]["pbjd"] = want["police"]["A3505830000002026100005"]["R5-2"]
    sandbox.add_cases(police)
    sandbox.call("procuratorate", "POST", "/_sandbox/records", list(hop.expected.values()))
    for d in want["decisions"]:
        sandbox.call("procuratorate", "POST", "/_sandbox/decide", d)

    first = await Runner(loop_settings, routes=[DECISION_ROUTE]).run()
    assert sorted(r.outcome for r in first.results) == ["done"] * 3, [r.error for r in first.results]
    assert first.counters.get("writes") == 2, "one write per suspect and decision; the hand-entered one adopted"
    assert police_decisions(sandbox) == want["police"]

    again = await Runner(loop_settings, routes=[DECISION_ROUTE]).run()
    assert again.counters.get("writes", 0) == 0 and again.counters.get("updates", 0) == 0

    # 复议: 周敏's refusal becomes an approval; the police entry follows, once
    sandbox.call("procuratorate", "POST", "/_sandbox/decide", want["reconsidered"]["decision"])
    followed = await Runner(loop_settings, routes=[DECISION_ROUTE]).run()
    assert followed.counters.get("updates") == 1 and followed.counters.get("writes", 0) == 0
    moved = want["reconsidered"]["police"]
    want["police"][moved["ajbh"]][moved["rybh"]] = moved["pbjd"]
    assert police_decisions(sandbox) == want["police"]

    # 回头看: each decision entered is in step with the procuratorate's
    from casebot.commands.reconcile import _run
    from casebot.ledger import open_ledger

    ledger = open_ledger(loop_settings.ledger_url())
    try:
        report = await _run(loop_settings, ledger, [DECISION_ROUTE], None)
    finally:
        ledger.close()
    assert sorted(f.kind for f in report.findings) == ["in-step"] * 3, [(f.kind, f.note) for f in report.findings]
    assert report.problems == []


JUDGMENT_ROUTE = "court-procuratorate-judgment"


async def test_judgments_flow_back_to_the_procuratorate_cards_they_judge(sandbox, loop_settings):
    g, want = golden(), judgments()
    judged = {j["qsswh"] for j in want["judge"]}
    prosecuted = {k: v for k, v in g.procuratorate_after().items() if v["qsswh"] in judged}
    sandbox.call("procuratorate", "POST", "/_sandbox/records", list(prosecuted.values()))
    sandbox.call("court", "POST", "/_sandbox/records", [g.court[q] for q in sorted(judged)])
    for j in want["judge"]:
        sandbox.call("court", "POST", "/_sandbox/judge", j)

    first = await Runner(loop_settings, routes=[JUDGMENT_ROUTE]).run()
    outcomes = {r.case_key: r.outcome for r in first.results}
    assert outcomes == {**dict.fromkeys(want["procuratorate"], "done"), **dict.fromkeys(want["stops"], "failed")}
    [stopped] = [r for r in first.results if r.outcome == "failed"]
    assert "penalties" in (stopped.error or "") and "单处罚金" in (stopped.error or ""), stopped.error
    # each 审查起诉 card judged: every person card's 判决情况 as written by hand, and 已判决
    expected = copy.deepcopy(prosecuted)
    for record in expected.values():
        rows = want["procuratorate"].get(record["qsswh"])
        if rows:
            record["zt"] = "已判决"
            for person, row in zip(record["xyr"], rows, strict=True):
                person["pjqk"] = row
    assert_holds(sandbox, "procuratorate", expected)

    again = await Runner(loop_settings, routes=[JUDGMENT_ROUTE]).run()
    assert again.counters.get("writes", 0) == 0 and again.counters.get("updates", 0) == 0
