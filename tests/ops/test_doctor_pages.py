"""doctor looks where a run looks: the search page finds a written case and the read-back page shows it; a
changed read-back page (its container renamed, as an upgrade would) fails doctor with exit 7, naming the page."""

from __future__ import annotations

import copy
import json
import os

import pytest
from typer.testing import CliRunner

from adapters.procuratorate import ProcuratorateAdapter
from casebot.cli import app
from tests.ops.conftest import casebot

pytestmark = pytest.mark.browser


def test_doctor_checks_search_and_read_back_pages(sandbox, config_file, monkeypatch):
    sandbox.seed(1, seed=91)
    ran = casebot("run", "--route", "police-procuratorate", "--config", str(config_file), env=dict(os.environ),
                  timeout=240)
    assert ran.returncode == 0, ran.stderr[-2000:]

    cli = CliRunner()
    ok = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert ok.exit_code == 0, ok.stdout
    rows = {r["system"]: r for r in json.loads(ok.stdout)["systems"]}
    assert rows["procuratorate"]["checked"] == ["登录", "录入页", "搜索页", "回读页"]
    assert "第一次写入后" in rows["court"]["notes"][0], "nothing written to the court yet: said, not passed over"

    ui = copy.deepcopy(ProcuratorateAdapter.ui)
    ui["view"]["ready"] = "#ajxx_v2"
    monkeypatch.setattr(ProcuratorateAdapter, "ui", ui)
    changed = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert changed.exit_code == 7, changed.stdout
    proc = {r["system"]: r for r in json.loads(changed.stdout)["systems"]}["procuratorate"]
    assert proc["kind"] == "page" and proc["problems"][0].startswith("回读页：")
    assert proc["screenshot"] and proc["screenshot"].endswith("procuratorate.png")
