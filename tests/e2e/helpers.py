"""Assertions on what the systems themselves hold (their /_sandbox/records), not on what casebot says."""

from __future__ import annotations

from collections import Counter
from typing import Any

from casebot.errors import BusinessError
from casebot.pipeline import Pipeline
from casebot.verify import differences

PIPELINE = Pipeline()


def eligible(police: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in police if c["ajzt"] == "已移送起诉" and c.get("yssj")]


def mappable(police: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Eligible cases whose data passes the clerk's rules, by case number."""
    out = {}
    for case in eligible(police):
        try:
            PIPELINE.case_card(case)
        except BusinessError:
            continue
        out[case["ajbh"]] = case
    return out


def assert_procuratorate_exact(client: Any, police: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every mappable eligible case exactly once in the procuratorate, equal to its preview."""
    want = mappable(police)
    records = client.records("procuratorate")
    counts = Counter(r["ysajbh"] for r in records)
    dupes = {k: n for k, n in counts.items() if n > 1}
    assert not dupes, f"duplicates in the procuratorate: {dupes}"
    assert set(counts) == set(want), (f"missing {sorted(set(want) - set(counts))}, "
                                      f"unexpected {sorted(set(counts) - set(want))}")
    for rec in records:
        card = PIPELINE.procuratorate_card(PIPELINE.case_card(want[rec["ysajbh"]]))
        assert differences(card, rec) == [], rec["ysajbh"]
    return records


def assert_court_exact(client: Any, police: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every prosecuted record exactly once in the court, equal to its preview."""
    by_case = {c["ajbh"]: c for c in police}
    prosecuted = {r["qsswh"]: r for r in client.records("procuratorate") if r.get("zt") == "已起诉"}
    records = client.records("court")
    counts = Counter(r["qsswh"] for r in records)
    dupes = {k: n for k, n in counts.items() if n > 1}
    assert not dupes, f"duplicates in the court: {dupes}"
    assert set(counts) == set(prosecuted)
    for rec in records:
        proc = prosecuted[rec["qsswh"]]
        card = PIPELINE.court_card(PIPELINE.case_card(by_case[proc["ysajbh"]]), proc)
        assert differences(card, rec) == [], rec["qsswh"]
    return records
