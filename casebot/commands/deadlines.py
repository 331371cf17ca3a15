"""``casebot deadlines``: 期限预警 (see casebot.deadlines and docs/deadlines.md)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from casebot.commands.common import ConfigOption, JsonOption, console, exits, load_settings, print_json
from casebot.errors import UsageError


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value}: 应为 YYYY-MM-DD") from None


@exits
def deadlines(config: Path = ConfigOption, json_out: bool = JsonOption,
              html: Path = typer.Option(None, "--html", help="另存为 HTML 网页"),
              route: str = typer.Option(None, "--route", help="只看这条路线"),
              unit: str = typer.Option(None, "--unit", help="只看这个单位（名称中的字）"),
              person: str = typer.Option(None, "--person", help="只看这个人（脱敏后的姓名，如 张*）"),
              state: list[str] = typer.Option(None, "--state",
                                              help="只看这些状态：overdue due_today due_soon running unknown late met"),
              show_all: bool = typer.Option(False, "--all", help="也列出按期完成的期限"),
              by: str = typer.Option("state", "--by", help="分组：state（状态）、route、unit、person、case"),
              brief: bool = typer.Option(False, "--brief", help="不列推算过程"),
              today: str = typer.Option(None, "--today", help="按这一天计算（YYYY-MM-DD，默认今天）"),
              send: bool = typer.Option(False, "--notify",
                                        help="把越过提醒线的期限发到通知渠道（配置的 notify 一节；每条只发一次）"),
              ) -> None:
    """期限预警：各案件、各人的法定办案期限，即将到期、今日到期、已超期。

    期限由台账中的案卡推算（受理日期、逮捕日期、收案日期……），每个期满日都列出推算过程：
    起算事件、规则与法条、可延长的期限、节假日顺延。规则见 docs/deadlines.md。
    """
    from casebot.deadlines import report as rep
    from casebot.deadlines import report_for
    from casebot.deadlines.compute import STATES

    settings = load_settings(config)
    if by not in rep.GROUPS:
        raise UsageError(f"--by {by}: 应为 {' '.join(rep.GROUPS)} 之一")
    bad = sorted(set(state or []) - set(STATES))
    if bad:
        raise UsageError(f"--state {bad[0]}: 应为 {' '.join(STATES)} 之一")
    report = report_for(settings, today=_day(today))
    if send:
        from casebot.deadlines.alerts import notify, state_file
        from casebot.ops.notify import channels

        notify(channels(settings), state_file(settings), report.deadlines, list(settings.deadlines.notify_days))
    states = state or [s for s in STATES if show_all or s != "met"]
    report.deadlines = rep.select(report.deadlines, route=route, unit=unit, person=person, states=states)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(rep.html(report), encoding="utf-8")
        console.print(f"已写入 {html}", highlight=False, soft_wrap=True)
        return
    if json_out:
        print_json(rep.as_json(report))
        return
    width = min(rep.WIDTH, console.width) if sys.stdout.isatty() else rep.WIDTH
    sys.stdout.write(rep.text(report, width=width, derivations=not brief, by=by))
