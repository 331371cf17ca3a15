"""The simulated procuratorate system (检察业务应用系统) as a browser sees it.

Shell and iframe navigation, tabs, code pickers, read-only dates and the
calendar, the person-card dialog in its iframe, every 案卡质量检查 and its
line in the red box, 保存成功 with the 部门受案号, 综合查询 and the view page,
each fault, and the ``/_sandbox/`` routes' answers to bad input.
"""

from __future__ import annotations

import copy
import json
import re
import urllib.request
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.async_api import Frame, Page
from playwright.async_api import TimeoutError as PWTimeout

from casebot.domain.idcard import check_digit
from sandbox.client import SandboxClient, SandboxHTTPError, SandboxProcess

BMSAH = re.compile(r"^(.+院)刑检受\[(\d{4})\](\d{6})(\d{5})号$")


def make_id(region: str, birth: str, seq: str) -> str:
    body = region + birth.replace("-", "") + seq
    return body + check_digit(body)


MAN_ID = "350502199003072415"
WOMAN_ID = make_id("350503", "1995-08-12", "022")  # 17th digit 2: female

PERSON: dict[str, Any] = {
    "xm": "张三", "bm": "", "xb": "1", "csrq": "1990-03-07", "zjlx": "111", "zjhm": MAN_ID, "gj": "CHN",
    "mz": "01", "xl": "40", "zy": "无业", "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区",
    "xzz": "泉州市鲤城区新华路1号",
    "sfwcn": "否", "qzcs": "6", "qzcsrq": "2026-10-20", "jycs": "KSS350500", "ay": ["0502"],
}
LABELS = {"xb": "男", "zjlx": "居民身份证", "qzcs": "逮捕"}


def record(ysajbh: str, **over: Any) -> dict[str, Any]:
    """A stored-format record for POST /_sandbox/records."""
    rec: dict[str, Any] = {
        "ysajbh": ysajbh, "ajmc": f"{ysajbh}盗窃案", "ajlb": "审查起诉", "ysdw": "Y350502", "ysay": ["0502"],
        "slrq": "2026-11-20", "ajzy": "案情摘要", "xyr": [copy.deepcopy(PERSON)],
    }
    rec.update(over)
    return rec


@pytest.fixture
def base(urls: dict[str, str]) -> str:
    return urls["procuratorate"]


def records(sandbox: SandboxClient) -> list[dict[str, Any]]:
    return sandbox.records("procuratorate")


async def login(page: Page, base: str) -> None:
    await page.goto(base + "/")
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    async with page.expect_navigation():
        await page.click("#btnLogin")
    await page.wait_for_selector("#mainFrame")


def content(page: Page) -> Frame:
    frame = page.frame(name="main")
    assert frame is not None
    return frame


async def open_menu(page: Page, menu: str, ready: str) -> Frame:
    frame = content(page)
    async with frame.expect_navigation(wait_until="load"):
        await page.click(menu)
    await frame.wait_for_selector(ready, state="attached")
    return frame


async def open_case_form(page: Page, base: str) -> Frame:
    await login(page, base)
    return await open_menu(page, "#menu-slaj", "#ajForm")


async def pick(frame: Frame, name: str, codes: list[str]) -> None:
    await frame.click(f"#{name}_mc")
    dlg = frame.locator(f"#dlg-{name}")
    for code in codes:
        await dlg.locator(".dm-search").fill(code)
        await dlg.locator(f".dm-list li[data-code='{code}']").click()
    await dlg.locator(".dm-ok").click()


async def set_date(frame: Frame, name: str, value: str) -> None:
    y, m, d = (int(x) for x in value.split("-"))
    await frame.click(f"#{name}")
    pop = frame.locator("#calPop")
    await pop.locator(".cal-y").select_option(str(y))
    await pop.locator(".cal-m").select_option(str(m))
    await pop.locator("td.cal-d:not(.cal-o)").filter(has_text=re.compile(rf"^{d}$")).click()


async def fill_case(frame: Frame, ysajbh: str, *, slrq: str = "2026-11-20") -> None:
    if ysajbh:
        await frame.fill("#ysajbh", ysajbh)
    await frame.fill("#ajmc", "张三盗窃案")
    await pick(frame, "ysdw", ["Y350502"])
    await pick(frame, "ysay", ["0502"])
    await set_date(frame, "slrq", slrq)
    await frame.fill("#ajzy", "2026年9月30日，张三在鲤城区某商场盗窃手机一部。")


async def add_person_js(frame: Frame, person: dict[str, Any]) -> None:
    """Add a person card through the page's own hand-back (as the dialog's 确定 does)."""
    await frame.evaluate("([p, l]) => window.JC.rkAccept(p, l)", [person, LABELS])


