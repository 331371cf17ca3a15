"""What ops read after a run with failures: status, failures (100 columns), failures show, replay's usage errors,
metrics in OpenMetrics; the real `casebot` process at the width of a clerk's terminal."""

from __future__ import annotations

import json
import os

from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.parser import text_string_to_metric_families as prometheus_families
from rich.cells import cell_len

from tests.ops.conftest import casebot


def env100() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "100", "TZ": "Asia/Shanghai"}


def test_after_a_failing_run_ops_see_counts_last_run_oldest_failure_and_metrics(sandbox, config_file, tmp_path):
    sandbox.seed(3, seed=71)
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    cfg = ["--config", str(config_file)]
    run = casebot("run", "--route", "police-procuratorate", *cfg, env=env100(), timeout=240)
    assert run.returncode == 1, run.stderr[-2000:]

    status = json.loads(casebot("status", "--json", *cfg, env=env100()).stdout)
    assert status["schema"] == "casebot.status/1"
    assert status["routes"]["procuratorate-court"] == dict.fromkeys(
        ("pending", "writing", "written", "done", "retry", "unknown", "failed"), 0), "an idle route, zeros included"
    failed = status["routes"]["police-procuratorate"]["failed"]
    assert failed >= 1
    assert status["last_run"]["exit_code"] == 1 and status["last_run"]["finished"].endswith("+08:00")
    assert status["oldest_failure"]["age_seconds"] >= 0 and status["oldest_failure"]["since"].endswith("+08:00")
    text = casebot("status", *cfg, env=env100()).stdout
    assert "退出码 1（有案件需要人工处理）" in text and "最早的待人工处理案件" in text and "已等待" in text

    table = casebot("failures", *cfg, env=env100())
    lines = table.stdout.splitlines()
    assert all(cell_len(ln) <= 100 for ln in lines), "fits 100 columns"
    assert "失败案件 · police-procuratorate" in table.stdout
    rows = [ln for ln in lines if ln.startswith("│") and "需人工处理" in ln]
    assert len(rows) == failed, "one line per case"
    items = json.loads(casebot("failures", "--json", *cfg, env=env100()).stdout)["failures"]
    assert items[0]["updated_at"].endswith("+08:00"), "local time, as in the report"

    shown = casebot("failures", "show", str(items[0]["id"]), *cfg, env=env100())
    assert shown.returncode == 0
    assert f"案件编号：{items[0]['case_key']}" in shown.stdout and "截图：" in shown.stdout
    assert f"casebot replay {items[0]['id']}" in shown.stdout
    detail = json.loads(casebot("failures", "show", str(items[0]["id"]), "--json", *cfg, env=env100()).stdout)
    assert detail["schema"] == "casebot.failure/1" and detail["history"], "each attempt of the case"

    missing = casebot("replay", "99", *cfg, env=env100())
    assert missing.returncode == 4 and "用法错误" in missing.stderr and "99" in missing.stderr
    assert "配置错误" not in missing.stderr
    nothing = casebot("replay", *cfg, env=env100())
    assert nothing.returncode == 4 and "用法错误" in nothing.stderr
    bad_option = casebot("replay", "--bogus", *cfg, env=env100())
    assert bad_option.returncode == 4, "a usage error is not exit 2 (retry later)"

    metrics = casebot("metrics", *cfg, env=env100()).stdout
    assert metrics.rstrip().endswith("# EOF")
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    cases = {(s.labels["route"], s.labels["state"]): s.value for s in families["casebot_ledger_cases"].samples}
    assert cases[("police-procuratorate", "failed")] == failed
    assert cases[("procuratorate-court", "pending")] == 0
    outcomes = {(s.labels["route"], s.labels["outcome"]): s.value
                for s in families["casebot_last_run_cases"].samples}
    assert outcomes[("police-procuratorate", "failed")] == failed and outcomes[("procuratorate-court", "done")] == 0
    assert families["casebot_last_run_exit_code"].samples[0].value == 1
    assert families["casebot_last_run_timestamp_seconds"].samples[0].value > 0
    assert families["casebot_oldest_failure_age_seconds"].samples[0].value >= 0

    prom = tmp_path / "textfile" / "casebot.prom"
    assert casebot("metrics", "--textfile", str(prom), *cfg, env=env100()).returncode == 0
    names = {f.name for f in prometheus_families(prom.read_text())}
    assert {"casebot_ledger_cases", "casebot_last_run_exit_code", "casebot_oldest_failure_age_seconds"} <= names


def test_metrics_before_any_run_has_every_series(config_file):
    out = casebot("metrics", "--config", str(config_file), env=env100())
    assert out.returncode == 0, out.stderr
    families = {f.name: f for f in text_string_to_metric_families(out.stdout)}
    assert families["casebot_last_run_exit_code"].samples[0].value == -1
    assert len(families["casebot_ledger_cases"].samples) == 2 * 7
