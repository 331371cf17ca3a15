"""doctor opens the pages of the loop's further kinds of record (SPEC 7) as a run finds them: the 审查逮捕
card form, the police's requests and 决定登记 page, the procuratorate's decisions and 判决情况 page, the
court's 宣判 page; a changed one fails doctor with exit 7, named with the kind it serves."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
from typer.testing import CliRunner

from adapters.court import CourtJudgments
from adapters.procuratorate import JudgmentEntry
from casebot.cli.common import load_settings
from casebot.cli.demo import LOOP_ROUTES
from casebot.cli.main import app
from casebot.kit.widgets import Form
from casebot.run import Runner
from tests.golden import arrest, decisions, golden, judgments

pytestmark = pytest.mark.browser

QSSWH = "泉鲤检刑诉〔2026〕123号"


def _loop_config(config_file):
    lines = []
    for r in LOOP_ROUTES:
        lines += ["", "[[routes]]", *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in r.items()
                                      if k != "filters")]
        if r.get("filters"):
            lines.append("filters = { " + ", ".join(f'{k} = "{v}"' for k, v in r["filters"].items()) + " }")
    text = config_file.read_text(encoding="utf-8")
    head, sep, tail = text.partition("[run]")
    config_file.write_text(head + "\n".join(lines) + "\n\n" + sep + tail, encoding="utf-8")
    return config_file


def test_doctor_checks_the_pages_of_the_loops_kinds(sandbox, config_file, monkeypatch):
    hop, want = arrest(), decisions()
    sandbox.add_cases(hop.police[:2])  # the second case's requests wait for a decision: listed
    sandbox.call("procuratorate", "POST", "/_sandbox/records", list(hop.expected.values()))
    sandbox.call("procuratorate", "POST", "/_sandbox/decide", want["decisions"][0])
    g, judged = golden(), judgments()
    sandbox.call("procuratorate", "POST", "/_sandbox/records",
                 [v for v in g.procuratorate_after().values() if v["qsswh"] == QSSWH])
    sandbox.call("court", "POST", "/_sandbox/records", [g.court[QSSWH]])
    for j in judged["judge"]:
        if j["qsswh"] == QSSWH:
            sandbox.call("court", "POST", "/_sandbox/judge", j)
    config = _loop_config(config_file)
    summary = asyncio.run(Runner(load_settings(config), routes=["procuratorate-police-decision",
                                                                 "court-procuratorate-judgment"]).run())
    assert sorted(r.outcome for r in summary.results) == ["done", "done"], [r.error for r in summary.results]

    cli = CliRunner()
    ok = cli.invoke(app, ["doctor", "--json", "--config", str(config)], catch_exceptions=False)
    assert ok.exit_code == 0, ok.stdout
    rows = {r["system"]: r for r in json.loads(ok.stdout)["systems"]}
    assert rows["police"]["checked"] == ["登录", "提请批准逮捕页", "决定登记录入页", "决定登记搜索页", "决定登记回读页"]
    proc = rows["procuratorate"]["checked"]
    for page in ("审查逮捕案卡录入页", "判决情况录入页", "判决情况搜索页", "判决情况回读页", "批捕决定页"):
        assert page in proc, proc
    assert "宣判页" in rows["court"]["checked"], rows["court"]
    assert any(n.startswith("审查逮捕案卡：") for n in rows["procuratorate"]["notes"]), "none written yet: said"

    # an upgrade: the 判决情况 page's 主刑 renamed, the court's 判决情况 table renamed
    form = JudgmentEntry.forms["judgment"]
    moved = [dataclasses.replace(b, selector="#zx_v2") if b.field == "zx" else b for b in form.bindings]
    monkeypatch.setattr(JudgmentEntry, "forms", {**JudgmentEntry.forms,
                                                 "judgment": Form(form.name, moved, form.system, source=form.source)})
    view = CourtJudgments.forms["judgment"]
    renamed = [dataclasses.replace(b, selector="#pj-table-v2") if b.field == "bgr" else b for b in view.bindings]
    renamed_view = Form(view.name, renamed, view.system, source=view.source)
    monkeypatch.setattr(CourtJudgments, "forms", {**CourtJudgments.forms, "judgment": renamed_view})
    changed = cli.invoke(app, ["doctor", "--json", "--config", str(config)], catch_exceptions=False)
    assert changed.exit_code == 7, changed.stdout
    rows = {r["system"]: r for r in json.loads(changed.stdout)["systems"]}
    assert rows["police"]["ok"]
    [problem] = rows["procuratorate"]["problems"]
    assert problem.startswith("判决情况录入页：找不到字段“主刑”（选择器 #zx_v2；表单描述 "), problem
    assert rows["procuratorate"]["kind"] == "page" and rows["procuratorate"]["screenshot"]
    [problem] = rows["court"]["problems"]
    assert problem.startswith("宣判：") and "#pj-table-v2" in problem, problem
