"""The bad-input corpus (tests/data/bad_cases/): each case stops alone with a clear error; the others are written.

Every file is a police record that breaks one of the clerk's rules (SPEC
section 4), with what the error must name. They go into the police system
beside valid cases and one real run carries the lot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_PAGE_CHANGED
from casebot.run import Runner
from tests.golden import EXAMPLE, assert_holds, golden

CORPUS = sorted((Path(__file__).parents[1] / "data" / "bad_cases").glob("*.json"))


def load() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in CORPUS]


def test_corpus_covers_every_stop_rule():
    fields = {d["expect"]["field"] for d in load()}
    assert {"证件号码", "性别", "出生日期", "案由", "主办单位", "羁押场所", "民族", "文化程度", "强制措施"} <= fields


@pytest.mark.slow
async def test_each_bad_case_stops_alone_with_a_clear_error(sandbox, settings):
    corpus = load()
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    sandbox.add_cases([d["record"] for d in corpus])
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    by_key = {r.case_key: r for r in summary.results}
    for doc in corpus:
        rec, expect = doc["record"], doc["expect"]
        result = by_key[rec["ajbh"]]
        assert result.outcome == "failed", doc["why"]
        assert result.error_type in ("DataError", "CodeMissing"), doc["why"]
        assert rec["ajbh"] in result.error, "names the case"
        assert f"“{expect['field']}" in result.error, "names the field"
        assert expect["reason_contains"] in result.error, doc["why"]
        if expect["names_suspect"]:
            assert "嫌疑人" in result.error, "names the suspect"
        for s in rec["xyr"]:
            raw = "".join(s["xm"].split())
            assert raw not in result.error, "the suspect's full name is masked"
    assert_holds(sandbox, "procuratorate", g.procuratorate)  # the good case is written, the bad ones nowhere


@pytest.mark.slow
async def test_malformed_pages_stop_only_their_case(sandbox, settings):
    """A missing label, an unexpected extra suspect tab, an empty table: one clear error each."""
    sandbox.seed(6, seed=42)
    cases = [c for c in sandbox.police_cases() if c["ajzt"] == "已移送起诉" and c.get("yssj")]
    kinds = {"missing_label": ("犯罪嫌疑人1", "证件号码"), "extra_tab": ("犯罪嫌疑人", "页签"),
             "empty_table": ("犯罪嫌疑人1", "表格为空")}
    broken = {}
    for case, kind in zip(cases, kinds, strict=False):
        sandbox.call("police", "POST", "/_sandbox/defects", {"ajbh": case["ajbh"], "kind": kind})
        broken[case["ajbh"]] = kind
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_PAGE_CHANGED
    by_key = {r.case_key: r for r in summary.results}
    for key, kind in broken.items():
        r = by_key[key]
        assert r.outcome == "retry" and r.error_type == "PageChanged"
        assert key in r.error and all(word in r.error for word in kinds[kind]), r.error
    written = {r["ysajbh"] for r in sandbox.records("procuratorate")}
    assert written == {c["ajbh"] for c in cases} - set(broken), "every other case is written"
