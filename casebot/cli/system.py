"""Commands around the systems: ``sandbox``, ``login``, ``doctor``, ``schedule``."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import getpass
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import typer

from casebot import errors, logs
from casebot.cli.common import ConfigOption, JsonOption, Table, console, exits, load_settings, print_json
from casebot.domain.codes import CodeTables
from casebot.domain.meanings import MEANINGS, SYSTEM, meaning
from casebot.kit.base import Source, Target
from casebot.kit.logins import LoginCap
from casebot.kit.plugins import load_adapter
from casebot.kit.widgets import FormCheck, absent_line
from casebot.ops.codecheck import lacking
from casebot.run import routing
from casebot.run.artifacts import private_dir


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
    private_dir(path.parent)
    await context.storage_state(path=str(path))
    os.chmod(path, 0o600)


async def _login_headed(settings: Any, system: str, path: Path) -> None:
    """A visible browser on the login page; the person logs in and presses Enter here."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**settings.browser.options(headed=True).launch_kwargs())
        context = await browser.new_context(locale="zh-CN")
        page = await context.new_page()
        await page.goto(settings.systems[system].url)
        console.print(f"请在打开的浏览器中登录 {system}（如有验证码请输入），完成后回到这里按回车。")
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await _keep_session(context, path)
        await browser.close()


async def _login_in_terminal(settings: Any, system: str, path: Path) -> None:
    """No display: the adapter logs in with the stored password; a captcha is saved as an image (with the whole
    login page) for the person to read, and the answer they type here is filled in."""
    from playwright.async_api import async_playwright

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

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**settings.browser.options().launch_kwargs())
        context = await browser.new_context(locale="zh-CN")
        try:
            adapter = load_adapter(settings.adapter_name(system))(context, cfg)
            adapter.ask_captcha = ask
            await adapter.page()  # logs in; HumanRequired when the system still refuses (a wrong answer)
            await _keep_session(context, path)
        finally:
            await browser.close()


def _last_done(settings: Any, system: str) -> Any | None:
    """The latest case written into ``system`` and verified, to look for and read back (None: none yet)."""
    from casebot.ops.reading import read

    return read(settings, lambda ledger: next((i for i in ledger.items(states=("done",), limit=200)
                                               if i.target == system and i.record_id and i.card), None), None)


async def _check_written(adapter: Target, item: Any | None, row: dict[str, Any]) -> None:
    """The search page finds a written case and the read-back page shows it, as a run's checks need."""
    if item is None:
        row.setdefault("notes", []).append("尚无已写入的案件：搜索页和回读页在第一次写入后检查")
        return
    try:
        found = await adapter.find_existing(item.card)
    except errors.PageChanged as exc:
        row["problems"].append(f"搜索页：{exc}")
        row["kind"] = "page"
        return
    if found is None:
        row["problems"].append(f"搜索页：找不到已写入的案件 {item.case_key}")
        row["kind"] = "page"
        return
    row["checked"].append("搜索页")
    try:
        await adapter.read_back(item.record_id)
    except errors.PageChanged as exc:
        row["problems"].append(f"回读页：{exc}")
        row["kind"] = "page"
        return
    row["checked"].append("回读页")


#: each kind of problem doctor finds, and the exit status it gives: the error table's (domain.meanings)
DOCTOR_EXIT = {"password": MEANINGS[errors.ConfigError].exit, "page": MEANINGS[errors.PageChanged].exit,
               "login": MEANINGS[errors.HumanRequired].exit, "down": MEANINGS[errors.SystemUnreachable].exit,
               "unreachable": MEANINGS[errors.TransientError].exit, "codes": MEANINGS[errors.OptionMissing].exit}


def _doctor_kind(exc: errors.CasebotError) -> str:
    """Doctor's word for what stopped a system's check, as the error table means it: a person must log in,
    the system's configuration (its password), its server down, not reachable now (retried by runs), else
    its pages."""
    row = meaning(exc)
    if isinstance(exc, errors.SystemUnreachable):
        return "down"
    if row.stops == SYSTEM:
        return "login" if row.exit == MEANINGS[errors.HumanRequired].exit else "password"
    return "unreachable" if row.retried else "page"


