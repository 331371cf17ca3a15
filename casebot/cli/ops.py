"""Ops commands: ``status``, ``failures`` (and ``failures show ID``), ``replay``, ``metrics``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from casebot.cli.common import ConfigOption, JsonOption, Table, console, err_console, exits, load_settings, print_json
from casebot.domain.states import LABELS as STATE_LABELS
from casebot.domain.states import REPLAYABLE
from casebot.errors import UsageError
from casebot.ops import timefmt
from casebot.ops.advice import advise

FAILURE_STATES = REPLAYABLE


def _items(settings: Any, **kw: Any) -> list[Any]:
    from casebot.ops import reading

    with reading.ledger(settings) as ledger:
        return ledger.items(**kw)


def _last_run_json(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {**run, "started": timefmt.local_iso(run.get("started")), "finished": timefmt.local_iso(run.get("finished"))}


@exits
def status(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """台账概况：案件数、上次运行、最早的待处理案件。

    各路线各状态的案件数、上次运行的时间和退出码、最早一件待人工处理案件等了多久。
    """
    from casebot.cli.reconcile import last_counts
    from casebot.ops import lastrun, snapshot
    from casebot.run.reconcile import KINDS

    settings = load_settings(config)
    snap = snapshot.take(settings)
    reconciled = last_counts(settings)
    oldest = snap.oldest
    if json_out:
        print_json({"schema": "casebot.status/1", "routes": snap.counts, "last_run": _last_run_json(snap.last_run),
                    "oldest_failure": None if oldest is None else {
                        "id": oldest.id, "route": oldest.route, "state": oldest.state,
                        "since": timefmt.local_iso(oldest.updated_at), "age_seconds": round(snap.oldest_age_s or 0)},
                    "reconcile": reconciled or None})
        return
    table = Table(title="casebot 台账")
    table.add_column("路线", no_wrap=True)
    table.add_column("环节", no_wrap=True)
    hops = {r.name: r.hop(settings) for r in settings.routes}
    for s in snapshot.STATES:
        table.add_column(STATE_LABELS[s], justify="right", no_wrap=True)
    for route, c in snap.counts.items():
        table.add_row(route, hops.get(route, ""), *(str(c[s]) for s in snapshot.STATES))
    console.print(table)
    run = snap.last_run
    if run is None:
        console.print("上次运行：尚未运行")
    else:
        code = run.get("exit_code")
        console.print(f"上次运行：{timefmt.local(run.get('finished'))}，退出码 {code}"
                      f"（{lastrun.EXIT_TEXT.get(code, run.get('reason', ''))}）", highlight=False)
    if oldest is None:
        console.print("没有等待人工处理的案件。")
    else:
        console.print(f"最早的待人工处理案件：ID {oldest.id}（{STATE_LABELS.get(oldest.state, oldest.state)}），"
                      f"已等待 {timefmt.age(snap.oldest_age_s or 0)}，自 {timefmt.local(oldest.updated_at)}",
                      highlight=False)
    if reconciled:
        console.print(f"回头看（{reconciled['when']}）：" +
                      "，".join(f"{KINDS[k]} {n}" for k, n in reconciled["counts"].items()),
                      highlight=False)


failures_app = typer.Typer(help="失败的案件及原因；用 casebot failures show 编号 看详情。")


@failures_app.callback(invoke_without_command=True)
@exits
def failures(ctx: typer.Context, config: Path = ConfigOption,
             route: str = typer.Option(None, "--route", help="只看这条路线"),
             limit: int = typer.Option(100, "--limit", help="最多列出多少件"), json_out: bool = JsonOption) -> None:
    """需要人工处理、待重试、待确认和已写入未核对的案件，一件一行。"""
    if ctx.invoked_subcommand is not None:
        return
    items = _items(load_settings(config), route=route, states=FAILURE_STATES, limit=limit)
    if json_out:
        print_json({"schema": "casebot.failures/1",
                    "failures": [{**i.as_json(), "updated_at": timefmt.local_iso(i.updated_at),
                                  "created_at": timefmt.local_iso(i.created_at)} for i in items]})
        return
    if not items:
        console.print("没有失败的案件。")
        return
    by_route: dict[str, list[Any]] = {}
    for i in items:
        by_route.setdefault(i.route, []).append(i)
    for route_name, rows in sorted(by_route.items()):
        console.print(_failure_table(route_name, rows))
    console.print("详情：casebot failures show ID；改正后：casebot replay ID", highlight=False)


def _failure_table(route: str, items: list[Any]) -> Table:
    """One row per case; the reason wraps to the terminal's width (never cut), without the case number its
    message starts with (the case has its own column)."""
    widths = [max(2, *(len(str(i.id)) for i in items)), max(len(i.case_key) for i in items), 10, 11]
    table = Table(title=f"失败案件 · {route}", title_justify="left")
    for name, width in zip(("ID", "案件编号", "状态", "时间"), widths, strict=True):
        table.add_column(name, no_wrap=True, width=width, justify="right" if name == "ID" else "left")
    table.add_column("原因", overflow="fold", ratio=1, min_width=12)
    for i in items:
        text = (i.error_message or i.error_type or "").replace("\n", " ")
        text = re.sub(rf"^案件\s*{re.escape(i.case_key)}\s*[：:，,]\s*", "", text)
        table.add_row(str(i.id), i.case_key, STATE_LABELS.get(i.state, i.state), timefmt.local(i.updated_at)[5:16],
                      text)
    return table


@failures_app.command("show")
@exits
def failures_show(item_id: int = typer.Argument(..., metavar="ID", help="`casebot failures` 中的 ID"),
                  config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """一件案件的详情：原因、截图和追踪文件、每次尝试的经过。"""
    from casebot.ops import reading

    with reading.ledger(load_settings(config)) as ledger:
        found = ledger.items(ids=[item_id])
        attempts = ledger.attempts_of(item_id) if found else []
    if not found:
        raise UsageError(f"没有 ID 为 {item_id} 的案件：用 casebot failures 查看 ID")
    item = found[0]
    history = [{"run_id": a["run_id"], "started": timefmt.local_iso(a["started_at"]),
                "finished": timefmt.local_iso(a["finished_at"]), "outcome": a["outcome"],
                "error_type": a["error_type"], "error_message": a["error_message"]} for a in attempts]
    if json_out:
        print_json({"schema": "casebot.failure/1", **item.as_json(), "updated_at": timefmt.local_iso(item.updated_at),
                    "created_at": timefmt.local_iso(item.created_at), "history": history})
        return
    saves = f"{item.attempts} 次" if item.attempts else "未保存（停在读取或映射，目标系统中没有写入）"
    rows = [("ID", str(item.id)), ("路线", item.route), ("目标系统", item.target), ("案件编号", item.case_key),
            ("状态", STATE_LABELS.get(item.state, item.state)), ("保存尝试", saves),
            ("首次记录", timefmt.local(item.created_at)), ("最后更新", timefmt.local(item.updated_at)),
            ("错误类型", item.error_type or ""), ("原因", item.error_message or ""),
            ("目标记录号", item.record_id or "")]
    for path in item.artifacts:
        rows.append(("追踪" if path.endswith(".zip") else "截图", path))
    for label, value in rows:
        console.print(f"{label}：{value}", highlight=False, soft_wrap=True)
    if history:
        table = Table(title="经过")
        for col in ("开始", "结束", "结果", "原因"):
            table.add_column(col, no_wrap=col != "原因", overflow="fold")
        for h in history:
            table.add_row(timefmt.local(h["started"]), timefmt.local(h["finished"]), str(h["outcome"] or ""),
                          str(h["error_message"] or h["error_type"] or ""))
        console.print(table)
    advice = advise(item.state, item.error_type, item.error_message)
    console.print(f"在哪里改：{advice.where}；{advice.what}", highlight=False, soft_wrap=True)
    fresh = "--fresh " if "--fresh" in advice.what else ""
    console.print(f"改正原因后运行：casebot replay {fresh}{item.id}", highlight=False)


@exits
def replay(ids: list[int] = typer.Argument(None, help="`casebot failures` 中的 ID（可多个）"),
           all_: bool = typer.Option(False, "--all", help="所有失败的案件"),
           fresh: bool = typer.Option(False, "--fresh", help="重新读取来源并重新映射（改了映射之后用）"),
           config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """重新写入失败的案件（不会重复写入）。

    用冻结的案卡，或（--fresh）重新读取来源并重新映射。
    """
    from casebot.cli.run import execute, run_json, show

    if not ids and not all_:
        raise UsageError("replay：请给出 ID（见 casebot failures）或 --all")
    settings = load_settings(config)
    items = _items(settings, states=REPLAYABLE, ids=ids or None)
    if ids:
        missing = set(ids) - {i.id for i in items}
        if missing:
            raise UsageError(f"replay：没有 ID 为 {', '.join(map(str, sorted(missing)))} 的失败案件"
                             "（用 casebot failures 查看 ID）")
    summary = execute(settings, replay=items, fresh=fresh)  # type: ignore[arg-type]
    if json_out:
        print_json(run_json(settings, exit_code=summary.exit_code, summary=summary))
    else:
        show(summary)
    raise typer.Exit(summary.exit_code)


@exits
def metrics(config: Path = ConfigOption,
            textfile: Path = typer.Option(None, "--textfile",
                                          help="写入这个 .prom 文件（node_exporter 的 textfile 收集器读取）"),
            ) -> None:
    """输出 OpenMetrics 指标（供 Prometheus 告警）。"""
    from casebot.ops import metrics as m
    from casebot.ops import snapshot

    settings = load_settings(config)
    snap = snapshot.take(settings)
    reg = m.registry(routes=snap.routes, counts=snap.counts, last_run=snap.last_run, oldest_failure=snap.oldest_at,
                     now=snap.taken, settings=settings)
    _deadline_metrics(reg, settings)
    if textfile is not None:
        m.write_textfile(reg, textfile)
        console.print(f"已写入 {textfile}", highlight=False, soft_wrap=True)
    else:
        typer.echo(m.openmetrics(reg), nl=False)


def _deadline_metrics(reg: Any, settings: Any) -> None:
    """期限预警's gauges (casebot_deadline_cases{rule, state}) beside the ledger's; a broken calendar file
    costs these gauges only (said on stderr), never the others."""
    from casebot.deadlines.metrics import add
    from casebot.errors import ConfigError
    from casebot.ops.deadlines import report_for

    try:
        found = report_for(settings).deadlines
    except ConfigError as exc:
        err_console.print(f"[yellow]期限预警指标未输出[/yellow] {exc}", highlight=False)
        return
    add(reg, found)
