"""End-to-end fixtures: settings for the running sandbox, state isolated in a tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebot.cli.demo import sandbox_settings
from casebot.config import Settings


@pytest.fixture
def settings(sandbox, tmp_path) -> Settings:
    return sandbox_settings(sandbox.urls, tmp_path, browser={"concurrency": 2},
                            run={"backoff_initial_s": 0.05, "backoff_max_s": 0.3, "max_attempts": 5})


@pytest.fixture
def config_file(sandbox, tmp_path) -> Path:
    """The same settings as a casebot.toml, for tests that run the real `casebot` process."""
    lines = []
    for name, url in sandbox.urls.items():
        lines += [f"[systems.{name}]", f'url = "{url}"', 'username = "casebot"', ""]
    lines += ['[[routes]]', 'name = "police-procuratorate"', 'source = "police"', 'target = "procuratorate"',
              'filters = { status = "已移送起诉" }', "",
              '[[routes]]', 'name = "procuratorate-court"', 'source = "procuratorate"', 'target = "court"',
              'case_source = "police"', 'filters = { zt = "已起诉" }', "",
              "[run]", "backoff_initial_s = 0.05", "backoff_max_s = 0.3", "",
              "[browser]", "concurrency = 2"]
    path = tmp_path / "casebot.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in sandbox.urls:
        os.environ.setdefault(f"CASEBOT_{name.upper()}_PASSWORD", "sandbox")
    return path
