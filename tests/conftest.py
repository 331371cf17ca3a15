"""Shared fixtures: one sandbox process and one Chromium per session, reset between tests.

Browser fixtures come from pytest-playwright-asyncio (``context``, ``page`` are
async); the session's ``browser`` is the one casebot keeps for the test process
(``casebot.kit.browser.kept_browser``), so the runs a test starts use it too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from casebot.kit.browser import BrowserOptions, kept_browser, kept_driver
from sandbox.client import SandboxClient, SandboxProcess
from tests.postgres import pg_url, postgres_server  # noqa: F401 - a real PostgreSQL server, shared fixtures


@pytest.fixture(scope="session")
def browser_options(pytestconfig: Any) -> BrowserOptions:
    """The Chromium of this test process: the shipped options, with pytest-playwright's ``--browser-channel``
    and ``--headed``."""
    return BrowserOptions(channel=pytestconfig.getoption("--browser-channel"),
                          headless=not pytestconfig.getoption("--headed"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_options: BrowserOptions) -> dict[str, Any]:
    return browser_options.launch_kwargs()


@pytest.fixture(scope="session", autouse=True)
async def playwright() -> AsyncIterator[Any]:
    """One Playwright driver per test process, kept as a long-lived process keeps it (``kept_driver``): the
    browser fixtures and every run, doctor or reconcile a test starts in its event loop share it."""
    async with kept_driver() as pw:
        yield pw


@pytest.fixture(scope="session", autouse=True)
async def browser(playwright: Any, browser_options: BrowserOptions) -> AsyncIterator[Any]:
    """One Chromium per test process, kept the same way (``kept_browser``): the tests' own pages and every
    run, doctor or reconcile a test starts with the shipped browser options use it, each in browser
    contexts of its own that are closed when it ends, instead of starting and stopping a Chromium each."""
    async with kept_browser(browser_options) as kept:
        yield kept


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    with SandboxProcess() as proc:
        yield proc


@pytest.fixture
def sandbox(sandbox_process: SandboxProcess) -> Iterator[SandboxClient]:
    """The running sandbox, emptied (and faults cleared) before each test."""
    client = sandbox_process.client
    client.reset()
    yield client


@pytest.fixture
def urls(sandbox: SandboxClient) -> dict[str, str]:
    return sandbox.urls


#: the folders in the order their tests start: the longest first, so that the two workers end together instead
#: of one finishing a chaos test alone after the other ran out of work (``--dist worksteal`` hands each worker
#: a contiguous half and lets the first one done take from the end of the other's)
_FIRST = ("chaos", "e2e", "ops", "security", "adapters", "widgets", "sandbox", "core", "unit")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        parts = item.nodeid.split("/")
        folder = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return _FIRST.index(folder) if folder in _FIRST else len(_FIRST)

    items.sort(key=rank)  # stable: the order within a folder stays the files' own
