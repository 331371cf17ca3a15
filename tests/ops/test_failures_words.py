"""`casebot failures` a clerk can read at 80 columns (the reason wraps, its case prefix stripped whatever the
punctuation), and `failures show` proposing what the docs say (--fresh after fixing data or a mapping), without a
misleading "尝试次数：0" for a case that never reached a save."""

from __future__ import annotations

import re

from casebot.ledger import open_ledger
from tests.ops.conftest import bare_env, casebot
from tests.ops.test_doctor import write_config

KEY = "A3505020000002026118001"
REASON = f"案件 {KEY}，嫌疑人1 张*，字段“证件号码”：证件号码校验位错误，请在公安系统中改正后重新读取"


def failed_case(tmp_path):
    config = write_config(tmp_path)
    ledger = open_ledger(f"sqlite:///{tmp_path / 'var' / 'ledger.sqlite3'}")
    item = ledger.reserve("r", "police", KEY, owner="t", lease_s=60)
    ledger.set_state(item, "failed", error_type="DataError", error_message=REASON, release=True)
    ledger.close()
    return config


def test_failures_at_80_columns_wraps_the_whole_reason(home, tmp_path):
    config = failed_case(tmp_path)
    out = casebot("failures", "--config", str(config), env=bare_env(home, COLUMNS="80")).stdout
    assert all(len(line) <= 80 for line in out.splitlines()), out
    flat = re.sub(r"[\s│┃]", "", out)
    assert "证件号码校验位错误，请在公安系统中改正后重新读取" in flat, out
    assert f"案件{KEY}，嫌疑人1" not in flat, "the case number is in its own column, not repeated in the reason"
    assert "…" not in out


def test_failures_show_proposes_fresh_and_says_no_save_was_tried(home, tmp_path):
    config = failed_case(tmp_path)
    out = casebot("failures", "show", "1", "--config", str(config), env=bare_env(home, COLUMNS="80")).stdout
    assert "casebot replay --fresh 1" in out, out
    assert "尝试次数：0" not in out and "未保存" in out
    assert "公安系统的数据" in out, "where to fix it"
