"""The unattended path as installed: the printed cron line, run by `sh` in cron's bare environment, against the
sandbox; passwords from the secrets file; one notification per failure at a real SMTP server and webhook."""

from __future__ import annotations

import json
import subprocess

from casebot.kit import secrets
from tests.ops.conftest import bare_env, casebot


def cron_command(line: str) -> str:
    """What cron hands to /bin/sh: the line less its five time fields and the trailing tag."""
    command = line.split(None, 5)[5]
    return command.rsplit("  # casebot", 1)[0].replace("\\%", "%")


def test_installed_cron_line_runs_logs_exits_right_and_notifies_once(sandbox, config_file, tmp_path, monkeypatch,
                                                                     smtp_server, webhook_server):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CASEBOT_KEYRING", raising=False)
    monkeypatch.delenv("CASEBOT_SECRETS_FILE", raising=False)
    store = secrets.store()
    assert store.kind == "file"
    for system in sandbox.urls:
        store.set(system, "sandbox")
    with config_file.open("a", encoding="utf-8") as fh:
        fh.write(f'\n[notify.email]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\n'
                 f'sender = "casebot@example.org"\nto = ["ops@example.org"]\n'
                 f'\n[[notify.webhooks]]\nurl = "{webhook_server.base}/wecom"\nformat = "wecom"\n')
    sandbox.seed(2, seed=61)
    sandbox.set_faults("procuratorate", reject_rate=1.0)

    env = bare_env(home)
    printed = casebot("schedule", "--every", "15", "--config", str(config_file), env=env, cwd=home)
    assert printed.returncode == 0, printed.stderr
    command = cron_command(printed.stdout.strip())
    run = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=home, capture_output=True, text=True, timeout=240)
    assert run.returncode == 1, "cases refused by the procuratorate need a clerk"
    assert run.stdout == run.stderr == "", "cron would mail what is not appended to the log"
    out_log = config_file.parent / "var" / "casebot-run.log"
    text = out_log.read_text(encoding="utf-8")
    assert "run.started" in text, "the run's log lines (stderr) are appended"
    assert "police-procuratorate" in text and "报告" in text, "so is its summary (stdout)"

    def events() -> list[str]:
        lines = (config_file.parent / "var" / "casebot.jsonl").read_text(encoding="utf-8").splitlines()
        return [json.loads(ln)["event"] for ln in lines]

    assert "run.started" in events() and events().count("case.failed") == 2

    assert len(smtp_server.messages) == 1
    assert "个案件需要人工处理" in smtp_server.messages[0]["Subject"]
    assert len(webhook_server.bodies("/wecom")) == 1

    reports = sorted((config_file.parent / "var" / "reports").glob("report-*.html"))
    again = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=home, capture_output=True, text=True,
                           timeout=240)
    assert again.returncode == 1, "the refused cases still need a clerk"
    appended = out_log.read_text(encoding="utf-8")[len(text):]
    assert appended, "the second run's output is appended"
    assert len(smtp_server.messages) == 1 and len(webhook_server.bodies("/wecom")) == 1, "told once, not every run"
    # nothing changed at the police: the failures are not taken again, nor reported again as new
    assert "仍待处理 2 件" in appended and "✗" not in appended
    assert sorted((config_file.parent / "var" / "reports").glob("report-*.html")) == reports, "no new report"
    second = json.loads(casebot("status", "--json", "--config", str(config_file), env=env).stdout)
    assert second["last_run"]["exit_code"] == 1
    assert events().count("case.failed") == 2 and events().count("run.finished") == 2
