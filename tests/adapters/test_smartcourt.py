"""SmartcourtAdapter (智慧审判平台, a single-page app on ant-design-vue 4 with a JSON API) against its sandbox."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from adapters.smartcourt import SmartcourtAdapter
from casebot.adapter import Credentials, SystemConfig
from casebot.faultproxy import FaultProxy
from casebot.testing import TargetContract, ThroughFaultProxy

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