def _absent_messages(form: FormCheck) -> list[str]:
    """One line per control not found: its label, its selector and the form description that names it."""
    out, said = [], set()
    for source, name, b in form.absent:
        out.append(f"录入页：{absent_line(source, name, b, form.why.get(b.label))}")
        said.add(b.label)
    out += [f"录入页：找不到“{label}”" for label in form.labels if label not in said]
    return out


def _installed_schedule() -> str | None:
    """``cron`` or ``systemd`` when casebot's schedule is installed for this user, else None."""
    from casebot.ops import schedule as sched

    if (_systemd_dir() / f"{sched.UNIT}.timer").exists():
        return "systemd"
    try:
        listed = subprocess.run(["crontab", "-l"], capture_output=True, text=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return "cron" if any(ln.rstrip().endswith(sched.TAG) for ln in listed.stdout.splitlines()) else None


def _env_file() -> dict[str, str]:
    """The systemd unit's EnvironmentFile (``~/.config/casebot/env``): KEY=VALUE lines."""
    path = Path.home() / ".config" / "casebot" / "env"
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().partition("=")
            if sep and not key.startswith("#"):
                out[key.strip()] = value.strip().strip('"')
    return out


def _scheduled_env_problems(config: Path, here: list[dict[str, object]], kind: str) -> list[str]:
    """Passwords found here that the schedule's bare environment (HOME and a short PATH; for systemd, its
    environment file too) cannot read."""
    if os.name == "nt":
        return []
    found_here = {str(r["system"]) for r in here if r["found"]}
    if not found_here:
        return []
    env = {"HOME": str(Path.home()), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    if kind == "systemd":
        env.update(_env_file())
    for key in ("CASEBOT_KEYRING", "CASEBOT_SECRETS_FILE"):  # what a schedule is told to use, if set
        if key in os.environ:
            env[key] = os.environ[key]
    done = subprocess.run([sys.executable, "-m", "casebot", "secret", "list", "--json", "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=120)
    try:
        there = {r["system"]: r["found"] for r in json.loads(done.stdout)["systems"]}
    except (ValueError, KeyError, TypeError):
        return [f"无法在定时任务的环境中检查密码：{(done.stderr or done.stdout).strip()[:300]}"]
    return [f"定时任务的环境（cron）读不到 {name} 的密码：当前的密码在环境变量或桌面钥匙串中；"
            f"请用 CASEBOT_KEYRING=file casebot secret set {name} 保存" for name in sorted(found_here)
            if not there.get(name)]


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
    from casebot.cli.secret import status_rows

    cfg = Path(config or os.environ.get("CASEBOT_CONFIG") or "casebot.toml").expanduser().resolve()
    settings = load_settings(cfg)
    out_dir = private_dir(settings.path(settings.artifacts.dir) / "doctor")
    # what the adapters log (a field found by its label, say) goes to the log file and stderr, never stdout
    logs.configure(log_file=settings.path(settings.logging.file), console=not json_out, level=settings.logging.level)
    passwords = status_rows(cfg)
    missing = {str(r["system"]) for r in passwords if not r["found"]}
    pre: list[dict[str, object]] = [
        {"system": name, "ok": False, "kind": "password", "screenshot": None,
         "problems": [f"缺少密码：运行 casebot secret set {name}，或设置环境变量 CASEBOT_{name.upper()}_PASSWORD"]}
        for name in sorted(missing)]
    from casebot.ops.notify import failed_channels

    pre += [{"system": f"(告警 {name})", "ok": False, "kind": "notify", "screenshot": None, "drift": [],
             "problems": [f"上次告警未送达：{failed.get('error', '')}（{failed.get('at', '')}）；"
                          "修正 [notify] 后运行 casebot notify test"]}
            for name, failed in failed_channels(settings).items()]
    kind = _installed_schedule() or ("cron" if scheduled else None)
    if kind is not None:
        unread = _scheduled_env_problems(cfg, passwords, kind)
        if unread:
            pre.append({"system": f"(定时任务 {kind})", "ok": False, "kind": "password", "problems": unread,
                        "screenshot": None})

    @functools.cache
    def tables() -> CodeTables:
        from casebot.mapping.pipeline import Pipeline

        return Pipeline().codes

    async def check() -> list[dict[str, Any]]:
        from playwright.async_api import async_playwright

        rows: list[dict[str, Any]] = []
        systems = [s for s in settings.systems if s not in missing]
        if not systems:
            return rows
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**settings.browser.options().launch_kwargs())
            for system in systems:
                row: dict[str, Any] = {"system": system, "ok": True, "kind": None, "problems": [], "drift": [],
                                       "screenshot": None}
                shot: bytes | None = None
                kept = settings.session_file(system)  # a session kept by `casebot login`, as runs use it
                context = await browser.new_context(locale="zh-CN",
                                                    storage_state=str(kept) if kept.is_file() else None)
                try:
                    cls = load_adapter(settings.adapter_name(system))
                    adapter = cls(context, settings.system_config(system))
                    await adapter.page()
                    if isinstance(adapter, Target):
                        form = await adapter.check_form()
                        if form.labels:
                            row["problems"] = _absent_messages(form)
                            row["kind"] = "page"
                            shot = form.screenshot
                        row["checked"] = ["登录", "录入页"]
                        await _check_written(adapter, _last_done(settings, system), row)
                        routes = [r for r in settings.routes if r.target == system]
                        regions = routing.served_regions(routes)
                        if not routes:
                            row.setdefault("notes", []).append("没有路线写入此系统：未核对选项与代码表")
                        short = lacking(cls.fields, form.offered, tables(), regions) \
                            if form.offered and routes else []
                        if short:
                            row["codes"] = [{"field": x.field, "label": x.label, "table": x.table,
                                             "column": x.column, "missing": list(x.codes)} for x in short]
                            row["problems"] += [f"选项：{x.describe()}" for x in short]
                            row["kind"] = row["kind"] or "codes"
                        if routes:
                            row["checked"].append("选项与代码表")
                        row["drift"] = [f"字段“{label}”的选择器 {old} 已失效，按标签找到 {new}（请更新表单描述）"
                                        for label, (old, new) in adapter.drift().items()]
                    elif isinstance(adapter, Source):
                        async for _ref in adapter.list_records():
                            break
                except errors.CasebotError as exc:
                    row["problems"], row["kind"] = [str(exc)], _doctor_kind(exc)
                if row["problems"]:
                    row["ok"] = False
                    path = out_dir / f"{system}.png"
                    try:
                        if shot is None and context.pages:  # else: the page where a field was missed
                            shot = await context.pages[-1].screenshot(full_page=True)
                        if shot is not None:
                            path.write_bytes(shot)
                            os.chmod(path, 0o600)
                            row["screenshot"] = str(path)
                    except Exception:  # a screenshot is a help, never a reason to fail doctor
                        pass
                await context.close()
                rows.append(row)
            await browser.close()
        return rows

    rows = pre + asyncio.run(check())
    kinds = {r["kind"] for r in rows if not r["ok"]}
    order = ("password", "page", "login", "down", "unreachable", "codes")
    code = next((DOCTOR_EXIT[k] for k in order if k in kinds), 0)
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

    unit_dir = _systemd_dir()
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


def _systemd_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


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
        unit_dir = _systemd_dir()
        if (unit_dir / f"{sched.UNIT}.timer").exists():
            subprocess.run(["systemctl", "--user", "disable", "--now", f"{sched.UNIT}.timer"], capture_output=True)
        for name in (f"{sched.UNIT}.service", f"{sched.UNIT}.timer"):
            (unit_dir / name).unlink(missing_ok=True)
        subprocess.run(["systemctl", "--user", "daemon-reload"], capture_output=True)
        console.print(f"已删除 systemd 用户定时器 {sched.UNIT}.timer。")
    else:
        _run(sched.schtasks_delete())
        console.print(f"已删除 Windows 计划任务 {sched.TASK_NAME}。")
