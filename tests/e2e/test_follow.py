"""A case follows the police (SPEC rule 10), with a real Chromium: each change applied once, never over a person.

The records the targets must hold after a change are the golden records with the
changed fields set by hand, from SPEC section 4 and ``mappings/codes/*.csv``.
"""

from __future__ import annotations

import copy
from typing import Any

from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_OK
from casebot.ledger import open_ledger
from casebot.run import Runner
from tests.golden import EXAMPLE, GoldenSet, assert_holds, golden, holdings, prosecute

#: a 同案犯 the police add to the worked example: 李四, 取保候审 (02) on 2026-11-10, no 性别 or 出生日期 given
ACCOMPLICE_ID = "350502199201010039"


def accomplice(case: dict[str, Any]) -> dict[str, Any]:
    return dict(copy.deepcopy(case["xyr"][0]), rybh="R2", xm="李四", zjhm=ACCOMPLICE_ID,
                qzcs=[{"cslx": "02", "zxrq": "2026-11-10"}], jycs="")


#: 李四's 人卡: 性别 and 出生日期 from the ID (17th digit 3: male), 技工学校 50 -> 40, latest measure 02 -> 2,
#: not custodial so no 羁押场所; 人卡罪名 the case's 移送案由
ACCOMPLICE_CARD = {
    "xm": "李四", "bm": "", "xb": "1", "csrq": "1992-01-01", "zjlx": "111", "zjhm": ACCOMPLICE_ID, "gj": "CHN",
    "mz": "01", "xl": "40", "zy": "无业", "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区开元街道1号",
    "xzz": "福建省泉州市鲤城区新华路2号", "sfwcn": "否", "qzcs": "2", "qzcsrq": "2026-11-10", "jycs": "",
    "ay": ["0502"],
}
#: 李四 as a 被告人: 取保候审 is not custodial (未羁押, no 羁押场所), and he never was in custody (no 羁押日期)
ACCOMPLICE_DEFENDANT = {
    "xm": "李四", "xb": "男", "csrq": "1992-01-01", "sfzh": ACCOMPLICE_ID, "mz": "汉族", "whcd": "中专",
    "zy": "无业", "zz": "福建省泉州市鲤城区新华路2号", "jyzt": "未羁押", "qzcs": "取保候审", "jycs": "",
    "jyrq": "",
}


async def written_to_both(sandbox: Any, settings: Any) -> GoldenSet:
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    assert (await Runner(settings, routes=["police-procuratorate"]).run()).exit_code == EXIT_OK
    prosecute(sandbox, g.prosecutions)
    assert (await Runner(settings, routes=["procuratorate-court"]).run()).exit_code == EXIT_OK
    assert_holds(sandbox, "procuratorate", g.procuratorate_after())
    assert_holds(sandbox, "court", g.court)
    return g


async def test_a_police_change_flows_on_to_both_targets_once(sandbox, settings):
    g = await written_to_both(sandbox, settings)
    [case] = g.police
    [qsswh] = g.court
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

    # 张三's latest measure is now 取保候审 (02 -> procuratorate 2, court 取保候审) of 2026-11-15: not custodial,
    # so no 羁押场所 and 未羁押; his 羁押日期 stays the earliest custodial measure's date, 2026-10-01
    proc = g.procuratorate_after()[EXAMPLE]
    proc["xyr"][0].update(qzcs="2", qzcsrq="2026-11-15", jycs="")
    proc["xyr"].append(ACCOMPLICE_CARD)
    court = copy.deepcopy(g.court[qsswh])
    court["bgr"][0].update(jyzt="未羁押", qzcs="取保候审", jycs="", jyrq="2026-10-01")
    court["bgr"].append(ACCOMPLICE_DEFENDANT)
    assert_holds(sandbox, "procuratorate", {EXAMPLE: proc})
    assert_holds(sandbox, "court", {qsswh: court})
    assert (sandbox.records("procuratorate")[0]["bmsah"], sandbox.records("court")[0]["ah"]) == numbers

    again = await Runner(settings).run()
    assert again.exit_code == EXIT_OK and not again.counters.get("updates"), "each change applied once"
    assert_holds(sandbox, "procuratorate", {EXAMPLE: proc})
    assert_holds(sandbox, "court", {qsswh: court})
    ledger = open_ledger(settings.ledger_url())
    try:
        item = ledger.get("police-procuratorate", case["ajbh"])
        assert [v["kind"] for v in ledger.versions(item.id)] == ["written", "updated"]
    finally:
        ledger.close()


async def test_a_persons_edit_is_reported_not_overwritten(sandbox, settings):
    g = await written_to_both(sandbox, settings)
    [case] = g.police
    sandbox.call("procuratorate", "POST", "/_sandbox/edit", {"ysajbh": case["ajbh"], "set": {"ajmc": "检察官定的案名"}})
    edited = holdings(sandbox, "procuratorate")
    want = g.procuratorate_after()
    want[EXAMPLE]["ajmc"] = "检察官定的案名"
    assert edited == want
    sandbox.add_cases([dict(copy.deepcopy(case), ajmc="公安更正的案名")])
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    [result] = summary.results
    assert summary.exit_code == EXIT_CASES_FAILED and result.error_type == "EditConflict"
    assert "已被人修改" in result.error and "案件名称：" in result.error, "the field is named by its label"
    assert "ajmc" not in result.error and "检察官定的案名" not in result.error, "(free text by its length only)"
    assert "系统中为“7 字的案件名称”" in result.error, result.error
    assert_holds(sandbox, "procuratorate", want)   # never overwritten, nothing else changed either

    # the route may instead apply the rest and leave the person's field alone
    settings.routes[0] = settings.routes[0].model_copy(update={"on_conflict": "skip-field"})
    arrested = dict(copy.deepcopy(case), ajmc="公安更正的案名")
    arrested["xyr"][0]["qzcs"].append({"cslx": "06", "zxrq": "2026-11-16"})
    sandbox.add_cases([arrested])
    skipped = await Runner(settings, routes=["police-procuratorate"]).run()
    assert skipped.exit_code == EXIT_OK, [r.error for r in skipped.results]
    # the latest measure is the 逮捕 of 2026-11-16: still 6 in 泉州市看守所, only its date moves
    want[EXAMPLE]["xyr"][0]["qzcsrq"] = "2026-11-16"
    assert_holds(sandbox, "procuratorate", want)
    assert_holds(sandbox, "court", g.court)
