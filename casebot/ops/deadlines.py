"""期限预警 as ops meet it: the deadlines of every case in the configured ledger, and notifications of them.

Notifications go once per threshold crossed, never repeated, names masked.

``[deadlines] notify_days`` lists the days left at which people hear of a
period (default 3, 0 and -1: three days before, the day, overdue). Each
channel's memory is ``deadlines-notified.json`` beside the log: for each
period (case, rule, person, start), the thresholds it was told. A period met
for the first time past several thresholds is told once, at the most severe.
Messages go through the channels of ``[notify]`` (casebot.ops.notify).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from casebot import logs
from casebot.deadlines import Calendar, Report, compute, from_ledger, library_version, shipped
from casebot.deadlines.compute import OPEN, STATE_LABELS, Deadline
from casebot.deadlines.report import when
from casebot.domain.privacy import scrub_text
from casebot.errors import CasebotError
from casebot.ops import notify as _notify
from casebot.ops.reading import read, state_dir, write_state

KIND = "deadlines"
log = logs.get("deadlines")


def crossed(d: Deadline, thresholds: Iterable[int]) -> set[int]:
    if d.state not in OPEN or d.days_left is None or d.ended is not None:
        return set()
    return {t for t in thresholds if d.days_left <= t}


def pending(deadlines: Iterable[Deadline], thresholds: list[int],
            told: dict[str, list[int]]) -> list[tuple[Deadline, int, set[int]]]:
    """Periods with a threshold crossed and not yet told: (deadline, most severe new threshold, all crossed)."""
    out = []
    for d in deadlines:
        now = crossed(d, thresholds)
        new = now - set(told.get(d.key, []))
        if new:
            out.append((d, min(new), now))
    return out


def _threshold_words(t: int) -> str:
    return "已超期" if t < 0 else ("今日到期" if t == 0 else f"{t}日内到期")


def line(d: Deadline, t: int) -> str:
    who = d.person or "全案"
    return scrub_text(f"{d.case} {d.name} {who}：期满 {d.due}，{when(d)}（{_threshold_words(t)}；{d.article}）")


def alert(found: list[tuple[Deadline, int, set[int]]]) -> _notify.Alert:
    worst = sum(1 for d, _, _ in found if d.state == "overdue")
    title = f"casebot 期限预警：{len(found)} 个期限" + (f"，其中 {worst} 个{STATE_LABELS['overdue']}" if worst else "")
    return _notify.Alert(KIND, title, [line(d, t) for d, t, _ in found] + ["详见 casebot deadlines"])


def state_file(settings: Any) -> Any:
    return state_dir(settings) / "deadlines-notified.json"


def notify(chans: list[Any], path: Any, deadlines: list[Deadline], thresholds: list[int]) -> dict[str, int]:
    """Send each channel the thresholds it was not told; returns messages sent by channel."""
    state = _notify._load(path)
    sent: dict[str, int] = {}
    closed = {d.key for d in deadlines if d.state not in OPEN}
    for ch in chans:
        told: dict[str, list[int]] = {k: v for k, v in state.get(ch.name, {}).items() if k not in closed}
        found = pending(deadlines, thresholds, told)
        sent[ch.name] = 0
        if found:
            try:
                ch.send(alert(found))
            except _notify.DeliveryFailed as exc:
                log.warning("deadlines.notify_failed", channel=ch.name, error=str(exc))
                continue
            sent[ch.name] = 1
            log.info("deadlines.notified", channel=ch.name, periods=len(found))
            for d, _, now in found:
                told[d.key] = sorted(set(told.get(d.key, [])) | now)
        state[ch.name] = told
    if chans:
        write_state(path, state)
    return sent


def after_run(settings: Any) -> dict[str, int]:
    """Tell the configured channels of deadlines that crossed a threshold (called after each run)."""
    if not settings.deadlines.notify:
        return {}
    chans = _notify.channels(settings)
    if not chans:
        return {}
    try:
        found = report_for(settings).deadlines
    except CasebotError as exc:  # a bad calendar file, an unreadable ledger: said, never the run's status
        log.warning("deadlines.notify_failed", channel="*", error=str(exc))
        return {}
    return notify(chans, state_file(settings), found, list(settings.deadlines.notify_days))


def calendar_for(settings: Any) -> Calendar:
    return Calendar.load([settings.path(p) for p in settings.deadlines.calendars])


def calendar_words(cal: Calendar) -> str:
    words = f"chinesecalendar {library_version()}" if library_version() else "仅按周末"
    if cal.years:
        words += "；本地文件 " + "、".join(str(y) for y in sorted(cal.years))
    return words


def report_for(settings: Any, *, today: date | None = None) -> Report:
    """The deadlines of every case in the configured ledger (an empty report before the first run)."""
    cal = calendar_for(settings)
    cases = read(settings, from_ledger, [])
    today = today or date.today()
    rules = shipped()
    found = compute(cases, today=today, cal=cal, rules=rules, soon_days=settings.deadlines.soon_days)
    return Report(today, rules.version, calendar_words(cal), found)
