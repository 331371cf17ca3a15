"""doctor looks where a run looks: the search page finds a written case and the read-back page shows it; a
changed read-back page (its container renamed, as an upgrade would) fails doctor with exit 7, naming the page."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.procuratorate import ProcuratorateAdapter
from casebot.cli.main import app
from casebot.kit.widgets import Form
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
    assert rows["procuratorate"]["checked"] == ["登录", "录入页", "搜索页", "回读页", "选项与代码表"]
    assert rows["court"]["ok"] and "codes" not in rows["court"], "every code of the tables is offered"
    assert "第一次写入后" in rows["court"]["notes"][0], "nothing written to the court yet: said, not passed over"

    # an upgrade of the procuratorate's system: its read-back page's container renamed, a field of the person
    # card (in its dialog) renamed, and codes added to the code tables but not to its pickers and selects
    ui = copy.deepcopy(ProcuratorateAdapter.ui)
    ui["view"]["ready"] = "#ajxx_v2"
    monkeypatch.setattr(ProcuratorateAdapter, "ui", ui)
    form = ProcuratorateAdapter.forms["person"]
    moved = [dataclasses.replace(b, selector="#jycs_v2") if b.field == "jycs" else b for b in form.bindings]
    moved_form = Form(form.name, moved, form.system, source=form.source)
    monkeypatch.setattr(ProcuratorateAdapter, "forms", {**ProcuratorateAdapter.forms, "person": moved_form})
    sandbox.set_faults("procuratorate", hidden_codes=["KSS350582", "0206", "Y350503"])
    changed = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert changed.exit_code == 7, changed.stdout
    rows = {r["system"]: r for r in json.loads(changed.stdout)["systems"]}
    proc = rows["procuratorate"]
    assert proc["kind"] == "page" and rows["court"]["ok"]
    field, read_back, *codes = proc["problems"]
    assert field.startswith("录入页：找不到字段“羁押场所”（选择器 #jycs_v2；表单描述 ")
    assert field.endswith("procuratorate/form.yaml 的 person）")
    assert read_back.startswith("回读页：")
    assert {c["field"]: (c["table"], c["column"], c["missing"]) for c in proc["codes"]} == {
        "ysdw": ("units", "ysdw_code", ["Y350503"]),
        "ysay": ("charges", "procuratorate_code", ["0206"]),
        "ay": ("charges", "procuratorate_code", ["0206"])}, "every code the pickers and selects lack"
    assert any("“移送单位”的选项缺少代码表 units.ysdw_code 中的 Y350503" in p for p in codes)
    shot = proc["screenshot"]
    assert shot and shot.endswith("procuratorate.png") and Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_code_a_target_lacks_is_exit_1(sandbox, config_file):
    sandbox.set_faults("procuratorate", hidden_codes=["KSS350582"])
    short = CliRunner().invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert short.exit_code == 1, short.stdout
    proc = {r["system"]: r for r in json.loads(short.stdout)["systems"]}["procuratorate"]
    assert proc["kind"] == "codes" and [c["missing"] for c in proc["codes"]] == [["KSS350582"]]
    assert "“羁押场所”的选项缺少代码表 detention_houses.procuratorate_code 中的 KSS350582" in proc["problems"][0]


def test_doctor_finds_a_field_as_the_run_does_a_duplicated_id_is_not_normal(sandbox, config_file):
    """A second 案件名称 box with the same id: the run could not tell which to fill (exit 7), so doctor says so."""
    sandbox.set_faults("procuratorate", ambiguous=True)
    result = CliRunner().invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert result.exit_code == 7, result.stdout
    proc = {r["system"]: r for r in json.loads(result.stdout)["systems"]}["procuratorate"]
    assert not proc["ok"] and proc["kind"] == "page"
    assert any("案件名称" in p and "2 个" in p for p in proc["problems"]), proc["problems"]
