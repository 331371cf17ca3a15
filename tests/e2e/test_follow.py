"""A case follows the police (SPEC rule 10), with a real Chromium: each change applied once, never over a person."""

from __future__ import annotations

import copy
from typing import Any

from casebot.idcard import check_digit
from casebot.ledger import open_ledger
from casebot.run import EXIT_CASES_FAILED, EXIT_OK, Runner
from casebot.verify import differences
from tests.e2e.helpers import PIPELINE
from tests.e2e.test_hand_typed import police_cases

QSSWH = "泉鲤检刑诉〔2026〕22号"


def accomplice(case: dict[str, Any]) -> dict[str, Any]:
    body = "35050219920101003"
    return dict(copy.deepcopy(case["xyr"][0]), rybh="R2", xm="李四", zjhm=body + check_digit(body),
                qzcs=[{"cslx": "02", "zxrq": "2026-11-10"}], jycs="")


def assert_targets_follow(sandbox: Any, case: dict[str, Any]) -> None:
    [proc] = sandbox.records("procuratorate")
    assert differences(PIPELINE.procuratorate_card(PIPELINE.case_card(case)), proc) == []
    [court] = sandbox.records("court")
    assert differences(PIPELINE.court_card(PIPELINE.case_card(case), proc), court) == []


async def written_to_both(sandbox: Any, settings: Any) -> dict[str, Any]:
    [case] = police_cases()[:1]
    sandbox.add_cases([case])
    assert (await Runner(settings, routes=["police-procuratorate"]).run()).exit_code == EXIT_OK
    sandbox.prosecute(case["ajbh"], QSSWH, "2026-12-01")
    assert (await Runner(settings, routes=["procuratorate-court"]).run()).exit_code == EXIT_OK
    return case


async def test_a_police_change_flows_on_to_both_targets_once(sandbox, settings):
    case = await written_to_both(sandbox, settings)
    numbers = (sandbox.records("procuratorate")[0]["bmsah"], sandbox.records("court")[0]["ah"])
    quiet = await Runner(settings).run()
    assert quiet.exit_code == EXIT_OK and quiet.results == [], "nothing changed: no detail page opened"

    changed = copy.deepcopy(case)
    changed["xyr"][0]["qzcs"].append({"cslx": "02", "zxrq": "2026-11-15"})   # 逮捕 -> 取保候审
    changed["xyr"].append(accomplice(case))                                # a 同案犯 added
    sandbox.add_cases([changed])
    followed = await Runner(settings).run()
    assert followed.exit_code == EXIT_OK, [r.error for r in followed.results]
    assert followed.counters.get("updates") == 2 and not followed.counters.get("writes")
    assert_targets_follow(sandbox, changed)
    assert (sandbox.records("procuratorate")[0]["bmsah"], sandbox.records("court")[0]["ah"]) == numbers

    again = await Runner(settings).run()
    assert again.exit_code == EXIT_OK and not again.counters.get("updates"), "each change applied once"
    ledger = open_ledger(settings.ledger_url())
    try:
        item = ledger.get("police-procuratorate", case["ajbh"])
        assert [v["kind"] for v in ledger.versions(item.id)] == ["written", "updated"]
    finally:
        ledger.close()


async def test_a_persons_edit_is_reported_not_overwritten(sandbox, settings):
    case = await written_to_both(sandbox, settings)
    sandbox.call("procuratorate", "POST", "/_sandbox/edit", {"ysajbh": case["ajbh"], "set": {"ajmc": "检察官定的案名"}})
    sandbox.add_cases([dict(copy.deepcopy(case), ajmc="公安更正的案名")])
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    [result] = summary.results
    assert summary.exit_code == EXIT_CASES_FAILED and result.error_type == "EditConflict"
    assert "检察官定的案名" in result.error and "已被人修改" in result.error
    assert sandbox.records("procuratorate")[0]["ajmc"] == "检察官定的案名", "never overwritten"

    # the route may instead apply the rest and leave the person's field alone
    settings.routes[0] = settings.routes[0].model_copy(update={"on_conflict": "skip-field"})
    arrested = dict(copy.deepcopy(case), ajmc="公安更正的案名")
    arrested["xyr"][0]["qzcs"].append({"cslx": "06", "zxrq": "2026-11-16"})
    sandbox.add_cases([arrested])
    skipped = await Runner(settings, routes=["police-procuratorate"]).run()
    assert skipped.exit_code == EXIT_OK, [r.error for r in skipped.results]
    [rec] = sandbox.records("procuratorate")
    assert rec["ajmc"] == "检察官定的案名" and rec["xyr"][0]["qzcsrq"] == "2026-11-16"
