"""公安执法办案系统: a case that changes after transfer (revisions, 修改时间, 退回补充侦查)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from playwright.async_api import Page

from sandbox.client import SandboxHTTPError
from tests.sandbox.test_police import login, sample_case

AJBH = "A3505020000002026110001"


def revisions(sandbox: Any) -> dict[str, Any]:
    return sandbox.call("police", "GET", "/_sandbox/revisions")


async def test_a_known_case_number_is_a_new_revision_shown_on_list_and_detail(page: Page, urls: dict[str, str],
                                                                              sandbox: Any) -> None:
    sandbox.add_cases([sample_case(), sample_case(ajbh="A3505020000002026110002")])
    first = revisions(sandbox)
    assert first[AJBH]["rev"] == 1 and first[AJBH]["thcs"] == 0
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", first[AJBH]["xgsj"])

    arrested = sample_case()
    arrested["xyr"][0]["qzcs"].append({"cslx": "06", "zxrq": "2026-11-02"})
    accomplice = copy.deepcopy(arrested["xyr"][0])
    accomplice.update(rybh="R2", xm="李四", zjhm="350502199105060012")
    arrested["xyr"].append(accomplice)
    sandbox.add_cases([arrested])
    second = revisions(sandbox)
    assert second[AJBH]["rev"] == 2, "the same 案件编号 replaces the case as a revision"
    assert second[AJBH]["xgsj"] > first[AJBH]["xgsj"], "修改时间 moves on even within one second"
    assert second["A3505020000002026110002"] == first["A3505020000002026110002"], "the other case is untouched"
    stored = next(c for c in sandbox.police_cases() if c["ajbh"] == AJBH)
    assert [p["xm"] for p in stored["xyr"]] == ["张\u3000三", "李四"] and len(stored["xyr"][0]["qzcs"]) == 3

    await login(page, urls["police"])
    row = page.locator(f"#case-list tr[data-ajbh='{AJBH}']")
    headers = await page.locator("#case-list thead th").all_inner_texts()
    assert "修改时间" in headers
    cell = row.locator("td").nth(headers.index("修改时间"))
    assert await cell.inner_text() == second[AJBH]["xgsj"]
    await row.locator("a.case-link").click()
    await page.wait_for_url(re.compile(r"/ajgl/ajxx"))
    assert await page.locator("#ajjbxx th:text-is('修改时间') + td").inner_text() == second[AJBH]["xgsj"]
    assert await page.locator("#ajjbxx th:text-is('退回补充侦查') + td").inner_text() == "0次"
    assert await page.locator("#xyr-tabs [role=tab]").all_inner_texts() == ["犯罪嫌疑人1", "犯罪嫌疑人2"]


async def test_return_for_supplementary_investigation_and_transfer_again(page: Page, urls: dict[str, str],
                                                                          sandbox: Any) -> None:
    sandbox.add_cases([sample_case()])
    back = sandbox.call("police", "POST", "/_sandbox/return", {"ajbh": AJBH})["case"]
    assert back["ajzt"] == "侦查中" and back["yssj"] is None and back["thcs"] == 1 and back["rev"] == 2
    with pytest.raises(SandboxHTTPError) as info:
        sandbox.call("police", "POST", "/_sandbox/return", {"ajbh": AJBH})
    assert info.value.status == 400 and info.value.body["field"] == "ajbh", "a case under investigation stays"
    for body, field in (({"ajbh": AJBH}, "yssj"), ({"ajbh": AJBH, "yssj": "2026/12/01"}, "yssj"),
                        ({"ajbh": AJBH, "yssj": "2026-01-01"}, "yssj"),
                        ({"ajbh": "A3505020000002026119999", "yssj": "2026-12-10"}, "ajbh")):
        with pytest.raises(SandboxHTTPError) as info:
            sandbox.call("police", "POST", "/_sandbox/transfer", body)
        assert info.value.status == 400 and info.value.body["field"] == field
    again = sandbox.call("police", "POST", "/_sandbox/transfer", {"ajbh": AJBH, "yssj": "2026-12-10"})["case"]
    assert again["ajzt"] == "已移送起诉" and again["yssj"] == "2026-12-10"
    assert again["thcs"] == 1 and again["rev"] == 3 and again["xgsj"] > back["xgsj"]
    sandbox.add_cases([sample_case(yssj="2026-12-10")])
    assert revisions(sandbox)[AJBH]["thcs"] == 1, "a revision keeps the count of returns"

    await login(page, urls["police"])
    await page.goto(f"{urls['police']}/ajgl/ajxx?ajbh={AJBH}")
    assert await page.locator("#ajjbxx th:text-is('退回补充侦查') + td").inner_text() == "1次"
    assert await page.locator("#ajjbxx th:text-is('移送起诉日期') + td").inner_text() == "2026-12-10"
