"""One exit-status table (casebot.run.outcome.EXITS): README's table, the run's help and the errors' statuses agree."""

from __future__ import annotations

import re
from pathlib import Path

from casebot import errors
from casebot.run.outcome import ERROR_EXITS, EXIT_TEXT, EXITS, REASONS, ended_by

ROOT = Path(__file__).parents[2]


def _readme_statuses() -> set[int]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Exit statuses", 1)[1].split("\n\n", 2)[1]
    codes: set[int] = set()
    for row in table.splitlines()[2:]:
        codes.update(int(n) for n in re.findall(r"\d+", row.split("|")[1]))
    return codes


def test_readme_lists_every_exit_status_and_no_other():
    assert _readme_statuses() == set(EXITS)


def test_every_status_has_a_word_and_a_persons_text():
    assert set(REASONS) == set(EXIT_TEXT) == set(EXITS)
    assert all(word.isascii() and text and not text.isascii() for word, text in EXITS.values())


def test_the_errors_statuses_are_in_the_table():
    assert {code for _, code, _ in ERROR_EXITS} <= set(EXITS)
    assert ended_by(errors.ConfigError("x", system="county")) == 4
    assert ended_by(errors.MappingError("x")) == 4
    assert ended_by(RuntimeError("x")) == 8
    assert ended_by(KeyboardInterrupt()) == 130