async def save(frame: Frame) -> None:
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnSave")


async def red_box(frame: Frame) -> list[str]:
    return [t.strip() for t in await frame.locator("#saveErr li").all_text_contents()]


# -- login, shell, navigation ---------------------------------------------------------------

async def test_login_wrong_password_then_shell(page: Page, base: str) -> None:
    await page.goto(base + "/")
    assert "/login" in page.url
    assert await page.locator("#captcha").count() == 0
    await page.fill("#username", "casebot")
    await page.fill("#password", "wrong")
    async with page.expect_navigation():
        await page.click("#btnLogin")
    assert (await page.inner_text("#loginErr")).strip() == "用户名或密码错误"
    await login(page, base)
    assert await page.locator("#leftMenu").get_by_text("案件受理").count() == 1
    assert await page.locator("#leftMenu").get_by_text("综合查询").count() == 1
    assert "我的首页" in await content(page).inner_text("body")


async def test_login_refused_without_csrf_token(base: str) -> None:
    req = urllib.request.Request(base + "/login", data=b"username=casebot&password=sandbox", method="POST")
    with urllib.request.urlopen(req) as resp:
        html = resp.read().decode()
    assert "页面已过期，请刷新后重新登录" in html
    assert 'id="loginForm"' in html


async def test_pages_need_a_session(page: Page, base: str) -> None:
    for path in ("/slaj/new", "/zhcx", "/slaj/rk"):
        await page.goto(base + path)
        assert await page.locator("#loginForm").count() == 1
        assert "登录已超时" in await page.inner_text("body")


async def test_menu_loads_pages_in_the_iframe_and_tabs_switch(page: Page, base: str) -> None:
    frame = await open_case_form(page, base)
    assert page.url.rstrip("/") == base  # the shell stays; only the iframe navigates
    assert frame.url.endswith("/slaj/new")
    assert await frame.is_visible("#ysajbh")
    assert not await frame.is_visible("#btnAddRk")
    await frame.click("#ajTabs .tab[data-pane='pane-xyr']")
    assert await frame.is_visible("#btnAddRk")
    assert not await frame.is_visible("#ysajbh")
    await frame.click("#ajTabs .tab[data-pane='pane-slqk']")
    assert await frame.is_visible("#ysajbh")
    # required fields are marked *
    marked = await frame.locator("th:has(em.req)").all_text_contents()
    for label in ("移送案件编号", "案件名称", "案件类别", "移送单位", "受理日期", "移送案由"):
        assert any(label in m for m in marked), label
    frame = await open_menu(page, "#menu-zhcx", "#cxForm")
    assert frame.url.endswith("/zhcx")


# -- widgets ---------------------------------------------------------------------------------

async def test_code_picker_search_single_and_multiple_order_kept(page: Page, base: str) -> None:
    frame = await open_case_form(page, base)
    await frame.click("#ysay_mc")
    dlg = frame.locator("#dlg-ysay")
    assert await dlg.is_visible()
    await dlg.locator(".dm-search").fill("盗窃")
    visible = [t for t in await dlg.locator(".dm-list li:visible").all_text_contents()]
    assert len(visible) == 1 and "盗窃罪" in visible[0]
    await dlg.locator(".dm-search").fill("0631")
    await dlg.locator(".dm-list li[data-code='0631']").click()
    await dlg.locator(".dm-search").fill("")
    await dlg.locator(".dm-list li[data-code='0502']").click()
    await dlg.locator(".dm-list li[data-code='0701']").click()
    await dlg.locator(".dm-chosen li[data-code='0701']").click()  # a chosen one removed
    assert await dlg.locator(".dm-chosen li").all_text_contents() == ["0631 寻衅滋事罪", "0502 盗窃罪"]
    await dlg.locator(".dm-ok").click()
    assert not await dlg.is_visible()
    assert await frame.input_value("#ysay") == "0631,0502"
    assert await frame.input_value("#ysay_mc") == "寻衅滋事罪、盗窃罪"
    # reopening shows the choice; 清空 and 取消 leave the value alone
    await frame.click("#ysay_mc")
    assert await dlg.locator(".dm-chosen li").count() == 2
    await dlg.locator(".dm-clear").click()
    await dlg.locator(".dm-cancel").click()
    assert await frame.input_value("#ysay") == "0631,0502"
    # single picker: the last click wins, the code is stored, the name shown
    await pick(frame, "ysdw", ["Y350503", "Y350582"])
    assert await frame.input_value("#ysdw") == "Y350582"
    assert await frame.input_value("#ysdw_mc") == "晋江市公安局"
    assert await frame.get_attribute("#ysdw_mc", "readonly") is not None


