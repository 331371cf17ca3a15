"""ProcuratorateAdapter against the running procuratorate sandbox: both contracts, then what is special here."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from adapters.procuratorate import ProcuratorateAdapter
from casebot import errors
from casebot.domain.idcard import check_digit
from casebot.kit.base import Credentials, SystemConfig
from casebot.kit.widgets import Binding, Form, widget
from casebot.testing import SourceContract, TargetContract
from sandbox.client import SandboxClient

CREDS = Credentials("casebot", "sandbox")
KEY = "A3505020000002026110001"
#: a long summary, at the field's limit (1000), with what HTML makes hard
AJZY = ("2026年9月30日14时许，犯罪嫌疑人张三伙同阮·文雄在泉州市鲤城区\"某商场\"<三楼>窃取手机&钱包。\n"
        "经查，涉案金额共计人民币12,800元。") + "查" * 930 + "…"
AJZY = AJZY[:999] + "…"

CARD: dict[str, Any] = {
    "ysajbh": KEY, "ajmc": "张三、阮·文雄盗窃案", "ajlb": "审查起诉", "ysdw": "Y350502",
    "ysay": ["0631", "0502"], "slrq": "2026-11-20", "ajzy": AJZY,
    "xyr": [
        {"xm": "张三", "bm": "小三", "xb": "1", "csrq": "1990-03-07", "zjlx": "111", "zjhm": "350502199003072415",
         "gj": "CHN", "mz": "01", "xl": "40", "zy": "无业", "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区开元街道",
         "xzz": "泉州市鲤城区新华路1号", "sfwcn": "否", "qzcs": "6", "qzcsrq": "2026-10-20", "jycs": "KSS350500",
         "ay": ["0631", "0502"]},
        {"xm": "阮·文雄", "bm": "", "xb": "1", "csrq": "1985-06-15", "zjlx": "414", "zjhm": "C1234567", "gj": "VNM",
         "mz": "", "xl": "70", "zy": "务工", "hjdqh": "", "hjdxz": "", "xzz": "泉州市丰泽区东海街道", "sfwcn": "否",
         "qzcs": "2", "qzcsrq": "2026-10-02", "jycs": "", "ay": ["0631", "0502"]},
    ],
}


def card(**over: Any) -> dict[str, Any]:
    c = copy.deepcopy(CARD)
    c.update(over)
    return c


def stored(ysajbh: str, i: int) -> dict[str, Any]:
    """A stored-format record for POST /_sandbox/records."""
    body = f"35050219900307{i:03d}"
    zjhm = body + check_digit(body)
    return {
        "ysajbh": ysajbh, "ajmc": f"案件{i}", "ajlb": "审查起诉", "ysdw": "Y350502", "ysay": ["0502"],
        "slrq": "2026-11-20", "ajzy": f"案情{i}",
        "xyr": [{"xm": f"嫌疑人{i}", "bm": "", "xb": "1" if i % 2 else "2", "csrq": "1990-03-07", "zjlx": "111",
                 "zjhm": zjhm, "gj": "CHN", "mz": "01", "xl": "40", "zy": "", "hjdqh": "350502", "hjdxz": "",
                 "xzz": "", "sfwcn": "否", "qzcs": "", "qzcsrq": "", "jycs": "", "ay": ["0502"]}],
    }


class _Config:
    @pytest.fixture
    def system_config(self, urls: dict[str, str]) -> SystemConfig:
        return SystemConfig("procuratorate", urls["procuratorate"], CREDS, timeout_ms=10_000)

    @pytest.fixture
    def set_faults(self, sandbox: SandboxClient) -> Callable[..., Any]:
        return lambda **plan: sandbox.set_faults("procuratorate", **plan)


class TestProcuratorateTarget(_Config, TargetContract):
    adapter_cls = ProcuratorateAdapter

    @pytest.fixture
    def sample_card(self) -> dict[str, Any]:
        return card()

    @pytest.fixture
    def rejected_card(self) -> tuple[dict[str, Any], str]:
        c = card()
        c["xyr"][0]["zjhm"] = "350502199003072416"
        return c, "证件号码校验位错误"


class TestProcuratorateSource(_Config, SourceContract):
    adapter_cls = ProcuratorateAdapter
    list_filters = {"zt": "已起诉"}

    @pytest.fixture
    def seeded_keys(self, sandbox: SandboxClient) -> list[str]:
        keys = [f"A350502000000202611{i:04d}" for i in range(1, 26)]
        sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(k, i) for i, k in enumerate(keys, 1)])
        prosecuted = keys[:22]  # more than one page of 20
        for k in prosecuted:
            sandbox.prosecute(k, f"泉鲤检刑诉〔2026〕{int(k[-4:])}号", "2026-12-01")
        return prosecuted


@pytest.fixture
def system_config(urls: dict[str, str]) -> SystemConfig:
    return SystemConfig("procuratorate", urls["procuratorate"], CREDS, timeout_ms=10_000)


@pytest.fixture
def adapter(context: Any, system_config: SystemConfig) -> ProcuratorateAdapter:
    return ProcuratorateAdapter(context, system_config)


def records(sandbox: SandboxClient) -> list[dict[str, Any]]:
    return sandbox.records("procuratorate")


async def test_fields_declare_labels_tables_and_persons() -> None:
    specs = ProcuratorateAdapter.field_specs()
    assert specs["ysdw"].code_table == "units" and specs["ysdw"].label == "移送单位"
    assert specs["ysay"].type == "codes" and specs["ysay"].code_table == "charges"
    assert specs["ajzy"].max_length == 1000
    assert specs["bmsah"].assigned
    xyr = specs["xyr"]
    assert xyr.type == "list" and xyr.required
    tables = {c.name: c.code_table for c in xyr.children if c.code_table}
    assert tables == {"xb": "gender", "zjlx": "id_types", "gj": "countries", "mz": "ethnicity", "xl": "education",
                      "qzcs": "measures", "jycs": "detention_houses", "ay": "charges"}
    assert [c.name for c in xyr.children] == list(CARD["xyr"][0])
    assert {s.name for s in ProcuratorateAdapter.fields if not s.assigned} == set(CARD)


async def test_write_stores_the_card_and_reads_back_through_search(
        context: Any, system_config: SystemConfig, sandbox: SandboxClient) -> None:
    first = ProcuratorateAdapter(context, system_config)
    bmsah = await first.write(card())
    assert bmsah == "鲤城区院刑检受[2026]35050200001号"
    [rec] = records(sandbox)
    expected = {**card(), "bmsah": bmsah, "zt": "已受理", "qsswh": "", "qsrq": "", "thcs": 0}
    assert {k: v for k, v in rec.items() if k != "created_at"} == expected
    assert rec["ysay"] == ["0631", "0502"]  # the order of picking kept
    # right after the save, the read-back follows the result page's link to the record: one page, no search
    pages: list[str] = []
    context.on("request", lambda r: pages.append(r.url) if r.resource_type == "document" else None)
    assert await first.read_back(bmsah) == card()
    assert len(pages) == 1 and "/slaj/ck/" in pages[0], pages
    second = ProcuratorateAdapter(context, system_config)  # no result page to follow: 综合查询 by 部门受案号
    assert await second.read_back(bmsah) == card()
    with pytest.raises(errors.BusinessError):
        await second.read_back("鲤城区院刑检受[2026]35050299999号")


async def test_refusal_lists_every_failure_masked(adapter: ProcuratorateAdapter, sandbox: SandboxClient) -> None:
    c = card()
    c["xyr"][0]["zjhm"] = "350502199003072416"
    c["xyr"][1]["qzcsrq"] = "2026-11-21"
    c["xyr"][1]["ay"] = []
    with pytest.raises(errors.RejectedError) as info:
        await adapter.write(c)
    reason = info.value.reason
    assert "犯罪嫌疑人[张*]：证件号码校验位错误" in reason
    assert "犯罪嫌疑人[阮***]：强制措施日期不能晚于受理日期" in reason
    assert "犯罪嫌疑人[阮***]：人卡罪名不能为空" in reason
    assert "张三" not in str(info.value) and "文雄" not in str(info.value)
    assert info.value.case == KEY
    assert records(sandbox) == []


async def test_source_read_gives_the_stored_record(adapter: ProcuratorateAdapter, sandbox: SandboxClient) -> None:
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(KEY, 7), stored(KEY + "1", 8)])
    sandbox.prosecute(KEY, "泉鲤检刑诉〔2026〕123号", "2026-12-01")
    rec = await adapter.read(KEY)
    [want] = [r for r in records(sandbox) if r["ysajbh"] == KEY]
    want.pop("created_at")
    assert want.pop("thcs") == 0, "the count of returns is the procuratorate's own, not read for the court"
    assert rec == want
    assert (rec["zt"], rec["qsswh"], rec["qsrq"]) == ("已起诉", "泉鲤检刑诉〔2026〕123号", "2026-12-01")
    refs = [r async for r in adapter.list_records(zt="已起诉")]
    assert [r.key for r in refs] == [KEY]
    assert len([r async for r in adapter.list_records()]) == 2
    with pytest.raises(errors.BusinessError):
        await adapter.read("A0000")
    with pytest.raises(errors.ConfigError):
        [r async for r in adapter.list_records(ajzt="已移送起诉")]



async def test_wrong_password_needs_a_human(context: Any, urls: dict[str, str]) -> None:
    config = SystemConfig("procuratorate", urls["procuratorate"], Credentials("casebot", "nope"))
    with pytest.raises(errors.HumanRequired) as info:
        await ProcuratorateAdapter(context, config).page()
    assert "用户名或密码错误" in str(info.value)


async def test_missing_control_is_page_changed(context: Any, urls: dict[str, str], sandbox: SandboxClient) -> None:
    config = SystemConfig("procuratorate", urls["procuratorate"], CREDS, timeout_ms=1_500)
    adapter = ProcuratorateAdapter(context, config)
    adapter.case_form = Form("case", [*ProcuratorateAdapter.case_form.bindings[:1],
                                      Binding("ajmc", "案件名称", "text", "#ajmc_v2")], "procuratorate")
    assert await adapter.open_form() == ["案件名称"]
    with pytest.raises(errors.PageChanged) as info:
        await adapter.write(card())
    assert "案件名称" in str(info.value)
    assert records(sandbox) == []


async def test_picker_and_calendar_widgets_other_paths(adapter: ProcuratorateAdapter) -> None:
    """The search box and re-picking of the picker; the calendar driven by its arrows alone."""
    page, _ = await adapter._shell()
    frame = await adapter._menu(page, adapter.ui["shell"]["menu_case"], adapter.ui["case"]["form"])
    picker = widget("picker")
    ysay = Binding("ysay", "移送案由", "picker", "#ysay", {
        "open": "#ysay_mc", "dialog": "#dlg-ysay", "search": ".dm-search", "item": ".dm-list li[data-code='{code}']",
        "confirm": ".dm-ok", "clear": ".dm-clear", "multiple": True})
    await picker.fill(frame, ysay, ["0503", "0502"])
    assert await picker.read(frame, ysay) == ["0503", "0502"]
    await picker.fill(frame, ysay, ["0701", "0503"])  # cleared, then picked anew in order
    assert await picker.read(frame, ysay) == ["0701", "0503"]
    assert await frame.input_value("#ysay_mc") == "走私、贩卖、运输、制造毒品罪、诈骗罪"
    cal = widget("calendar")
    opts = {k: v for k, v in ProcuratorateAdapter.case_form.bindings[5].options.items() if k not in ("year", "month")}
    slrq = Binding("slrq", "受理日期", "calendar", "#slrq", opts)
    await cal.fill(frame, slrq, "2025-09-15")  # from this month, by the arrows
    assert await cal.read(frame, slrq) == "2025-09-15"
    await cal.fill(frame, slrq, "2027-02-28")
    assert await cal.read(frame, slrq) == "2027-02-28"
    await cal.fill(frame, slrq, "")
    assert await cal.read(frame, slrq) == ""


async def test_a_code_the_picker_does_not_offer_is_a_business_error_naming_system_field_and_code(
        adapter: ProcuratorateAdapter, sandbox: SandboxClient) -> None:
    """A code added to the code table but not to the target: a clerk must act, retrying cannot help."""
    sandbox.set_faults("procuratorate", hidden_codes=["0631"])
    with pytest.raises(errors.OptionMissing) as info:
        await adapter.write(card())
    assert not isinstance(info.value, errors.TransientError)
    assert info.value.reason == "检察业务应用系统'移送案由'中没有选项 0631"
    assert info.value.field == "移送案由" and info.value.value == "0631"
    assert records(sandbox) == []


async def test_a_selector_matching_two_elements_is_a_changed_page_at_once(
        adapter: ProcuratorateAdapter, sandbox: SandboxClient) -> None:
    """Strict mode: a page showing two "案件名称" boxes is not the page the adapter knows; no waiting for it."""
    sandbox.set_faults("procuratorate", ambiguous=True)
    with pytest.raises(errors.PageChanged) as info:
        await adapter.write(card())
    assert info.value.system == "procuratorate"
    assert "#ajmc" in info.value.what and "2 个元素" in info.value.what
    assert records(sandbox) == []


async def test_a_birth_date_the_calendar_does_not_offer_is_a_business_error_at_once(
        context: Any, urls: dict[str, str], sandbox: SandboxClient) -> None:
    """Issue 26 item 14: a birth date of 1800-01-01 waited on the calendar's year select until the timeout
    (retried for 87 s, then "unknown"); the year the target does not offer is bad data, said at once."""
    import time

    adapter = ProcuratorateAdapter(context, SystemConfig("procuratorate", urls["procuratorate"], CREDS,
                                                         timeout_ms=60_000))
    c = card()
    c["xyr"][0]["csrq"] = "1800-01-01"
    started = time.monotonic()
    with pytest.raises(errors.OptionMissing) as info:  # before: playwright's TimeoutError, after 60 s
        await adapter.write(c)
    assert time.monotonic() - started < 45, "no waiting for an option that is not there"
    assert not isinstance(info.value, errors.TransientError)
    assert info.value.field == "出生日期" and info.value.value == "1800"
    assert records(sandbox) == []
