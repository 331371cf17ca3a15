"""``casebot ledger``: move a workstation's ledger into a shared PostgreSQL one, check either backend."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from casebot.commands.common import ConfigOption, JsonOption, console, err_console, exits, load_settings, print_json
from casebot.errors import ConfigError
from casebot.ledger import open_ledger, sqlite_path
from casebot.lock import RunLock
from casebot.run import outcome

app = typer.Typer(no_args_is_help=True, help="Move the ledger to a shared PostgreSQL, check a ledger.")


@app.command()
@exits
def migrate(to: str = typer.Option(..., "--to", help="postgresql://user@host:port/dbname of the shared ledger"),
            config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """Move this workstation's SQLite ledger (items, attempts, card versions, runs) into a shared PostgreSQL ledger.

    Holds the workstation's run lock meanwhile; afterwards the SQLite file refuses further work
    and ledger.url in casebot.toml must name the shared ledger. Several workstations may move their ledgers
    into one database, one after the other.
    """
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
    """Verify the ledger that ledger.url names (SQLite or PostgreSQL): exit 0 when sound, 6 with problems."""
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
        raise typer.Exit(outcome.EXIT_LEDGER)

