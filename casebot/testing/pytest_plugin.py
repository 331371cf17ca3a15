"""The contract suite's pytest plugin (entry point ``pytest11``): what an adapter package's tests need.

Installed with casebot, it is loaded by pytest in any project: an adapter package outside casebot's
tree subclasses :class:`casebot.testing.TargetContract` and gets, from here,

- ``browser_type_launch_args``: the Chromium casebot uses (``browser.executable_path`` as casebot
  finds it, ``--browser-channel`` of pytest-playwright, ``--headed``), never a downloaded browser;
- ``contract_timeout_ms``: how long one awaited thing may take (``CASEBOT_CONTRACT_TIMEOUT_MS``,
  default 30000), for the ``SystemConfig`` the package's test builds.

The asyncio settings the suite runs under (one event loop for the session, as pytest-playwright-asyncio's
browser is) are ini settings: ``casebot adapters new`` writes them into the package's ``pyproject.toml``::

    [tool.pytest.ini_options]
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "session"
    asyncio_default_test_loop_scope = "session"
"""

from __future__ import annotations

import os
from typing import Any

import pytest


class ContractFixtures:
    """The fixtures, registered once every plugin is loaded: pytest-playwright's own
    ``browser_type_launch_args`` (a downloaded browser) is then overridden by this one."""

    @pytest.fixture(scope="session")
    def browser_type_launch_args(self, pytestconfig: Any) -> dict[str, Any]:
        from casebot.kit.browser import BrowserOptions

        def option(name: str) -> Any:
            try:
                return pytestconfig.getoption(name)
            except ValueError:  # pytest-playwright-asyncio not loaded
                return None

        opts = BrowserOptions(channel=option("--browser-channel"), headless=not option("--headed"))
        return opts.launch_kwargs()

    @pytest.fixture(scope="session")
    def contract_timeout_ms(self) -> int:
        return int(os.environ.get("CASEBOT_CONTRACT_TIMEOUT_MS", "30000"))


def pytest_configure(config: Any) -> None:
    config.pluginmanager.register(ContractFixtures(), "casebot-contract-fixtures")
