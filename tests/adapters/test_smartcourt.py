"""SmartcourtAdapter (智慧审判平台, a single-page app on ant-design-vue 4 with a JSON API) against its sandbox."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.smartcourt import SmartcourtAdapter
from casebot import errors
from casebot.kit.base import Credentials, SystemConfig
from casebot.testing import TargetContract, ThroughFaultProxy
from casebot.testing.faultproxy import Fault, FaultProxy
from sandbox.client import SandboxClient

pytestmark = pytest.mark.browser

CREDS = Credentials("casebot", "sandbox")
_serial = itertools.count(1)


def card() -> dict[str, Any]:
    """A valid card with a key of its own: 民族 far down a virtual list, a second defendant without one."""
    return {
        "ay": "诈骗罪", "gsjg": "德化县人民检察院", "qsswh": f"德检刑诉〔2026〕{next(_serial)}号", "sarq": "2026-12-01",
        "bgr": [{"xm": "张三", "xb": "男", "csrq": "1990-03-07", "sfzh": "350526199003072415", "mz": "维吾尔族",
                 "jyzt": "在押"},
                {"xm": "李四", "xb": "女", "csrq": "1992-11-30", "sfzh": "", "mz": "", "jyzt": "未羁押"}],
    }


class TestSmartcourtContract(ThroughFaultProxy, TargetContract):
    """The contract through the fault proxy (the proxy gives the app its own Origin: its CSRF check passes)."""

    adapter_cls = SmartcourtAdapter
    save_path = "/api/cases"
    opt_outs = frozenset({"captcha", "notices", "reject_switch"})

    @pytest.fixture
    def upstream_url(self, urls: dict[str, str]) -> str:
        return urls["smartcourt"]

    @pytest.fixture
    def system_config(self, fault_proxy: FaultProxy) -> SystemConfig:
        return SystemConfig("smartcourt", fault_proxy.url, CREDS, timeout_ms=30_000)

    @pytest.fixture
    def card_factory(self) -> Any:
        return card

    @pytest.fixture
    def rejected_card(self) -> tuple[dict[str, Any], str]:
        bad = card()
        bad["bgr"][1]["csrq"] = "2027-01-01"  # refused by the server, not by the page
        return bad, "出生日期不能晚于收案日期"


@pytest.fixture
def adapter(context: Any, urls: dict[str, str]) -> SmartcourtAdapter:
    return SmartcourtAdapter(context, SystemConfig("smartcourt", urls["smartcourt"], CREDS, timeout_ms=30_000))


async def test_refused_password_is_a_refusal_and_capped(context: Any, urls: dict[str, str], tmp_path: Any) -> None:
    """The app shows its alert without navigating: a refusal (not a timeout), marked so it is not tried again."""
    config = SystemConfig("smartcourt", urls["smartcourt"], Credentials("casebot", "nope"), timeout_ms=30_000,
                          login_cap=tmp_path / "smartcourt.login-refused")
    with pytest.raises(errors.HumanRequired, match="用户名或密码错误"):
        await SmartcourtAdapter(context, config).page()
    with pytest.raises(errors.LoginBlocked):
        await SmartcourtAdapter(context, config).page()


async def test_login_answered_by_a_403_page_is_not_logged_in(context: Any, urls: dict[str, str]) -> None:
    with FaultProxy(urls["smartcourt"]) as proxy:
        proxy.inject(Fault("server_error", method="POST", path="/api/login", status=403))
        adapter = SmartcourtAdapter(context, SystemConfig("smartcourt", proxy.url, CREDS, timeout_ms=30_000))
        with pytest.raises(errors.HumanRequired, match="403"):
            await adapter.page()


async def test_lost_truncated_and_failed_answers_are_unknown_outcomes(
        context: Any, urls: dict[str, str], sandbox: SandboxClient) -> None:
    """In sequence: the first save's answer cut off, the second's truncated; each was saved (a 502: the contract)."""
    cards = [card(), card()]
    for c in cards:
        del c["bgr"][1]  # one defendant is enough here
    with FaultProxy(urls["smartcourt"]) as proxy:
        proxy.inject(Fault("commit_then_drop", method="POST", path="/api/cases", times=1),
                     Fault("commit_then_truncate", method="POST", path="/api/cases", times=1))
        adapter = SmartcourtAdapter(context, SystemConfig("smartcourt", proxy.url, CREDS, timeout_ms=30_000))
        for c in cards:
            with pytest.raises(errors.OutcomeUnknown):
                await adapter.write(c)
        assert [await adapter.find_existing(c) is not None for c in cards] == [True, True]
    assert sandbox.saves("smartcourt") == {c["qsswh"]: 1 for c in cards}


async def test_the_dialogs_own_validation_is_a_refusal(adapter: SmartcourtAdapter, sandbox: SandboxClient) -> None:
    """The modal keeps OK from closing it and sends nothing: a business error naming the row, not a timeout."""
    bad = card()
    bad["bgr"][1]["sfzh"] = "35052619921130242"
    with pytest.raises(errors.RejectedError, match="身份证号应为18位") as info:
        await adapter.write(bad)
    assert info.value.field == "被告人[2].身份证号"
    assert sandbox.saves("smartcourt") == {}


async def test_a_value_the_select_does_not_offer(adapter: SmartcourtAdapter) -> None:
    bad = card()
    bad["bgr"][0]["mz"] = "火星族"
    with pytest.raises(errors.OptionMissing, match="民族"):
        await adapter.write(bad)


async def test_after_its_first_view_the_app_is_moved_inside_not_loaded_again(
        adapter: SmartcourtAdapter, context: Any, sandbox: SandboxClient) -> None:
    """The app routes with the History API (``routing: history``): once it is loaded, the next cards' form,
    list and record views are reached as its links reach them; each card still lands once and reads back
    equal, and after a view that failed the next loads the app afresh."""
    first, second, third = card(), card(), card()

    async def carried(c: dict[str, Any]) -> bool:
        back = await adapter.read_back(await adapter.write(c))
        return {k: back.get(k) for k in c} == c

    assert await carried(first)
    loads: list[str] = []
    context.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    assert await carried(second)
    assert loads == [], "no view loaded the app again"
    sandbox.set_faults("smartcourt", error_rate=1.0)  # the list's data answered 500: the app's state unknown
    with pytest.raises(errors.ServerError):
        await adapter.find_existing(third)
    sandbox.set_faults("smartcourt")
    assert await carried(third)
    assert [urlsplit(u).path for u in loads[:1]] == ["/cases/new"], "after the failure the app was loaded afresh"
    assert sandbox.saves("smartcourt") == {c["qsswh"]: 1 for c in (first, second, third)}