async def test_dates_are_read_only_and_set_by_the_calendar(page: Page, base: str) -> None:
    frame = await open_case_form(page, base)
    assert await frame.get_attribute("#slrq", "readonly") is not None
    await frame.focus("#slrq")
    await page.keyboard.type("2026-01-01")
    await page.keyboard.press("Backspace")
    assert await frame.input_value("#slrq") == ""
    await frame.click("#slrq")
    pop = frame.locator("#calPop")
    assert await pop.is_visible()
    today = date.today()
    assert (await pop.locator(".cal-y").input_value()) == str(today.year)
    # navigate with the arrows: previous month, then next year
    await pop.locator(".cal-pm").click()
    prev = (today.replace(day=1) - timedelta(days=1))
    assert await pop.locator(".cal-title").text_content() == f"{prev.year}年{prev.month}月"
    await pop.locator(".cal-ny").click()
    assert await pop.locator(".cal-title").text_content() == f"{prev.year + 1}年{prev.month}月"
    # year/month selects, then a day cell sets the value and closes the popup
    await pop.locator(".cal-y").select_option("1990")
    await pop.locator(".cal-m").select_option("3")
    assert await pop.locator("td.cal-d:not(.cal-o)").count() == 31
    await pop.locator("td.cal-d:not(.cal-o)").filter(has_text=re.compile(r"^7$")).click()
    assert await frame.input_value("#slrq") == "1990-03-07"
    assert not await pop.is_visible()
    # reopening shows the value's month; 清空 empties it
    await frame.click("#slrq")
    assert await pop.locator(".cal-title").text_content() == "1990年3月"
    await pop.locator(".cal-clear").click()
    assert await frame.input_value("#slrq") == ""


async def test_person_card_dialog_lives_in_its_own_iframe(page: Page, base: str) -> None:
    frame = await open_case_form(page, base)
    await frame.click("#ajTabs .tab[data-pane='pane-xyr']")
    child = frame.child_frames[0]
    assert child.name == "rkFrame"
    async with child.expect_navigation(wait_until="load"):
        await frame.click("#btnAddRk")
    assert await frame.is_visible("#rkLayer")
    assert "/slaj/rk" in child.url
    assert await child.locator("#rkForm").count() == 1
    marked = " ".join(await child.locator("th:has(em.req)").all_text_contents())
    for label in ("姓名", "性别", "出生日期", "证件类型", "证件号码", "国籍", "学历", "是否未成年", "人卡罪名"):
        assert label in marked
    assert await child.input_value("#gj") == "CHN"
    await child.fill("#xm", "李四")
    await child.select_option("#xb", "2")
    await set_date(child, "csrq", "1995-08-12")
    await child.fill("#zjhm", WOMAN_ID)
    await child.select_option("#mz", "01")
    await child.select_option("#xl", "60")
    await child.select_option("#qzcs", "2")
    await set_date(child, "qzcsrq", "2026-10-01")
    await pick(child, "ay", ["0503", "0502"])
    await child.click("#btnRkOk")
    assert not await frame.is_visible("#rkLayer")
    rows = frame.locator("#rkTable tbody tr.rk-row")
    assert await rows.count() == 1
    assert (await rows.first.locator(".rk-xm").text_content()) == "李四"
    data = json.loads(await rows.first.locator("input[name=xyr]").input_value())
    assert data["ay"] == ["0503", "0502"] and data["csrq"] == "1995-08-12" and data["sfwcn"] == "否"
    assert data["zjhm"] == WOMAN_ID and data["qzcs"] == "2" and data["jycs"] == ""
    # a row can be deleted
    await rows.first.locator(".rk-del").click()
    assert await rows.count() == 0


# -- saving: checks, red box, success ---------------------------------------------------------

