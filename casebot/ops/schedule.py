"""What ``casebot schedule`` installs: a cron line, a systemd user timer, a Windows scheduled task.

Each runs ``casebot run --config <absolute path>`` from the config's folder and
appends everything the run prints to ``<log folder>/casebot-run.log``. An
interval is accepted only when all three schedulers can keep it exactly: N
minutes dividing an hour, N hours dividing a day, or once a day; anything else
is refused (``*/90`` in cron would run hourly, not every 90 minutes).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from casebot.errors import ConfigError

TAG = "# casebot"
TASK_NAME = "casebot"
UNIT = "casebot"
MINUTES = tuple(n for n in range(1, 60) if 60 % n == 0)
HOURS = tuple(n for n in range(1, 24) if 24 % n == 0)
ALLOWED = (*MINUTES, *(h * 60 for h in HOURS), 1440)


@dataclass(frozen=True)
class Interval:
    unit: str  # "minute", "hour" or "day"
    n: int

    @property
    def minutes(self) -> int:
        return self.n * {"minute": 1, "hour": 60, "day": 1440}[self.unit]


def interval(every: int) -> Interval:
    if every in MINUTES:
        return Interval("minute", every)
    if every % 60 == 0 and every // 60 in HOURS:
        return Interval("hour", every // 60)
    if every == 1440:
        return Interval("day", 1)
    raise ConfigError(
        f"--every {every}: 定时只能是整除一小时的分钟数（{', '.join(map(str, MINUTES))}）、"
        f"整除一天的小时数换算成的分钟数（{', '.join(str(h * 60) for h in HOURS)}）或每天一次（1440）")


@dataclass(frozen=True)
class Plan:
    """One schedule: what to run, from where, how often, where its output goes."""

    executable: Path
    config: Path
    every: Interval
    log: Path
    #: node_exporter's textfile collector file, rewritten after each run (None: no metrics step)
    textfile: Path | None = None

    @property
    def workdir(self) -> Path:
        return self.config.parent

    @property
    def argv(self) -> list[str]:
        return [str(self.executable), "run", "--config", str(self.config)]

    @property
    def metrics_argv(self) -> list[str] | None:
        if self.textfile is None:
            return None
        return [str(self.executable), "metrics", "--config", str(self.config), "--textfile", str(self.textfile)]

    @property
    def timeout_minutes(self) -> int:
        """A hung run is stopped: twice the interval, at least 30 minutes, at most 12 hours."""
        return min(max(2 * self.every.minutes, 30), 720)


def plan(executable: Path, config: Path, every: int, log: Path, *, textfile: Path | None = None) -> Plan:
    config = Path(config).expanduser().resolve()
    if not config.is_file():
        raise ConfigError(f"{config}：找不到配置文件，请用 --config 给出要定时运行的 casebot.toml")
    return Plan(Path(executable).resolve(), config, interval(every), Path(log).resolve(),
                Path(textfile).expanduser().resolve() if textfile else None)


# -- cron ---------------------------------------------------------------------
def cron_expression(every: Interval) -> str:
    if every.unit == "minute":
        return "* * * * *" if every.n == 1 else f"*/{every.n} * * * *"
    if every.unit == "hour":
        return "0 * * * *" if every.n == 1 else f"0 */{every.n} * * *"
    return "0 0 * * *"


def cron_line(p: Plan) -> str:
    # cron gives a job HOME, a short PATH and no passwords: the run reads them from the secrets store
    command = (f"cd {shlex.quote(str(p.workdir))} && {shlex.join(p.argv)} >> {shlex.quote(str(p.log))} 2>&1")
    if p.metrics_argv:  # whatever the run's exit status: metrics are most needed when it failed
        command += f"; {shlex.join(p.metrics_argv)} >> {shlex.quote(str(p.log))} 2>&1"
    return f"{cron_expression(p.every)} {command.replace('%', chr(92) + '%')}  {TAG}"


def crontab_with(current: str, line: str | None) -> str:
    """``current`` with casebot's line replaced by ``line`` (or removed when None); other lines kept."""
    kept = [ln for ln in current.splitlines() if not ln.rstrip().endswith(TAG)]
    if line is not None:
        kept.append(line)
    return "\n".join(kept) + "\n" if kept else ""


def _crontab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["crontab", *args], input=stdin, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise ConfigError("crontab not found: install cron, or use --kind systemd") from exc


def install_cron(line: str | None) -> None:
    listed = _crontab("-l")
    current = listed.stdout if listed.returncode == 0 else ""  # exit 1: no crontab yet
    done = _crontab("-", stdin=crontab_with(current, line))
    if done.returncode != 0:
        raise ConfigError(f"crontab refused the new table: {done.stderr.strip()}")


# -- systemd --------------------------------------------------------------------
def _systemd_quote(argv: list[str]) -> str:
    return " ".join(shlex.quote(a) for a in argv).replace("%", "%%")


def on_calendar(every: Interval) -> str:
    if every.unit == "minute":
        return "*-*-* *:*:00" if every.n == 1 else f"*-*-* *:00/{every.n}:00"
    if every.unit == "hour":
        return f"*-*-* 00/{every.n}:00:00"
    return "*-*-* 00:00:00"


