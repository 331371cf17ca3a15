"""The loop's pages keep the server-side checks a real system has (SPEC 7): the police 决定登记 page,
driven through the police adapter's decision kind, and the checks the procuratorate's 批捕决定 and
判决情况 and the court's 宣判 share with their /_sandbox/ routes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapters.police import DecisionEntry
from casebot import errors
from casebot.adapter import Credentials, SystemConfig
from sandbox.client import SandboxHTTPError
from tests.golden import arrest, golden


def _decision_entry(context: Any, urls: dict[str, str]) -> DecisionEntry:
    return DecisionEntry(context, SystemConfig("police", urls["police"], Credentials("casebot", "sandbox"),
                                               timeout_ms=10_000))


async def test_the_police_decision_page_checks_dates_and_refuses_the_same_decision_twice(sandbox, context, urls):
    sandbox.add_cases(arrest().police[:1])  # 张三, asked for on 2026-10-03
    page = _decision_entry(context, urls)
    card = {"ajbh": "A3505020000002026110001", "rybh": "R3505020000002026110001001", "jd": "批准逮捕",
            "jdrq": "2026-10-02", "jdswh": "泉鲤检捕〔2026〕12号"}
    with pytest.raises(errors.RejectedError) as info:
        await page.write(card)
    assert "不能早于提请日期" in str(info.value)
    record_id = await page.write({**card, "jdrq": "2026-10-09"})
    assert await page.read_back(record_id) == {**card, "jdrq": "2026-10-09"}
    with pytest.raises(errors.AlreadyExists):
        await page.write({**card, "jdrq": "2026-10-09"})
    [case] = sandbox.police_cases()
    assert case["ajzt"] == "侦查中", "every requested suspect decided: the investigation goes on"


def test_decisions_and_judgments_are_checked_as_the_pages_check_them(sandbox):
    hop, g = arrest(), golden()
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [copy.deepcopy(next(iter(hop.expected.values())))])
    decision = {"ysajbh": "A3505020000002026110001", "tqpbsh": "泉鲤公提捕〔2026〕5号", "index": 1,
                "jd": "3", "jdrq": "2026-10-01", "jdswh": ""}
    with pytest.raises(SandboxHTTPError) as info:
        sandbox.call("procuratorate", "POST", "/_sandbox/decide", decision)
    assert all(w in str(info.value) for w in ("批准逮捕或不批准逮捕", "不能早于受理日期", "决定书文号：不能为空"))
    # a 判决情况 with a term for a penalty that has none is refused, as its page refuses it
    [prosecuted] = [r for r in g.procuratorate_after().values() if r["ysajbh"] == "A3505020000002026110001"]
    judged = copy.deepcopy(prosecuted)
    judged["xyr"][0]["pjqk"] = {"pjrq": "2026-12-01", "pjzm": ["0502"], "zx": "9", "xq": "6", "hx": "", "fj": ""}
    with pytest.raises(SandboxHTTPError):
        sandbox.call("procuratorate", "POST", "/_sandbox/records", [judged])
    # the court: a 宣判 date before 收案日期 and a penalty it does not offer
    sandbox.call("court", "POST", "/_sandbox/records", [g.court["泉鲤检刑诉〔2026〕123号"]])
    with pytest.raises(SandboxHTTPError) as info:
        sandbox.call("court", "POST", "/_sandbox/judge", {"qsswh": "泉鲤检刑诉〔2026〕123号", "index": 1,
                                                          "xprq": "2026-11-01", "pjzm": ["盗窃罪"], "zx": "死缓"})
    assert "不能早于收案日期" in str(info.value) and "主刑" in str(info.value)
