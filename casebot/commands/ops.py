"""Ops commands: ``status``, ``failures``, ``replay``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.commands.run import execute, show
from casebot.errors import ConfigError
from casebot.glossary import STATE_LABELS, label
from casebot.ledger import Ledger, open_ledger


def _ledger(config: Path | None) -> tuple[object, Ledger]:
    settings = load_settings(config)
    return settings, open_ledger(settings.ledger_url(), create=False)


@exits
def status(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """Counts of cases by route and state."""
    settings, ledger = _ledger(config)
    counts = ledger.counts()
    ledger.close()
    if json_out:
        print_json(counts)
        return
    states = [s for s in STATE_LABELS if any(s in c for c in counts.values())]
    table = Table(title="casebot 台账")
    table.add_column("路线")
    for s in states:
        table.add_column(STATE_LABELS[s], justify="right")
    for route, c in sorted(counts.items()):
        table.add_row(route, *(str(c.get(s, 0)) for s in states))
    console.print(table)
    from casebot.commands.reconcile import last_counts
    from casebot.reconcile import KINDS

    last = last_counts(settings)
    if last:
        console.print(f"回头看（{last['when']}）：" + "，".join(f"{KINDS[k]} {n}" for k, n in last["counts"].items()),
                      highlight=False)


@exits
def failures(config: Path = ConfigOption, route: str = typer.Option(None, "--route"),
             limit: int = typer.Option(100, "--limit"), json_out: bool = JsonOption) -> None:
    """What failed, when and why (in a clerk's words), with the screenshot (and trace) kept for it."""
    _, ledger = _ledger(config)
    items = ledger.items(route=route, states=("failed", "retry", "unknown"), limit=limit)
    ledger.close()
    if json_out:
        print_json([i.as_json() for i in items])
        return
    if not items:
        console.print("没有失败的案件。")
        return
    table = Table(title="失败案件")
    for col in ("ID", "路线", "案件编号", "状态", "时间", "原因", "截图/追踪"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(str(i.id), i.route, i.case_key, label(i.state), i.updated_at[:19],
                      i.error_message or "", "\n".join(i.artifacts))
    console.print(table)


@exits
def replay(ids: list[int] = typer.Argument(None, help="ledger IDs from `casebot failures`"),
           all_: bool = typer.Option(False, "--all", help="every failed case"),
           fresh: bool = typer.Option(False, "--fresh", help="re-read the source and re-map (after a mapping fix)"),
           config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """Re-run failed write-backs, with the frozen card or (--fresh) re-mapped; never duplicating."""
    settings, ledger = _ledger(config)
    if not ids and not all_:
        raise ConfigError("replay: give ledger IDs or --all")
    states = ("failed", "retry", "unknown", "written")
    items = ledger.items(states=states, ids=ids or None)
    ledger.close()
    if ids:
        missing = set(ids) - {i.id for i in items}
        if missing:
            raise ConfigError(f"replay: no failed case with ID {', '.join(map(str, sorted(missing)))}")
    summary = execute(settings, replay=items, fresh=fresh)  # type: ignore[arg-type]
    if json_out:
        print_json({**summary.as_json(), "results": [r.as_json() for r in summary.results]})
    else:
        show(summary)
    raise typer.Exit(summary.exit_code)
