"""Guarantees on the loop's further hops (SPEC 7), with a real Chromium against the sandbox.

A defendant matching no person card stops its judgment (a clerk's message, nothing entered for that case)
while the others go on; a save whose answer is lost after the system committed it (a decision entered at
the police, a judgment entered at the procuratorate) is found, not entered again: a fault proxy in front of
the system cuts the answer and counts every save posted through it.
"""

from __future__ import annotations

import copy

import pytest

from casebot.cli.demo import sandbox_settings
from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_OK
from casebot.ledger import open_ledger
from casebot.run import Runner
from casebot.testing.faultproxy import Fault, FaultProxy
from tests.golden import arrest, assert_holds, decisions, golden, holdings, judgments, police_decisions

DECISION_ROUTE = "procuratorate-police-decision"
JUDGMENT_ROUTE = "court-procuratorate-judgment"
RUN = {"backoff_initial_s": 0.05, "backoff_max_s": 0.3, "max_attempts": 5}


def _settings(sandbox, tmp_path, **through):
    urls = {**sandbox.urls, **through}
    return sandbox_settings(urls, tmp_path, loop=True, browser={"concurrency": 2}, run=RUN)


def _counted(proxy: FaultProxy, path: str, lost: str) -> None:
    """The first save posted to ``path`` committed and its answer lost; every save counted (a latency of 0
    meets each one)."""
    proxy.inject(Fault(lost, method="POST", path=path, times=1))
    proxy.inject(Fault("latency", method="POST", path=path))


def _judged(sandbox, qsswhs):
    g, want = golden(), judgments()
    prosecuted = {k: v for k, v in g.procuratorate_after().items() if v["qsswh"] in qsswhs}
    sandbox.call("procuratorate", "POST", "/_sandbox/records", list(prosecuted.values()))
    return g, want, prosecuted


async def test_a_defendant_matching_no_person_card_stops_that_judgment_only(sandbox, tmp_path):
    ours, other = "泉丰检刑诉〔2026〕88号", "泉鲤检刑诉〔2026〕123号"
    g, want, prosecuted = _judged(sandbox, {ours, other})
    court = copy.deepcopy(g.court[ours])
    court["bgr"][1].update(xm="马武", sfzh="350583198802140000")  # 马文 judged under another name and ID
    sandbox.call("court", "POST", "/_sandbox/records", [court, g.court[other]])
    for j in want["judge"]:
        if j["qsswh"] in (ours, other):
            sandbox.call("court", "POST", "/_sandbox/judge", j)
    settings = _settings(sandbox, tmp_path)

    first = await Runner(settings, routes=[JUDGMENT_ROUTE]).run()
    assert {r.case_key: r.outcome for r in first.results} == {ours: "failed", other: "done"}
    assert first.exit_code == EXIT_CASES_FAILED
    [stopped] = [r for r in first.results if r.outcome == "failed"]
    assert stopped.error_type == "DataError"
    assert "被告人2" in stopped.error and "对不上" in stopped.error, stopped.error
    assert "马武" not in stopped.error and "350583198802140000" not in stopped.error, "no name or ID in the message"
    # nothing entered on the card of the stopped case: not even its two defendants that match
    expected = copy.deepcopy(prosecuted)
    judged = next(r for r in expected.values() if r["qsswh"] == other)
    judged["zt"] = "已判决"
    judged["xyr"][0]["pjqk"] = want["procuratorate"][other][0]
    assert_holds(sandbox, "procuratorate", expected)
    assert not any(p.get("pjqk") for r in holdings(sandbox, "procuratorate").values() if r["qsswh"] == ours
                   for p in r["xyr"])

    ledger = open_ledger(settings.ledger_url())
    try:
        item = next(i for i in ledger.items() if i.case_key == ours)
    finally:
        ledger.close()
    assert (item.state, item.record_id) == ("failed", None), "for a clerk, nothing written"

    again = await Runner(settings, routes=[JUDGMENT_ROUTE]).run()
    assert again.counters.get("writes", 0) == 0
    assert_holds(sandbox, "procuratorate", expected)


async def test_a_decision_whose_answer_is_lost_is_found_not_entered_again(sandbox, tmp_path):
    hop, want = arrest(), decisions()
    case = hop.police[0]
    sandbox.add_cases([case])
    sandbox.call("procuratorate", "POST", "/_sandbox/records",
                 [v for k, v in hop.expected.items() if k.startswith(case["ajbh"])])
    sandbox.call("procuratorate", "POST", "/_sandbox/decide", want["decisions"][0])
    with FaultProxy(sandbox.urls["police"]) as proxy:
        _counted(proxy, "/ajgl/jddj", "commit_then_drop")  # the connection cut in the answer
        summary = await Runner(_settings(sandbox, tmp_path, police=proxy.url), routes=[DECISION_ROUTE]).run()
        assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
        assert proxy.counts["commit_then_drop"] == 1 and proxy.counts["latency"] == 1, \
            f"the decision entered once, then found: {proxy.counts}"
    assert police_decisions(sandbox) == {case["ajbh"]: want["police"][case["ajbh"]]}


@pytest.mark.parametrize("qsswh", ["泉丰检刑诉〔2026〕88号"])  # three defendants: the answer of the first lost
async def test_a_judgment_whose_answer_is_lost_is_found_not_entered_again(sandbox, tmp_path, qsswh):
    g, want, prosecuted = _judged(sandbox, {qsswh})
    sandbox.call("court", "POST", "/_sandbox/records", [g.court[qsswh]])
    for j in want["judge"]:
        if j["qsswh"] == qsswh:
            sandbox.call("court", "POST", "/_sandbox/judge", j)
    with FaultProxy(sandbox.urls["procuratorate"]) as proxy:
        _counted(proxy, "/slaj/pj/", "commit_then_error")  # a 502 once the first row is entered
        summary = await Runner(_settings(sandbox, tmp_path, procuratorate=proxy.url), routes=[JUDGMENT_ROUTE]).run()
        assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
        rows = len(want["procuratorate"][qsswh])
        assert proxy.counts["commit_then_error"] == 1 and proxy.counts["latency"] == rows, \
            f"each defendant's judgment entered once: {proxy.counts}"
    expected = copy.deepcopy(prosecuted)
    record = next(iter(expected.values()))
    record["zt"] = "已判决"
    for person, row in zip(record["xyr"], want["procuratorate"][qsswh], strict=True):
        person["pjqk"] = row
    assert_holds(sandbox, "procuratorate", expected)
