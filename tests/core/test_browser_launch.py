"""The one way a command launches its browser (``casebot.kit.browser.launched``), with a real Chromium.

This suite keeps a driver and a browser for its event loop (tests/conftest.py); what a process without them
sees is tried on an event loop of its own, in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from casebot.errors import ConfigError
from casebot.kit import browser as kb
from casebot.kit.browser import BrowserOptions, kept_browser, kept_driver, launched

pytestmark = pytest.mark.browser


async def elsewhere(body: Callable[[], Awaitable[Any]]) -> Any:
    """``body`` run on a new event loop, as a process that keeps nothing runs it."""
    return await asyncio.to_thread(asyncio.run, body())


async def test_without_a_kept_browser_launches_share_the_kept_driver_and_close_their_browser() -> None:
    async def body() -> None:
        assert not kb._KEPT_BROWSERS.get(id(asyncio.get_running_loop()))
        async with kept_driver() as pw:
            async with launched(BrowserOptions()) as first:
                assert first.browser_type is pw.chromium, "launched through the kept driver"
                page = await first.new_page()
                await page.set_content("<p>一</p>")
            async with launched(BrowserOptions()) as second:
                assert second.browser_type is first.browser_type, "the second launch shares the driver"
            assert not first.is_connected() and not second.is_connected(), "each browser closed on the way out"

    await elsewhere(body)
    assert kb._KEPT, "the suite's keeper still holds its driver"


async def test_a_launch_that_fails_still_closes_its_browser() -> None:
    async def body() -> Any:
        with pytest.raises(RuntimeError):
            async with launched(BrowserOptions()) as browser:
                raise RuntimeError("a run stopped half way")
        return browser.is_connected()

    assert await elsewhere(body) is False


async def test_inside_a_kept_browser_launches_use_it_and_close_only_the_contexts_they_opened(browser: Any) -> None:
    mine = await browser.new_context()  # a context opened before (a test's own page): not the launch's to close
    with pytest.raises(RuntimeError):
        async with launched(BrowserOptions()) as shared:
            assert shared is browser, "the kept browser, not a second Chromium"
            run_context = await shared.new_context()
            await (await run_context.new_page()).set_content("<p>二</p>")
            raise RuntimeError("a run stopped half way")
    assert browser.is_connected(), "the kept browser stays"
    assert mine in browser.contexts and run_context not in browser.contexts, "only the launch's context closed"
    await mine.close()
    async with launched(BrowserOptions(extra_args=["--lang=zh-CN"])) as other:
        assert other is not browser, "other options: a browser of its own"
    assert not other.is_connected()


async def test_a_kept_browser_that_went_away_is_launched_again_and_closed_at_the_end() -> None:
    async def body() -> tuple[bool, bool, bool]:
        async with kept_browser(BrowserOptions()) as first:
            await first.close()  # crashed, or closed by someone
            async with launched(BrowserOptions()) as again:
                page = await again.new_page()
                await page.set_content("<p>三</p>")
                relaunched = again is not first and again.is_connected()
        return relaunched, again.is_connected(), bool(kb._KEPT_BROWSERS.get(id(asyncio.get_running_loop())))

    relaunched, still_open, still_kept = await elsewhere(body)
    assert relaunched and not still_open and not still_kept


async def test_a_bad_executable_is_a_configuration_error_before_anything_starts(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        async with launched(BrowserOptions(executable_path=str(tmp_path / "no-chromium"))):
            pass
