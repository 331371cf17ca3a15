"""Alerts that reach people: email with Date and Message-ID, naming the workstation and linking to its console,
logging in only when an account is configured; `casebot notify test`; a channel that failed shown by doctor."""

from __future__ import annotations

import json
import re

from tests.ops.conftest import bare_env, casebot

CONSOLE = "http://xm-court-03.example:8765/"


def write_config(tmp_path, notify: str):
    config = tmp_path / "casebot.toml"
    config.write_text('[systems.police]\nurl = "http://127.0.0.1:9"\nusername = "u"\ntimeout_ms = 1000\n'
                      '[[routes]]\nname = "r"\nsource = "police"\ntarget = "police"\n'
                      '[ledger]\nworkstation = "xm-court-03"\n'
                      f'[notify]\nconsole_url = "{CONSOLE}"\n{notify}', encoding="utf-8")
    return config


def test_email_as_the_docs_show_it_reaches_a_server_without_auth(smtp_server, home, tmp_path):
    """`username = "casebot"` against a relay without AUTH failed silently; the message had no Date or
    Message-ID, and no alert named the workstation or linked to the console."""
    config = write_config(tmp_path, f'[notify.email]\nhost = "{smtp_server.host}"\nport = {smtp_server.port}\n'
                                    'username = "casebot"\nsender = "casebot@court.example"\n'
                                    'to = ["ops@court.example"]\n')
    result = casebot("notify", "test", "--config", str(config), env=bare_env(home, COLUMNS="200"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已送达 email" in result.stdout
    [msg] = smtp_server.messages
    assert msg["Date"] and re.fullmatch(r"<[^@\s]+@court\.example>", str(msg["Message-ID"]))
    body = msg.get_content()
    assert "工作站：xm-court-03" in body and f"控制台：{CONSOLE}" in body


def test_a_channel_that_refuses_is_said_by_notify_test_and_doctor(webhook_server, home, tmp_path):
    config = write_config(tmp_path, f'[[notify.webhooks]]\nurl = "{webhook_server.base}/refuse"\n'
                                    'format = "dingtalk"\n')
    result = casebot("notify", "test", "--config", str(config), env=bare_env(home, COLUMNS="200"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "未送达 webhook0:dingtalk" in result.stdout and "errcode 310000" in result.stdout
    [(_, body)] = webhook_server.received
    assert "xm-court-03" in body["markdown"]["text"] and CONSOLE in body["markdown"]["text"]
    doctor = json.loads(casebot("doctor", "--json", "--config", str(config), env=bare_env(home)).stdout)
    [row] = [r for r in doctor["systems"] if r["kind"] == "notify"]
    assert row["system"] == "(告警 webhook0:dingtalk)" and "casebot notify test" in row["problems"][0]
