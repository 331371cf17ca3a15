"""The commands ops use, against the running sandbox: run, status, failures, replay, doctor, schedule, demo."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from casebot.cli.main import app
from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_HUMAN_REQUIRED, EXIT_OK
from tests.golden import EXAMPLE, SECOND, assert_holds, golden

cli = CliRunner()


def invoke(config_file, *args):
    return cli.invoke(app, [*args, "--config", str(config_file)], catch_exceptions=False)


def test_run_status_failures_replay(sandbox, config_file):
    g = golden().only(EXAMPLE, SECOND)
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    result = invoke(config_file, "run", "--route", "police-procuratorate", "--json")
    assert result.exit_code == EXIT_CASES_FAILED
    out = json.loads(result.stdout)
    assert out["routes"]["police-procuratorate"]["failed"] >= 1
    assert out["report"] and out["report"].endswith(".html")

    status = json.loads(invoke(config_file, "status", "--json").stdout)
    failed = status["routes"]["police-procuratorate"]["failed"]
    assert failed == out["routes"]["police-procuratorate"]["failed"]

    failures = json.loads(invoke(config_file, "failures", "--json").stdout)["failures"]
    assert len(failures) == failed
    assert all(f["error_type"] == "RejectedError" and f["error_message"] for f in failures)
    assert all(any(a.endswith(".png") for a in f["artifacts"]) for f in failures), "a screenshot of each failure"
    table = invoke(config_file, "failures")
    assert "需人工处理" in table.stdout

    sandbox.set_faults("procuratorate")
    replayed = invoke(config_file, "replay", "--all", "--json")
    assert replayed.exit_code == EXIT_OK, replayed.stdout
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    assert json.loads(invoke(config_file, "failures", "--json").stdout)["failures"] == []
    nothing = invoke(config_file, "replay", "--all")
    assert nothing.exit_code == EXIT_OK


def test_run_refuses_bad_config(tmp_path):
    bad = tmp_path / "casebot.toml"
    bad.write_text('[systems.police]\nurl = "nowhere"\n')
    result = cli.invoke(app, ["run", "--config", str(bad)])
    assert result.exit_code == 4
    assert "systems.police.url" in result.output


def test_doctor_reports_each_system(sandbox, config_file):
    result = invoke(config_file, "doctor", "--json")
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    assert out["schema"] == "casebot.doctor/1" and out["ok"] and out["exit_code"] == 0
    rows = out["systems"]
    assert {r["system"] for r in rows} == {"police", "procuratorate", "court", "county", "smartcourt"}
    assert all(r["ok"] and not r["drift"] for r in rows)

    sandbox.set_faults("court", captcha=True)
    sandbox.call("county", "POST", "/_sandbox/county/release", {"release": 2})  # new element ids, same labels
    result = invoke(config_file, "doctor", "--json")
    rows = {r["system"]: r for r in json.loads(result.stdout)["systems"]}
    assert result.exit_code == 3, "a login needs a person"
    assert rows["court"]["kind"] == "login"
    assert not rows["court"]["ok"] and "casebot login court" in rows["court"]["problems"][0]
    assert rows["police"]["ok"]
    assert rows["county"]["ok"], "a field found by its label is drift, not a failure"
    assert rows["county"]["drift"][0] == "字段“案由”的选择器 #f1_ay 已失效，按标签找到 #f2_ay（请更新表单描述）"


def test_captcha_stops_the_system_not_the_run(sandbox, config_file):
    sandbox.seed(2, seed=52)
    sandbox.set_faults("procuratorate", captcha=True)
    result = invoke(config_file, "run", "--json")
    assert result.exit_code == EXIT_HUMAN_REQUIRED
    assert "casebot login procuratorate" in " ".join(json.loads(result.stdout)["system_errors"])
    assert sandbox.records("procuratorate") == []


def test_adapters_list_and_schedule(config_file):
    listed = json.loads(cli.invoke(app, ["adapters", "list", "--json"]).stdout)
    assert {r["name"]: r["roles"] for r in listed} == {
        "county": "target", "court": "target", "police": "source", "procuratorate": "source, target",
        "smartcourt": "target"}
    cron = invoke(config_file, "schedule", "--every", "10")
    assert cron.exit_code == 0 and "*/10 * * * *" in cron.stdout and " run --config " in cron.stdout
    win = invoke(config_file, "schedule", "--kind", "windows", "--every", "10")
    assert "schtasks" in win.stdout and "<Interval>PT10M</Interval>" in win.stdout
    systemd = invoke(config_file, "schedule", "--kind", "systemd")
    assert "OnCalendar=*-*-* *:00/15:00" in systemd.stdout


def test_demo_flows_cases_into_both_systems(tmp_path, monkeypatch):
    from casebot.cli.common import _Console
    from casebot.cli.demo import echo_to, run_demo
    from tests.ops.test_log_width import assert_within_80

    monkeypatch.delenv("COLUMNS", raising=False)
    lines: list[str] = []
    with (tmp_path / "demo.txt").open("w", encoding="utf-8") as f:  # `casebot demo > demo.txt`
        said = echo_to(_Console(file=f))
        result = run_demo(cases=4, seed=42, workdir=tmp_path / "demo", echo=lambda s: (lines.append(s), said(s)))
    # written to a file, the demo wraps at 80 columns and cuts nothing; the report's path stays whole
    text = (tmp_path / "demo.txt").read_text(encoding="utf-8")
    assert_within_80(text.replace(str(tmp_path), "/x"))
    assert any(ln.startswith("报告：") and ln.endswith(".html") for ln in text.splitlines()), text
    assert result["first"].count("done") == len(result["eligible"])
    assert result["first"].count("failed") == 2, "the two bad cases stop with a message"
    assert result["second"].count("done") == result["prosecuted"] > 0
    assert len(result["court"]) == result["prosecuted"]
    assert any("报告" in line for line in lines)
    third = result["third"]  # a case changes at the police; a prosecutor renamed another by hand
    assert third is not None and third.counters.get("updates") == 2, [r.error for r in third.results]
    assert [r.error_type for r in third.news if r.outcome == "failed"] == ["EditConflict"]
    assert len(third.waiting) == 2, "the two bad cases, unchanged since the first run: not news"
    assert any("此前已报告、仍待处理 2 起" in line for line in lines)
    assert any("已被人修改" in line for line in lines)
    # the loop: a request became a 审查逮捕 card, its decision reached the police, a judgment came back
    assert any("审查逮捕案卡" in line and "人卡 1 张" in line for line in lines), lines
    assert any(line.startswith("公安：决定登记 批准逮捕") for line in lines), lines
    assert any("状态 已判决" in line for line in lines), lines
