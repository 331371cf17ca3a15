"""Shared fixtures: one sandbox process and one Chromium per session, reset between tests.

Browser fixtures come from pytest-playwright-asyncio (``browser``, ``context``,
``page`` are async); we only say which Chromium to launch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from casebot.kit.browser import BrowserOptions
from sandbox.client import SandboxClient, SandboxProcess
from tests.postgres import pg_url, postgres_server  # noqa: F401 - a real PostgreSQL server, shared fixtures


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: Any) -> dict[str, Any]:
    channel = pytestconfig.getoption("--browser-channel")
    opts = BrowserOptions(channel=channel, headless=not pytestconfig.getoption("--headed"))
    return opts.launch_kwargs()


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
