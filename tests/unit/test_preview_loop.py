"""``casebot preview`` shows the loop's further hops (SPEC 7) on each configured route, with labels and code
names: a police request as its 审查逮捕 card, a prosecutor's decision as the police's 决定登记, a judgment as
the 判决情况 of the procuratorate's card; each card the one the run makes (``Pipeline.route_card``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from casebot.cli.common import load_settings
from casebot.cli.preview import preview
from casebot.domain.model import as_requested
from casebot.mapping.pipeline import Pipeline
from tests.golden import arrest

EXAMPLE = Path(__file__).parents[2] / "examples" / "sandbox.toml"


def _records() -> list[dict]:
    case = arrest().police[0]  # 张三, 提请批捕: not transferred yet (no 审查起诉 card for it)
    decision = {"bmsah": "泉鲤捕受[2026]Y35050200001号", "ysajbh": case["ajbh"], "tqpbsh": "泉鲤公提捕〔2026〕5号",
                "index": "1", "person": {"xm": "张三", "zjlx": "111", "zjhm": "350502199003072415",
                                         "pbjd": {"jd": "1", "jdrq": "2026-10-09", "jdswh": "泉鲤检捕〔2026〕12号"}}}
    judgment = {"ah": "（2026）闽0502刑初1号", "qsswh": "泉鲤检刑诉〔2026〕123号", "zt": "已宣判",
                "bgr": [{"xm": "张三", "sfzh": "350502199003072415",
                         "pj": {"xprq": "2026-12-01", "pjzm": ["盗窃罪"], "zx": "有期徒刑", "xq": "10", "hx": "",
                                "fj": "3000"}}]}
    return [case, decision, judgment]


def test_preview_shows_the_loops_hops_route_by_route(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("preview")(preview)
    app.command("noop")(lambda: None)
    records = _records()
    src = tmp_path / "records.json"
    src.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()

    result = runner.invoke(app, ["preview", str(src), "--json", "--config", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    request, decision, judgment = json.loads(result.output)
    assert [i["error"] for i in (request, decision, judgment)] == [None, None, None]
    # the case waits for the arrest decision: the routes taking transferred cases do not list it
    assert set(request["cards"]) == {"police-arrest-review 泉鲤公提捕〔2026〕5号"}
    assert set(decision["cards"]) == {"procuratorate-police-decision"}
    assert set(judgment["cards"]) == {"court-procuratorate-judgment"}

    # each card is the one the run makes of the record the route reads
    settings = load_settings(EXAMPLE)
    routes = {r.name: r for r in settings.routes}
    pipeline = Pipeline()
    case = records[0]
    requested = as_requested(case, "泉鲤公提捕〔2026〕5号")
    assert request["cards"]["police-arrest-review 泉鲤公提捕〔2026〕5号"] == pipeline.route_card(
        settings, routes["police-arrest-review"], requested, {"arrest_request": requested})
    assert decision["cards"]["procuratorate-police-decision"] == pipeline.route_card(
        settings, routes["procuratorate-police-decision"], case, {"arrest_decision": records[1]}) == {
        "ajbh": case["ajbh"], "rybh": "R3505020000002026110001001", "jd": "批准逮捕", "jdrq": "2026-10-09",
        "jdswh": "泉鲤检捕〔2026〕12号"}
    assert judgment["cards"]["court-procuratorate-judgment"]["pjqk"] == [
        {"xm": "张三", "sfzh": "350502199003072415", "pjrq": "2026-12-01", "pjzm": ["0502"], "zx": "3", "xq": "10",
         "hx": "", "fj": "3000"}]
    assert request["hops"]["police-arrest-review 泉鲤公提捕〔2026〕5号"] == "公安提请批准逮捕 → 检察院审查逮捕案卡"

    # the tables: labels, codes with their names, the hop in a clerk's words
    tables = runner.invoke(app, ["preview", str(src), "--config", str(EXAMPLE)], env={"COLUMNS": "200"})
    assert tables.exit_code == 0, tables.output
    out = tables.output
    for line in (r"提请批准逮捕书文号\s+│\s*泉鲤公提捕〔2026〕5号", r"案件类别\s+│\s*审查逮捕",
                 r"强制措施\s+│\s*5（拘留）", r"决定书文号\s+│\s*泉鲤检捕〔2026〕12号", r"决定\s+│\s*批准逮捕",
                 r"主刑\s+│\s*3（有期徒刑）",
                 r"判决罪名\s+│\s*0502（盗窃罪）"):
        assert re.search(line, out), (line, out)
    for hop in ("公安提请批准逮捕 → 检察院审查逮捕案卡", "检察院批捕决定 → 公安决定登记", "法院宣判 → 检察院判决情况"):
        assert hop in out, out


def test_a_decision_without_its_police_case_is_said(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command("preview")(preview)
    app.command("noop")(lambda: None)
    src = tmp_path / "records.json"
    src.write_text(json.dumps(_records()[1:], ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["preview", str(src), "--json", "--config", str(EXAMPLE)])
    assert result.exit_code == 1
    decision, judgment = json.loads(result.output)
    assert "没有移送案件编号为 A3505020000002026110001 的公安案件" in decision["error"]
    assert judgment["error"] is None
