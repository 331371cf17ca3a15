"""``casebot run``: one unattended pass over every route."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from casebot import logs, report
from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.config import Settings
from casebot.ops import housekeeping
from casebot.runner import Runner, RunSummary

OUTCOMES = ("done", "failed", "retry", "dry-run")


def execute(settings: Settings, *, dry_run: bool = False, limit: int | None = None,
            routes: list[str] | None = None, headed: bool = False, verify: bool | None = None,
            progress: bool | None = None, replay: list | None = None, fresh: bool = False) -> RunSummary:
    """Run (or replay) with a progress bar in a terminal, plain structured logs otherwise."""
    tty = sys.stderr.isatty() if progress is None else progress
    logs.configure(log_file=settings.path(settings.logging.file), console=not tty, level=settings.logging.level,
                   max_bytes=int(settings.logging.max_mb * 1024 * 1024), backups=settings.logging.backups)
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
    path = report.write(summary, settings.path(settings.artifacts.reports),
                        manual_minutes=settings.run.manual_minutes_per_card, dry_run=dry_run)
    summary.report_path = str(path)
    return summary


def record_run(settings: Settings, summary: RunSummary) -> None:
    """Keep the run's end for `status`, `metrics` and the console (see casebot.ops.lastrun)."""
    from casebot.ops import lastrun

    lastrun.save(settings, lastrun.record(run_id=summary.run_id, started=summary.started, finished=summary.finished,
                                          exit_code=summary.exit_code, by_route=summary.as_json()["by_route"]))


def notify_after(settings: Settings, summary: RunSummary) -> None:
    """Tell the configured channels what is new and needs a person (see casebot.ops.notify)."""
    from casebot.ops.notify import after_run

    after_run(settings, exit_code=summary.exit_code, system_errors=summary.system_errors)


def show(summary: RunSummary) -> None:
    table = Table(title=f"运行 {summary.run_id}")
    table.add_column("路线")
    for o in OUTCOMES:
        table.add_column(o, justify="right")
    data = summary.as_json()["by_route"]
    for route, counts in sorted(data.items()):
        table.add_row(route, *(str(counts.get(o, 0)) for o in OUTCOMES))
    console.print(table)
    for r in summary.results:
        if r.outcome in ("failed", "retry"):
            console.print(f"[red]✗[/red] {r.route} {r.case_key}: {r.error}", highlight=False)
    for e in summary.system_errors:
        console.print(f"[red]![/red] {e}", highlight=False)
    console.print(f"报告: {summary.report_path}", highlight=False)


@exits
def run(config: Path = ConfigOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="只读取和映射，不写入"),
        limit: int = typer.Option(None, "--limit", help="每条路线最多处理 N 件"),
        route: list[str] = typer.Option(None, "--route", help="只运行这条路线（可重复）"),
        headed: bool = typer.Option(False, "--headed", help="显示浏览器窗口"),
        no_verify: bool = typer.Option(False, "--no-verify", help="不回读核对"),
        json_out: bool = JsonOption) -> None:
    """运行一次：读取、写入、回读核对每件符合条件的案件。

    读取符合条件的案件，写入目标系统，回读核对，记入台账。

    退出码：0 正常；1 有案件需要人工处理；2 暂时性错误，下次运行重试；3 需要人工登录；
    4 配置错误或缺少密码；5 另一次运行正在进行；6 台账缺失或损坏；7 页面已变化，请运行 casebot doctor。
    """
    settings = load_settings(config)
    summary = execute(settings, dry_run=dry_run, limit=limit, routes=route or None, headed=headed,
                      verify=False if no_verify else None)
    if not dry_run:
        record_run(settings, summary)
        notify_after(settings, summary)
    housekeeping.after_run(settings)
    if json_out:
        print_json({**summary.as_json(), "results": [r.as_json() for r in summary.results],
                    "report": summary.report_path})
    else:
        show(summary)
    raise typer.Exit(summary.exit_code)
