"""Crash safety on a hop of the loop (SPEC 7): the real `casebot run` is SIGKILLed between the save of a
judgment and the ledger's note of it, then started again. The procuratorate's 判决情况 page has no duplicate
refusal of its own (a second save enters the judgment again), so only the robot's lookup keeps a second save
away: a fault proxy in front of the procuratorate counts every save posted, across both processes."""

from __future__ import annotations

import json
import signal

import pytest

from casebot.ledger import open_ledger
from casebot.testing.faultproxy import Fault, FaultProxy
from tests.chaos.test_crash import casebot
from tests.golden import assert_holds, golden, judgments

QSSWH = "泉鲤检刑诉〔2026〕123号"
ROUTE = "court-procuratorate-judgment"


@pytest.mark.slow
def test_killed_between_a_judgments_save_and_the_ledger_then_restarted(sandbox, config_file):
    g, want = golden(), judgments()
    prosecuted = {k: v for k, v in g.procuratorate_after().items() if v["qsswh"] == QSSWH}
    sandbox.call("procuratorate", "POST", "/_sandbox/records", list(prosecuted.values()))
    sandbox.call("court", "POST", "/_sandbox/records", [g.court[QSSWH]])
    for j in want["judge"]:
        if j["qsswh"] == QSSWH:
            sandbox.call("court", "POST", "/_sandbox/judge", j)
    with FaultProxy(sandbox.urls["procuratorate"]) as proxy:
        proxy.inject(Fault("latency", method="POST", path="/slaj/pj/"))  # counts each save
        text = config_file.read_text(encoding="utf-8").replace(sandbox.urls["procuratorate"], proxy.url)
        config_file.write_text(text + "\n".join([
            "", "[[routes]]", f'name = "{ROUTE}"', 'source = "court"', 'source_kind = "judgment"',
            'target = "procuratorate"', 'target_kind = "judgment"', 'filters = { zt = "已宣判" }', ""]),
            encoding="utf-8")

        killed, _, _ = casebot(config_file, "run", "--route", ROUTE, failpoint="after_save:1")
        assert killed == -signal.SIGKILL
        assert proxy.counts["latency"] == 1, "the judgment was saved before the kill"
        code, out, err = casebot(config_file, "run", "--route", ROUTE, "--json")
        assert code == 0, out + err
        assert proxy.counts["latency"] == 1, "found after the restart, not entered again"
    summary = json.loads(out)
    assert [(r["case_key"], r["outcome"]) for r in summary["results"]] == [(QSSWH, "done")]
    record = next(iter(prosecuted.values()))
    record["zt"] = "已判决"
    record["xyr"][0]["pjqk"] = want["procuratorate"][QSSWH][0]
    assert_holds(sandbox, "procuratorate", prosecuted)
    ledger = open_ledger(f"sqlite:///{config_file.parent / 'var' / 'ledger.sqlite3'}")
    try:
        assert [(i.case_key, i.state) for i in ledger.items()] == [(QSSWH, "done")], "one ledger entry"
    finally:
        ledger.close()
