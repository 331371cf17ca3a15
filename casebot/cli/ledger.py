"""``casebot ledger``: move a workstation's ledger into a shared PostgreSQL one, check either backend."""

from __future__ import annotations

from pathlib import Path

import typer

from casebot.cli.common import ConfigOption, JsonOption, Table, console, err_console, exits, load_settings, print_json
from casebot.domain.exits import EXIT_LEDGER
from casebot.errors import ConfigError
from casebot.ledger import open_ledger, sqlite_path

app = typer.Typer(no_args_is_help=True, help="把台账迁入共享的 PostgreSQL 数据库；检查台账。")


@app.command()
@exits
def migrate(to: str = typer.Option(..., "--to", help="共享台账的地址：postgresql://用户@主机:端口/数据库"),
            config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """把本工作站的 SQLite 台账（案件、写入记录、案卡版本、运行）迁入共享的 PostgreSQL 台账。

    迁移期间占用本工作站的运行锁；迁移后 SQLite 文件不再可用，casebot.toml 的 ledger.url
    须改为共享台账。多个工作站可以先后把各自的台账迁入同一个数据库。
    """
    from casebot.run.lock import RunLock

    settings = load_settings(config)
    url = settings.ledger_url()
    if sqlite_path(url) is None:
        raise ConfigError("ledger migrate: [ledger] url already names a shared ledger; nothing to move")
    if not to.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        raise ConfigError("ledger migrate --to: give a postgresql:// URL")
    from casebot.ledger.tools import move_to_postgres

    with RunLock(settings.lock_path()):
        source = open_ledger(url, create=False)
        try:
            dest = open_ledger(to)
            try:
                report = move_to_postgres(source, dest)  # type: ignore[arg-type]
            finally:
                dest.close()
        finally:
            source.close()
    if json_out:
        print_json(report.as_json())
        return
    console.print(f"已迁移 {report.items} 件案件（{report.merged} 件与共享台账中已有的合并）、"
                  f"{report.attempts} 次尝试、{report.versions} 个案卡版本、{report.runs} 次运行："
                  f"{report.source} → {report.destination}",
                  highlight=False)
    console.print("请在 casebot.toml 中设置（密码放在 ~/.pgpass 或环境变量 PGPASSWORD 中，不要写进文件）：",
                  highlight=False)
    console.print(f'[ledger]\nurl = "{report.destination}"', highlight=False, markup=False)


@app.command()
@exits
def check(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """检查 ledger.url 所指的台账（SQLite 或 PostgreSQL）：完好时退出码 0，有问题时 6。"""
    settings = load_settings(config)
    from casebot.ledger.tools import check as check_ledger

    ledger = open_ledger(settings.ledger_url(), create=False)
    try:
        report = check_ledger(ledger)
    finally:
        ledger.close()
    if json_out:
        print_json(report.as_json())
    else:
        table = Table(title=f"台账检查 {report.backend}: {report.where}")
        table.add_column("")
        table.add_column("")
        table.add_row("ledger id", report.ledger_id)
        table.add_row("migrations", ", ".join(report.migrations))
        table.add_row("cases", ", ".join(f"{r}: {sum(c.values())}" for r, c in sorted(report.counts.items())) or "0")
        for p in report.problems:
            table.add_row("[red]problem[/red]", p)
        for n in report.notes:
            table.add_row("note", n)
        console.print(table)
    if not report.ok:
        err_console.print("[red]台账错误[/red] " + "; ".join(report.problems), highlight=False)
        raise typer.Exit(EXIT_LEDGER)

