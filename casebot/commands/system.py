"""Commands around the systems: ``sandbox``, ``login``, ``secret``, ``doctor``, ``schedule``."""

from __future__ import annotations

import asyncio
import getpass
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import typer
from rich.table import Table

from casebot import errors
from casebot.adapter import Source, Target
from casebot.artifacts import private_dir
from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.registry import load_adapter
from casebot.run.outcome import EXIT_OK, EXIT_PAGE_CHANGED


def sandbox(port: int = typer.Option(8101, "--port", help="police port; procuratorate and court take the next two"),
            host: str = typer.Option("127.0.0.1", "--host"),
            faults: Path = typer.Option(None, "--faults", exists=True, help="fault plan file (JSON or TOML)"),
            data_dir: Path = typer.Option(None, "--data-dir", help="keep the systems' data here")) -> None:
    """Serve the three simulated systems on loopback until Ctrl-C."""
    from sandbox.server import serve

    def announce(urls: dict[str, str]) -> None:
        titles = {"police": "公安执法办案系统", "procuratorate": "检察业务应用系统", "court": "审判流程管理系统"}
        for name, url in urls.items():
            console.print(f"{titles[name]:12} {name:14} {url}", highlight=False)
        console.print("用户名 casebot / 密码 sandbox（三个系统相同）· Ctrl-C 停止", highlight=False)

    serve(port=port, host=host, faults_file=faults, data_dir=data_dir, announce=announce)


@exits
def login(system: str = typer.Argument(..., help="system name from casebot.toml"), config: Path = ConfigOption) -> None:
    """Log in by hand in a visible browser; the session is kept for scheduled runs (file readable by you only)."""
    settings = load_settings(config)
    if system not in settings.systems:
        raise errors.ConfigError(f"login: no system named {system!r} in [systems]")
    url = settings.systems[system].url
    path = settings.session_file(system)

    async def go() -> None:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**settings.browser.options(headed=True).launch_kwargs())
            context = await browser.new_context(locale="zh-CN")
            page = await context.new_page()
            await page.goto(url)
            console.print(f"请在打开的浏览器中登录 {system}（如有验证码请输入），完成后回到这里按回车。")
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            private_dir(path.parent)
            await context.storage_state(path=str(path))
            os.chmod(path, 0o600)
            await browser.close()

    asyncio.run(go())
    console.print(f"会话已保存：{path}（仅当前用户可读）", highlight=False)


secret_app = typer.Typer(help="Passwords in the OS keyring (never in a file of the project).")


@secret_app.command("set")
def secret_set(system: str) -> None:
    """Store SYSTEM's password in the OS keyring (service ``casebot``)."""
    import keyring

    password = getpass.getpass(f"{system} 密码: ")
    keyring.set_password("casebot", system, password)
    console.print(f"已保存 {system} 的密码到系统钥匙串。")


