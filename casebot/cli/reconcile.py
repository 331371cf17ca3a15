"""``casebot reconcile`` (回头看): every linked record checked against the police and the target as they stand."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from casebot.cli.common import ConfigOption, JsonOption, Table, console, exits, load_settings, print_json
from casebot.errors import ConfigError
from casebot.kit.browser import launched
from casebot.ledger import open_ledger

if TYPE_CHECKING:
    from casebot.run.reconcile import Report

#: exit statuses of reconcile (configuration, ledger and captcha ones are the run's: 4, 6, 3)
EXIT_IN_STEP, EXIT_FINDINGS, EXIT_UNCHECKED = 0, 1, 2


async def _run(settings: Any, ledger: Any, routes: list[str] | None, since: str | None) -> Report:
    from casebot.kit.base import SystemConfig
    from casebot.kit.plugins import load_adapter
    from casebot.mapping.pipeline import Pipeline
    from casebot.run.reconcile import reconcile as check

    async with launched(settings.browser.options()) as browser:
        context = await browser.new_context(locale="zh-CN")
        adapters: dict[str, Any] = {}

        def adapter(system: str, kind: str | None = None) -> Any:
            key = f"{system}:{kind}" if kind else system
            if key not in adapters:
                config: SystemConfig = settings.system_config(system)
                adapters[key] = load_adapter(settings.adapter_name(system)).of_kind(kind)(context, config)
            return adapters[key]

        async def fresh_pages() -> None:
            for a in adapters.values():
                await a.reset_page()

        try:
            return await check(settings, ledger, adapter, Pipeline.of(settings), routes=routes, since=since,
                               fresh_pages=fresh_pages)
        finally:
            await context.close()


def latest_path(settings: Any) -> Path:
    """Where the counts of the last reconcile are kept (``casebot status`` shows them)."""
    return settings.path(settings.artifacts.reports) / "reconcile-latest.json"


def last_counts(settings: Any) -> dict[str, Any] | None:
    path = latest_path(settings)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _html(report: Report, path: Path) -> None:
    from casebot.htmlenv import html_environment
    from casebot.run.reconcile import KINDS

    env = html_environment()
    text = env.get_template("reconcile.html.j2").render(report=report, kinds=KINDS,
                                                         when=datetime.now().isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


@exits
def reconcile(config: Path = ConfigOption, route: list[str] = typer.Option(None, "--route", help="只核对这条路线"),
              since: str = typer.Option(None, "--since", help="只核对此后处理过的案件：YYYY-MM-DD[THH:MM]"),
              html: Path = typer.Option(None, "--html", help="另把报告写成这个 HTML 文件"),
              json_out: bool = JsonOption) -> None:
    """回头看：核对 casebot 写入的每条记录与公安、目标系统现状是否一致。

    逐条列出：一致、已过期（公安已更新）、被人改过、目标系统中已不存在，以及找不到来源的记录。
    退出码：0 全部一致；1 有需要人工处理的；2 有记录暂时无法核对。
    """
    from casebot.run.reconcile import KINDS

    settings = load_settings(config)
    if since:
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise ConfigError(f"--since 应为日期 YYYY-MM-DD（现为 {since!r}）") from None
    known = {r.name for r in settings.routes}
    for name in route or []:
        if name not in known:
            raise ConfigError(f"未知的路线 {name}（可用：{', '.join(sorted(known))}）")
    ledger = open_ledger(settings.ledger_url(), create=False)
    try:
        report = asyncio.run(_run(settings, ledger, route or None, since))
    finally:
        ledger.close()
    latest = latest_path(settings)
    latest.parent.mkdir(parents=True, exist_ok=True)
    latest.write_text(json.dumps({"when": datetime.now().isoformat(timespec="seconds"), "counts": report.counts(),
                                  "problems": len(report.problems)}, ensure_ascii=False), encoding="utf-8")
    if html:
        _html(report, html)
    if json_out:
        print_json(report.as_json())
    else:
        table = Table(title="casebot 回头看")
        for col in ("类别", "路线", "案件", "目标记录", "位置 / 说明"):
            table.add_column(col, overflow="fold")
        for f in report.findings:
            if f.kind != "in-step":
                table.add_row(KINDS[f.kind], f.route, f.case_key, f.record_id or "",
                              "\n".join(f.details or ([*f.places, f.note] if f.note else f.places)))
        console.print(table)
        console.print("，".join(f"{KINDS[k]} {n}" for k, n in report.counts().items()))
        for p in report.problems:
            console.print(f"[yellow]未能核对[/yellow] {p}", highlight=False)
    raise typer.Exit(report.exit_code)
