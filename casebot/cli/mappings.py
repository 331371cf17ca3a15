"""``casebot mappings check`` and ``casebot mappings schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from casebot.cli.common import console, err_console
from casebot.domain.exits import EXIT_CONFIG

app = typer.Typer(help="检查映射文件，导出映射格式的 JSON Schema。", no_args_is_help=True)

DirOption = Annotated[Path | None, typer.Option(
    "--dir", help="要检查的映射目录（默认：随附的映射）",
    file_okay=False, dir_okay=True)]


ConfigFileOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="同时检查这个 casebot.toml 的路线：每条都有映射，且提供映射要读的数据",
    dir_okay=False)]


@app.command()
def check(directory: DirOption = None, config: ConfigFileOption = None) -> None:
    """逐个检查映射文件：与数据模型、目标适配器的字段和代码表是否相符。"""
    from casebot.mapping.checks import check_directory

    settings = None
    if config is not None:
        from casebot import config as config_module
        from casebot.errors import ConfigError

        try:
            settings = config_module.load(config)
        except ConfigError as exc:
            err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_CONFIG) from None
    if directory is None:
        from mappings import MAPPINGS_DIR

        directory = (settings.mappings_dir() if settings else None) or MAPPINGS_DIR
    problems = check_directory(directory)
    if settings is not None and not any(p.level == "error" for p in problems):
        from casebot.mapping import load_mappings
        from casebot.mapping.checks import _default_loader, check_routes

        problems += check_routes(load_mappings(directory), settings, load_adapter=_default_loader)
    errors = [p for p in problems if p.level == "error"]
    for p in problems:
        out, colour = (err_console, "red") if p.level == "error" else (console, "yellow")
        where = f"{p.where}: " if p.where else ""
        out.print(f"[{colour}]{p.level}[/{colour}] {escape(where + p.message)}", soft_wrap=True, highlight=False)
    if errors:
        err_console.print(f"[red]{len(errors)} error(s)[/red]: these mappings cannot be used as they are.",
                          highlight=False)
        raise typer.Exit(EXIT_CONFIG)  # what `run` and `replay` refuse too, before a page is opened
    console.print(f"[green]mappings OK[/green] ({directory})"
                  + (f", {len(problems)} warning(s)" if problems else ""), highlight=False, soft_wrap=True)


@app.command()
def schema(output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="把 JSON Schema 写入这个文件而不是打印",
        dir_okay=False)] = None) -> None:
    """打印映射文件格式的 JSON Schema。"""
    from casebot.mapping.schema import mapping_json_schema

    text = json.dumps(mapping_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"JSON Schema written to {output}", highlight=False)
