"""Schedules that finish their job: a run that leaves cases for a clerk is not a failed unit, an install that
systemd refuses leaves nothing behind and says what to do instead, the run log does not grow for ever, and the
check command docs/ops.md gives works as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from casebot.cli.demo import sandbox_settings
from casebot.ops import housekeeping
from casebot.ops import schedule as sched
from tests.ops.conftest import bare_env, casebot
from tests.ops.test_schedule import config  # noqa: F401 - fixture

EXE = Path(sys.executable).with_name("casebot")
DOCS = Path(__file__).parents[2] / "docs" / "ops.md"


def test_systemd_service_counts_exit_1_as_success(config, tmp_path):  # noqa: F811
    service = sched.systemd_units(sched.plan(EXE, config, 15, tmp_path / "casebot-run.log"))["casebot.service"]
    assert re.search(r"^SuccessExitStatus=1$", service, re.M), service


def test_systemd_install_without_a_user_bus_leaves_nothing_and_points_to_cron(config, home):  # noqa: F811
    units = home / ".config" / "systemd" / "user"
    env = bare_env(home, XDG_CONFIG_HOME=str(home / ".config"), COLUMNS="200")
    result = casebot("schedule", "--kind", "systemd", "--install", "--config", str(config), env=env)
    assert result.returncode == 4, result.stdout + result.stderr
    assert not list(units.glob("casebot.*")), "the unit files written before systemd refused are taken back"
    said = re.sub(r"\s+", "", result.stdout + result.stderr)
    assert "--kindcron--install" in said and "enable-linger" in said
    assert "Traceback" not in result.stderr


def test_the_scheduled_run_log_rotates_at_the_log_size(tmp_path):
    settings = sandbox_settings({"police": "http://127.0.0.1:1"}, tmp_path, routes=[],
                                logging={"max_mb": 0.01, "backups": 2})
    run_log = settings.path(settings.logging.file).parent / "casebot-run.log"
    run_log.parent.mkdir(parents=True, exist_ok=True)
    for n in range(4):
        run_log.write_text(f"run {n}\n" * 3000)
        housekeeping.after_run(settings)
    assert not run_log.exists() or run_log.stat().st_size < 10_240
    kept = sorted(p.name for p in run_log.parent.glob("casebot-run.log*"))
    assert kept == ["casebot-run.log.1", "casebot-run.log.2"], kept
    assert (run_log.parent / "casebot-run.log.1").read_text().startswith("run 3")


def test_the_docs_check_of_a_cron_like_environment_runs(config, home):  # noqa: F811
    [line] = [ln for ln in DOCS.read_text(encoding="utf-8").splitlines() if ln.startswith("env -i ")]
    command = line.replace("/绝对路径/casebot.toml", str(config))
    shell_path = f"{EXE.parent}:/usr/bin:/bin"  # the person's terminal, where casebot is installed
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120,
                          env={"HOME": str(home), "PATH": shell_path, "LANG": "C.UTF-8"})
    assert done.returncode in (0, 4), done.stdout + done.stderr  # 4: no password stored yet, said as such
    assert "police" in done.stdout, done.stdout + done.stderr
    assert os.environ.get("PATH") is not None
