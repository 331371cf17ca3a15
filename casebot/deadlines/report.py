"""Deadlines shown to people: text (Chinese, 80 columns), versioned JSON, an HTML page."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.cells import cell_len

from casebot.deadlines.compute import STATE_LABELS, STATES, Deadline

SCHEMA = "casebot.deadlines/1"
WIDTH = 80
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Report:
    today: date
    rules_version: str
    calendar: str
    deadlines: list[Deadline]

    def counts(self) -> dict[str, int]:
        c = Counter(d.state for d in self.deadlines)
        return {s: c.get(s, 0) for s in STATES}

    def ordered(self) -> list[Deadline]:
        rank = {s: i for i, s in enumerate(STATES)}
        return sorted(self.deadlines, key=lambda d: (rank[d.state], d.due or date.max, d.case, d.rule, d.person))


def select(deadlines: Iterable[Deadline], *, route: str | None = None, unit: str | None = None,
           person: str | None = None, states: Iterable[str] | None = None,
           rule: str | None = None) -> list[Deadline]:
    wanted = set(states) if states else None
    return [d for d in deadlines
            if (route is None or d.route == route) and (unit is None or unit in d.unit)
            and (person is None or d.person.startswith(person)) and (wanted is None or d.state in wanted)
            and (rule is None or rule in (d.rule, d.name))]


def when(d: Deadline) -> str:
    """The state in words with its distance: 超期 3 日, 还有 2 日, 今日到期."""
    if d.days_left is None and d.note and d.state in ("overdue", "unknown"):
        return d.note
    if d.state == "overdue":
        return f"超期 {-(d.days_left or 0)} 日"
    if d.state == "due_today":
        return "今日到期"
    if d.state in ("due_soon", "running"):
        return f"还有 {d.days_left} 日"
    if d.state == "late":
        return f"逾期完成（{d.ended}）"
    if d.state == "met":
        return f"按期完成（{d.ended}）" if d.ended else "按期完成"
    return "无法计算"


_TOKENS = re.compile(r"[0-9A-Za-z\-.:*]+|.", re.S)


def wrap(text: str, width: int = WIDTH, indent: str = "") -> list[str]:
    """Cut ``text`` into lines of at most ``width`` cells (CJK characters count two), later lines indented;
    a date, a number or a case number is not cut unless it is longer than a line."""
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if cell_len(line + token) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = indent
        for ch in token.lstrip() if line == indent else token:
            if cell_len(line + ch) > width:
                lines.append(line)
                line = indent
            line += ch
    lines.append(line)
    return lines


#: what the text can be grouped by, and the header of a group
GROUPS = {"state": lambda d: STATE_LABELS[d.state], "route": lambda d: d.route,
          "unit": lambda d: d.unit or "单位未知", "person": lambda d: d.person or "全案", "case": lambda d: d.case}


def text(report: Report, *, width: int = WIDTH, derivations: bool = True, by: str = "state") -> str:
    counts = report.counts()
    out = wrap(f"期限预警 · {report.today}（规则 {report.rules_version}；节假日：{report.calendar}）", width, "  ")
    out += wrap("，".join(f"{STATE_LABELS[s]} {counts[s]}" for s in STATES), width, "  ")
    if not report.deadlines:
        out.append("没有符合条件的期限。")
    current = None
    header = GROUPS[by]
    rows = report.ordered()
    if by != "state":
        rows.sort(key=header)  # stable: most urgent first within each group
    for d in rows:
        if header(d) != current:
            current = header(d)
            out += ["", *wrap(f"【{current}】", width, "  ")]
        who = f"{d.person}（{'在押' if d.in_custody else '未羁押'}）" if d.person else "全案"
        due = f"期满 {d.due}" if d.due else (f"期满日无法计算：{d.missing}" if d.missing else "不以日期计")
        label = STATE_LABELS[d.state]
        state = "" if by == "state" or when(d).startswith(label) else f"{label}："
        out += wrap(f"{d.case}  {d.name}  {who}  {due}  {state}{when(d)}", width, "    ")
        out += wrap(f"  {d.route} · {d.unit or '单位未知'} · {d.article}"
                    + ("" if d.verified else " · 未核实"), width, "    ")
        if derivations:
            for line in d.derivation:
                out += wrap(f"  · {line}", width, "    ")
    return "\n".join(out) + "\n"


def as_json(report: Report) -> dict[str, Any]:
    return {"schema": SCHEMA, "today": report.today.isoformat(), "rules_version": report.rules_version,
            "calendar": report.calendar, "counts": report.counts(),
            "deadlines": [d.as_json() for d in report.ordered()]}


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.globals.update(STATE_LABELS=STATE_LABELS, STATES=STATES, when=when)
    return env


def html(report: Report) -> str:
    return _env().get_template("deadlines.html.j2").render(report=report, counts=report.counts(),
                                                           rows=report.ordered())
