"""``casebot run``: one unattended pass over every route."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from casebot import logs
from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.config import Settings
from casebot.glossary import label
from casebot.run import Runner, RunSummary
from casebot.run.outcome import OUTCOMES


def execute(settings: Settings, *, dry_run: bool = False, limit: int | None = None,
            routes: list[str] | None = None, headed: bool = False, verify: bool | None = None,
            progress: bool | None = None, replay: list | None = None, fresh: bool = False) -> RunSummary:
    """Run (or replay) with a progress bar in a terminal, plain structured logs otherwise."""
    tty = sys.stderr.isatty() if progress is None else progress
    logs.configure(log_file=settings.path(settings.logging.file), console=not tty, level=settings.logging.level)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   transient=True) if tty else None
    tasks: dict[str, int] = {}

    def on_progress(route: str, done: int, total: int) -> None:
        if bar is None:
            return
        if route not in tasks:
            tasks[route] = bar.add_task(route, total=total)
        bar.update(tasks[route], completed=done, total=total)

    r = Runner(settings, dry_run=dry_run, limit=limit, routes=routes, headed=headed, verify_writes=verify,
               on_progress=on_progress)
    if bar is not None:
        with bar:
            summary = asyncio.run(r.run(replay=replay, fresh=fresh))
    else:
        summary = asyncio.run(r.run(replay=replay, fresh=fresh))
    return summary


def show(summary: RunSummary) -> None:
    table = Table(title=f"运行 {summary.run_id}")
    table.add_column("路线")
    data = summary.as_json()["by_route"]
    shown = [o for o in OUTCOMES if any(o in counts for counts in data.values())]
    for o in shown:
        table.add_column(label(o), justify="right")
    for route, counts in sorted(data.items()):
        table.add_row(route, *(str(counts.get(o, 0)) for o in shown))
    console.print(table)
    for r in summary.results:
        if r.outcome not in ("done", "dry-run"):
            console.print(f"[red]✗[/red] {r.route} {r.case_key}: {r.error}", highlight=False)
    for e in summary.system_errors:
        console.print(f"[red]![/red] {e}", highlight=False)
    console.print(f"报告: {summary.report_path}", highlight=False)


@exits
def run(config: Path = ConfigOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="read and map, write nothing"),
        limit: int = typer.Option(None, "--limit", help="at most N cases per route"),
        route: list[str] = typer.Option(None, "--route", help="only this route (repeatable)"),
        headed: bool = typer.Option(False, "--headed", help="show the browser"),
        no_verify: bool = typer.Option(False, "--no-verify", help="skip the read-back check"),
        json_out: bool = JsonOption) -> None:
    """One unattended pass: read eligible cases, write them, read them back, record the outcome.

    Exit status: 0 nothing failed; 1 cases need a clerk; 2 transient errors left for the next run;
    3 a system needs an interactive login; 4 configuration invalid; 5 another run is going on;
    6 ledger missing or corrupt; 7 a system's pages changed (run `casebot doctor`); 8 an unexpected
    error (a bug: see the log).
    """
    settings = load_settings(config)
    summary = execute(settings, dry_run=dry_run, limit=limit, routes=route or None, headed=headed,
                      verify=False if no_verify else None)
    if json_out:
        print_json({**summary.as_json(), "results": [r.as_json() for r in summary.results],
                    "report": summary.report_path})
    else:
        show(summary)
    raise typer.Exit(summary.exit_code)
