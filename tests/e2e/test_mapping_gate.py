"""Mappings gate the run, and ``replay --fresh`` converges (a misspelled target field, end to end).

A mapping that ``casebot mappings check`` calls unusable stops ``run`` and ``replay``
with exit 4 before a page is opened, the problem named by file and line. A record an
older casebot wrote incomplete with such a mapping is completed by ``replay --fresh``
once the mapping is fixed, through the target's edit pages, and read back exact.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebot import config
from casebot.cli import app
from casebot.ledger import open_ledger
from casebot.pipeline import Pipeline
from casebot.run import EXIT_CASES_FAILED, EXIT_OK, Runner
from casebot.run.outcome import EXIT_CONFIG
from mappings import MAPPINGS_DIR
from tests.golden import EXAMPLE, assert_holds, golden, holdings

cli = CliRunner()
FILE = "card_to_procuratorate.yaml"


def invoke(config_file: Path, *args: str):
    return cli.invoke(app, [*args, "--config", str(config_file)], catch_exceptions=False)


def mappings_dir(tmp_path: Path, **renames: str) -> Path:
    """A copy of the shipped mappings with target fields renamed (``ajzy="ajzyy"``: a misspelling)."""
    directory = tmp_path / "mappings"
    if directory.exists():
        shutil.rmtree(directory)
    shutil.copytree(MAPPINGS_DIR, directory, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    text = (directory / FILE).read_text(encoding="utf-8")
    for old, new in renames.items():
        assert f"\n  {old}:" in text
        text = text.replace(f"\n  {old}:", f"\n  {new}:", 1)
    (directory / FILE).write_text(text, encoding="utf-8")
    return directory


def use_mappings(config_file: Path, directory: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    if "[mappings]" not in text:
        config_file.write_text(text + f'\n[mappings]\ndir = "{directory.as_posix()}"\n', encoding="utf-8")


def line_of(directory: Path, key: str) -> int:
    lines = (directory / FILE).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(f"  {key}:"))


@pytest.mark.parametrize(("wrong", "right"), [("ajzy", "ajzyy"), ("ajmc", "ajmcc")])
def test_a_misspelled_target_field_stops_the_run_before_a_page_opens(sandbox, config_file, tmp_path, wrong, right):
    sandbox.add_cases(golden().only(EXAMPLE).police)
    directory = mappings_dir(tmp_path, **{wrong: right})
    use_mappings(config_file, directory)
    check = cli.invoke(app, ["mappings", "check", "--dir", str(directory)])
    assert check.exit_code == EXIT_CONFIG, check.output

    result = invoke(config_file, "run", "--json")
    assert result.exit_code == EXIT_CONFIG, result.output
    message = json.loads(result.stdout)["message"]
    assert f"{FILE}:{line_of(directory, right)}" in message and repr(right) in message
    assert sandbox.records("procuratorate") == [] and sandbox.police_cases(), "nothing was written"


def test_replay_fresh_completes_a_record_written_incomplete(sandbox, config_file, tmp_path, monkeypatch):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    broken = mappings_dir(tmp_path, ajzy="ajzyy")
    use_mappings(config_file, broken)
    refused = invoke(config_file, "run", "--route", "police-procuratorate")
    assert refused.exit_code == EXIT_CONFIG and "ajzyy" in refused.output

    # an older casebot had no gate: it saved the record without 案情摘要, then the read-back failed
    settings = config.load(config_file)
    monkeypatch.setattr(Pipeline, "gate", lambda self, settings: None)
    older = asyncio.run(Runner(settings, routes=["police-procuratorate"]).run())
    monkeypatch.undo()
    assert older.exit_code == EXIT_CASES_FAILED
    assert [r.error_type for r in older.results] == ["VerificationError"]
    [written] = holdings(sandbox, "procuratorate").values()
    assert not written.get("ajzy"), "the record was saved incomplete"

    # a person corrects another field meanwhile: the replay must leave it as typed
    sandbox.call("procuratorate", "POST", "/_sandbox/edit", {"ysajbh": EXAMPLE, "set": {"ajmc": "检察官定的案名"}})

    # still broken: replay is refused too, before a page opens
    ledger = open_ledger(settings.ledger_url())
    [item] = ledger.items(states=("failed",))
    ledger.close()
    again = invoke(config_file, "replay", str(item.id), "--fresh")
    assert again.exit_code == EXIT_CONFIG and "ajzyy" in again.output

    mappings_dir(tmp_path)  # the mapping fixed, in place
    fixed = invoke(config_file, "replay", str(item.id), "--fresh")
    assert fixed.exit_code == EXIT_OK, fixed.output
    # completed in place (one record: assert_holds fails on a key held twice), the person's name kept
    assert_holds(sandbox, "procuratorate", {EXAMPLE: {**g.procuratorate[EXAMPLE], "ajmc": "检察官定的案名"}})
