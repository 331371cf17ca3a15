"""Ops fixtures: a bare environment like cron's, a home of its own, the real `casebot` executable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import config_file, settings  # noqa: F401 - fixtures
from tests.receivers import smtp_server, webhook_server  # noqa: F401 - fixtures

CASEBOT = str(Path(sys.executable).with_name("casebot"))


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """What cron gives a job: HOME, a short PATH, LOGNAME/SHELL, nothing else (no DBus, no passwords)."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": os.environ.get("USER", "root"),
           "LANG": "C.UTF-8"}
    env.update(extra)
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def casebot(*args: str, env: dict[str, str], stdin: str | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CASEBOT, *args], env=env, input=stdin, capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)
