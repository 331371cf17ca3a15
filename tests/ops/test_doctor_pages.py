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
from casebot.cli import app
from casebot.widgets import Form
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

    ui = copy.deepcopy(ProcuratorateAdapter.ui)
    ui["view"]["ready"] = "#ajxx_v2"
    monkeypatch.setattr(ProcuratorateAdapter, "ui", ui)
    changed = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert changed.exit_code == 7, changed.stdout
    proc = {r["system"]: r for r in json.loads(changed.stdout)["systems"]}["procuratorate"]
    assert proc["kind"] == "page" and proc["problems"][0].startswith("回读页：")
    assert proc["screenshot"] and proc["screenshot"].endswith("procuratorate.png")


def test_doctor_lists_the_codes_a_target_lacks_and_where_a_missing_field_is_described(
        sandbox, config_file, monkeypatch):
    # codes added to the code tables but not to the procuratorate's system (its pickers and selects lack them)
    sandbox.set_faults("procuratorate", hidden_codes=["KSS350582", "0206", "Y350503"])
    cli = CliRunner()
    short = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert short.exit_code == 1, short.stdout
    rows = {r["system"]: r for r in json.loads(short.stdout)["systems"]}
    proc = rows["procuratorate"]
    assert proc["kind"] == "codes" and not proc["ok"] and rows["court"]["ok"]
    assert {c["field"]: (c["table"], c["column"], c["missing"]) for c in proc["codes"]} == {
        "ysdw": ("units", "ysdw_code", ["Y350503"]),
        "ysay": ("charges", "procuratorate_code", ["0206"]),
        "jycs": ("detention_houses", "procuratorate_code", ["KSS350582"]),
        "ay": ("charges", "procuratorate_code", ["0206"])}
    assert any("“羁押场所”的选项缺少代码表 detention_houses.procuratorate_code 中的 KSS350582" in p
               for p in proc["problems"])

    # a field of the person card (in its dialog) that an upgrade renamed
    sandbox.set_faults("procuratorate", hidden_codes=[])
    form = ProcuratorateAdapter.person_form
    moved = [dataclasses.replace(b, selector="#jycs_v2") if b.field == "jycs" else b for b in form.bindings]
    monkeypatch.setattr(ProcuratorateAdapter, "person_form", Form(form.name, moved, form.system, source=form.source))
    changed = cli.invoke(app, ["doctor", "--json", "--config", str(config_file)], catch_exceptions=False)
    assert changed.exit_code == 7, changed.stdout
    proc = {r["system"]: r for r in json.loads(changed.stdout)["systems"]}["procuratorate"]
    assert proc["kind"] == "page"
    [problem] = proc["problems"]
    assert problem.startswith("录入页：找不到字段“羁押场所”（选择器 #jycs_v2；表单描述 ")
    assert problem.endswith("procuratorate/form.yaml 的 person）")
    shot = proc["screenshot"]
    assert shot and Path(shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
