"""What `casebot schedule` prints, parsed as the schedulers parse it: croniter, systemd-analyze, the task XML."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from croniter import croniter

from casebot.errors import ConfigError
from casebot.ops import schedule as sched
from tests.ops.conftest import bare_env, casebot

EXE = Path(sys.executable).with_name("casebot")
NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "site" / "casebot.toml"
    path.parent.mkdir()
    path.write_text('[systems.police]\nurl = "http://127.0.0.1:1"\nusername = "u"\n'
                    '[[routes]]\nname = "r"\nsource = "police"\ntarget = "police"\n', encoding="utf-8")
    return path


def gaps(times: list[datetime]) -> set[timedelta]:
    return {b - a for a, b in pairwise(times)}


@pytest.mark.parametrize("every", sched.ALLOWED)
def test_every_accepted_interval_is_kept_exactly_by_cron(every):
    expr = sched.cron_expression(sched.interval(every))
    it = croniter(expr, datetime(2026, 1, 1, 0, 7))
    times = [it.get_next(datetime) for _ in range(3 * 1440 // every + 2)]
    assert gaps(times) == {timedelta(minutes=every)}, expr


@pytest.mark.parametrize("every", [0, 7, 45, 90, 100, 1000, 1441, 2880, -15])
def test_an_interval_no_scheduler_keeps_is_refused(every):
    with pytest.raises(ConfigError, match=f"--every {every}"):
        sched.interval(every)


def test_cron_line_runs_from_the_config_folder_with_an_absolute_config_and_appends_to_the_log(config, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    env = bare_env(tmp_path)
    printed = casebot("schedule", "--every", "10", "--config", "site/casebot.toml", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    line = printed.stdout.strip()
    assert line.endswith(sched.TAG) and croniter.is_valid(" ".join(line.split()[:5]))
    assert line.startswith("*/10 * * * * ")
    assert f"cd {config.parent} && {EXE} run --config {config} >> {config.parent}/var/casebot-run.log 2>&1" in line
    assert (config.parent / "var").is_dir(), "the log folder exists before cron opens the log"

    refused = casebot("schedule", "--every", "90", "--config", str(config), env=env)
    assert refused.returncode == 4 and "--every 90" in refused.stderr and "Traceback" not in refused.stderr
    nowhere = casebot("schedule", env=env, cwd=other)
    assert nowhere.returncode == 4 and "找不到配置文件" in nowhere.stderr.replace("\n", " ")
    both = casebot("schedule", "--install", "--uninstall", "--config", str(config), env=env)
    assert both.returncode == 4


def test_crontab_keeps_other_lines_and_replaces_or_removes_its_own():
    mine = "*/15 * * * * cd /srv && casebot run --config /srv/casebot.toml >> /srv/var/casebot-run.log 2>&1  # casebot"
    current = "MAILTO=ops\n0 3 * * * backup.sh\n*/5 * * * * old casebot line  # casebot\n"
    installed = sched.crontab_with(current, mine)
    assert installed == f"MAILTO=ops\n0 3 * * * backup.sh\n{mine}\n"
    assert sched.crontab_with(installed, mine) == installed, "installing twice keeps one line"
    assert sched.crontab_with(installed, None) == "MAILTO=ops\n0 3 * * * backup.sh\n"
    assert sched.crontab_with(f"{mine}\n", None) == ""


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("every", [15, 120, 1440])
def test_systemd_units_verify_and_fire_at_the_interval(config, tmp_path, every):
    p = sched.plan(EXE, config, every, config.parent / "var" / "casebot-run.log")
    units = sched.systemd_units(p)
    for name, text in units.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    verified = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / n) for n in units)],
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    service = units["casebot.service"]
    assert f"ExecStart={EXE} run --config {config}\n" in service
    assert f"WorkingDirectory={config.parent}\n" in service
    assert "EnvironmentFile=-%h/.config/casebot/env\n" in service
    assert f"TimeoutStartSec={p.timeout_minutes}min\n" in service
    assert f"StandardOutput=append:{p.log}\n" in service and f"StandardError=append:{p.log}\n" in service

    spec = sched.on_calendar(p.every)
    cal = subprocess.run(["systemd-analyze", "calendar", "--iterations=4", spec], capture_output=True, text=True)
    assert cal.returncode == 0, cal.stderr
    stamps = [" ".join(ln.split(":", 1)[1].split()[1:3]) for ln in cal.stdout.splitlines()
              if ln.strip().startswith(("Next elapse:", "Iter. #"))]
    times = [datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in stamps]
    assert len(times) == 4 and gaps(times) == {timedelta(minutes=every)}


def test_systemd_print_gives_linger_advice(config, tmp_path):
    out = casebot("schedule", "--kind", "systemd", "--config", str(config), env=bare_env(tmp_path)).stdout
    assert "loginctl enable-linger" in out and "OnCalendar=*-*-* *:00/15:00" in out


@pytest.mark.parametrize(("every", "interval"), [(5, "PT5M"), (360, "PT6H")])
def test_windows_task_runs_hidden_in_the_config_folder_and_appends_to_the_log(config, every, interval):
    p = sched.plan(EXE, config, every, config.parent / "var" / "casebot-run.log")
    root = ET.fromstring(sched.windows_task_xml(p).encode("utf-16"))
    assert root.find("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval", NS).text == interval
    exec_ = root.find("t:Actions/t:Exec", NS)
    assert exec_.find("t:WorkingDirectory", NS).text == str(config.parent)
    assert exec_.find("t:Command", NS).text == "cmd.exe"
    args = exec_.find("t:Arguments", NS).text
    assert f'"{EXE}" "run" "--config" "{config}" >> "{p.log}" 2>&1' in args
    # S4U: runs whether the user is logged on or not, in a session without a window
    assert root.find("t:Principals/t:Principal/t:LogonType", NS).text == "S4U"
    settings = root.find("t:Settings", NS)
    assert settings.find("t:Hidden", NS).text == "true"
    assert settings.find("t:MultipleInstancesPolicy", NS).text == "IgnoreNew"
    assert settings.find("t:ExecutionTimeLimit", NS).text == f"PT{p.timeout_minutes}M"


def test_windows_daily_task_uses_a_calendar_trigger(config):
    p = sched.plan(EXE, config, 1440, config.parent / "casebot-run.log")
    root = ET.fromstring(sched.windows_task_xml(p).encode("utf-16"))
    assert root.find("t:Triggers/t:CalendarTrigger/t:ScheduleByDay/t:DaysInterval", NS).text == "1"
