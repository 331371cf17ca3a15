"""Help a clerk reads: every command's help in Chinese (command names stay English)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from casebot.cli.main import app

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


def _every_command() -> list[list[str]]:
    from typer.main import get_command

    def walk(cmd, path):
        yield path
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(get_command(app), []))


#: what may stay as it is in a help page: command lines, options, metavars, code, constants, file names
_KEPT = re.compile(r"casebot(?: [a-z-]+)*|--?[\w-]+|<[^>]*>|`[^`]*`|\b[A-Z_]{3,}\b"
                   r"|[\w./-]+\.(?:toml|md|json|csv|yaml|html|prom|py)\b")
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,'][A-Za-z]{2,})+\b")


def test_no_help_page_speaks_english():
    """Help was half English (reconcile, audit, ledger, adapters, mappings, preview's options, "Show this message
    and exit", "env var"): every command's --help is scanned for English phrases."""
    found = {}
    for path in _every_command():
        out = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
        hits = {m.group(0) for line in out.splitlines() for m in _ENGLISH.finditer(_KEPT.sub("", line))}
        if hits:
            found[" ".join(path) or "casebot"] = sorted(hits)
    assert found == {}


def test_audit_verify_help_gives_its_real_exit_status():
    from casebot.cli.audit import EXIT_TAMPERED as EXIT_AUDIT_ALTERED

    out = CliRunner().invoke(app, ["audit", "verify", "--help"], env={"COLUMNS": "200"}).output
    assert f"退出码 {EXIT_AUDIT_ALTERED}" in out
