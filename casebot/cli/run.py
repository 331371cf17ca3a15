"""``casebot run``: one unattended pass over every route."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from casebot import errors
from casebot.cli.common import (
    ConfigOption,
    JsonOption,
    Table,
    console,
    err_console,
    exits,
    load_settings,
    print_json,
)
from casebot.domain.exits import EXIT_BUG, EXIT_HUMAN_REQUIRED, REASONS
from casebot.domain.states import label

if TYPE_CHECKING:
    from casebot.config import Settings
    from casebot.run.outcome import RunSummary


def execute(settings: Settings, *, dry_run: bool = False, limit: int | None = None,
            routes: list[str] | None = None, headed: bool = False, verify: bool | None = None,
            progress: bool | None = None, replay: list | None = None, fresh: bool = False) -> RunSummary:
    """Run (or replay) with a progress bar in a terminal, plain structured logs otherwise."""
    from casebot import logs
    from casebot.run import Runner

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
    # the runner owns the run from start to end: last run, notifications, housekeeping (Runner.finished)
    if bar is not None:
        with bar:
            return r.execute(replay=replay, fresh=fresh)
    return r.execute(replay=replay, fresh=fresh)


def run_json(settings: Settings | None, *, exit_code: int, summary: RunSummary | None = None,
             message: str | None = None, started: float | None = None) -> dict[str, Any]:
    """``casebot.run/1`` (docs/json.md): every configured route with every outcome, zeros included."""
    from casebot.ops import timefmt
    from casebot.run.outcome import OUTCOMES

    data = summary.as_json() if summary else {"by_route": {}, "waiting": {}}
    by_route, waiting = data["by_route"], data["waiting"]
    names = {r.name for r in settings.routes} if settings else set()
    finished = summary.finished if summary else time.time()
    begun = summary.started if summary else started
    return {
        "schema": "casebot.run/1",
        "run_id": summary.run_id if summary else None,
        "exit_code": exit_code,
        "reason": REASONS.get(exit_code, "unknown"),
        # a run every route of which a system's configuration stopped says why (a missing password...)
        "message": message or ("；".join(summary.system_errors) if summary and exit_code and summary.system_errors
                               else None),
        "started": timefmt.local_iso(begun) if summary else None,
        "finished": timefmt.local_iso(finished),
        "seconds": round(finished - begun, 3) if begun else 0.0,
        "routes": {n: {o: by_route.get(n, {}).get(o, 0) for o in OUTCOMES} for n in sorted(names | set(by_route))},
        "waiting": {n: waiting.get(n, 0) for n in sorted(names | set(by_route) | set(waiting))},
        "system_errors": summary.system_errors if summary else [],
        "counters": summary.counters if summary else {},
        "report": summary.report_path if summary else None,
        "results": [r.as_json() for r in summary.results] if summary else [],
    }


def _on_sigterm(signum: int, frame: Any) -> None:
    from casebot.run.outcome import Terminated

    raise Terminated()


def stopped(settings: Settings | None, exc: BaseException, *, started: float, json_out: bool) -> int | None:
    """A run that ended by an exception: its exit status, printed as JSON; logged as run.finished and
    kept as the last run here only when it ended before a runner took it (else Runner.stopped did).

    None for what is not an ending of a run (typer's own exit), which the caller re-raises as is.
    """
    from casebot import logs
    from casebot.domain.privacy import scrub_text
    from casebot.ops import lastrun
    from casebot.run.outcome import ended_by

    code = ended_by(exc)
    if code is None:
        return None
    message = scrub_text(str(exc)) or type(exc).__name__
    if getattr(exc, "casebot_recorded", False):  # the runner logged and kept its end (Runner.stopped)
        if json_out:
            print_json(run_json(settings, exit_code=code, message=message, started=started))
        return code
    # ended before a runner took it (the configuration or the ledger could not be opened)
    if settings is not None:
        logs.configure(log_file=settings.path(settings.logging.file), console=not sys.stderr.isatty(),
                       level=settings.logging.level, max_bytes=int(settings.logging.max_mb * 1024 * 1024),
                       backups=settings.logging.backups)
    else:  # no configuration, so no log file: the event goes to stderr (a schedule appends it to its log)
        logs.configure(log_file=None, console=True)
    log = logs.get("run")
    if code == EXIT_BUG:
        log.error("run.crashed", error_type=type(exc).__name__, error=message, exc_info=exc)
    log.info("run.finished", run_id=None, exit_code=code, reason=REASONS.get(code, "unknown"),
             error_type=type(exc).__name__, seconds=round(time.time() - started, 2))
    if settings is not None:
        lastrun.save(settings, lastrun.record(run_id=None, started=started, finished=time.time(), exit_code=code,
                                              by_route={}))
        lastrun.count_run(settings, code)
        if code == EXIT_HUMAN_REQUIRED:
            from casebot.ops.notify import after_run

            after_run(settings, exit_code=code, system_errors=[message])
    if json_out:
        print_json(run_json(settings, exit_code=code, message=message, started=started))
    return code


def show(summary: RunSummary, settings: Any = None) -> None:
    # each route's name whole on its first line, its hop (公安移送起诉 → 检察院审查起诉案卡) wrapped below it:
    # at 80 columns (the scheduled log) nothing is cut and the counts keep their room
    from casebot.run.outcome import OUTCOMES

    table = Table(title=f"运行 {summary.run_id}")
    hops = {r.name: r.hop(settings) for r in settings.routes} if settings is not None else {}
    data = summary.as_json()["by_route"]
    table.add_column("路线（环节）" if hops else "路线", min_width=max(map(len, data), default=4))
    shown = [o for o in OUTCOMES if any(o in counts for counts in data.values())]
    for o in shown:
        table.add_column(label(o), justify="right")
    for route, counts in sorted(data.items()):
        name = f"{route}\n{hops[route]}" if route in hops else route
        table.add_row(name, *(str(counts.get(o, 0)) for o in shown))
    console.print(table)
    for r in summary.news:
        if r.outcome not in ("done", "dry-run"):
            console.print(f"[red]✗[/red] {r.route} {r.case_key}: {r.error}", highlight=False)
    for e in summary.system_errors:
        console.print(f"[red]![/red] {e}", highlight=False)
    if summary.waiting:
        console.print(f"仍待处理 {len(summary.waiting)} 件：此前已报告，案件未变化（casebot failures 查看）",
                      highlight=False)
    if summary.report_path:  # a path is never wrapped: it is copied whole
        console.print(f"报告: {summary.report_path}", highlight=False, soft_wrap=True)
    else:
        console.print("没有新的结果，未生成报告。")


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
    4 配置错误或缺少密码；5 另一次运行正在进行；6 台账缺失或损坏；7 页面已变化，请运行 casebot doctor；
    8 意外错误（程序缺陷，详见日志）；9 共享台账数据库无法连接（运行已停止，未丢失任何数据）；
    11 系统无法连接（服务器或网络故障；恢复后下次运行自动续办）。
    """

    started = time.time()
    settings: Settings | None = None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        settings = load_settings(config)
        summary = execute(settings, dry_run=dry_run, limit=limit, routes=route or None, headed=headed,
                          verify=False if no_verify else None)
    except BaseException as exc:
        code = stopped(settings, exc, started=started, json_out=json_out)
        if code is None or isinstance(exc, errors.CasebotError):
            raise  # `exits` prints casebot's own errors
        err_console.print(f"[red]{REASONS.get(code, '')}[/red] {type(exc).__name__}: {exc}（详见日志）",
                          highlight=False)
        raise typer.Exit(code) from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    if json_out:
        print_json(run_json(settings, exit_code=summary.exit_code, summary=summary))
    else:
        show(summary, settings)
        show_notify_failures(settings)
    raise typer.Exit(summary.exit_code)


def show_notify_failures(settings: Settings) -> None:
    """The alert channels whose last message did not go out (kept by casebot.ops.notify), one line each."""
    from casebot.ops.notify import failed_channels

    for name, failed in failed_channels(settings).items():
        console.print(f"[red]![/red] 告警未送达（{name}）：{failed.get('error', '')}；"
                      "修正 [notify] 后运行 casebot notify test", highlight=False, soft_wrap=True)
