"""公安执法办案系统 as a browser sees it: login, list, detail, faults; and its /_sandbox/ routes."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PWTimeout

from casebot.domain import idcard
from sandbox.client import SandboxHTTPError, SandboxProcess
from sandbox.seed import generate_cases


async def login(page: Page, base: str, password: str = "sandbox") -> None:
    await page.goto(base + "/", wait_until="domcontentloaded")
    await page.fill("#username", "casebot")
    await page.fill("#password", password)
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.click("#login-submit")


def sample_case(**changes: Any) -> dict[str, Any]:
    case = {
        "ajbh": "A3505020000002026110001", "ajmc": "张某某盗窃案", "ajlb": "刑事案件", "ay": ["032640", "033120"],
        "zbdw": "350502000000", "zbdwmc": "泉州市公安局鲤城分局", "zbr": "陈志强", "fasj": "2026-09-30",
        "lasj": "2026-10-01", "yssj": "2026-11-20", "ajzt": "已移送起诉", "jyaq": "案情",
        "xyr": [{
            "rybh": "R1", "xm": "张\u3000三", "bm": "", "xb": "", "csrq": "", "zjzl": "111",
            "zjhm": "３５０５０２１９９００３０７２４１５", "gj": "CHN", "mz": "01", "whcd": "50", "zy": "无业",
            "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区", "xzz": "福建省泉州市鲤城区",
            "qzcs": [{"cslx": "05", "zxrq": "2026-10-01"}, {"cslx": "06", "zxrq": "2026-10-20"}],
            "jycs": "泉州市看守所",
        }],
    }
    case.update(changes)
    return case


# -- login --------------------------------------------------------------------------------------


async def test_login_and_bad_password(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    await login(page, base, password="wrong")
    assert await page.locator("#login-error").inner_text() == "用户名或密码错误"
    assert await page.locator("#login-form").count() == 1
    await page.fill("#password", "sandbox")
    await page.click("#login-submit")
    await page.wait_for_url(re.compile(r"/ajgl/ajlb"))
    assert await page.locator("#current-user").inner_text() == "casebot"


async def test_login_without_csrf_token_is_refused(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    await page.goto(base + "/login")
    await page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    async with page.expect_navigation() as nav:
        await page.click("#login-submit")
    assert (await nav.value).status == 400
    assert "页面已过期" in await page.locator("#login-error").inner_text()
    await page.goto(base + "/ajgl/ajlb")
    assert await page.locator("#login-form").count() == 1, "no session was opened"


async def test_pages_need_a_session(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    await page.goto(base + "/ajgl/ajxx?ajbh=A3505020000002026110001")
    assert "/login" in page.url and "next=" in page.url
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    await page.click("#login-submit")
    await page.wait_for_url(re.compile(r"/ajgl/ajxx\?ajbh="))
    assert "未找到案件编号" in await page.locator("#not-found").inner_text()


# -- list ---------------------------------------------------------------------------------------


async def test_list_pages_and_filters(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    sandbox.seed(45, 42)
    cases = sandbox.police_cases()
    keys = [c["ajbh"] for c in cases]
    await login(page, base)

    async def shown() -> list[str]:
        return await page.locator("#case-list tbody tr[data-ajbh]").evaluate_all(
            "rows => rows.map(r => r.dataset.ajbh)")

    assert await page.locator(".pager-info").inner_text() == "第 1/3 页"
    assert await page.locator("#total").inner_text() == "45"
    assert await shown() == keys[:20], "20 a page, ordered by 案件编号"
    assert await page.locator("span.pager-prev.disabled").count() == 1
    await page.click("a.pager-next")
    await page.wait_for_url(re.compile(r"page=2"))
    assert await page.locator(".pager-info").inner_text() == "第 2/3 页"
    assert await shown() == keys[20:40]
    await page.click("a.pager-next")
    await page.wait_for_url(re.compile(r"page=3"))
    assert await shown() == keys[40:]
    assert await page.locator("span.pager-next.disabled").count() == 1
    await page.click("a.pager-prev")
    await page.wait_for_url(re.compile(r"page=2"))
    assert await shown() == keys[20:40]

    # the filter form is a GET form: its values end up in the URL
    sent = sorted(c["yssj"] for c in cases if c["yssj"])
    lo, hi = sent[5], sent[-5]
    await page.select_option("#q-ajzt", "已移送起诉")
    await page.fill("#q-yssj-from", lo)
    await page.fill("#q-yssj-to", hi)
    await page.click("#q-submit")
    await page.wait_for_url(re.compile(r"ajzt=.*yssj_from=" + lo))
    want = [c["ajbh"] for c in cases if c["ajzt"] == "已移送起诉" and c["yssj"] and lo <= c["yssj"] <= hi]
    assert await page.locator("#total").inner_text() == str(len(want))
    got = await shown()
    if len(want) > 20:
        await page.click("a.pager-next")
        await page.wait_for_url(re.compile(r"page=2"))
        assert "yssj_to=" + hi in page.url, "the pager keeps the filters"
        got += await shown()
    assert got == want
    await page.goto(base + "/ajgl/ajlb?ajzt=撤案")
    assert await shown() == [c["ajbh"] for c in cases if c["ajzt"] == "撤案"]
    await page.goto(base + "/ajgl/ajlb?yssj_from=2026/01/01")
    assert "YYYY-MM-DD" in await page.locator("#list-error").inner_text()


async def test_empty_list(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    await login(page, urls["police"])
    assert await page.locator("#case-list tr.empty").inner_text() == "没有符合条件的案件"
    assert await page.locator(".pager-info").inner_text() == "第 1/1 页"


# -- detail -------------------------------------------------------------------------------------


async def test_detail_page_content_and_tabs(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    second = {**sample_case()["xyr"][0], "xm": "阮·文雄", "xb": "1", "csrq": "1990-01-02", "zjzl": "414",
              "zjhm": "C1234567", "gj": "VNM", "mz": "", "qzcs": [], "jycs": ""}
    third = {**second, "xm": "李四", "mz": "77", "gj": "ZZZ", "whcd": "",
             "qzcs": [{"cslx": "09", "zxrq": "2026-10-05"}]}
    sandbox.add_cases([sample_case(xyr=[sample_case()["xyr"][0], second, third])])
    await login(page, base)
    await page.click("a.case-link")
    await page.wait_for_url(re.compile(r"/ajgl/ajxx\?ajbh=A3505020000002026110001"))

    cells = await page.locator("#ajjbxx th").evaluate_all(
        "ths => ths.map(th => [th.textContent, th.nextElementSibling.textContent])")
    info = dict(cells)
    assert info["案件编号"] == "A3505020000002026110001"
    assert info["案由"] == "盗窃罪、掩饰、隐瞒犯罪所得、犯罪所得收益罪"
    assert info["主办单位"] == "泉州市公安局鲤城分局"
    assert info["移送起诉日期"] == "2026-11-20"
    assert info["案件状态"] == "已移送起诉"
    codes = await page.locator("#ajjbxx [data-code]").evaluate_all("es => es.map(e => e.dataset.code)")
    assert codes == ["032640", "033120", "350502000000"]

    tabs = page.locator("#xyr-tabs [role=tab]")
    assert await tabs.all_inner_texts() == ["犯罪嫌疑人1", "犯罪嫌疑人2", "犯罪嫌疑人3"]
    assert await page.locator("#xyr-1").is_visible()
    assert not await page.locator("#xyr-2").is_visible()
    panel1 = page.locator("#xyr-1")
    assert await panel1.locator("th:text-is('姓名') + td").text_content() == "张\u3000三"
    assert await panel1.locator("th:text-is('性别') + td").text_content() == ""
    assert await panel1.locator("th:text-is('文化程度') + td span").get_attribute("data-code") == "50"
    assert await panel1.locator("th:text-is('文化程度') + td").inner_text() == "技工学校"
    assert await panel1.locator("table.qzcs tbody tr").all_inner_texts() == [
        "1\t刑事拘留\t2026-10-01", "2\t逮捕\t2026-10-20"]
    labels = await panel1.locator("table.xyr-info th").all_inner_texts()
    assert labels == ["人员编号", "姓名", "别名", "性别", "出生日期", "国籍", "证件种类", "证件号码", "民族",
                      "文化程度", "职业", "户籍地区划", "户籍地详址", "现住址", "羁押场所"]

    await tabs.nth(1).click()
    assert await page.locator("#xyr-2").is_visible()
    assert not await page.locator("#xyr-1").is_visible()
    panel2 = page.locator("#xyr-2")
    assert await panel2.locator("th:text-is('国籍') + td").inner_text() == "越南"
    assert await panel2.locator("th:text-is('证件种类') + td").inner_text() == "普通护照"
    assert await panel2.locator("table.qzcs tr.empty").inner_text() == "无强制措施记录"
    await tabs.nth(2).click()
    panel3 = page.locator("#xyr-3")
    unknown = panel3.locator("th:text-is('民族') + td span")
    assert (await unknown.inner_text(), await unknown.get_attribute("data-code")) == ("77", "77")
    assert await panel3.locator("table.qzcs [data-code]").inner_text() == "09"


async def test_awkward_text_shown_literally(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    text = "第一行\r\n<b>粗体?</b> & &amp; \"双引号\" '单引号'\n{{ 7*7 }} <script>window.pwned=1</script>\n\t末行 "
    sandbox.add_cases([sample_case(jyaq=text, ajmc="<i>案</i>")])
    await login(page, urls["police"])
    await page.goto(urls["police"] + "/ajgl/ajxx?ajbh=A3505020000002026110001")
    cell = page.locator("#ajjbxx th:text-is('简要案情') + td")
    assert await cell.text_content() == text
    assert await cell.locator("b, script").count() == 0
    assert await page.evaluate("window.pwned") is None
    assert "\n" in await cell.inner_text()
    assert await page.locator("#ajjbxx th:text-is('案件名称') + td").text_content() == "<i>案</i>"


# -- faults as a browser sees them --------------------------------------------------------------


async def test_fault_server_error_page(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    sandbox.set_faults("police", error_rate=1.0)
    response = await page.goto(urls["police"] + "/login")
    assert response.status == 500
    assert "系统错误" in await page.locator("#server-error").inner_text()


async def test_fault_session_expires(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    base = urls["police"]
    await login(page, base)
    sandbox.set_faults("police", session_max_requests=2)
    await page.goto(base + "/ajgl/ajlb")  # request 2 of the session (the landing page was the first)
    assert await page.locator("#case-list").count() == 1
    await page.goto(base + "/ajgl/ajlb?page=1")
    assert "/login" in page.url and await page.locator("#login-form").count() == 1
    assert sandbox.faults("police")["injected"]["session_expired"] == 1


async def test_fault_notice_blocks_until_closed(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    sandbox.add_cases([sample_case(xyr=sample_case()["xyr"] * 2)])
    await login(page, urls["police"])
    sandbox.set_faults("police", notice_rate=1.0)
    await page.goto(urls["police"] + "/ajgl/ajxx?ajbh=A3505020000002026110001")
    notice = page.locator("#sys-notice")
    assert await notice.is_visible()
    assert "系统通知" in await notice.inner_text()
    tab2 = page.locator("#xyr-tabs [role=tab]").nth(1)
    with pytest.raises(PWTimeout):
        await tab2.click(timeout=500)
    assert not await page.locator("#xyr-2").is_visible()
    await page.click("#sys-notice-close")
    assert await notice.count() == 0
    await tab2.click()
    assert await page.locator("#xyr-2").is_visible()


async def test_fault_captcha(page: Page, urls: dict[str, str], sandbox: Any) -> None:
    sandbox.set_faults("police", captcha=True)
    await page.goto(urls["police"] + "/login")
    assert await page.locator("#captcha").is_visible()
    image = page.locator("#captcha-img")
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert await page.locator("#captcha").get_attribute("required") is not None
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    await page.fill("#captcha", "0000")  # never a captcha: 0 is not among its characters
    async with page.expect_navigation(wait_until="domcontentloaded"):
        await page.click("#login-submit")
    assert await page.locator("#login-error").inner_text() == "验证码错误"
    assert await page.locator("#login-form").count() == 1


# -- /_sandbox/ routes --------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    (b"[{", "$"),
    (json.dumps({"ajbh": "x"}).encode(), "$"),
    (json.dumps([{k: v for k, v in sample_case().items() if k != "ajmc"}]).encode(), "[0].ajmc"),
    (json.dumps([sample_case(ajbh="A350502000000202611001")]).encode(), "[0].ajbh"),
    (json.dumps([sample_case(ajbh="B3505020000002026110001")]).encode(), "[0].ajbh"),
    (json.dumps([sample_case(), sample_case(ajbh="A3505020000002026130001")]).encode(), "[1].ajbh"),
    (json.dumps([sample_case(fasj="2026/09/30")]).encode(), "[0].fasj"),
    (json.dumps([sample_case(yssj="2026-02-30")]).encode(), "[0].yssj"),
    (json.dumps([sample_case(ajzt="已结案")]).encode(), "[0].ajzt"),
    (json.dumps([sample_case(ay=[])]).encode(), "[0].ay"),
    (json.dumps([sample_case(ay=[32640])]).encode(), "[0].ay[0]"),
    (json.dumps([sample_case(xyr=[])]).encode(), "[0].xyr"),
    (json.dumps([sample_case(xyr=[sample_case()["xyr"][0], {**sample_case()["xyr"][0], "csrq": "1990-1-1"}])]
                ).encode(), "[0].xyr[1].csrq"),
    (json.dumps([sample_case(xyr=[{**sample_case()["xyr"][0], "qzcs": [{"cslx": "05"}]}])]).encode(),
     "[0].xyr[0].qzcs[0].zxrq"),
    (json.dumps([sample_case(xyr=[{**sample_case()["xyr"][0], "xm": "  "}])]).encode(), "[0].xyr[0].xm"),
    (json.dumps([sample_case(extra=1)]).encode(), "[0].extra"),
])
async def test_sandbox_cases_bad_input(sandbox: Any, body: bytes, field: str) -> None:
    sandbox.add_cases([sample_case(ajbh="A3505020000002026110009")])
    with pytest.raises(SandboxHTTPError) as info:
        sandbox.call("police", "POST", "/_sandbox/cases", raw=body)
    assert info.value.status == 400
    assert info.value.body["ok"] is False and info.value.body["field"] == field and info.value.body["error"]
    assert [c["ajbh"] for c in sandbox.police_cases()] == ["A3505020000002026110009"], "nothing stored"


async def test_sandbox_cases_store_dirty_data_and_replace(sandbox: Any) -> None:
    dirty = sample_case()
    del dirty["xyr"][0]["xb"], dirty["ajlb"], dirty["zbdwmc"]
    dirty["xyr"][0].update(zjhm="350502 900307 241", csrq=None, mz="99")
    assert sandbox.add_cases([dirty]) == {"ok": True, "count": 1}
    stored = sandbox.police_cases()
    assert stored[0]["xyr"][0]["xb"] == "" and stored[0]["xyr"][0]["csrq"] == ""
    assert stored[0]["ajlb"] == "刑事案件" and stored[0]["zbdwmc"] == "泉州市公安局鲤城分局"
    assert stored[0]["xyr"][0]["zjhm"] == "350502 900307 241" and stored[0]["xyr"][0]["mz"] == "99"
    sandbox.add_cases([sample_case(ajmc="张某某盗窃案（更正）", yssj="")])
    stored = sandbox.police_cases()
    assert len(stored) == 1 and stored[0]["ajmc"] == "张某某盗窃案（更正）" and stored[0]["yssj"] is None


async def test_sandbox_seed_route(sandbox: Any) -> None:
    answer = sandbox.seed(30, 5)
    assert answer["ok"] and answer["count"] == 30
    assert sandbox.police_cases() == sorted(generate_cases(30, 5), key=lambda c: c["ajbh"])
    sandbox.seed(10, 5, status="侦查中", month="202611")
    latest = [c for c in sandbox.police_cases() if c["ajbh"][13:19] == "202611"]
    assert len(latest) == 10 and all(c["ajzt"] == "侦查中" and c["yssj"] is None for c in latest)
    for body, field in (({"n": "5"}, "n"), ({"n": 5, "month": "2026-11"}, "month"),
                        ({"n": 5, "status": "结案"}, "status"), ({"n": 5, "x": 1}, "x")):
        with pytest.raises(SandboxHTTPError) as info:
            sandbox.call("police", "POST", "/_sandbox/seed", body)
        assert info.value.status == 400 and info.value.body["field"] == field


def test_seed_is_deterministic_valid_and_varied() -> None:
    cases = generate_cases(200, 42)
    assert cases == generate_cases(200, 42)
    assert cases != generate_cases(200, 43)
    assert len({c["ajbh"] for c in cases}) == 200
    suspects = [(c, s) for c in cases for s in c["xyr"]]
    seen: dict[str, int] = {}

    def saw(name: str) -> None:
        seen[name] = seen.get(name, 0) + 1

    for case, s in suspects:
        assert re.fullmatch(r"A\d{12}2026(0[1-7])\d{4}", case["ajbh"]) and case["ajbh"][1:13] == case["zbdw"]
        fasj, lasj = date.fromisoformat(case["fasj"]), date.fromisoformat(case["lasj"])
        assert fasj <= lasj
        if case["ajzt"] == "已移送起诉":
            assert case["yssj"] and date.fromisoformat(case["yssj"]) > lasj
        else:
            assert case["yssj"] is None
        dates = [m["zxrq"] for m in s["qzcs"]]
        assert dates == sorted(set(dates)), "measures in order, no two on one day"
        assert all(case["yssj"] is None or d <= case["yssj"] for d in dates)
        latest = s["qzcs"][-1]["cslx"] if s["qzcs"] else ""
        assert bool(s["jycs"]) == (latest in ("05", "06"))
        if s["zjzl"] == "111":
            raw = s["zjhm"]
            number = idcard.to_18(raw)  # raises on a bad check digit
            born = idcard.birth_date(number)
            assert s["csrq"] in ("", born.isoformat())
            assert s["xb"] in ("", "0", "9", idcard.sex(number))
            assert s["hjdqh"] == number[:6] and s["gj"] == "CHN" and s["mz"]
            saw("x" if raw.endswith("x") else "15" if len(raw) == 15 else "fullwidth" if "３" in raw
                or "５" in raw else "space" if raw != raw.replace(" ", "").replace("\u3000", "") else "plain")
            if s["xb"] in ("", "0", "9"):
                saw("xb:" + s["xb"])
            if not s["csrq"]:
                saw("no csrq")
            age = fasj.year - born.year - ((fasj.month, fasj.day) < (born.month, born.day))
            saw("minor" if age < 18 else "adult")
        else:
            assert s["zjzl"] == "414" and s["gj"] != "CHN" and s["mz"] == "" and s["xb"] in ("1", "2")
            assert date.fromisoformat(s["csrq"])
            saw("foreigner")
        if "·" in s["xm"]:
            saw("dot")
        if s["xm"] != s["xm"].strip() or "\u3000" in s["xm"]:
            saw("spaces in name")
        for m in s["qzcs"]:
            saw("measure " + m["cslx"])
    for case in cases:
        saw(case["ajzt"])
        saw(f"{len(case['xyr'])} suspects")
        if len(case["ay"]) > 1:
            saw("several charges")
        if len(case["jyaq"]) > 1000:
            saw("long text")
        if any(ch in case["jyaq"] for ch in "<&\"") and "\n" in case["jyaq"]:
            saw("awkward text")
    for what in ("x", "15", "fullwidth", "space", "plain", "xb:", "xb:0", "xb:9", "no csrq", "minor", "adult",
                 "foreigner", "dot", "spaces in name", "侦查中", "已移送起诉", "撤案", "1 suspects", "4 suspects",
                 "several charges", "long text", "awkward text", *(f"measure 0{i}" for i in range(1, 7))):
        assert seen.get(what), f"the seed has {what}"
    assert seen["已移送起诉"] > seen["侦查中"] > seen["撤案"]


def test_sandbox_routes_are_404_outside_sandbox_mode() -> None:
    with SandboxProcess(sandbox_mode=False) as proc:
        for method, path, body in (("POST", "/_sandbox/cases", []), ("GET", "/_sandbox/cases", None),
                                   ("POST", "/_sandbox/seed", {"n": 1}), ("POST", "/_sandbox/reset", None)):
            with pytest.raises(SandboxHTTPError) as info:
                proc.client.call("police", method, path, body)
            assert info.value.status == 404


def test_defects_route_refuses_bad_input(sandbox: Any) -> None:
    from sandbox.client import SandboxHTTPError

    sandbox.seed(1, seed=1)
    key = sandbox.police_cases()[0]["ajbh"]
    for body, field in (({"ajbh": "A0", "kind": "extra_tab"}, "ajbh"), ({"ajbh": key, "kind": "nope"}, "kind")):
        try:
            sandbox.call("police", "POST", "/_sandbox/defects", body)
        except SandboxHTTPError as exc:
            assert exc.status == 400 and exc.body["field"] == field
        else:
            raise AssertionError("refused")
    assert sandbox.call("police", "POST", "/_sandbox/defects", {"ajbh": key, "kind": None})["defects"] == {}


async def test_captcha_read_by_a_person_is_accepted(page: Any, urls: dict[str, str], sandbox: Any) -> None:
    """The captcha stops robots, not clerks: the answer shown in the image logs in (case-insensitive)."""
    sandbox.set_faults("police", captcha=True)
    answers: list[str] = []

    async def read_answer(response: Any) -> None:
        if "captcha.svg" in response.url:
            svg = await response.text()
            answers.append("".join(re.findall(r">([A-Z0-9])</text>", svg)))

    page.on("response", read_answer)
    await page.goto(urls["police"] + "/login")
    await page.wait_for_function("document.querySelector('#captcha-img').complete")
    await page.fill("#username", "casebot")
    await page.fill("#password", "sandbox")
    await page.fill("#captcha", answers[-1].lower())
    await page.click("#login-submit")
    await page.wait_for_url("**/ajgl/ajlb**")
