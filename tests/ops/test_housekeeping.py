"""Housekeeping: old reports purged after keep_days (the latest kept), the log rotated by size, files private."""

from __future__ import annotations

import os
import stat
import time

from casebot import logs
from casebot.cli.demo import sandbox_settings
from casebot.ops import housekeeping


def test_reports_older_than_keep_days_are_purged_the_latest_and_recent_kept(tmp_path):
    settings = sandbox_settings({"police": "http://127.0.0.1:1"}, tmp_path, routes=[],
                                artifacts={"keep_days": 7})
    reports = settings.path(settings.artifacts.reports)
    reports.mkdir(parents=True)
    old, recent, latest = (reports / n for n in ("report-20260101.html", "report-20261129.html",
                                                 "report-latest.html"))
    for p in (old, recent, latest):
        p.write_text("<html></html>")
    ten_days_ago = time.time() - 10 * 86400
    for p in (old, latest):
        os.utime(p, (ten_days_ago, ten_days_ago))
    assert housekeeping.after_run(settings) == 1
    assert not old.exists() and recent.exists() and latest.exists()


def test_the_log_rotates_by_size_and_every_file_stays_private(tmp_path):
    log_file = tmp_path / "var" / "casebot.jsonl"
    logs.configure(log_file=log_file, console=False, max_bytes=2000, backups=2)
    log = logs.get("test")
    for i in range(100):
        log.info("case.done", n=i, route="police-procuratorate")
    files = sorted(log_file.parent.glob("casebot.jsonl*"))
    assert [f.name for f in files] == ["casebot.jsonl", "casebot.jsonl.1", "casebot.jsonl.2"]
    assert all(f.stat().st_size <= 2000 for f in files)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    logs.configure(log_file=None, console=False)


def test_a_replay_keeps_house_as_a_run_does(sandbox, config_file):
    """The runner owns the run's end: a replay (the console's replay button too) purges old reports."""
    from typer.testing import CliRunner

    from casebot import config
    from casebot.cli.main import app
    from casebot.ledger import open_ledger
    from casebot.ops import lastrun

    settings = config.load(config_file)
    open_ledger(settings.ledger_url()).close()  # an earlier run's ledger, nothing in it to replay
    reports = settings.path(settings.artifacts.reports)
    reports.mkdir(parents=True)
    old = reports / "report-20250101.html"
    old.write_text("<html></html>")
    long_ago = time.time() - (settings.artifacts.keep_days + 10) * 86400
    os.utime(old, (long_ago, long_ago))
    result = CliRunner().invoke(app, ["replay", "--all", "--config", str(config_file)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not old.exists(), "housekeeping ran after the replay"
    assert lastrun.load(settings, "replay")["exit_code"] == 0, "the replay is kept (apart from the last run)"
