"""`casebot ledger migrate --to postgresql://…` and `casebot ledger check`, against a real PostgreSQL."""

from __future__ import annotations

import json

import psycopg
from typer.testing import CliRunner

from casebot.cli.main import app
from casebot.domain.exits import EXIT_CONFIG, EXIT_LEDGER, EXIT_OK
from casebot.ledger.sqlite import SQLiteLedger

cli = CliRunner()


def _config(folder, ledger_url: str):
    cfg = folder / "casebot.toml"
    cfg.write_text(
        "[systems.police]\nurl = \"http://127.0.0.1:9\"\nusername = \"casebot\"\n\n"
        "[systems.court]\nurl = \"http://127.0.0.1:9\"\nusername = \"casebot\"\n\n"
        "[[routes]]\nname = \"r\"\nsource = \"police\"\ntarget = \"court\"\n\n"
        f"[ledger]\nurl = \"{ledger_url}\"\n", encoding="utf-8")
    return cfg


def _invoke(cfg, *args):
    return cli.invoke(app, [*args, "--config", str(cfg)], catch_exceptions=False)


def _history(path) -> None:
    led = SQLiteLedger(path)
    run = led.start_run()
    for i in range(3):
        item = led.reserve("r", "court", f"K{i}", owner="ws/w0", lease_s=60)
        attempt = led.begin_write(item, {"ajmc": f"K{i}"}, "h", run)
        led.set_state(item, "written", record_id=f"R{i}", attempt_id=attempt)
        led.set_state(item, "done", release=True)
    led.finish_run(run, "0", {"done": 3})
    led.close()


def test_migrate_then_check_then_the_old_file_refuses_work(tmp_path, pg_url):
    _history(tmp_path / "ledger.sqlite3")
    old = _config(tmp_path, "sqlite:///ledger.sqlite3")
    before = json.loads(_invoke(old, "status", "--json").stdout)
    assert _invoke(old, "ledger", "check").exit_code == EXIT_OK

    moved = _invoke(old, "ledger", "migrate", "--to", pg_url, "--json")
    assert moved.exit_code == EXIT_OK, moved.output
    report = json.loads(moved.stdout)
    assert (report["items"], report["attempts"], report["runs"]) == (3, 3, 1)
    assert "casebot@" in report["destination"]

    (tmp_path / "shared").mkdir()
    new = _config(tmp_path / "shared", pg_url)
    assert json.loads(_invoke(new, "status", "--json").stdout) == before
    checked = _invoke(new, "ledger", "check", "--json")
    assert checked.exit_code == EXIT_OK and json.loads(checked.stdout)["backend"] == "postgresql"

    refused = _invoke(old, "status")
    assert refused.exit_code == EXIT_LEDGER and "moved to the shared ledger" in refused.output
    again = _invoke(old, "ledger", "migrate", "--to", pg_url)
    assert again.exit_code == EXIT_LEDGER


def test_check_exits_6_on_a_ledger_with_problems(tmp_path, pg_url):
    cfg = _config(tmp_path, pg_url)
    assert _invoke(cfg, "status").exit_code == EXIT_LEDGER, "read-only commands create no ledger"
    assert _invoke(cfg, "ledger", "check").exit_code == EXIT_LEDGER, "no ledger there yet"
    from casebot.ledger.postgres import PostgresLedger

    PostgresLedger(pg_url).close()
    assert _invoke(cfg, "ledger", "check").exit_code == EXIT_OK
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute("INSERT INTO items (route, target, case_key, state, created_at, updated_at) "
                   "VALUES ('r', 'court', 'X', 'halfway', now(), now())")
    bad = _invoke(cfg, "ledger", "check")
    assert bad.exit_code == EXIT_LEDGER and "halfway" in bad.output


def test_migrate_wants_a_sqlite_source_and_a_postgresql_destination(tmp_path, pg_url):
    shared = _config(tmp_path, pg_url)
    assert _invoke(shared, "ledger", "migrate", "--to", pg_url).exit_code == EXIT_CONFIG
    (tmp_path / "ws").mkdir()
    local = _config(tmp_path / "ws", "sqlite:///ledger.sqlite3")
    assert _invoke(local, "ledger", "migrate", "--to", "mysql://x").exit_code == EXIT_CONFIG
