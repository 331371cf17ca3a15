"""`casebot deadlines` as a person types it, on a ledger holding cards (built through the ledger's public API):
text at 80 columns with derivations, JSON, HTML, notifications once per threshold crossed, metrics."""

from __future__ import annotations

import json
import os
from pathlib import Path

from prometheus_client.openmetrics.parser import text_string_to_metric_families
from rich.cells import cell_len

from casebot.ledger import open_ledger
from tests.ops.conftest import casebot
from tests.unit.test_deadlines_golden import ENTRIES

RAW = ("张三", "李四", "王五", "350502199003072415", "350502199104050023")


def write_ledger(url: str) -> None:
    """Each entry written as a run writes it: reserve, intent, written, a card version, done."""
    ledger = open_ledger(url)
    try:
        for route, key, card, history in ENTRIES:
            for n, c in enumerate([*history, card]):
                item = ledger.reserve(route, route.rsplit("-", 1)[-1], key, owner="ws", lease_s=60)
                attempt = ledger.begin_write(item, c, f"h{n}", "run-1")
                ledger.set_state(item, "written", record_id=f"r-{key}", attempt_id=attempt)
                ledger.record_version(item, c, f"h{n}", kind="written" if n == 0 else "updated", source_hash=None,
                                      source_version=None, run_id="run-1")
                ledger.set_state(item, "done", release=True)
    finally:
        ledger.close()


def config(tmp_path: Path, hook: str) -> Path:
    cfg = tmp_path / "casebot.toml"
    cfg.write_text(f"""
[systems.police]
url = "http://127.0.0.1:9"
[systems.procuratorate]
url = "http://127.0.0.1:9"
[systems.court]
url = "http://127.0.0.1:9"
[[routes]]
name = "police-procuratorate"
source = "police"
target = "procuratorate"
[[routes]]
name = "procuratorate-court"
source = "procuratorate"
target = "court"
case_source = "police"
[ledger]
url = "sqlite:///var/ledger.sqlite3"
[logging]
file = "var/casebot.jsonl"
[[notify.webhooks]]
url = "{hook}/json"
[deadlines]
notify_days = [3, 0, -1]
""", encoding="utf-8")
    return cfg


def env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "80", "TZ": "Asia/Shanghai"}


def test_deadlines_command_on_a_ledger_of_cards(tmp_path, webhook_server):
    cfg = config(tmp_path, webhook_server.base)
    (tmp_path / "var").mkdir()
    write_ledger(f"sqlite:///{tmp_path / 'var' / 'ledger.sqlite3'}")
    c = ["-c", str(cfg)]

    shown = casebot("deadlines", "--today", "2026-10-05", *c, env=env())
    assert shown.returncode == 0, shown.stderr[-2000:]
    out = shown.stdout
    assert all(cell_len(ln) <= 80 for ln in out.splitlines()), "fits 80 columns"
    assert "【已超期】" in out and "A3505020000002026010001  审查起诉  张*（在押）  期满 2026-10-01  超期 4 日" in out
    assert "李*（未羁押）  期满 2026-10-08  还有 3 日" in out
    assert "在押期间不因节假日延长" in out and "顺延至其后第一个工作日 2026-10-08" in out
    assert "期满日无法计算：受理日期缺失" in out, "a deadline that cannot be computed is shown"
    assert "按期完成" not in out.split("\n", 2)[2], "completed periods only with --all"
    assert not any(raw in out for raw in RAW), "names and ID numbers masked"

    data = json.loads(casebot("deadlines", "--json", "--all", "--today", "2026-10-05", *c, env=env()).stdout)
    assert data["schema"] == "casebot.deadlines/1" and data["rules_version"] == "2026.1"
    assert data["counts"]["overdue"] >= 1 and data["counts"]["met"] >= 1
    first = data["deadlines"][0]
    assert (first["case"], first["rule"], first["due"], first["state"]) == (
        "A3505020000002026010001", "prosecution_review", "2026-10-01", "overdue")
    assert first["possible_extensions"][0]["granted_by"] == "检察长批准"
    page = tmp_path / "deadlines.html"
    assert casebot("deadlines", "--html", str(page), "--today", "2026-10-05", *c, env=env()).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert 'class="overdue"' in html and "刑事诉讼法第一百零五条" in html and not any(r in html for r in RAW)

    # notifications (the once-per-threshold memory: tests/ops/test_deadlines_notify.py)
    assert casebot("deadlines", "--notify", "--brief", "--today", "2026-10-05", *c, env=env()).returncode == 0
    [body] = webhook_server.bodies("/json")
    assert body["kind"] == "deadlines" and body["title"].startswith("casebot 期限预警：")
    assert "张*" in "\n".join(body["lines"]) and not any(raw in json.dumps(body, ensure_ascii=False) for raw in RAW)

    metrics = casebot("metrics", *c, env=env()).stdout
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    cases = {(s.labels["rule"], s.labels["state"]): s.value for s in families["casebot_deadline_cases"].samples}
    assert sum(v for (r, _), v in cases.items() if r == "prosecution_review") == 5, "A, B, D, E, G"
    assert cases[("first_instance", "met")] == 1 and ("arrest_review", "overdue") in cases, "zeros included"


def test_the_console_shows_the_deadlines_page(tmp_path):
    from casebot.config import load
    from casebot.ops.console import create_app

    cfg = config(tmp_path, "http://127.0.0.1:9")
    (tmp_path / "var").mkdir()
    write_ledger(f"sqlite:///{tmp_path / 'var' / 'ledger.sqlite3'}")
    app = create_app(load(cfg), cfg, token="t0ken")
    client = app.test_client()
    index = client.get("/?token=t0ken").get_data(as_text=True)
    assert 'href="/t0ken/deadlines"' in index, "the link leads under the token (no cookie carries it)"
    page = client.get("/t0ken/deadlines").get_data(as_text=True)
    assert '<table id="deadlines">' in page and "审查起诉" in page
    assert 'data-case="A3505020000002026040001"' in page and "受理日期缺失" in page, "shown, not skipped"
    assert not any(raw in page for raw in RAW)
    assert app.test_client().get("/deadlines").status_code == 403, "the token guards this page too"


def test_a_card_the_target_refused_counts_no_deadline(tmp_path):
    from casebot.deadlines.compute import from_ledger

    ledger = open_ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    try:
        route, key, card, _ = ENTRIES[0]
        item = ledger.reserve(route, "procuratorate", key, owner="ws", lease_s=60)
        attempt = ledger.begin_write(item, card, "h", "run-1")
        ledger.set_state(item, "failed", error_type="RejectedError", error_message="保存失败", attempt_id=attempt,
                         release=True)
        assert from_ledger(ledger) == []
        item = ledger.reserve(route, "procuratorate", key, owner="ws", lease_s=60)
        attempt = ledger.begin_write(item, card, "h", "run-2")
        ledger.set_state(item, "done", record_id="r", attempt_id=attempt, release=True)
        assert [c.case for c in from_ledger(ledger)] == [key]
    finally:
        ledger.close()
