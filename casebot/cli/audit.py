"""``casebot audit verify``: check the audit log's chain of hashes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from casebot.cli.common import ConfigOption, console, err_console, exits, load_settings
from casebot.domain.exits import EXIT_AUDIT_ALTERED

app = typer.Typer(help="写入操作的审计日志（防篡改）。", no_args_is_help=True)

#: the audit log was altered: a line edited, removed or reordered
EXIT_TAMPERED = EXIT_AUDIT_ALTERED


@app.command()
@exits
def verify(config: Path = ConfigOption,
           directory: Annotated[Path | None, typer.Option(
               "--dir", help="审计日志目录（默认：配置中的 audit.dir）", file_okay=False)] = None,
           ) -> None:
    """核对审计日志每一行的哈希、行与行之间的链和链头：有任何改动时退出码 10。"""
    from casebot.run import audit

    if directory is None:
        settings = load_settings(config)
        directory = settings.path(settings.audit.dir)
    checked, problems = audit.verify(directory)
    for p in problems:
        err_console.print(f"[red]tampered[/red] {escape(str(p))}", highlight=False, soft_wrap=True)
    if problems:
        err_console.print(f"[red]{len(problems)} problem(s)[/red] in {checked} line(s) of {escape(str(directory))}",
                          highlight=False)
        raise typer.Exit(EXIT_TAMPERED)
    console.print(f"[green]audit log intact[/green]: {checked} line(s) in {escape(str(directory))}",
                  highlight=False, soft_wrap=True)