async def test_every_check_failure_listed_at_once_and_form_kept(page: Page, base: str, sandbox: SandboxClient) -> None:
    frame = await open_case_form(page, base)
    await fill_case(frame, "")  # 移送案件编号 left empty
    future = (date.today() + timedelta(days=30)).isoformat()
    bad_digit = MAN_ID[:17] + ("0" if MAN_ID[17] != "0" else "1")
    persons = [
        {**PERSON, "xm": "错校验", "zjhm": bad_digit},
        {**PERSON, "xm": "生日错", "csrq": "1990-03-08", "xb": "2"},
        {**PERSON, "xm": "未来人", "zjlx": "414", "zjhm": "E1234567", "gj": "VNM", "mz": "", "csrq": future},
        {**PERSON, "xm": "措施晚", "qzcsrq": "2026-11-21", "ay": []},
        {**PERSON, "xm": "", "xl": "", "zjhm": ""},
    ]
    for p in persons:
        await add_person_js(frame, p)
    await save(frame)
    box = await red_box(frame)
    assert "案卡质量检查未通过（共" in await frame.inner_text("#saveErr .msg-t")
    expected = [
        "受理情况：移送案件编号不能为空",
        "犯罪嫌疑人[错校验]：证件号码校验位错误",
        "犯罪嫌疑人[生日错]：出生日期与证件号码不一致",
        "犯罪嫌疑人[生日错]：性别与证件号码不一致",
        "犯罪嫌疑人[未来人]：出生日期不能晚于当前日期",
        "犯罪嫌疑人[措施晚]：人卡罪名不能为空",
        "犯罪嫌疑人[措施晚]：强制措施日期不能晚于受理日期",
        "犯罪嫌疑人[第5人]：姓名不能为空",
        "犯罪嫌疑人[第5人]：证件号码不能为空",
        "犯罪嫌疑人[第5人]：学历不能为空",
    ]
    for line in expected:
        assert line in box, line
    assert len(box) == len(expected)
    # the red box is red, and the form keeps what was entered
    color = await frame.eval_on_selector("#saveErr", "e => getComputedStyle(e).color")
    assert color == "rgb(176, 0, 0)"
    assert await frame.input_value("#ajmc") == "张三盗窃案"
    assert await frame.input_value("#ysay") == "0502" and await frame.input_value("#ysay_mc") == "盗窃罪"
    assert await frame.input_value("#slrq") == "2026-11-20"
    assert await frame.locator("#rkTable tr.rk-row").count() == 5
    assert records(sandbox) == []


async def test_no_person_card_and_long_summary_refused(page: Page, base: str, sandbox: SandboxClient) -> None:
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110009")
    assert await frame.get_attribute("#ajzy", "maxlength") == "1000"
    await frame.evaluate("document.getElementById('ajzy').removeAttribute('maxlength')")
    await frame.fill("#ajzy", "长" * 1001)
    await save(frame)
    assert await red_box(frame) == ["受理情况：案情摘要不能超过1000字（现为1001字）",
                                    "犯罪嫌疑人情况：至少需要录入一名犯罪嫌疑人"]
    assert records(sandbox) == []


async def test_save_success_shows_bmsah_then_view_page(page: Page, base: str, sandbox: SandboxClient) -> None:
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110001")
    await frame.click("#ajTabs .tab[data-pane='pane-xyr']")
    await add_person_js(frame, PERSON)
    await add_person_js(frame, {**PERSON, "xm": "阮·文雄", "zjlx": "414", "zjhm": "C1234567", "gj": "VNM", "mz": "",
                                "csrq": "1985-06-15", "qzcs": "", "qzcsrq": "", "jycs": "", "ay": ["0502"]})
    await save(frame)
    assert (await frame.inner_text("#saveOk .msg-t")).strip() == "保存成功"
    bmsah = (await frame.inner_text("#bmsah")).strip()
    m = BMSAH.match(bmsah)
    assert m and m.groups() == ("鲤城区院", "2026", "350502", "00001"), bmsah
    [stored] = records(sandbox)
    assert stored["bmsah"] == bmsah and stored["zt"] == "已受理" and stored["qsswh"] == ""
    assert [p["xm"] for p in stored["xyr"]] == ["张三", "阮·文雄"]
    assert stored["xyr"][1]["mz"] == "" and stored["xyr"][1]["zjlx"] == "414"
    assert set(stored) == {"bmsah", "ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "zt", "qsswh", "qsrq",
                           "xyr", "created_at", "thcs"}
    # the serial counts per dwbm (and year of 受理日期)
    assert sandbox.call("procuratorate", "POST", "/_sandbox/records",
                        [record("A3505020000002026110002")])["bmsah"] == ["鲤城区院刑检受[2026]35050200002号"]
    assert sandbox.call("procuratorate", "POST", "/_sandbox/records",
                        [record("A3505830000002026110001", ysdw="Y350583")])["bmsah"] == [
        "南安市院刑检受[2026]35058300001号"]
    # view page: every field, codes in data-code
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#viewLink")
    assert await frame.get_attribute("#ajxx [data-field=ysdw]", "data-code") == "Y350502"
    assert (await frame.inner_text("#ajxx [data-field=ysdw]")).strip() == "泉州市公安局鲤城分局"
    assert (await frame.inner_text("#ajxx [data-field=bmsah]")).strip() == bmsah
    cards = frame.locator("#rkxx .rk-card")
    assert await cards.count() == 2
    assert await cards.nth(1).locator("[data-field=gj]").get_attribute("data-code") == "VNM"
    assert await cards.nth(0).locator("[data-field=jycs]").inner_text() == "泉州市看守所"


