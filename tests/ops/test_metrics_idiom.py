"""Metrics in Prometheus's idiom: counters that only grow (cases by route and outcome, runs by exit status), the
last success, each system's reachable and login-blocked state, the workstation on every series; a replay counted
apart and never taken for the scheduled run; `schedule` wiring the textfile collector."""

from __future__ import annotations

import sys
from pathlib import Path

from prometheus_client.openmetrics.parser import text_string_to_metric_families

from casebot.cli.demo import sandbox_settings
from casebot.ops import lastrun, snapshot
from casebot.ops import metrics as m
from casebot.ops import schedule as sched
from casebot.run.outcome import CaseResult, RunSummary


def summary(exit_code: int, started: float, outcomes: dict[str, int], *, errors: list[str] = (),
            blocked: dict[str, str] | None = None, unreachable: dict[str, str] | None = None) -> RunSummary:
    s = RunSummary(run_id=f"r{started}", started=started, finished=started + 30, exit_code=exit_code,
                   system_errors=list(errors), blocked=dict(blocked or {}), unreachable=dict(unreachable or {}))
    for outcome, n in outcomes.items():
        s.results += [CaseResult("police-procuratorate", f"A{started}{outcome}{i}", outcome=outcome) for i in range(n)]
    return s


def families(settings) -> dict:
    snap = snapshot.take(settings)
    text = m.openmetrics(m.registry(routes=snap.routes, counts=snap.counts, last_run=snap.last_run,
                                    oldest_failure=snap.oldest_at, now=snap.taken, settings=settings))
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_counters_last_success_systems_and_replays_apart(tmp_path):
    settings = sandbox_settings({"police": "http://127.0.0.1:1", "procuratorate": "http://127.0.0.1:2"}, tmp_path,
                                ledger={"workstation": "xm-court-03"},
                                routes=[{"name": "police-procuratorate", "source": "police",
                                         "target": "procuratorate"}])
    lastrun.record_end(settings, summary(0, 1000.0, {"done": 2}), kind="run")
    lastrun.record_end(settings, summary(1, 2000.0, {"done": 1, "failed": 1}), kind="run")
    lastrun.record_end(settings, summary(3, 2500.0, {}, blocked={"police": "police: 系统拒绝了配置的账号或密码"}),
                       kind="run")
    down = "procuratorate: 检察业务应用系统无法连接：服务器拒绝连接（服务未运行？）（ERR_CONNECTION_REFUSED）"
    lastrun.record_end(settings, summary(2, 3000.0, {"retry": 2}, errors=[down],
                                         blocked={"police": "police: 系统拒绝了配置的账号或密码"},
                                         unreachable={"procuratorate": "检察业务应用系统"}), kind="run")
    lastrun.record_end(settings, summary(0, 4000.0, {"done": 1}), kind="replay")

    f = families(settings)
    cases = f["casebot_cases"]  # the counter family casebot_cases_total
    assert cases.type == "counter"
    got = {(s.labels["route"], s.labels["outcome"]): s.value for s in cases.samples if s.name.endswith("_total")}
    assert got[("police-procuratorate", "done")] == 4 and got[("police-procuratorate", "failed")] == 1
    assert got[("police-procuratorate", "retry")] == 2
    runs = {s.labels["exit"]: s.value for s in f["casebot_runs"].samples if s.name.endswith("_total") and s.value}
    assert f["casebot_runs"].type == "counter" and runs == {"0": 1, "1": 1, "2": 1, "3": 1}
    replays = {s.labels["exit"]: s.value for s in f["casebot_replays"].samples
               if s.name.endswith("_total") and s.value}
    assert {s.labels["exit"] for s in f["casebot_runs"].samples} >= {"0", "1", "2", "3", "7", "9"}, "zeros too"
    assert replays == {"0": 1}
    [exit_code] = f["casebot_last_run_exit_code"].samples
    assert exit_code.value == 2, "a replay is not the scheduled run"
    [success] = f["casebot_last_success_timestamp_seconds"].samples
    assert success.value == 2030.0  # exit 1 went through (cases left for a clerk); 2 and 3 did not
    up = {s.labels["system"]: s.value for s in f["casebot_system_up"].samples}
    assert up == {"police": 1, "procuratorate": 0}
    blocked = {s.labels["system"]: s.value for s in f["casebot_system_login_blocked"].samples}
    assert blocked == {"police": 1, "procuratorate": 0}
    for fam in f.values():
        for s in fam.samples:
            assert s.labels.get("workstation") == "xm-court-03", (fam.name, s)


def test_schedule_runs_the_textfile_collector_step(tmp_path):
    config = tmp_path / "casebot.toml"
    config.write_text('[systems.police]\nurl = "http://127.0.0.1:1"\n[[routes]]\nname = "r"\nsource = "police"\n'
                      'target = "police"\n', encoding="utf-8")
    prom = tmp_path / "textfile" / "casebot.prom"
    p = sched.plan(Path(sys.executable).with_name("casebot"), config, 15, tmp_path / "casebot-run.log",
                   textfile=prom)
    line = sched.cron_line(p)
    assert line.index(" run --config ") < line.index(f"metrics --config {config} --textfile {prom}")
    assert "; " in line, "the metrics step runs whatever the run's exit status"
    service = sched.systemd_units(p)["casebot.service"]
    assert "ExecStopPost=" in service and f"--textfile {prom}" in service
    xml = sched.windows_task_xml(p)
    assert "metrics" in xml and str(prom) in xml
