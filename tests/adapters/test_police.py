"""The police adapter against the running sandbox: the Source contract, plus exact reads and filters."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapters.police import PoliceAdapter
from casebot import errors
from casebot.kit.base import Credentials, Source, SystemConfig
from casebot.testing import SourceContract

CREDS = Credentials("casebot", "sandbox")


def _config(urls: dict[str, str], password: str = "sandbox") -> SystemConfig:
    return SystemConfig("police", urls["police"], Credentials("casebot", password), timeout_ms=10_000)


def _seed_three_pages(sandbox: Any) -> list[dict[str, Any]]:
    """45 cases 已移送起诉 plus 12 of every status: the 已移送起诉 list runs over 3 pages."""
    sandbox.seed(45, 42, status="已移送起诉", month="202603")
    sandbox.seed(12, 7, month="202605")
    return sandbox.police_cases()


class TestPoliceContract(SourceContract):
    adapter_cls = PoliceAdapter
    list_filters = {"status": "已移送起诉"}

    @pytest.fixture
    def system_config(self, urls: dict[str, str]) -> SystemConfig:
        return _config(urls)

    @pytest.fixture
    def set_faults(self, sandbox: Any) -> Any:
        return lambda **plan: sandbox.set_faults("police", **plan)

    @pytest.fixture
    def seeded_keys(self, sandbox: Any) -> list[str]:
        cases = _seed_three_pages(sandbox)
        keys = [c["ajbh"] for c in cases if c["ajzt"] == "已移送起诉"]
        assert len(keys) > 40, "the list must run over 3 pages"
        return keys


@pytest.fixture
def adapter(context: Any, urls: dict[str, str]) -> PoliceAdapter:
    return PoliceAdapter(context, _config(urls))


def awkward_case() -> dict[str, Any]:
    """A case with everything a page can get wrong: markup-like text, CR/LF, spaces, unknown codes."""
    suspect = {
        "rybh": "R3505020000002026110001 01", "xm": " 张\u3000三 ", "bm": "", "xb": "", "csrq": "",
        "zjzl": "111", "zjhm": "３５０５０２１９９００３０７２４１５", "gj": "CHN", "mz": "01", "whcd": "50",
        "zy": "无业 & <待业>", "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区\"温陵路\"1号",
        "xzz": "  前后有空格  ", "qzcs": [{"cslx": "05", "zxrq": "2026-10-01"}, {"cslx": "06", "zxrq": "2026-10-20"}],
        "jycs": "泉州市看守所",
    }
    foreigner = {
        "rybh": "", "xm": "阮·文雄", "bm": "阿雄", "xb": "1", "csrq": "1990-01-02", "zjzl": "414",
        "zjhm": " c1234567 ", "gj": "VNM", "mz": "", "whcd": "80", "zy": "", "hjdqh": "", "hjdxz": "",
        "xzz": "", "qzcs": [], "jycs": "",
    }
    unknown = {**copy.deepcopy(suspect), "xm": "李四", "xb": "9", "mz": "99", "whcd": "55", "gj": "XXX",
               "zjhm": "350502900307241", "qzcs": [{"cslx": "07", "zxrq": "2026-10-02"}], "jycs": "不存在看守所"}
    minor = {**copy.deepcopy(suspect), "xm": "王小明", "xb": "0", "csrq": "2010-05-06", "zjhm": "35050220100506123x"}
    return {
        "ajbh": "A3505020000002026110001", "ajmc": "张某某等4人盗窃案<测试>", "ajlb": "刑事案件",
        "ay": ["032640", "033120", "999999"], "zbdw": "350502000000", "zbdwmc": "泉州市公安局鲤城分局",
        "zbr": "陈志强、林建华", "fasj": "2026-09-30", "lasj": "2026-10-01", "yssj": "2026-11-20",
        "ajzt": "已移送起诉",
        "jyaq": ("第一行\r\n第二行 \"引号\" '单引号' <b>不是粗体</b> & &amp; {{ 7*7 }} {% if %}\n\n"
                 "\t缩进  两个空格\u3000全角空格 " + "很长的案情。" * 200),
        "xyr": [suspect, foreigner, unknown, minor],
    }


async def test_read_equals_stored_record_for_every_seeded_case(adapter: PoliceAdapter, sandbox: Any) -> None:
    sandbox.seed(30, 42)
    cases = sandbox.police_cases()
    assert any(len(c["xyr"]) > 2 for c in cases)
    assert any(s["zjzl"] == "414" for c in cases for s in c["xyr"])
    assert any(len(c["jyaq"]) > 1000 for c in cases)
    for case in cases:
        assert await adapter.read(case["ajbh"]) == case


async def test_read_awkward_case_exactly(adapter: PoliceAdapter, sandbox: Any) -> None:
    case = awkward_case()
    sandbox.add_cases([case])
    stored = sandbox.police_cases()[0]
    got = await adapter.read(case["ajbh"])
    assert got == stored
    assert got["jyaq"] == case["jyaq"], "CR, LF, tabs, quotes, <, & and template text kept as typed"
    assert got["xyr"][0]["xm"] == " 张\u3000三 "
    assert got["ay"] == ["032640", "033120", "999999"], "an unknown charge code still reported"
    assert got["xyr"][2]["mz"] == "99" and got["xyr"][2]["qzcs"] == [{"cslx": "07", "zxrq": "2026-10-02"}]
    assert got["xyr"][1]["qzcs"] == [] and got["xyr"][1]["mz"] == ""


async def test_read_case_not_yet_sent(adapter: PoliceAdapter, sandbox: Any) -> None:
    case = awkward_case()
    case.update(ajbh="A3505020000002026110002", ajzt="侦查中", yssj=None, jyaq="")
    sandbox.add_cases([case])
    got = await adapter.read(case["ajbh"])
    assert got["yssj"] is None and got["jyaq"] == ""
    assert got == sandbox.police_cases()[0]


async def test_list_filters_by_yssj_range_and_status(adapter: PoliceAdapter, sandbox: Any) -> None:
    cases = _seed_three_pages(sandbox)
    sent = sorted(c["yssj"] for c in cases if c["yssj"])
    lo, hi = sent[len(sent) // 4], sent[3 * len(sent) // 4]
    want = {c["ajbh"] for c in cases if c["ajzt"] == "已移送起诉" and c["yssj"] and lo <= c["yssj"] <= hi}
    refs = [r async for r in adapter.list_records(yssj_from=lo, yssj_to=hi)]
    assert {r.key for r in refs} == want
    # from only / to only / every status
    assert {r.key async for r in adapter.list_records(yssj_from=hi)} == {
        c["ajbh"] for c in cases if c["ajzt"] == "已移送起诉" and c["yssj"] >= hi}
    everything = [r.key async for r in adapter.list_records(status=None)]
    assert everything == [c["ajbh"] for c in cases], "all cases, in 案件编号 order, over every page"
    investigating = {r.key async for r in adapter.list_records(status="侦查中")}
    assert investigating == {c["ajbh"] for c in cases if c["ajzt"] == "侦查中"}


async def test_list_of_nothing_is_empty(adapter: PoliceAdapter, sandbox: Any) -> None:
    sandbox.seed(5, 1, status="侦查中")
    assert [r async for r in adapter.list_records()] == []


async def test_captcha_needs_a_human(adapter: PoliceAdapter, sandbox: Any) -> None:
    sandbox.set_faults("police", captcha=True)
    with pytest.raises(errors.HumanRequired) as info:
        await adapter.read("A3505020000002026110001")
    assert "验证码" in str(info.value) and "casebot login police" in str(info.value)


async def test_wrong_password_needs_a_human(context: Any, urls: dict[str, str], sandbox: Any) -> None:
    adapter = PoliceAdapter(context, _config(urls, password="wrong"))
    with pytest.raises(errors.HumanRequired) as info:
        await adapter.page()
    assert "用户名或密码错误" in str(info.value)


async def test_unknown_case_is_a_data_error(adapter: PoliceAdapter, sandbox: Any) -> None:
    with pytest.raises(errors.DataError) as info:
        await adapter.read("A3505020000002026119999")
    assert info.value.case == "A3505020000002026119999"


async def test_list_and_read_pass_the_notice(adapter: PoliceAdapter, sandbox: Any) -> None:
    sandbox.seed(30, 3)
    cases = sandbox.police_cases()
    sandbox.set_faults("police", notice_rate=1.0)
    keys = [r.key async for r in adapter.list_records()]
    assert len(keys) == sum(c["ajzt"] == "已移送起诉" for c in cases)
    assert await adapter.read(keys[-1]) == next(c for c in cases if c["ajbh"] == keys[-1])


# -- a changed page: PageChanged naming what is missing --------------------------------------------

CHANGES = [
    (lambda html: html.replace('id="xyr-2"', 'id="xyr-two"'), "“犯罪嫌疑人2”页签的信息面板"),
    (lambda html: html.replace("<th>出生日期</th>", "<th>生日</th>"), "“出生日期”"),
    (lambda html: html.replace("<th>案由</th>", "<th>罪名</th>"), "案件基本信息中的“案由”"),
    (lambda html: html.replace('id="ajjbxx">', 'id="ajjbxx"><tbody></tbody></table><table>', 1), "表格为空"),
    (lambda html: html.replace('id="ajjbxx"', 'id="basic-info"'), "案件基本信息（#ajjbxx）"),
    (lambda html: html.replace("<th>执行日期</th>", "<th>日期</th>"), "表头“执行日期”"),
    (lambda html: html.replace('<tr class="empty">', "<tr>"), "强制措施表第1行"),
    (lambda html: html.replace('data-code="1">男<', 'data-x="1">男<'), "“性别”的值"),
    (lambda html: html.replace('role="tab"', 'role="button"'), "犯罪嫌疑人页签"),
]


async def test_changed_page_is_page_changed(adapter: PoliceAdapter, sandbox: Any) -> None:
    """The detail page served through a change, as if the system had been upgraded."""
    case = awkward_case()
    sandbox.add_cases([case])
    page = await adapter.page()
    current: list[Any] = [None]

    async def handler(route: Any) -> None:
        response = await route.fetch()
        await route.fulfill(response=response, body=current[0](await response.text()))

    await page.route("**/ajgl/ajxx*", handler)
    for change, what in CHANGES:
        current[0] = change
        with pytest.raises(errors.PageChanged) as info:
            await adapter.read(case["ajbh"])
        assert what in str(info.value), str(info.value)
        assert not isinstance(info.value, errors.TransientError)
    current[0] = lambda html: html
    assert await adapter.read(case["ajbh"]) == sandbox.police_cases()[0]


def test_is_a_source() -> None:
    assert issubclass(PoliceAdapter, Source)
    assert (PoliceAdapter.name, PoliceAdapter.title, PoliceAdapter.key_field) == ("police", "公安执法办案系统", "ajbh")


async def test_bad_date_filter_is_a_config_error(adapter: PoliceAdapter) -> None:
    with pytest.raises(errors.ConfigError):
        [r async for r in adapter.list_records(yssj_from="2026/01/01")]
