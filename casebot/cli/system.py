"""Commands around the systems: ``sandbox``, ``login``, ``doctor``, ``schedule``."""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from casebot import errors
from casebot.cli.common import ConfigOption, JsonOption, Table, console, exits, load_settings, print_json
from casebot.kit.browser import launched


def sandbox(port: int = typer.Option(8101, "--port", help="公安系统端口；检察院、法院用后两个"),
            host: str = typer.Option("127.0.0.1", "--host"),
            faults: Path = typer.Option(None, "--faults", exists=True, help="故障计划文件（JSON 或 TOML）"),
            data_dir: Path = typer.Option(None, "--data-dir", help="系统数据保存在这里")) -> None:
    """在本机启动四个模拟系统（公安、检察院、市中院、县法院），Ctrl-C 停止。"""
    from sandbox.server import serve

    def announce(urls: dict[str, str]) -> None:
        titles = {"police": "公安执法办案系统", "procuratorate": "检察业务应用系统", "court": "审判流程管理系统",
                  "county": "法院案件管理平台（县法院）", "smartcourt": "智慧审判平台"}
        for name, url in urls.items():
            console.print(f"{titles.get(name, name):12} {name:14} {url}", highlight=False)
        console.print(f"用户名 casebot / 密码 sandbox（{len(urls)} 个系统相同）· Ctrl-C 停止", highlight=False)

    serve(port=port, host=host, faults_file=faults, data_dir=data_dir, announce=announce)


def _has_display() -> bool:
    """Whether a browser window can be shown here (Windows and macOS always; elsewhere an X or Wayland display)."""
    return os.name == "nt" or sys.platform == "darwin" or bool(os.environ.get("DISPLAY")
                                                                  or os.environ.get("WAYLAND_DISPLAY"))


@exits
def login(system: str = typer.Argument(..., help="casebot.toml 中的系统名"), config: Path = ConfigOption,
          headed: bool = typer.Option(None, "--headed/--headless",
                                      help="在可见的浏览器中登录，或在终端中输入验证码（默认：有显示器时用浏览器）"),
          ) -> None:
    """手工登录（验证码），会话留给定时运行。

    有显示器时在可见的浏览器中登录；没有显示器时（服务器、远程终端），登录页和验证码保存为图片，
    在终端输入验证码。会话文件仅当前用户可读。
    """
    from casebot.kit.logins import LoginCap

    settings = load_settings(config)
    if system not in settings.systems:
        raise errors.ConfigError(f"login：casebot.toml 的 [systems] 中没有名为 {system!r} 的系统")
    path = settings.session_file(system)
    if headed is None:
        headed = _has_display()
    asyncio.run(_login_headed(settings, system, path) if headed else _login_in_terminal(settings, system, path))
    LoginCap(settings.login_cap_file(system), system).clear("casebot login")  # a person logged in
    console.print(f"会话已保存：{path}（仅当前用户可读）", highlight=False, soft_wrap=True)


async def _keep_session(context: Any, path: Path) -> None:
    from casebot.ops.reading import private_dir

    private_dir(path.parent)
    await context.storage_state(path=str(path))
    os.chmod(path, 0o600)


async def _login_headed(settings: Any, system: str, path: Path) -> None:
    """A visible browser on the login page; the person logs in and presses Enter here."""
    async with launched(settings.browser.options(headed=True)) as browser:
        context = await browser.new_context(locale="zh-CN")
        page = await context.new_page()
        await page.goto(settings.systems[system].url)
        console.print(f"请在打开的浏览器中登录 {system}（如有验证码请输入），完成后回到这里按回车。")
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await _keep_session(context, path)