async def test_duplicate_ysajbh_refused(page: Page, base: str, sandbox: SandboxClient) -> None:
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [record("A3505020000002026110001")])
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110001")
    await add_person_js(frame, PERSON)
    await save(frame)
    box = await red_box(frame)
    assert box == ["该案件已受理，部门受案号：鲤城区院刑检受[2026]35050200001号"]
    assert len(records(sandbox)) == 1


# -- 综合查询 and the view page -------------------------------------------------------------------

async def test_search_by_ysajbh_and_state_paged(page: Page, base: str, sandbox: SandboxClient) -> None:
    keys = [f"A350502000000202611{i:04d}" for i in range(1, 46)]
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [record(k) for k in keys])
    for k in keys[:23]:
        sandbox.prosecute(k, f"泉鲤检刑诉〔2026〕{k[-3:]}号", "2026-12-01")
    await login(page, base)
    frame = await open_menu(page, "#menu-zhcx", "#cxForm")
    await frame.select_option("#q_zt", "已起诉")
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnQuery")
    assert (await frame.inner_text("#cxTotal")) == "23"
    assert await frame.locator("#cxTable tr.cx-row").count() == 20
    assert await frame.locator("#pager .pg-prev").count() == 0
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#pager .pg-next")
    assert await frame.locator("#cxTable tr.cx-row").count() == 3
    assert await frame.locator("#pager .pg-next").count() == 0
    assert set(await frame.locator("td[data-col=zt]").all_text_contents()) == {"已起诉"}
    # by 移送案件编号
    await frame.fill("#q_ysajbh", keys[30])
    await frame.select_option("#q_zt", "")
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnQuery")
    rows = frame.locator("#cxTable tr.cx-row")
    assert await rows.count() == 1
    assert await rows.locator("td[data-col=ysajbh]").text_content() == keys[30]
    assert await rows.locator("td[data-col=zt]").text_content() == "已受理"
    await frame.fill("#q_ysajbh", "A9999")
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnQuery")
    assert "没有符合条件的记录" in await frame.inner_text("#cxTable")


async def test_view_page_shows_prosecution_facts(page: Page, base: str, sandbox: SandboxClient) -> None:
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [record("A3505020000002026110001")])
    sandbox.prosecute("A3505020000002026110001", "泉鲤检刑诉〔2026〕123号", "2026-12-01")
    await login(page, base)
    frame = await open_menu(page, "#menu-zhcx", "#cxForm")
    await frame.fill("#q_ysajbh", "A3505020000002026110001")
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("#btnQuery")
    async with frame.expect_navigation(wait_until="load"):
        await frame.click("a.cx-view")
    assert await frame.inner_text("[data-field=qsswh]") == "泉鲤检刑诉〔2026〕123号"
    assert await frame.inner_text("[data-field=qsrq]") == "2026-12-01"
    assert await frame.inner_text("#ajxx [data-field=zt]") == "已起诉"
    ay = frame.locator("#ajxx [data-field=ysay] [data-code]")
    assert [await ay.nth(i).get_attribute("data-code") for i in range(await ay.count())] == ["0502"]


# -- faults as a browser sees them --------------------------------------------------------------

async def test_fault_error_page(page: Page, base: str, sandbox: SandboxClient) -> None:
    await login(page, base)
    sandbox.set_faults("procuratorate", error_rate=1.0)
    frame = content(page)
    async with frame.expect_navigation(wait_until="load") as nav:
        await page.click("#menu-slaj")
    assert (await nav.value).status == 500
    assert "系统异常，请稍后再试" in await frame.inner_text(".sys-error")
    resp = await page.goto(base + "/")
    assert resp is not None and resp.status == 500


async def test_fault_notice_blocks_until_closed(page: Page, base: str, sandbox: SandboxClient) -> None:
    sandbox.set_faults("procuratorate", notice_rate=1.0)
    await login(page, base)
    assert await page.is_visible("#sysNotice")
    assert "系统公告" in await page.inner_text("#sysNotice")
    with pytest.raises(PWTimeout):
        await page.click("#menu-slaj", timeout=500)  # the shade takes the click
    await page.click("#sysNotice .notice-close >> nth=0")
    assert await page.locator("#sysNotice").count() == 0
    frame = await open_menu(page, "#menu-slaj", "#ajForm")
    assert await frame.is_visible("#sysNotice")  # each page of the iframe too
    await frame.click("#sysNotice .notice-ok")
    await frame.fill("#ysajbh", "A1")


