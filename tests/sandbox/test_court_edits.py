"""审判流程管理系统: cases registered by hand, 修改 through the wizard, loose 案件查询."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from playwright.async_api import Page

from sandbox.client import SandboxClient, SandboxHTTPError
from tests.sandbox.test_court import login, submit

QSSWH = "泉鲤检刑诉〔2026〕22号"
ID_A = "350502199003072415"
DEFENDANT = {"xm": "张三", "xb": "男", "csrq": "1990-03-07", "sfzh": ID_A, "mz": "汉族", "whcd": "中专",
             "zy": "无业", "zz": "泉州市鲤城区新华路1号", "jyzt": "在押", "qzcs": "逮捕", "jycs": "泉州市看守所",
             "jyrq": "2026-10-01"}


def case(qsswh: str, **over: Any) -> dict[str, Any]:
    rec = {"ay": "盗窃罪", "gsjg": "泉州市鲤城区人民检察院", "qsswh": qsswh, "sarq": "2026-12-01",
           "bgr": [copy.deepcopy(DEFENDANT)]}
    rec.update(over)
    return rec


def add(sandbox: SandboxClient, *recs: dict[str, Any]) -> list[str]:
    return sandbox.call("court", "POST", "/_sandbox/records", list(recs))["ah"]


async def search(page: Page, base: str, **params: str) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    await page.goto(f"{base}/case/search?{query}")
    return await page.locator("#result-table td.c-qsswh").all_inner_texts()


async def test_hand_typed_cases_and_loose_search(page: Page, urls: dict[str, str], sandbox: SandboxClient) -> None:
    base = urls["court"]
    typed = "泉鲤检刑诉[2026]22号"
    other = case("泉鲤检刑诉〔2026〕23号", ay="诈骗罪", sarq="2026-10-05",
                 bgr=[{**DEFENDANT, "xm": "李四", "sfzh": ""}])
    assert add(sandbox, case(typed), other) == ["（2026）闽0502刑初1号", "（2026）闽0502刑初2号"]
    assert add(sandbox, case(QSSWH)) == ["（2026）闽0502刑初3号"], "another spelling is not refused by the system"
    with pytest.raises(SandboxHTTPError) as info:
        add(sandbox, case(typed))
    assert info.value.status == 400 and info.value.body["field"] == "[0].qsswh"
    for bad, field in (({**case("x"), "ay": "不是罪名"}, "[0].ay"), ({**case("x"), "bgr": []}, "[0].bgr"),
                       ({**case("x"), "bgr": [{**DEFENDANT, "mz": "e1"}]}, "[0].bgr[0].mz")):
        with pytest.raises(SandboxHTTPError) as info:
            add(sandbox, bad)
        assert info.value.body["field"] == field
    await login(page, base)
    assert await search(page, base, qsswh=QSSWH) == [QSSWH], "substring: the bracket spelling matters"
    assert sorted(await search(page, base, qsswh="22号")) == sorted([typed, QSSWH])
    assert sorted(await search(page, base, sfzh=ID_A)) == sorted([typed, QSSWH])
    assert await search(page, base, ay="诈骗罪", gsjg="鲤城", sarq_from="2026/10/01", sarq_to="2026/10/31") == [
        other["qsswh"]]


async def test_edit_through_the_wizard_keeps_the_case_number(page: Page, urls: dict[str, str],
                                                             sandbox: SandboxClient) -> None:
    base = urls["court"]
    second = {**DEFENDANT, "xm": "李四", "sfzh": "", "jyzt": "未羁押", "qzcs": "取保候审", "jycs": "", "jyrq": ""}
    [ah] = add(sandbox, case(QSSWH, bgr=[copy.deepcopy(DEFENDANT), second]))
    add(sandbox, case("泉鲤检刑诉〔2026〕30号"))
    await login(page, base)
    await search(page, base, qsswh=QSSWH)
    await page.locator("#result-table a.op-view").first.click()
    await page.click("#btn-edit")
    await page.locator("#case-form").wait_for()
    assert await page.inner_text("#edit-ah") == ah
    assert await page.input_value("#ay-value") == "盗窃罪" and await page.input_value("#sarq") == "2026/12/01"
    await page.locator("#sarq").fill("")
    await page.locator("#sarq").press_sequentially("20261215")
    await page.click("#btn-next-1")
    rows = page.locator("#bgr-rows .bgr-row")
    assert await rows.count() == 2
    first = rows.nth(0)
    assert await first.locator("input[name$='.xm']").input_value() == "张三"
    assert await first.locator("select[name$='.qzcs'] option:checked").inner_text() == "逮捕"
    assert await first.locator("input[name$='.csrq']").input_value() == "1990/03/07"
    await first.locator("select[name$='.jycs']").select_option(label="晋江市看守所")
    await rows.nth(1).locator(".bgr-del").click()
    await page.click("#btn-add-bgr")
    new = page.locator("#bgr-rows .bgr-row").nth(1)
    await new.locator("input[name$='.xm']").fill("王五")
    await new.locator("input[type=radio][name$='.xb'][value='女']").check()
    await new.locator("input[name$='.csrq']").press_sequentially("19920101")
    await new.locator("select[name$='.jyzt']").select_option(label="未羁押")
    await page.click("#btn-next-2")
    await page.locator("#step-3").wait_for()
    assert await submit(page) == ah, "the 案号 never changes"
    assert "案件修改成功" in await page.locator(".toast-success").inner_text()
    rec = next(r for r in sandbox.records("court") if r["ah"] == ah)
    assert rec["sarq"] == "2026-12-15" and [d["xm"] for d in rec["bgr"]] == ["张三", "王五"]
    assert rec["bgr"][0]["jycs"] == "晋江市看守所" and rec["bgr"][0]["qzcs"] == "逮捕", "the rest kept"
    assert rec["bgr"][1]["xb"] == "女" and rec["bgr"][1]["jyzt"] == "未羁押"
    assert len(sandbox.records("court")) == 2

    # the same checks as on entry: another case's 起诉书文号 is refused
    await page.goto(page.url)
    await page.locator("#qsswh").fill("泉鲤检刑诉〔2026〕30号")
    await page.click("#btn-next-1")
    await page.click("#btn-next-2")
    await page.locator("#step-3").wait_for()
    assert (await submit(page)).startswith("该案件已立案，案号：")
    assert next(r for r in sandbox.records("court") if r["ah"] == ah)["qsswh"] == QSSWH


async def test_sandbox_edit_route(sandbox: SandboxClient) -> None:
    [ah] = add(sandbox, case(QSSWH))
    out = sandbox.call("court", "POST", "/_sandbox/edit",
                       {"ah": ah, "set": {"ay": "诈骗罪"}, "bgr": {"0": {"zy": "厨师"}}})["record"]
    assert out["ay"] == "诈骗罪" and out["bgr"][0]["zy"] == "厨师" and out["ah"] == ah
    for body, field in (({"ah": "nope"}, "ah"), ({"ah": ah, "set": {"ah": "x"}}, "set.ah"),
                        ({"ah": ah, "bgr": {"1": {"zy": "x"}}}, "bgr.1"),
                        ({"ah": ah, "set": {"ay": "不是罪名"}}, "$.ay"), ({"ah": ah, "x": 1}, "x")):
        with pytest.raises(SandboxHTTPError) as info:
            sandbox.call("court", "POST", "/_sandbox/edit", body)
        assert info.value.status == 400 and info.value.body["field"] == field, body
    assert sandbox.records("court")[0]["ay"] == "诈骗罪"
