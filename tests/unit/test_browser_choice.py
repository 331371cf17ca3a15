"""Which Chromium a run launches: the headless shell when no window is wanted, the full browser otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebot.kit.browser import BrowserOptions, find_chromium


def _install(folder: Path, *names: str) -> None:
    for name in names:
        exe = folder / name
        exe.write_text("#!/bin/sh\nexit 0\n")
        exe.chmod(0o755)


def test_headless_runs_prefer_the_headless_shell_and_a_window_the_full_browser(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, "chromium", "chromium-headless-shell")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CASEBOT_CHROMIUM", raising=False)
    assert find_chromium(headless=True) == str(tmp_path / "chromium-headless-shell")
    assert find_chromium(headless=False) == str(tmp_path / "chromium")
    assert BrowserOptions(headless=True).launch_kwargs()["executable_path"].endswith("chromium-headless-shell")
    # `casebot login` shows a window: never the shell
    assert BrowserOptions(headless=False).launch_kwargs()["executable_path"] == str(tmp_path / "chromium")


def test_without_the_shell_or_with_an_explicit_choice_the_named_browser_is_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install(tmp_path, "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CASEBOT_CHROMIUM", raising=False)
    assert find_chromium(headless=True) == str(tmp_path / "chromium")
    _install(tmp_path, "chromium-headless-shell")
    monkeypatch.setenv("CASEBOT_CHROMIUM", str(tmp_path / "chromium"))
    assert find_chromium(headless=True) == str(tmp_path / "chromium")
    chosen = BrowserOptions(executable_path=str(tmp_path / "chromium"), headless=True).launch_kwargs()
    assert chosen["executable_path"] == str(tmp_path / "chromium")
    # a channel (msedge on a clerk's Windows workstation) is left to Playwright
    assert "executable_path" not in BrowserOptions(channel="msedge").launch_kwargs()
    assert os.path.exists(chosen["executable_path"])