async def test_fault_session_expiry_shows_login_in_the_iframe(page: Page, base: str, sandbox: SandboxClient) -> None:
    await login(page, base)
    sandbox.set_faults("procuratorate", session_max_requests=1)
    frame = content(page)
    async with frame.expect_navigation(wait_until="load"):
        await page.click("#menu-slaj")
    assert await frame.locator("#loginForm").count() == 1
    assert "登录已超时，请重新登录" in await frame.inner_text("body")
    assert await frame.get_attribute("#loginForm", "target") == "_top"


async def test_fault_session_expiries_ends_only_so_many_sessions(page: Page, base: str,
                                                                    sandbox: SandboxClient) -> None:
    await login(page, base)
    sandbox.set_faults("procuratorate", session_max_requests=1, session_expiries=1)
    frame = content(page)  # this session ends at its next request: the only one that does
    async with frame.expect_navigation(wait_until="load"):
        await page.click("#menu-slaj")
    assert await frame.locator("#loginForm").count() == 1
    await login(page, base)
    frame = content(page)
    for _ in range(3):  # the next session lasts
        async with frame.expect_navigation(wait_until="load"):
            await page.click("#menu-slaj")
        assert await frame.locator("#ajForm").count() == 1
    assert sandbox.faults("procuratorate")["injected"] == {"session_expired": 1}


async def test_fault_captcha_refuses_login(page: Page, base: str, sandbox: SandboxClient) -> None:
    sandbox.set_faults("procuratorate", captcha=True)
    await page.goto(base + "/login")
    assert await page.is_visible("#captchaImg")
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    await page.fill("#captcha", "ABCD")
    async with page.expect_navigation():
        await page.click("#btnLogin")
    assert (await page.inner_text("#loginErr")).strip() == "验证码错误"
    assert await page.locator("#mainFrame").count() == 0


async def test_fault_reject_and_commit_then_error(page: Page, base: str, sandbox: SandboxClient) -> None:
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110001")
    await add_person_js(frame, PERSON)
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    await save(frame)
    assert await red_box(frame) == ["案卡质量检查未通过：移送单位与受理单位管辖关系校验失败，请核对移送单位后重新保存"]
    assert records(sandbox) == []
    sandbox.set_faults("procuratorate", commit_then_error_rate=1.0)
    async with frame.expect_navigation(wait_until="load") as nav:
        await frame.click("#btnSave")  # the kept form is saved as it stands
    assert (await nav.value).status == 500
    assert await frame.locator(".sys-error").count() == 1
    [stored] = records(sandbox)
    assert stored["ysajbh"] == "A3505020000002026110001"


# -- /_sandbox/ routes ---------------------------------------------------------------------------

def bad(sandbox: SandboxClient, path: str, body: Any = None, raw: bytes | None = None) -> dict[str, Any]:
    with pytest.raises(SandboxHTTPError) as info:
        sandbox.call("procuratorate", "POST", path, body, raw=raw)
    assert info.value.status == 400
    assert info.value.body["ok"] is False and info.value.body["error"]
    return info.value.body


async def test_sandbox_records_bad_input(sandbox: SandboxClient) -> None:
    assert bad(sandbox, "/_sandbox/records", raw=b"{nope")["field"] == "$"
    assert bad(sandbox, "/_sandbox/records", {"ysajbh": "A1"})["field"] == "$"
    good = record("A3505020000002026110001")
    cases = [
        ({**good, "ysdw": "Y999999"}, "[1].ysdw"),
        ({**good, "ysay": []}, "[1].ysay"),
        ({**good, "ysay": ["9999"]}, "[1].ysay[0]"),
        ({**good, "slrq": "2026/11/20"}, "[1].slrq"),
        ({**good, "ajzy": "长" * 1001}, "[1].ajzy"),
        ({**good, "zt": "已结案"}, "[1].zt"),
        ({**good, "zt": "已起诉"}, "[1].qsswh"),
        ({**good, "xyr": []}, "[1].xyr"),
        ({**good, "extra": 1}, "[1].extra"),
        ({**good, "xyr": [{**PERSON, "zjhm": MAN_ID[:17] + "0"}]}, "[1].xyr[0].zjhm"),
        ({**good, "xyr": [{**PERSON, "xl": "50"}]}, "[1].xyr[0].xl"),
        ({**good, "xyr": [{**PERSON, "ay": "0502"}]}, "[1].xyr[0].ay"),
        ({**good, "xyr": [{**PERSON, "qzcsrq": "20261020"}]}, "[1].xyr[0].qzcsrq"),
    ]
    for rec, field in cases:
        body = bad(sandbox, "/_sandbox/records", [record("A3505020000002026119999"), rec])
        assert body["field"] == field, (field, body)
    assert records(sandbox) == []  # nothing stored by a refused request
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [good])
    assert bad(sandbox, "/_sandbox/records", [good])["field"] == "[0].ysajbh"
    assert len(records(sandbox)) == 1


