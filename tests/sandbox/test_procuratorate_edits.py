"""检察业务应用系统: records typed by hand, 修改 through the pages, loose 综合查询, 退回补充侦查."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from playwright.async_api import Frame, Page

from sandbox.client import SandboxClient, SandboxHTTPError
from tests.sandbox.test_procuratorate import (
    PERSON,
    WOMAN_ID,
    add_person_js,
    login,
    open_menu,
    record,
    records,
    red_box,
    save,
    set_date,
)

KEY = "A3505020000002026110001"
FULL_WIDTH_KEY = "".join(chr(ord(c) + 0xFEE0) for c in KEY)
WOMAN = {**PERSON, "xm": "李梅", "xb": "2", "csrq": "1995-08-12", "zjhm": WOMAN_ID, "qzcs": "", "qzcsrq": "",
         "jycs": ""}


@pytest.fixture
def base(urls: dict[str, str]) -> str:
    return urls["procuratorate"]


def add(sandbox: SandboxClient, *recs: dict[str, Any]) -> list[str]:
    return sandbox.call("procuratorate", "POST", "/_sandbox/records", list(recs))["bmsah"]


async def query(page: Page, **fields: str) -> Frame:
    frame = await open_menu(page, "#menu-zhcx", "#cxForm")
    for name, value in fields.items():
        await frame.fill(f"#q_{name}", value)
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnQuery")
    return frame


async def found(frame: Frame) -> list[str]:
    return await frame.locator("#cxTable tr.cx-row td[data-col=ysajbh]").all_text_contents()


async def open_edit(page: Page, ysajbh: str) -> Frame:
    frame = await query(page, ysajbh=ysajbh)
    async with frame.expect_navigation(wait_until="load"):
        await frame.locator("#cxTable tr.cx-row a.cx-view").first.click()
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnEdit")
    await frame.wait_for_selector("#ajForm")
    return frame


async def test_search_finds_hand_typed_spellings_loosely_and_by_second_identity(page: Page, base: str,
                                                                                 sandbox: SandboxClient) -> None:
    add(sandbox, record(KEY.lower() + " "), record(FULL_WIDTH_KEY, xyr=[copy.deepcopy(WOMAN)]),
        record("A3505020000002026110002", slrq="2026-10-02", ysay=["0502", "0206"]))
    await login(page, base)
    frame = await query(page, ysajbh=KEY)
    assert await found(frame) == [KEY.lower() + " "], "substring, letter case ignored; full width not found"
    frame = await query(page, zjhm=WOMAN_ID.lower())
    assert await found(frame) == [FULL_WIDTH_KEY], "a suspect's 证件号码 finds the record whatever its key"
    assert await frame.locator("td[data-col=xyr]").all_text_contents() == ["李梅"]
    frame = await query(page, ysdw="Y350502", ysay="0206", slrq_from="2026-10-01", slrq_to="2026-10-31")
    assert await found(frame) == ["A3505020000002026110002"]
    assert await frame.locator("td[data-col=ysay]").get_attribute("data-code") == "0502,0206"
    frame = await query(page, ysdw="Y350502", slrq_from="2026-11-01")
    assert len(await found(frame)) == 2


async def test_edit_case_fields_and_person_cards_through_the_pages(page: Page, base: str,
                                                                   sandbox: SandboxClient) -> None:
    [bmsah] = add(sandbox, record(KEY, xyr=[copy.deepcopy(PERSON), copy.deepcopy(WOMAN)]))
    add(sandbox, record("A3505020000002026110002"))
    await login(page, base)
    frame = await open_edit(page, KEY)
    assert (await frame.inner_text("#editBmsah")).strip() == bmsah
    assert await frame.input_value("#ysajbh") == KEY and await frame.input_value("#slrq") == "2026-11-20"
    await frame.fill("#ajmc", "张三、李梅盗窃案")
    await set_date(frame, "slrq", "2026-12-10")
    await frame.click("#ajTabs .tab[data-pane='pane-xyr']")
    rows = frame.locator("#rkTable tr.rk-row")
    assert await rows.count() == 2
    # 修改 the first person card in the dialog: it opens filled in
    await rows.nth(0).locator("a.rk-edit").click()
    child = frame.frame_locator("#rkFrame")
    await child.locator("#btnRkOk").wait_for()
    assert await child.locator("#xm").input_value() == "张三"
    assert await child.locator("#qzcs").input_value() == "6" and await child.locator("#ay").input_value() == "0502"
    assert await child.locator("input[name=sfwcn][value='否']").is_checked()
    await child.locator("#zy").fill("司机")
    await child.locator("#btnRkOk").click()
    await frame.locator("#rkLayer").wait_for(state="hidden")
    # remove the second, add a third
    await rows.nth(1).locator("a.rk-del").click()
    await add_person_js(frame, {**WOMAN, "xm": "王芳"})
    assert await frame.locator("#rkTable .rk-xm").all_text_contents() == ["张三", "王芳"]
    await save(frame)
    assert (await frame.inner_text("#saveOk .msg-t")).strip() == "保存成功"
    assert (await frame.inner_text("#bmsah")).strip() == bmsah, "部门受案号 never changes"
    rec = next(r for r in records(sandbox) if r["ysajbh"] == KEY)
    assert rec["bmsah"] == bmsah and rec["ajmc"] == "张三、李梅盗窃案" and rec["slrq"] == "2026-12-10"
    assert [(p["xm"], p["zy"]) for p in rec["xyr"]] == [("张三", "司机"), ("王芳", "无业")]
    assert rec["xyr"][0]["qzcsrq"] == "2026-10-20" and rec["xyr"][0]["ay"] == ["0502"], "the rest kept"
    assert len(records(sandbox)) == 2

    # the same checks as on entry: every failure listed, nothing saved; another record's key refused
    frame = await open_edit(page, KEY)
    await frame.fill("#ysajbh", "A3505020000002026110002")
    await frame.fill("#ajmc", "")
    await save(frame)
    box = await red_box(frame)
    assert box[0].startswith("该案件已受理，部门受案号：") and "受理情况：案件名称不能为空" in box
    assert next(r for r in records(sandbox) if r["bmsah"] == bmsah)["ajmc"] == "张三、李梅盗窃案"


async def test_sandbox_edit_and_return_routes(sandbox: SandboxClient) -> None:
    add(sandbox, record(KEY))
    out = sandbox.call("procuratorate", "POST", "/_sandbox/edit",
                       {"ysajbh": KEY, "set": {"ajmc": "改名"}, "xyr": {"0": {"zy": "厨师"}}})["record"]
    assert out["ajmc"] == "改名" and out["xyr"][0]["zy"] == "厨师" and out["thcs"] == 0
    for body, field in (({"ysajbh": "nope"}, "ysajbh"), ({"ysajbh": KEY, "set": {"bmsah": "x"}}, "set.bmsah"),
                        ({"ysajbh": KEY, "xyr": {"3": {"zy": "x"}}}, "xyr.3"),
                        ({"ysajbh": KEY, "set": {"ysdw": "Y000000"}}, "$.ysdw"), ({"ysajbh": KEY, "x": 1}, "x")):
        with pytest.raises(SandboxHTTPError) as info:
            sandbox.call("procuratorate", "POST", "/_sandbox/edit", body)
        assert info.value.status == 400 and info.value.body["field"] == field, body
    back = sandbox.call("procuratorate", "POST", "/_sandbox/return", {"ysajbh": KEY})["record"]
    assert back["zt"] == "退回补充侦查" and back["thcs"] == 1
    with pytest.raises(SandboxHTTPError):
        sandbox.call("procuratorate", "POST", "/_sandbox/return", {"ysajbh": KEY})
    assert records(sandbox)[0]["ajmc"] == "改名"


async def test_a_returned_record_saved_with_a_new_date_is_accepted_again(page: Page, base: str,
                                                                         sandbox: SandboxClient) -> None:
    add(sandbox, record(KEY))
    sandbox.call("procuratorate", "POST", "/_sandbox/return", {"ysajbh": KEY})
    await login(page, base)
    frame = await open_edit(page, KEY)
    await set_date(frame, "slrq", "2026-12-10")
    await save(frame)
    assert (await frame.inner_text("#saveOk .msg-t")).strip() == "保存成功"
    [rec] = records(sandbox)
    assert rec["zt"] == "已受理" and rec["slrq"] == "2026-12-10" and rec["thcs"] == 1
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#viewLink")
    assert (await frame.inner_text("#ajxx [data-field=thcs]")).strip() == "1次"
    assert await red_box(frame) == []
