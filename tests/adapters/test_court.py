"""CourtAdapter against the running court sandbox: the target contract, then what is special to this system."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from adapters.court import CourtAdapter
from casebot import errors
from casebot.domain.verify import verify
from casebot.kit.base import Credentials, SystemConfig
from casebot.kit.widgets import Binding, widget
from casebot.testing import TargetContract
from sandbox.client import SandboxClient

CREDS = Credentials("casebot", "sandbox")

CARD: dict[str, Any] = {
    "ay": "盗窃罪",
    "gsjg": "泉州市鲤城区人民检察院",
    "qsswh": "泉鲤检刑诉〔2026〕123号",
    "sarq": "2026-12-01",
    "bgr": [
        {"xm": "张三", "xb": "男", "csrq": "1990-03-07", "sfzh": "350502199003072415", "mz": "汉族", "whcd": "中专",
         "zy": "无业", "zz": "泉州市鲤城区新华路1号", "jyzt": "在押", "qzcs": "逮捕", "jycs": "泉州市看守所",
         "jyrq": "2026-10-01"},
        {"xm": "阮文雄", "xb": "男", "csrq": "1985-06-15", "sfzh": "", "mz": "", "whcd": "初中", "zy": "务工",
         "zz": "越南河内市还剑郡", "jyzt": "未羁押", "qzcs": "取保候审", "jycs": "", "jyrq": ""},
    ],
}


@pytest.fixture
def system_config(urls: dict[str, str]) -> SystemConfig:
    return SystemConfig("court", urls["court"], CREDS, timeout_ms=10_000)


@pytest.fixture
def set_faults(sandbox: SandboxClient) -> Callable[..., Any]:
    return lambda **plan: sandbox.set_faults("court", **plan)


class TestCourtContract(TargetContract):
    adapter_cls = CourtAdapter

    @pytest.fixture
    def system_config(self, urls: dict[str, str]) -> SystemConfig:
        return SystemConfig("court", urls["court"], CREDS, timeout_ms=10_000)

    @pytest.fixture
    def set_faults(self, sandbox: SandboxClient) -> Callable[..., Any]:
        return lambda **plan: sandbox.set_faults("court", **plan)

    @pytest.fixture
    def sample_card(self) -> dict[str, Any]:
        return copy.deepcopy(CARD)

    @pytest.fixture
    def rejected_card(self) -> tuple[dict[str, Any], str]:
        card = copy.deepcopy(CARD)
        card["bgr"][0]["jyzt"] = ""
        return card, "羁押状态不能为空"


@pytest.fixture
def adapter(context: Any, system_config: SystemConfig) -> CourtAdapter:
    return CourtAdapter(context, system_config)


def card(**over: Any) -> dict[str, Any]:
    c = copy.deepcopy(CARD)
    c.update(over)
    return c


async def test_fields_declare_labels_and_code_tables() -> None:
    specs = CourtAdapter.field_specs()
    assert CourtAdapter.key_field == "qsswh" and specs["qsswh"].label == "起诉书文号"
    assert specs["ay"].code_table == "charges.name" and specs["ay"].required
    assert specs["gsjg"].code_table == "units.procuratorate_name"
    assert specs["ah"].assigned
    bgr = specs["bgr"]
    assert bgr.type == "list"
    assert [c.name for c in bgr.children] == list(CARD["bgr"][0])
    assert bgr.child("whcd").code_table == "education.court_label"
    assert bgr.child("jycs").code_table == "detention_houses.court_label"
    assert not bgr.child("sfzh").required and bgr.child("xm").required


async def test_login_lands_on_the_wizard_with_the_notice_closed(adapter: CourtAdapter) -> None:
    page = await adapter.page()
    assert page.url.endswith("/case/new")
    assert not await page.locator("#sys-notice").count(), "the notice of the first page after login was closed"
    hit = await page.evaluate("""() => { const r = document.querySelector('#ay-input').getBoundingClientRect();
        return document.elementFromPoint(r.x + 5, r.y + 5).id; }""")
    assert hit == "ay-input", "nothing covers the form"
    ah = await adapter.write(card())
    assert ah == "（2026）闽0502刑初1号"


async def test_many_defendants_through_rerendered_rows(adapter: CourtAdapter, sandbox: SandboxClient) -> None:
    third = {"xm": "李娟", "xb": "女", "csrq": "2001-11-30", "sfzh": "35058220011130002X", "mz": "回族",
             "whcd": "大学本科", "zy": "职员", "zz": "晋江市青阳街道", "jyzt": "在押", "qzcs": "刑事拘留",
             "jycs": "晋江市看守所", "jyrq": "2026-09-02"}
    c = card(gsjg="晋江市人民检察院", qsswh="泉晋检刑诉〔2026〕8号")
    c["bgr"] = [c["bgr"][1], third, c["bgr"][0]]
    ah = await adapter.write(c)
    assert ah == "（2026）闽0582刑初1号"
    verify(c, await adapter.read_back(ah))
    assert [d["xm"] for d in sandbox.records("court")[0]["bgr"]] == ["阮文雄", "李娟", "张三"], "order kept"


async def test_read_back_without_the_toast_goes_through_search(context: Any, system_config: SystemConfig) -> None:
    first = CourtAdapter(context, system_config)
    ah = await first.write(card())
    fresh = CourtAdapter(context, system_config)  # knows nothing of the toast's link
    back = await fresh.read_back(ah)
    assert back["ah"] == ah
    verify(CARD, back)
    with pytest.raises(errors.VerificationError):
        await fresh.read_back("（2026）闽0502刑初999号")


async def test_masked_dates_are_typed_and_read_normalised(adapter: CourtAdapter) -> None:
    page = await adapter.page()
    masked = widget("masked_date")
    b = Binding("sarq", "收案日期", "masked_date", "#sarq", {"mask": "YYYY/MM/DD"})
    await masked.fill(page, b, "2026-2-3")
    assert await page.locator("#sarq").input_value() == "2026/02/03"
    assert await masked.read(page, b) == "2026-02-03"
    await masked.fill(page, b, "")
    assert await masked.read(page, b) == ""
    with pytest.raises(errors.DataError) as info:
        await masked.fill(page, b, "明年")
    assert info.value.field == "收案日期"


async def test_bad_birth_date_in_a_row_names_row_and_field(adapter: CourtAdapter, sandbox: SandboxClient) -> None:
    c = card()
    c["bgr"][1]["csrq"] = "1985/6"
    with pytest.raises(errors.DataError) as info:
        await adapter.write(c)
    assert info.value.field == "被告人[2].出生日期"
    assert info.value.case == CARD["qsswh"]
    assert sandbox.records("court") == []


async def test_missing_required_value_is_refused_with_the_systems_message(adapter: CourtAdapter) -> None:
    c = card()
    c["bgr"][0]["jyzt"] = ""
    with pytest.raises(errors.RejectedError) as info:
        await adapter.write(c)
    assert info.value.reason == "被告人“张*”：羁押状态不能为空", "the name is masked"


async def test_rejection_message_is_masked(adapter: CourtAdapter, set_faults: Callable[..., Any]) -> None:
    set_faults(reject_rate=1.0)
    with pytest.raises(errors.RejectedError) as info:
        await adapter.write(card())
    assert "案件质量校验未通过" in info.value.reason
    assert "张三" not in str(info.value) and "张*" in info.value.reason


async def test_session_expiry_at_submit(adapter: CourtAdapter, set_faults: Callable[..., Any],
                                        sandbox: SandboxClient) -> None:
    page = await adapter.page()
    assert page.url.endswith("/case/new")
    # the session has served the wizard it logged in onto (1) and write reuses it untouched;
    # the 案由 suggestions are the 2nd request: the submit is the first one refused
    set_faults(session_max_requests=2)
    with pytest.raises(errors.SessionExpired) as info:
        await adapter.write(card())
    assert "提交时会话已过期" in str(info.value)
    assert sandbox.records("court") == []
    set_faults()
    assert await adapter.write(card()), "the adapter logs in again by itself"


async def test_wrong_password_needs_a_human(context: Any, urls: dict[str, str]) -> None:
    bad = CourtAdapter(context, SystemConfig("court", urls["court"], Credentials("casebot", "nope")))
    with pytest.raises(errors.HumanRequired) as info:
        await bad.page()
    assert "用户名或密码错误" in str(info.value)


async def test_a_charge_the_system_does_not_suggest_is_a_business_error(adapter: CourtAdapter,
                                                                       sandbox: Any) -> None:
    with pytest.raises(errors.OptionMissing) as info:
        await adapter.write(card(ay="偷盗罪"))
    assert info.value.reason == "审判流程管理系统'案由'中没有选项 偷盗罪"
    assert info.value.case == CARD["qsswh"]
    assert sandbox.records("court") == []
