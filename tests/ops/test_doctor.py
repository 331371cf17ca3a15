"""doctor before any browser: a missing password is exit 4 with the way out; passwords a schedule cannot read
(here: only in the shell's environment) are named, as cron would meet them."""

from __future__ import annotations

import json

from tests.ops.conftest import bare_env, casebot


def write_config(tmp_path):
    config = tmp_path / "casebot.toml"
    config.write_text('[systems.police]\nurl = "http://127.0.0.1:9"\nusername = "u"\ntimeout_ms = 1000\n'
                      '[[routes]]\nname = "r"\nsource = "police"\ntarget = "police"\n', encoding="utf-8")
    return config


def test_doctor_without_passwords_exits_4_and_says_how(home, tmp_path):
    config = write_config(tmp_path)
    result = casebot("doctor", "--json", "--config", str(config), env=bare_env(home))
    assert result.returncode == 4, result.stderr
    out = json.loads(result.stdout)
    assert out["schema"] == "casebot.doctor/1" and out["exit_code"] == 4 and not out["ok"]
    [row] = out["systems"]
    assert row["kind"] == "password" and "casebot secret set police" in row["problems"][0]


def test_doctor_names_passwords_the_schedule_cannot_read(home, tmp_path):
    config = write_config(tmp_path)
    env = {**bare_env(home), "CASEBOT_POLICE_PASSWORD": "only-in-this-shell"}
    result = casebot("doctor", "--json", "--scheduled", "--config", str(config), env=env, timeout=180)
    out = json.loads(result.stdout)
    assert result.returncode == 4 and out["exit_code"] == 4
    scheduled = [r for r in out["systems"] if r["system"].startswith("(定时任务")]
    assert scheduled and "读不到 police 的密码" in scheduled[0]["problems"][0]
    assert "only-in-this-shell" not in result.stdout

    stored = casebot("secret", "set", "police", "--stdin", env=bare_env(home), stdin="in-the-file\n")
    assert stored.returncode == 0
    again = json.loads(casebot("doctor", "--json", "--scheduled", "--config", str(config), env=env,
                               timeout=180).stdout)
    assert not [r for r in again["systems"] if r["system"].startswith("(定时任务")]
