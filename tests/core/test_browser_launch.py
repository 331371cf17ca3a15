"""The one way a command launches its browser (``casebot.kit.browser.launched``), with a real Chromium."""

from __future__ import annotations

import pytest

from casebot.errors import ConfigError
from casebot.kit import browser as kb
from casebot.kit.browser import BrowserOptions, kept_driver, launched

pytestmark = pytest.mark.browser


async def test_launches_share_the_kept_driver_and_close_their_browser() -> None:
    # the test suite keeps a driver for its event loop (tests/conftest.py): launches share it
    async with kept_driver() as pw:
        async with launched(BrowserOptions()) as first:
            assert first.browser_type is pw.chromium, "launched through the kept driver"
            page = await first.new_page()
            await page.set_content("<p>一</p>")
        async with launched(BrowserOptions()) as second:
            assert second.browser_type is first.browser_type, "the second launch shares the driver"
        assert not first.is_connected() and not second.is_connected(), "each browser closed on the way out"
    assert kb._KEPT, "the outer keeper (the suite's) still holds its driver: a nested keeper leaves it"


async def test_a_launch_that_fails_still_closes_its_browser() -> None:
    with pytest.raises(RuntimeError):
        async with launched(BrowserOptions()) as browser:
            raise RuntimeError("a run stopped half way")
    assert not browser.is_connected()


async def test_a_bad_executable_is_a_configuration_error_before_anything_starts(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        async with launched(BrowserOptions(executable_path=str(tmp_path / "no-chromium"))):
            pass
