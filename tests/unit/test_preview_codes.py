"""``casebot preview`` shows a code with its name: 强制措施 6（逮捕）, not a bare 6 (issue 21, item 6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from casebot.cli.preview import preview
from tests.unit.conftest import EXAMPLE_CASE


def test_preview_names_the_codes(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("preview")(preview)
    app.command("noop")(lambda: None)
    src = tmp_path / "cases.json"
    src.write_text(json.dumps(EXAMPLE_CASE, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(src)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert re.search(r"强制措施\s+│\s*6（逮捕）", result.output), result.output
    assert re.search(r"性别\s+│\s*1（男）", result.output), result.output