async def _login_in_terminal(settings: Any, system: str, path: Path) -> None:
    """No display: the adapter logs in with the stored password; a captcha is saved as an image (with the whole
    login page) for the person to read, and the answer they type here is filled in."""
    from casebot.kit.plugins import load_adapter
    from casebot.ops.reading import private_dir

    shots = private_dir(settings.path(Path("var")) / "login")
    # a person is here: the refused-login mark neither stops nor is set by this attempt (cleared on success)
    cfg = dataclasses.replace(settings.system_config(system), login_cap=None)

    async def ask(page: Any) -> str:
        whole = shots / f"{system}-login-page.png"
        whole.write_bytes(await page.screenshot(full_page=True))
        os.chmod(whole, 0o600)
        lines = [f"{system} 的登录页要求输入验证码。"]
        image = page.locator("img[id*=captcha i], img[src*=captcha i], img[alt*=验证码]").first
        if await image.count():
            only = shots / f"{system}-captcha.png"
            only.write_bytes(await image.screenshot())
            os.chmod(only, 0o600)
            lines.append(f"验证码图片：{only}")
        lines.append(f"整个登录页：{whole}")
        lines.append("打开图片（如 scp 到本机查看），在下面输入验证码，按回车：")
        for line in lines:
            console.print(line, highlight=False, soft_wrap=True)
        sys.stdout.flush()
        typed = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if not typed.strip():
            raise errors.HumanRequired(system, "没有输入验证码")
        return typed.strip()

    async with launched(settings.browser.options()) as browser:
        context = await browser.new_context(locale="zh-CN")
        adapter = load_adapter(settings.adapter_name(system))(context, cfg)
        adapter.ask_captcha = ask
        await adapter.page()  # logs in; HumanRequired when the system still refuses (a wrong answer)
        await _keep_session(context, path)