@exits
def doctor(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """Pre-flight: log in to each system and open every form the robot fills, without saving."""
    settings = load_settings(config)
    out_dir = private_dir(settings.path(settings.artifacts.dir) / "doctor")

    async def check() -> list[dict[str, object]]:
        from playwright.async_api import async_playwright

        rows: list[dict[str, object]] = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**settings.browser.options().launch_kwargs())
            for system in settings.systems:
                row: dict[str, object] = {"system": system, "ok": True, "problems": [], "screenshot": None}
                context = await browser.new_context(locale="zh-CN")
                try:
                    cls = load_adapter(settings.adapter_name(system))
                    adapter = cls(context, settings.system_config(system))
                    await adapter.page()
                    if isinstance(adapter, Target):
                        missing = await adapter.open_form()
                        if missing:
                            row["problems"] = [f"找不到字段“{label}”" for label in missing]
                    elif isinstance(adapter, Source):
                        async for _ref in adapter.list_records():
                            break
                except errors.CasebotError as exc:
                    row["problems"] = [str(exc)]
                if row["problems"]:
                    row["ok"] = False
                    pages = context.pages
                    if pages:
                        shot = out_dir / f"{system}.png"
                        try:
                            await pages[-1].screenshot(path=str(shot), full_page=True)
                            os.chmod(shot, 0o600)
                            row["screenshot"] = str(shot)
                        except Exception:
                            pass
                await context.close()
                rows.append(row)
            await browser.close()
        return rows

    rows = asyncio.run(check())
    if json_out:
        print_json(rows)
    else:
        table = Table(title="casebot doctor")
        for col in ("系统", "结果", "问题", "截图"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(str(r["system"]), "[green]正常[/green]" if r["ok"] else "[red]异常[/red]",
                          "\n".join(r["problems"]), str(r["screenshot"] or ""))  # type: ignore[arg-type]
        console.print(table)
    raise typer.Exit(EXIT_OK if all(r["ok"] for r in rows) else EXIT_PAGE_CHANGED)


def _command_line(config: Path | None) -> list[str]:
    exe = shutil.which("casebot") or str(Path(sys.executable).with_name("casebot"))
    args = [exe, "run"]
    if config:
        args += ["--config", str(Path(config).resolve())]
    return args


@exits
def schedule(every: int = typer.Option(15, "--every", min=1, help="minutes between runs"),
             kind: str = typer.Option("cron" if os.name != "nt" else "windows", "--kind",
                                      help="cron, systemd or windows"),
             install: bool = typer.Option(False, "--install", help="install it for the current user"),
             config: Path = ConfigOption) -> None:
    """Print (or --install) a cron line, systemd timer or Windows scheduled task running `casebot run`."""
    args = _command_line(config)
    workdir = str(Path.cwd())
    if kind == "cron":
        line = f"*/{every} * * * * cd {shlex.quote(workdir)} && {shlex.join(args)} >/dev/null 2>&1  # casebot"
        if install:
            current = subprocess.run(["crontab", "-l"], capture_output=True, text=True).stdout
            kept = [ln for ln in current.splitlines() if not ln.endswith("# casebot")]
            subprocess.run(["crontab", "-"], input="\n".join([*kept, line]) + "\n", text=True, check=True)
            console.print("已安装到当前用户的 crontab。")
        else:
            console.print(line, highlight=False, soft_wrap=True)
    elif kind == "systemd":
        service = (f"[Unit]\nDescription=casebot run\n\n[Service]\nType=oneshot\nWorkingDirectory={workdir}\n"
                   f"ExecStart={shlex.join(args)}\n")
        timer = (f"[Unit]\nDescription=casebot every {every} minutes\n\n[Timer]\nOnBootSec=2min\n"
                 f"OnUnitActiveSec={every}min\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n")
        if install:
            unit_dir = Path.home() / ".config/systemd/user"
            unit_dir.mkdir(parents=True, exist_ok=True)
            (unit_dir / "casebot.service").write_text(service)
            (unit_dir / "casebot.timer").write_text(timer)
            subprocess.run(["systemctl", "--user", "daemon-reload"], check=True)
            subprocess.run(["systemctl", "--user", "enable", "--now", "casebot.timer"], check=True)
            console.print("已启用 systemd 用户定时器 casebot.timer。")
        else:
            console.print("# ~/.config/systemd/user/casebot.service\n" + service, highlight=False)
            console.print("# ~/.config/systemd/user/casebot.timer\n" + timer, highlight=False)
    elif kind == "windows":
        tr = subprocess.list2cmdline(args)
        cmd = ["schtasks", "/Create", "/F", "/SC", "MINUTE", "/MO", str(every), "/TN", "casebot", "/TR", tr]
        if install:
            subprocess.run(cmd, check=True)
            console.print("已创建 Windows 计划任务 casebot。")
        else:
            console.print(subprocess.list2cmdline(cmd), highlight=False, soft_wrap=True)
    else:
        raise errors.ConfigError("schedule --kind: one of cron, systemd, windows")
