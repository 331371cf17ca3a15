"""``casebot secret set/get/delete/list``: the systems' passwords, in the keyring or a 0600 file."""

from __future__ import annotations

import contextlib
import getpass
import sys
from pathlib import Path

import typer

from casebot import errors
from casebot.cli.common import ConfigOption, JsonOption, Table, console, exits, load_settings, print_json
from casebot.kit import secrets

app = typer.Typer(help="系统密码：存于系统钥匙串或仅本人可读的文件。",
                  no_args_is_help=True)

StdinOption = typer.Option(False, "--stdin", help="从标准输入读取密码（用于脚本），不提示")


@app.command("set")
@exits
def secret_set(system: str = typer.Argument(..., help="系统名（casebot.toml 的 [systems]）"),
               from_stdin: bool = StdinOption) -> None:
    """保存 SYSTEM 的密码。"""
    from casebot.kit.logins import LoginCap

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass(f"{system} 密码: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise errors.SecretError("未输入密码，未保存") from exc
    if not password:
        raise errors.SecretError("密码为空，未保存")
    store = secrets.store()
    store.set(system, password)
    console.print(f"已保存 {system} 的密码：{store.where}", highlight=False, soft_wrap=True)
    with contextlib.suppress(errors.CasebotError):  # a new secret: the system may be tried again
        settings = load_settings(None)
        LoginCap(settings.login_cap_file(system), system).clear("new secret")


@app.command("get")
@exits
def secret_get(system: str = typer.Argument(..., help="系统名"),
               show: bool = typer.Option(False, "--show", help="打印密码本身（默认只说明是否已保存、在哪里）"),
               ) -> None:
    """说明 SYSTEM 的密码是否已保存、在哪里；没有时退出码 4。"""
    value, where = secrets.lookup(system)
    if value is None:
        raise errors.SecretError(f"{system} 没有密码：运行 `casebot secret set {system}`，"
                                 f"或设置环境变量 {secrets.env_name(system)}")
    console.print(value if show else f"{system}: 已保存（{where}）", highlight=False, soft_wrap=True)


@app.command("delete")
@exits
def secret_delete(system: str = typer.Argument(..., help="系统名")) -> None:
    """删除 SYSTEM 保存的密码。"""
    store = secrets.store()
    if store.delete(system):
        console.print(f"已删除 {system} 的密码（{store.where}）", highlight=False, soft_wrap=True)
    else:
        console.print(f"{system} 没有保存的密码（{store.where}）", highlight=False, soft_wrap=True)


def status_rows(config: Path | None) -> list[dict[str, object]]:
    """For each system with a username: is its password found, and where (never the password)."""
    return secrets.password_status(load_settings(config))


@app.command("list")
@exits
def secret_list(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """列出配置中每个系统的密码是否已保存、在哪里（不显示密码）；有缺失时退出码 4。"""
    rows = status_rows(config)
    if json_out:
        print_json({"schema": "casebot.secrets/1", "systems": rows})
    else:
        table = Table(title="casebot 密码")
        for col in ("系统", "状态", "位置"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r["system"]), "已保存" if r["found"] else "[red]缺少[/red]", str(r["where"]))
        console.print(table)
    if not all(r["found"] for r in rows):
        raise typer.Exit(4)