def systemd_units(p: Plan) -> dict[str, str]:
    log = str(p.log).replace("%", "%%")
    service = (
        "[Unit]\n"
        "Description=casebot run (案卡同步)\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        "# 1: the run went through and left cases for a clerk (not a failure of the job; 2-10 are)\n"
        "SuccessExitStatus=1\n"
        f"WorkingDirectory={str(p.workdir).replace('%', '%%')}\n"
        "# passwords: `casebot secret set <system>` (keyring or 0600 file), or CASEBOT_<SYSTEM>_PASSWORD=... here\n"
        "EnvironmentFile=-%h/.config/casebot/env\n"
        f"ExecStart={_systemd_quote(p.argv)}\n"
        + (f"# node_exporter's textfile collector, whatever the run's exit status\n"
           f"ExecStopPost={_systemd_quote(p.metrics_argv)}\n" if p.metrics_argv else "")
        + f"TimeoutStartSec={p.timeout_minutes}min\n"
        f"StandardOutput=append:{log}\n"
        f"StandardError=append:{log}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=casebot every {p.every.minutes} minutes\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={on_calendar(p.every)}\n"
        "Persistent=true\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return {f"{UNIT}.service": service, f"{UNIT}.timer": timer}


def no_user_bus_advice(detail: str) -> str:
    """What to do when ``systemctl --user`` cannot reach a user manager (a server, an ssh session without one)."""
    return (f"无法启用 systemd 用户定时器（{detail[:200]}）：这台机器上没有当前用户的 systemd 会话（DBus）。"
            "已写入的单元文件已撤回。请改用 cron：casebot schedule --kind cron --install；"
            "或先执行 sudo loginctl enable-linger $USER 并重新登录后再试。")


def linger_advice(user: str) -> str:
    return f"注销后仍要运行：sudo loginctl enable-linger {user}（否则用户退出登录时定时器随之停止）"


# -- Windows Task Scheduler ---------------------------------------------------------
def _win_quote(s: str) -> str:
    return f'"{s}"'


def windows_task_xml(p: Plan, *, start: datetime | None = None) -> str:
    """A Task Scheduler 1.2 definition: runs whether the user is logged on or not (no window), in the config's
    folder, output appended to the log, one instance at a time, stopped after the timeout."""
    start = (start or datetime.now()).replace(second=0, microsecond=0)
    if p.every.unit == "day":
        trigger = (f"    <CalendarTrigger>\n      <StartBoundary>{start:%Y-%m-%dT00:00:00}</StartBoundary>\n"
                   "      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>\n    </CalendarTrigger>\n")
    else:
        period = f"PT{p.every.n}M" if p.every.unit == "minute" else f"PT{p.every.n}H"
        trigger = (f"    <TimeTrigger>\n      <StartBoundary>{start:%Y-%m-%dT%H:%M:%S}</StartBoundary>\n"
                   f"      <Repetition><Interval>{period}</Interval></Repetition>\n    </TimeTrigger>\n")
    inner = " ".join(_win_quote(a) for a in p.argv) + f" >> {_win_quote(str(p.log))} 2>&1"
    if p.metrics_argv:
        inner += " & " + " ".join(_win_quote(a) for a in p.metrics_argv) + f" >> {_win_quote(str(p.log))} 2>&1"
    arguments = f'/d /s /c "{inner}"'
    return (
        '<?xml version="1.0" encoding="UTF-16"?>\n'
        '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n'
        "  <RegistrationInfo><Description>casebot run (案卡同步)</Description></RegistrationInfo>\n"
        f"  <Triggers>\n{trigger}  </Triggers>\n"
        "  <Principals>\n    <Principal id=\"Author\">\n"
        "      <LogonType>S4U</LogonType>\n      <RunLevel>LeastPrivilege</RunLevel>\n"
        "    </Principal>\n  </Principals>\n"
        "  <Settings>\n"
        "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
        "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>\n"
        "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>\n"
        "    <StartWhenAvailable>true</StartWhenAvailable>\n"
        f"    <ExecutionTimeLimit>PT{p.timeout_minutes}M</ExecutionTimeLimit>\n"
        "    <Hidden>true</Hidden>\n"
        "    <Enabled>true</Enabled>\n"
        "  </Settings>\n"
        "  <Actions Context=\"Author\">\n    <Exec>\n"
        "      <Command>cmd.exe</Command>\n"
        f"      <Arguments>{escape(arguments)}</Arguments>\n"
        f"      <WorkingDirectory>{escape(str(p.workdir))}</WorkingDirectory>\n"
        "    </Exec>\n  </Actions>\n"
        "</Task>\n"
    )


def schtasks_create(xml_path: Path) -> list[str]:
    return ["schtasks", "/Create", "/F", "/TN", TASK_NAME, "/XML", str(xml_path)]


def schtasks_delete() -> list[str]:
    return ["schtasks", "/Delete", "/F", "/TN", TASK_NAME]


def systemd_dir() -> Path:
    """Where this user's systemd units live."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def installed_schedule() -> str | None:
    """``cron`` or ``systemd`` when casebot's schedule is installed for this user, else None."""
    if (systemd_dir() / f"{UNIT}.timer").exists():
        return "systemd"
    try:
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return "cron" if any(ln.rstrip().endswith(TAG) for ln in listed.stdout.splitlines()) else None
