"""The one boundary where Playwright's errors become casebot's (the strict-mode case also runs against a real
page: tests/adapters/test_procuratorate.py and tests/e2e/test_journey.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Error, TimeoutError

from casebot import errors
from casebot.kit.base import Adapter, SystemConfig, playwright_error


class _Plain(Adapter):
    name = "plain"
    title = "某系统"

    async def login(self, page: Any) -> None:
        return None

    async def is_login_page(self, page: Any) -> bool:
        return False


async def _raise(exc: BaseException) -> None:
    raise exc


@pytest.mark.parametrize(("message", "kind", "words"), [
    ('Locator.fill: Error: strict mode violation: locator("#ajmc") resolved to 2 elements:\n 1) <input>',
     errors.PageChanged, ['locator("#ajmc")', "2 个元素"]),
    ("Locator.click: Element is not attached to the DOM", errors.PageChanged, ["Element is not attached"]),
    ("Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/", errors.SystemUnreachable,
     ["plain: 某系统无法连接", "服务器拒绝连接", "ERR_CONNECTION_REFUSED"]),
    ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://nowhere.invalid/", errors.SystemUnreachable, ["域名无法解析"]),
    ("Page.goto: net::ERR_CONNECTION_RESET at http://127.0.0.1:9/", errors.ServerError, ["net::ERR"]),
    ("Target page, context or browser has been closed", errors.ServerError, ["closed"]),
])
async def test_playwright_errors_map_by_kind(message: str, kind: type, words: list[str]) -> None:
    adapter = _Plain(None, SystemConfig("plain", "http://127.0.0.1:9"))
    with pytest.raises(kind) as info:
        await adapter._guard(_raise(Error(message)))
    assert all(w in str(info.value) for w in words)
    assert isinstance(playwright_error("plain", Error(message), title="某系统"), kind)


async def test_a_timeout_is_transient_and_an_unknown_error_is_re_raised_as_a_bug() -> None:
    adapter = _Plain(None, SystemConfig("plain", "http://127.0.0.1:9"))
    with pytest.raises(errors.PageTimeout):
        await adapter._guard(_raise(TimeoutError("Locator.click: Timeout 15000ms exceeded.")))
    odd = Error("Protocol error (Page.navigate): something new")
    with pytest.raises(Error) as info:
        await adapter._guard(_raise(odd))
    assert info.value is odd, "not recognised: re-raised as it is, not turned into a retryable error"
    assert playwright_error("plain", odd) is None


async def test_a_missing_option_is_named_in_the_system_once() -> None:
    adapter = _Plain(None, SystemConfig("plain", "http://127.0.0.1:9"))
    with pytest.raises(errors.OptionMissing) as info:
        await adapter._guard(_raise(errors.OptionMissing("移送案由", "0636")))
    assert str(info.value) == "某系统'移送案由'中没有选项 0636"
    assert not isinstance(info.value, errors.TransientError)