@exits
def doctor(config: Path = ConfigOption, json_out: bool = JsonOption,
           scheduled: bool = typer.Option(False, "--scheduled",
                                          help="检查定时任务的环境能否读到密码（已安装定时任务时总会检查）"),
           ) -> None:
    """运行前检查每个系统和页面。

    检查密码（包括定时任务的环境能否读到），登录每个系统，打开每个要填写的页面，不保存任何东西。
    逐项核对每个下拉框和代码选择框提供的选项与代码表，列出目标系统缺少的代码。
    退出码：4 缺少密码；7 页面已变化；3 需要人工登录；2 系统暂时无法访问；
    1 目标系统缺少代码表中的代码（用到它们的案件会停下等待处理）；0 一切正常。
    """
    from casebot import logs
    from casebot.ops.doctor import examine

    cfg = Path(config or os.environ.get("CASEBOT_CONFIG") or "casebot.toml").expanduser().resolve()
    settings = load_settings(cfg)
    # what the adapters log (a field found by its label, say) goes to the log file and stderr, never stdout
    logs.configure(log_file=settings.path(settings.logging.file), console=not json_out, level=settings.logging.level)
    code, rows = examine(settings, cfg, scheduled=scheduled)
    if json_out:
        print_json({"schema": "casebot.doctor/1", "ok": code == 0, "exit_code": code, "systems": rows})
    else:
        table = Table(title="casebot doctor")
        for col in ("系统", "结果", "问题", "截图"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(str(r["system"]), "[green]正常[/green]" if r["ok"] else "[red]异常[/red]",
                          "\n".join([*r["problems"], *r.get("drift", [])]),  # type: ignore[misc]
                          str(r["screenshot"] or ""))
        console.print(table)
        if code == 7:
            console.print("[red]页面已变化[/red]：把截图交给维护适配器的人；修复前定时运行会以退出码 7 结束。")
    raise typer.Exit(code)


def _executable() -> Path:
    name = "casebot.exe" if os.name == "nt" else "casebot"
    beside = Path(sys.executable).with_name(name)
    found = beside if beside.exists() else shutil.which("casebot")
    if not found:
        raise errors.ConfigError("schedule：找不到 casebot 可执行文件（请先安装 casebot）")
    return Path(found)


@exits
def schedule(every: int = typer.Option(15, "--every",
                                       help="每隔多少分钟运行一次：整除 60 的分钟数、整除 24 的小时数×60，或 1440"),
             kind: str = typer.Option("cron" if os.name != "nt" else "windows", "--kind",
                                      help="cron、systemd 或 windows"),
             install: bool = typer.Option(False, "--install", help="为当前用户安装"),
             uninstall: bool = typer.Option(False, "--uninstall", help="删除已安装的定时任务"),
             textfile: Path = typer.Option(None, "--textfile",
                                           help="每次运行后写入指标的 .prom 文件（textfile 收集器）"),
             config: Path = ConfigOption) -> None:
    """定时运行：cron、systemd 定时器或 Windows 计划任务。

    打印（--install 安装，--uninstall 删除）定时运行 casebot run 的任务。
    """
    from casebot.ops import schedule as sched
    from casebot.ops.reading import private_dir

    if install and uninstall:
        raise errors.ConfigError("schedule：--install 和 --uninstall 只能选一个")
    if kind not in ("cron", "systemd", "windows"):
        raise errors.ConfigError("schedule --kind：只能是 cron、systemd 或 windows")
    if uninstall:
        _uninstall(kind)
        return
    cfg = Path(config or os.environ.get("CASEBOT_CONFIG") or "casebot.toml").expanduser().resolve()
    if not cfg.is_file():
        raise errors.ConfigError(f"{cfg}：找不到配置文件，请用 --config 给出要定时运行的 casebot.toml")
    settings = load_settings(cfg)
    log = settings.path(settings.logging.file).resolve().parent / "casebot-run.log"
    p = sched.plan(_executable(), cfg, every, log, textfile=textfile)
    private_dir(log.parent)  # the scheduler opens the log before casebot starts: its folder must exist
    if kind == "cron":
        line = sched.cron_line(p)
        if install:
            sched.install_cron(line)
            console.print(f"已安装到当前用户的 crontab；输出追加到 {log}", highlight=False, soft_wrap=True)
        else:
            console.print(line, highlight=False, soft_wrap=True)
    elif kind == "systemd":
        units = sched.systemd_units(p)
        advice = sched.linger_advice(getpass.getuser())
        if install:
            _install_systemd(units)
            console.print(f"已启用 systemd 用户定时器 {sched.UNIT}.timer；输出追加到 {log}\n{advice}",
                          highlight=False, soft_wrap=True)
        else:
            for name, text in units.items():
                console.print(f"# ~/.config/systemd/user/{name}\n{text}", highlight=False, soft_wrap=True)
            console.print(f"# {advice}", highlight=False, soft_wrap=True)
    else:
        xml = sched.windows_task_xml(p)
        if install:
            path = private_dir(settings.path(Path("var"))) / "casebot-task.xml"
            path.write_text(xml, encoding="utf-16")
            _run(sched.schtasks_create(path))
            console.print(f"已创建 Windows 计划任务 {sched.TASK_NAME}；输出追加到 {log}", highlight=False,
                          soft_wrap=True)
        else:
            console.print(xml, highlight=False, soft_wrap=True)
            create = subprocess.list2cmdline(sched.schtasks_create(Path("casebot-task.xml")))
            console.print(f"# 保存为 casebot-task.xml 后运行：{create}", highlight=False, soft_wrap=True)


def _install_systemd(units: dict[str, str]) -> None:
    """Write the units and enable the timer; when systemd refuses (no user bus), put back what was there."""
    from casebot.ops import schedule as sched

    unit_dir = sched.systemd_dir()
    unit_dir.mkdir(parents=True, exist_ok=True)
    before = {name: (unit_dir / name).read_text(encoding="utf-8") if (unit_dir / name).exists() else None
              for name in units}
    for name, text in units.items():
        (unit_dir / name).write_text(text, encoding="utf-8")
    try:
        _run(["systemctl", "--user", "daemon-reload"])
        _run(["systemctl", "--user", "enable", "--now", f"{sched.UNIT}.timer"])
    except errors.ConfigError as exc:
        for name, text in before.items():
            if text is None:
                (unit_dir / name).unlink(missing_ok=True)
            else:
                (unit_dir / name).write_text(text, encoding="utf-8")
        raise errors.ConfigError(sched.no_user_bus_advice(str(exc))) from exc


def _run(cmd: list[str]) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise errors.ConfigError(f"这台机器上没有 {cmd[0]}：请换一种 --kind") from exc
    if done.returncode != 0:
        raise errors.ConfigError(f"{' '.join(cmd)} 失败：{(done.stderr or done.stdout).strip()}")


def _uninstall(kind: str) -> None:
    from casebot.ops import schedule as sched

    if kind == "cron":
        sched.install_cron(None)
        console.print("已从当前用户的 crontab 删除 casebot。")
    elif kind == "systemd":
        unit_dir = sched.systemd_dir()
        if (unit_dir / f"{sched.UNIT}.timer").exists():
            subprocess.run(["systemctl", "--user", "disable", "--now", f"{sched.UNIT}.timer"], capture_output=True)
        for name in (f"{sched.UNIT}.service", f"{sched.UNIT}.timer"):
            (unit_dir / name).unlink(missing_ok=True)
        subprocess.run(["systemctl", "--user", "daemon-reload"], capture_output=True)
        console.print(f"已删除 systemd 用户定时器 {sched.UNIT}.timer。")
    else:
        _run(sched.schtasks_delete())
        console.print(f"已删除 Windows 计划任务 {sched.TASK_NAME}。")
