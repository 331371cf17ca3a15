"""Help a clerk reads: every command's help in Chinese (command names stay English)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from casebot.cli import app

CJK = re.compile(r"[\u4e00-\u9fff]")
COMMANDS = ["run", "status", "failures", "failures show", "replay", "metrics", "console", "doctor", "login",
            "schedule", "secret", "secret set", "secret list", "sandbox", "demo", "preview", "version",
            "deadlines"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_in_chinese(command):
    result = CliRunner().invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    summary = result.output.split("╭")[0]
    assert CJK.search(summary), f"`casebot {command} --help` explains itself in Chinese"


def test_the_command_list_is_in_chinese_with_english_names():
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    for name in ("run", "status", "failures", "replay", "metrics", "console", "schedule", "secret"):
        line = next(ln for ln in out.splitlines() if re.match(rf"│ {name}\s", ln))
        assert CJK.search(line), line