async def test_sandbox_prosecute(sandbox: SandboxClient) -> None:
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [record("A3505020000002026110001")])
    assert bad(sandbox, "/_sandbox/prosecute", raw=b"[")["field"] == "$"
    assert bad(sandbox, "/_sandbox/prosecute", ["A"])["field"] == "$"
    body = {"ysajbh": "A3505020000002026110001", "qsswh": "泉鲤检刑诉〔2026〕123号", "qsrq": "2026-12-01"}
    assert bad(sandbox, "/_sandbox/prosecute", {**body, "ysajbh": "A0"})["field"] == "ysajbh"
    assert bad(sandbox, "/_sandbox/prosecute", {**body, "qsrq": "2026-13-01"})["field"] == "qsrq"
    assert bad(sandbox, "/_sandbox/prosecute", {**body, "qsswh": ""})["field"] == "qsswh"
    assert records(sandbox)[0]["zt"] == "已受理"
    out = sandbox.prosecute(**body)
    assert out["ok"] is True
    [rec] = records(sandbox)
    assert (rec["zt"], rec["qsswh"], rec["qsrq"]) == ("已起诉", "泉鲤检刑诉〔2026〕123号", "2026-12-01")


async def test_sandbox_routes_refused_outside_sandbox_mode() -> None:
    with SandboxProcess(sandbox_mode=False) as proc:
        base = proc.urls["procuratorate"]
        for method, path in (("GET", "/_sandbox/records"), ("POST", "/_sandbox/prosecute"),
                             ("POST", "/_sandbox/records"), ("POST", "/_sandbox/reset")):
            with pytest.raises(SandboxHTTPError) as info:
                proc.client.call("procuratorate", method, path, {})
            assert info.value.status == 404, path
        with urllib.request.urlopen(base + "/login") as resp:
            assert resp.status == 200


# -- the checks no other test reaches, one line each ------------------------------------------------

async def test_each_remaining_check_has_its_line(page: Page, base: str, sandbox: SandboxClient) -> None:
    """民族 for CHN, 是否未成年 是/否, 户籍地区划 6 digits, code tables, formats, measure pairs."""
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110001")
    await frame.evaluate("""() => {
        document.querySelector('[name=ysdw]').value = 'Y999999';
        document.querySelector('[name=ysay]').value = '0502,9999';
        document.querySelector('[name=slrq]').value = '2026-02-30';
        const lb = document.getElementById('ajlb');
        lb.add(new Option('民事案件', '民事案件')); lb.value = '民事案件';
    }""")
    persons = [
        {**PERSON, "xm": "甲", "mz": ""},                                   # CHN without 民族
        {**PERSON, "xm": "乙", "sfwcn": "不详"},                            # 是否未成年 neither 是 nor 否
        {**PERSON, "xm": "丙", "hjdqh": "35050"},                           # 户籍地区划 not 6 digits
        {**PERSON, "xm": "丁", "mz": "99", "xl": "55", "jycs": "KSS000000", "ay": ["0502", "9999"]},
        {**PERSON, "xm": "戊", "csrq": "1990/03/07", "zjhm": MAN_ID[:17]},
        {**PERSON, "xm": "己", "qzcsrq": ""},
        {**PERSON, "xm": "庚", "qzcs": "", "qzcsrq": "2026-10-32"},
    ]
    for p in persons:
        await add_person_js(frame, p)
    await save(frame)
    box = await red_box(frame)
    expected = [
        "受理情况：移送单位代码无效",
        "受理情况：移送案由代码9999无效",
        "受理情况：受理日期格式错误",
        "受理情况：案件类别无效",
        "犯罪嫌疑人[甲]：国籍为中国的，民族不能为空",
        "犯罪嫌疑人[乙]：是否未成年只能为“是”或“否”",
        "犯罪嫌疑人[丙]：户籍地区划应为6位行政区划代码",
        "犯罪嫌疑人[丁]：民族代码99无效",
        "犯罪嫌疑人[丁]：学历代码55无效",
        "犯罪嫌疑人[丁]：羁押场所代码KSS000000无效",
        "犯罪嫌疑人[丁]：人卡罪名代码9999无效",
        "犯罪嫌疑人[戊]：出生日期格式错误",
        "犯罪嫌疑人[戊]：证件号码格式错误，居民身份证号码应为18位",
        "犯罪嫌疑人[己]：已选择强制措施，强制措施日期不能为空",
        "犯罪嫌疑人[庚]：已填写强制措施日期，强制措施不能为空",
        "犯罪嫌疑人[庚]：强制措施日期格式错误",
    ]
    assert sorted(box) == sorted(expected)
    assert records(sandbox) == []

    # each of the three alone refuses the card: none of them rides on another failure
    for bad in ({"mz": ""}, {"sfwcn": "Y"}, {"hjdqh": "3505021"}):
        frame = await open_menu(page, "#menu-slaj", "#ajForm")
        await fill_case(frame, "A3505020000002026110001")
        await add_person_js(frame, {**PERSON, **bad})
        await save(frame)
        assert len(await red_box(frame)) == 1, bad
    assert records(sandbox) == []


