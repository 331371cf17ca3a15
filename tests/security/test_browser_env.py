"""Chromium does not inherit the robot's secrets (issue 26 item 16): no ``CASEBOT_*_PASSWORD`` in its environment."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from casebot.kit.browser import BrowserOptions

SECRET = "Pw-" + uuid.uuid4().hex


def _browser_environments(mark: str) -> list[dict[str, str]]:
    """The environments of the running processes that carry ``mark`` (the browser launched here)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            raw = (proc / "environ").read_bytes()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        env = dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)
        if env.get("CASEBOT_TEST_MARK") == mark and b"chrom" in cmdline.lower():
            found.append(env)
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_chromium_is_launched_without_the_password_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    mark = uuid.uuid4().hex
    monkeypatch.setenv("CASEBOT_TEST_MARK", mark)
    monkeypatch.setenv("CASEBOT_POLICE_PASSWORD", SECRET)
    monkeypatch.setenv("CASEBOT_COURT_PASSWORD", SECRET)

    async def launched() -> list[dict[str, str]]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**BrowserOptions().launch_kwargs())
            try:
                return _browser_environments(mark)
            finally:
                await browser.close()

    envs = asyncio.run(launched())
    assert envs, "the browser's processes were not found"
    for env in envs:
        assert not [k for k in env if k.startswith("CASEBOT_") and k.endswith("_PASSWORD")], sorted(env)
        assert SECRET not in "\0".join(env.values())
    assert os.environ["CASEBOT_POLICE_PASSWORD"] == SECRET  # the robot's own environment keeps it
