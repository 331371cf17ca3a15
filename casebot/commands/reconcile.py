"""``casebot reconcile`` (回头看): every linked record checked against the police and the target as they stand."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from jinja2 import Environment, PackageLoader, select_autoescape
from rich.table import Table

from casebot.adapter import SystemConfig
from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.errors import ConfigError
from casebot.ledger import open_ledger
from casebot.reconcile import KINDS, Report
from casebot.reconcile import reconcile as check
from casebot.registry import load_adapter

#: exit statuses of reconcile (configuration, ledger and captcha ones are the run's: 4, 6, 3)
EXIT_IN_STEP, EXIT_FINDINGS, EXIT_UNCHECKED = 0, 1, 2


async def _run(settings: Any, ledger: Any, routes: list[str] | None, since: str | None) -> Report:
    from playwright.async_api import async_playwright

    from casebot.pipeline import Pipeline

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**settings.browser.options().launch_kwargs())
        context = await browser.new_context(locale="zh-CN")
        adapters: dict[str, Any] = {}

        def adapter(system: str, kind: str | None = None) -> Any:
            key = f"{system}:{kind}" if kind else system
            if key not in adapters:
                config: SystemConfig = settings.system_config(system)
                adapters[key] = load_adapter(settings.adapter_name(system)).of_kind(kind)(context, config)
            return adapters[key]

        try:
            return await check(settings, ledger, adapter, Pipeline.of(settings), routes=routes, since=since)
        finally:
            await context.close()
            await browser.close()


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
    env = Environment(loader=PackageLoader("casebot", "templates"), autoescape=select_autoescape(["html", "j2"]))
    text = env.get_template("reconcile.html.j2").render(report=report, kinds=KINDS,
                                                         when=datetime.now().isoformat(timespec="seconds"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)


@exits
def reconcile(config: Path = ConfigOption, route: list[str] = typer.Option(None, "--route", help="only this route"),
              since: str = typer.Option(None, "--since", help="only cases touched since YYYY-MM-DD[THH:MM]"),
              html: Path = typer.Option(None, "--html", help="also write the report as an HTML page here"),
              json_out: bool = JsonOption) -> None:
    """回头看: every record casebot linked: in step, stale, edited by a person, missing; records with no source.

    Exit status: 0 all in step; 1 something for a clerk; 2 some records could not be checked.
    """
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
                              "\n".join([*f.places, f.note] if f.note else f.places))
        console.print(table)
        console.print("，".join(f"{KINDS[k]} {n}" for k, n in report.counts().items()))
        for p in report.problems:
            console.print(f"[yellow]未能核对[/yellow] {p}", highlight=False)
    raise typer.Exit(report.exit_code)
