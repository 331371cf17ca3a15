"""CountyAdapter (法院案件管理平台, a layui system with post/redirect/get saves) against the county sandbox."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from adapters.county import CountyAdapter
from casebot import errors
from casebot.domain.verify import verify
from casebot.kit.base import Credentials, SystemConfig
from casebot.testing import TargetContract, ThroughFaultProxy
from casebot.testing.faultproxy import FaultProxy
from sandbox.client import SandboxClient

pytestmark = pytest.mark.browser

CREDS = Credentials("casebot", "sandbox")
_serial = itertools.count(1)


def card() -> dict[str, Any]:
    """A valid card with a key of its own."""
    return {
        "ay": "盗窃罪", "gsjg": "惠安县人民检察院", "qsswh": f"惠检刑诉〔2026〕{next(_serial)}号",
        "sarq": "2026-12-01",
        "bgr": [{"xm": "张三", "xb": "男", "csrq": "1990-03-07", "sfzh": "350521199003072415"},
                {"xm": "李四", "xb": "女", "csrq": "1992-11-30", "sfzh": ""}],
    }


class TestCountyContract(ThroughFaultProxy, TargetContract):
    """The contract, as for any system: unique keys per test, faults through the proxy (no fault switch)."""

    adapter_cls = CountyAdapter
    save_path = "/case/add"
    opt_outs = frozenset({"captcha", "notices", "reject_switch"})  # the system has none of these

    @pytest.fixture
    def upstream_url(self, urls: dict[str, str]) -> str:
        return urls["county"]

    @pytest.fixture
    def system_config(self, fault_proxy: FaultProxy) -> SystemConfig:
        return SystemConfig("county", fault_proxy.url, CREDS, timeout_ms=10_000)

    @pytest.fixture
    def card_factory(self) -> Any:
        return card

    @pytest.fixture
    def rejected_card(self) -> tuple[dict[str, Any], str]:
        bad = card()
        bad["bgr"][0]["sfzh"] = "35052119900307241"
        return bad, "身份证号：身份证号应为18位"


@pytest.fixture
def adapter(context: Any, urls: dict[str, str]) -> CountyAdapter:
    return CountyAdapter(context, SystemConfig("county", urls["county"], CREDS, timeout_ms=10_000))


async def test_refusal_names_the_field_by_its_label(adapter: CountyAdapter) -> None:
    c = card()
    c["bgr"][0]["sfzh"] = "12345"
    with pytest.raises(errors.RejectedError) as info:
        await adapter.write(c)
    assert "身份证号：身份证号应为18位" in info.value.reason
    assert info.value.field == "身份证号"
    assert await adapter.find_existing(c) is None


async def test_ids_change_labels_stay(adapter: CountyAdapter, sandbox: SandboxClient) -> None:
    """A new release regenerates every element id: fields are found by label, the drift is noted, read-back verifies."""
    assert await adapter.open_form() == []
    assert adapter.drift() == {}
    sandbox.call("county", "POST", "/_sandbox/county/release", {"release": 2})
    c = card()
    ah = await adapter.write(c)
    assert ah.startswith("（2026）闽0521刑初"), "the system's own case number, read from its detail page"
    back = await adapter.read_back(ah)
    verify(c, back)
    assert back["sarq"] == "2026-12-01" and back["bgr"][1]["csrq"] == "1992-11-30", "dates back in the card's form"
    with pytest.raises(errors.AlreadyExists, match="已登记"):
        await adapter.write(c)
    assert await adapter.open_form() == []
    assert adapter.drift() == {"案由": ("#f1_ay", "#f2_ay"), "公诉机关": ("#f1_gsjg", "#f2_gsjg"),
                               "起诉书文号": ("#f1_qsswh", "#f2_qsswh")}
    page = await adapter.page()
    assert await page.locator("#f2_qsswh").count() == 1 and await page.locator("#f1_qsswh").count() == 0


async def test_wrong_password_needs_a_human(context: Any, urls: dict[str, str]) -> None:
    bad = CountyAdapter(context, SystemConfig("county", urls["county"], Credentials("casebot", "nope")))
    with pytest.raises(errors.HumanRequired, match="用户名或密码错误"):
        await bad.page()


async def test_a_value_the_system_does_not_offer_is_refused(adapter: CountyAdapter) -> None:
    c = copy.deepcopy(card())
    c["gsjg"] = "泉州市鲤城区人民检察院"  # its court does not run this system
    with pytest.raises(errors.OptionMissing, match="法院案件管理平台'公诉机关'中没有选项 泉州市鲤城区人民检察院"):
        await adapter.write(c)
