"""Deadline notifications: once per threshold crossed, never repeated, names masked, remembered in a state file;
sent over a real webhook channel to a local receiver."""

from __future__ import annotations

import json
from datetime import date

from casebot.config import WebhookSettings
from casebot.deadlines.alerts import notify
from casebot.deadlines.calendar import Calendar
from casebot.deadlines.compute import compute, gather
from casebot.ops.notify import WebhookChannel
from tests.unit.test_deadlines_golden import ENTRIES

RAW = ("张三", "李四", "350502199003072415", "350502199104050023")
CASES = gather(ENTRIES)
CAL = Calendar.load()


def on(day: str):
    return compute(CASES, today=date.fromisoformat(day), cal=CAL)


def test_each_threshold_is_told_once(webhook_server, tmp_path):
    chan, state = WebhookChannel(WebhookSettings(url=f"{webhook_server.base}/json"), 0), tmp_path / "told.json"
    sent = [notify([chan], state, on(day), [3, 0, -1])[chan.name]
            for day in ("2026-10-05", "2026-10-05", "2026-10-07", "2026-10-08", "2026-10-08", "2026-10-09")]
    assert sent == [1, 0, 0, 1, 0, 1], "3 days before (and the overdue at once), the day, overdue; never twice"
    first, today, overdue = webhook_server.bodies("/json")
    lines = "\n".join(first["lines"])
    assert "张*" in lines and "超期 4 日（已超期" in lines, "met first past every threshold: told once, the worst"
    assert "李*" in lines and "还有 3 日（3日内到期" in lines
    assert [ln for ln in today["lines"] if "审查起诉" in ln] == [
        "A3505020000002026010001 审查起诉 李*：期满 2026-10-08，今日到期（今日到期；刑事诉讼法第一百七十二条第一款）"]
    assert "李*" in "\n".join(overdue["lines"]) and "张*" not in "\n".join(overdue["lines"])
    assert not any(raw in json.dumps([first, today, overdue], ensure_ascii=False) for raw in RAW)
    assert not any(raw in state.read_text(encoding="utf-8") for raw in RAW), "the memory holds no name or ID"


def test_a_channel_that_refuses_is_told_again_next_time(webhook_server, tmp_path):
    state = tmp_path / "told.json"
    refusing = WebhookChannel(WebhookSettings(url=f"{webhook_server.base}/refuse", format="wecom"), 0)
    assert notify([refusing], state, on("2026-10-05"), [3, 0, -1]) == {refusing.name: 0}
    working = WebhookChannel(WebhookSettings(url=f"{webhook_server.base}/wecom", format="wecom"), 0)
    assert notify([working], state, on("2026-10-05"), [3, 0, -1]) == {working.name: 1}


def test_after_a_run_the_configured_channels_hear_of_deadlines_once(webhook_server, tmp_path):
    from casebot.config import load
    from casebot.deadlines.alerts import after_run
    from tests.ops.test_deadlines_cli import config, write_ledger

    cfg = config(tmp_path, webhook_server.base)
    (tmp_path / "var").mkdir()
    write_ledger(f"sqlite:///{tmp_path / 'var' / 'ledger.sqlite3'}")
    settings = load(cfg)
    assert after_run(settings) == {"webhook0:json": 1}, "case A's 审查起诉 of September never ended: overdue"
    assert after_run(settings) == {"webhook0:json": 0}, "never repeated"
    assert (tmp_path / "var" / "deadlines-notified.json").exists()
    off = cfg.read_text(encoding="utf-8").replace("[deadlines]\n", "[deadlines]\nnotify = false\n")
    cfg.write_text(off, encoding="utf-8")
    assert after_run(load(cfg)) == {}


def test_a_sites_year_file_named_in_the_config_is_used(tmp_path):
    from casebot.config import load
    from casebot.deadlines import calendar_for, calendar_words
    from tests.ops.test_deadlines_cli import config

    cfg = config(tmp_path, "http://127.0.0.1:9")
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "2040.yaml").write_text(
        "year: 2040\nsource: 国务院办公厅关于2040年部分节假日安排的通知\nholidays: [2040-10-01]\n", encoding="utf-8")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "[deadlines]\n", '[deadlines]\ncalendars = ["calendars/2040.yaml"]\n'), encoding="utf-8")
    cal = calendar_for(load(cfg))  # relative to the config file's folder
    assert not cal.is_workday(date(2040, 10, 1)) and cal.verified(date(2040, 10, 1))
    assert "本地文件 2040" in calendar_words(cal)


def test_a_broken_year_file_costs_the_deadline_gauges_only(tmp_path):
    from prometheus_client import CollectorRegistry, Gauge

    from casebot.commands.ops import _deadline_metrics
    from casebot.config import load
    from tests.ops.test_deadlines_cli import config

    cfg = config(tmp_path, "http://127.0.0.1:9")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "[deadlines]\n", '[deadlines]\ncalendars = ["missing.yaml"]\n'), encoding="utf-8")
    reg = CollectorRegistry()
    Gauge("casebot_cases", "x", registry=reg).set(1)
    _deadline_metrics(reg, load(cfg))
    assert {m.name for m in reg.collect()} == {"casebot_cases"}
