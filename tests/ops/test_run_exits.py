"""Every exit tells: run.finished with the exit code and reason in the log, and casebot.run/1 JSON on stdout,
on each path: locked, no password, invalid configuration, a run that did nothing (and so wrote no report)."""

from __future__ import annotations

import json
from pathlib import Path

from casebot.run.lock import RunLock
from tests.ops.conftest import bare_env, casebot

OUTCOMES = {"done", "failed", "retry", "unknown", "written", "dry-run"}


def finished_events(log: Path) -> list[dict]:
    return [e for e in map(json.loads, log.read_text(encoding="utf-8").splitlines()) if e["event"] == "run.finished"]


def test_a_locked_run_exits_5_and_says_so_in_json_and_log(sandbox, config_file, home):
    env = {**bare_env(home), **{f"CASEBOT_{s.upper()}_PASSWORD": "sandbox" for s in sandbox.urls}}
    with RunLock(config_file.parent / "var" / "ledger.sqlite3.lock"):
        result = casebot("run", "--json", "--config", str(config_file), env=env)
    assert result.returncode == 5
    out = json.loads(result.stdout)
    assert out["schema"] == "casebot.run/1" and out["exit_code"] == 5 and out["reason"] == "locked"
    assert out["run_id"] is None and "另一次 casebot 运行" in out["message"]
    [event] = finished_events(config_file.parent / "var" / "casebot.jsonl")
    assert event["exit_code"] == 5 and event["reason"] == "locked"


def test_a_run_without_passwords_exits_4_with_json_and_log(sandbox, config_file, home):
    result = casebot("run", "--json", "--config", str(config_file), env=bare_env(home))
    assert result.returncode == 4
    out = json.loads(result.stdout)
    assert out["exit_code"] == 4 and out["reason"] == "config" and "casebot secret set" in out["message"]
    [event] = finished_events(config_file.parent / "var" / "casebot.jsonl")
    assert event["exit_code"] == 4 and event["reason"] == "config"
    assert "Traceback" not in result.stderr


def test_an_invalid_config_exits_4_with_json(tmp_path, home):
    bad = tmp_path / "casebot.toml"
    bad.write_text('[systems.police]\nurl = "nowhere"\n')
    result = casebot("run", "--json", "--config", str(bad), env=bare_env(home))
    assert result.returncode == 4
    out = json.loads(result.stdout)
    assert out["schema"] == "casebot.run/1" and out["reason"] == "config" and "systems.police.url" in out["message"]
    assert "run.finished" in result.stderr, "no log file is known: the event goes to stderr (the schedule's log)"


def test_a_run_that_did_nothing_writes_no_report_and_lists_every_route(sandbox, config_file, home):
    env = {**bare_env(home), **{f"CASEBOT_{s.upper()}_PASSWORD": "sandbox" for s in sandbox.urls}}
    result = casebot("run", "--json", "--config", str(config_file), env=env, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout)
    assert out["report"] is None
    assert not list((config_file.parent / "var" / "reports").glob("report-*.html"))
    assert set(out["routes"]) == {"police-procuratorate", "procuratorate-court"}
    assert all(set(c) == OUTCOMES and not any(c.values()) for c in out["routes"].values())
    [event] = finished_events(config_file.parent / "var" / "casebot.jsonl")
    assert event["exit_code"] == 0 and event["reason"] == "ok"
