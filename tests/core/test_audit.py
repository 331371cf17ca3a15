"""The audit log: one hash-chained line per write, masked; ``casebot audit verify`` finds any tampering."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebot.cli.main import app
from casebot.run.audit import AuditLog, verify

CARD = {"ysajbh": "A3505020000002026110001", "ajmc": "张三丰盗窃案", "ajzy": "2026年9月30日，张三丰在新华路盗窃。",
        "slrq": "2026-11-20", "xyr": [{"xm": "张三丰", "zjhm": "350502199003072415", "csrq": "1990-03-07",
                                        "xzz": "福建省泉州市鲤城区新华路2号", "xb": "1"}]}
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def _log(tmp_path: Path, n: int = 4, start: datetime = T0) -> AuditLog:
    audit = AuditLog(tmp_path / "audit", workstation="ws-01")
    actions = ["write", "adopt", "update", "write"]
    for i in range(n):
        audit.record(actions[i % 4], account="casebot", route="police-procuratorate", case=f"A{i:022d}",
                     target="procuratorate", record_id=f"R{i}", fields=CARD, now=start + timedelta(hours=i))
    return audit


def _file(tmp_path: Path) -> Path:
    return next((tmp_path / "audit").glob("audit-*.jsonl"))


def test_lines_hold_who_where_when_what_masked(tmp_path: Path) -> None:
    _log(tmp_path)
    path = _file(tmp_path)
    text = path.read_text(encoding="utf-8")
    first = json.loads(text.splitlines()[0])
    assert first["account"] == "casebot" and first["workstation"] == "ws-01" and first["action"] == "write"
    assert first["time"] == "2026-01-10T09:00:00+00:00" and first["case"] == "A" + "0" * 22
    assert first["target"] == "procuratorate" and first["record_id"] == "R0"
    assert first["fields"]["xyr[1].xm"] == "张**" and first["fields"]["xyr[1].zjhm"] == "350502********2415"
    assert first["fields"]["slrq"] == "2026-11-20" and first["fields"]["xyr[1].xb"] == "1"
    for raw in ("张三丰", "350502199003072415", "1990-03-07", "新华路2号"):
        assert raw not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert verify(tmp_path / "audit") == (4, [])


def _tamper(tmp_path: Path, fn) -> list[str]:
    path = _file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(fn(lines)), encoding="utf-8")
    return [str(p) for p in verify(tmp_path / "audit")[1]]


def test_one_character_edit_is_found(tmp_path: Path) -> None:
    _log(tmp_path)
    problems = _tamper(tmp_path, lambda ls: [ls[0], ls[1].replace('"R1"', '"R7"'), *ls[2:]])
    assert any(":2: line altered" in p for p in problems), problems


def test_removed_line_is_found(tmp_path: Path) -> None:
    _log(tmp_path)
    problems = _tamper(tmp_path, lambda ls: [ls[0], *ls[2:]])
    assert any("chain broken" in p for p in problems), problems


def test_removed_last_line_is_found(tmp_path: Path) -> None:
    _log(tmp_path)
    problems = _tamper(tmp_path, lambda ls: ls[:-1])
    assert any("last lines were removed" in p for p in problems), problems


def test_reordered_lines_are_found(tmp_path: Path) -> None:
    _log(tmp_path)
    problems = _tamper(tmp_path, lambda ls: [ls[0], ls[2], ls[1], ls[3]])
    assert any("chain broken" in p for p in problems) and any("sequence" in p for p in problems), problems


def test_retention_removes_old_months_and_the_chain_still_verifies(tmp_path: Path) -> None:
    audit = _log(tmp_path, n=2, start=datetime(2025, 1, 5, tzinfo=UTC))
    _log(tmp_path, n=2, start=datetime(2025, 9, 1, tzinfo=UTC))
    assert audit.retention_days == 180
    assert audit.purge(now=datetime(2025, 7, 1, tzinfo=UTC)) == 0, "January is younger than six months"
    assert audit.purge(now=datetime(2025, 9, 2, tzinfo=UTC)) == 1
    names = sorted(p.name for p in (tmp_path / "audit").glob("audit-*.jsonl"))
    assert names == ["audit-2025-09.jsonl"]
    checked, problems = verify(tmp_path / "audit")
    assert problems == [] and checked == 3, "two lines kept, and the purge recorded"
    short = AuditLog(tmp_path / "audit", retention_days=1)
    assert short.purge(now=datetime(2025, 12, 1, tzinfo=UTC)) == 1


def test_cli_verify_catches_a_one_character_edit(tmp_path: Path) -> None:
    _log(tmp_path)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--dir", str(tmp_path / "audit")])
    assert ok.exit_code == 0 and "4 line(s)" in ok.output, ok.output
    path = _file(tmp_path)
    text = path.read_text(encoding="utf-8")
    at = text.index('"route":"') if '"route":"' in text else text.index('"route": "') + 10
    path.write_text(text[:at] + ("X" if text[at] != "X" else "Y") + text[at + 1:], encoding="utf-8")
    bad = runner.invoke(app, ["audit", "verify", "--dir", str(tmp_path / "audit")])
    assert bad.exit_code == 10 and "line altered" in bad.output, bad.output


@pytest.mark.parametrize("action", ["delete", "purge"])
def test_only_known_actions(tmp_path: Path, action: str) -> None:
    with pytest.raises(ValueError):
        AuditLog(tmp_path).record(action, account="a", route="r", case="c", target="t", record_id=None, fields={})


# -- issue 26 item 11: the head is anchored outside the folder it protects; lines parsed strictly -------

def test_a_deleted_audit_folder_is_found(tmp_path: Path) -> None:
    import shutil

    _log(tmp_path)
    shutil.rmtree(tmp_path / "audit")
    checked, problems = verify(tmp_path / "audit")
    assert checked == 0 and problems, "a deleted audit folder passed as an empty log"
    assert "audit" in str(problems[0])


def test_last_lines_dropped_with_the_head_rewritten_are_found(tmp_path: Path) -> None:
    _log(tmp_path)
    path = _file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2]), encoding="utf-8")
    last = json.loads(lines[1])
    (tmp_path / "audit" / "audit.head").write_text(json.dumps({"seq": last["seq"], "hash": last["hash"]}),
                                                   encoding="utf-8")
    checked, problems = verify(tmp_path / "audit")
    assert checked == 2 and problems, "last lines dropped and the head rewritten passed"


def test_a_duplicate_key_at_a_line_front_is_found(tmp_path: Path) -> None:
    _log(tmp_path)
    path = _file(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = '{"account": "someone-else", ' + lines[1][1:]
    path.write_text("".join(lines), encoding="utf-8")
    checked, problems = verify(tmp_path / "audit")
    assert checked == 4 and problems, "a duplicate JSON key at a line's front passed"
    assert "2" in str(problems[0])


def test_a_crash_between_the_line_and_the_anchor_is_not_tampering(tmp_path: Path) -> None:
    audit = _log(tmp_path, n=3)
    anchor = audit.anchor.read_text(encoding="utf-8")
    _log(tmp_path, n=1, start=T0 + timedelta(days=1))
    audit.anchor.write_text(anchor, encoding="utf-8")  # the anchor one line behind, as after a crash
    assert verify(tmp_path / "audit") == (4, [])