# -- the faults that test the robot's guarantees -----------------------------------------------------

async def test_duplicate_refusal_can_be_turned_off_and_saves_are_counted(page: Page, base: str,
                                                                         sandbox: SandboxClient) -> None:
    assert sandbox.saves("procuratorate") == {}
    sandbox.set_faults("procuratorate", refuse_duplicates=False)
    for i in range(2):
        frame = await (open_menu(page, "#menu-slaj", "#ajForm") if i else open_case_form(page, base))
        await fill_case(frame, "A3505020000002026110001")
        await add_person_js(frame, PERSON)
        await save(frame)
        assert (await frame.inner_text("#saveOk .msg-t")).strip() == "保存成功"
    assert [r["ysajbh"] for r in records(sandbox)] == ["A3505020000002026110001"] * 2
    assert sandbox.saves("procuratorate") == {"A3505020000002026110001": 2}
    # a record typed in by hand (the test route) is not a save through the pages
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [record("A3505020000002026110002")])
    assert sandbox.saves("procuratorate") == {"A3505020000002026110001": 2}
    sandbox.reset()
    assert sandbox.saves("procuratorate") == {}
    assert sandbox.faults("procuratorate")["plan"]["refuse_duplicates"] is True


async def test_alter_fault_stores_something_else_than_was_sent(page: Page, base: str,
                                                               sandbox: SandboxClient) -> None:
    sandbox.set_faults("procuratorate", alter_rate=1.0, seed=4)
    frame = await open_case_form(page, base)
    await fill_case(frame, "A3505020000002026110001")
    await add_person_js(frame, PERSON)
    await add_person_js(frame, {**PERSON, "xm": "李四"})
    await save(frame)
    assert (await frame.inner_text("#saveOk .msg-t")).strip() == "保存成功"
    [stored] = records(sandbox)
    [kind] = [k.split(".")[1] for k in sandbox.faults("procuratorate")["injected"] if k.startswith("alter.")]
    sent = {"slrq": "2026-11-20", "names": ["张三", "李四"]}
    got = {"slrq": stored["slrq"], "names": [p["xm"] for p in stored["xyr"]]}
    assert got == {"drop_person": {**sent, "names": ["张三"]}, "shift_date": {**sent, "slrq": "2026-11-21"},
                   "truncate_name": {**sent, "names": ["张", "李四"]}}[kind]
    assert sandbox.saves("procuratorate") == {"A3505020000002026110001": 1}


def test_alter_kinds_and_their_draws_are_deterministic() -> None:
    from sandbox.faults import FaultPlan, Faults, alter

    rec = {"d": "2026-12-31", "p": [{"xm": "张三"}, {"xm": "李四"}]}
    assert alter(rec, "drop_person", persons="p", date_field="d")["p"] == [{"xm": "张三"}]
    assert alter(rec, "shift_date", persons="p", date_field="d")["d"] == "2027-01-01"
    assert alter(rec, "truncate_name", persons="p", date_field="d")["p"] == [{"xm": "张"}, {"xm": "李四"}]
    one = {"d": "2026-12-31", "p": [{"xm": "张三"}]}
    assert alter(one, "drop_person", persons="p", date_field="d")["p"] == [{"xm": "张"}], "never an empty list"
    assert rec == {"d": "2026-12-31", "p": [{"xm": "张三"}, {"xm": "李四"}]}, "the sent record is not touched"

    def draws(seed: int) -> list[str | None]:
        faults = Faults(FaultPlan(alter_rate=0.5, seed=seed))
        return [faults.alteration() for _ in range(30)]

    assert draws(3) == draws(3)
    assert {None, "drop_person", "shift_date", "truncate_name"} == set(draws(3))
    assert Faults().alteration() is None
