"""The chaos scenario of bench/chaos.py, sized for the test suite: golden cases, no duplicate refusal."""

from __future__ import annotations

import pytest

from bench.chaos import scenario

PLAN = {"latency_ms": [5, 60], "error_rate": 0.05, "commit_then_error_rate": 0.15,
        "session_max_requests": 30, "notice_rate": 0.2, "reject_rate": 0.03}


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_chaos_exactly_once(sandbox, tmp_path):
    result = await scenario(sandbox, tmp_path, cases=5, plan=PLAN, seed=3)
    print("\nchaos figures:", {k: v for k, v in result.items() if k != "lost_keys"})
    assert result["duplicates"] == 0, "one save per case and target, with the targets' refusal off"
    assert result["lost"] == 0, result["lost_keys"]
    assert result["unreported"] == []
    assert result["mismatched"] == [], "each record equals its hand-written golden record"
    assert result["unexpected"] == []
    met = result["faults_met"]
    assert sum(met["procuratorate"].values()) > 0 and sum(met["court"].values()) > 0, "faults were injected"
    assert result["procuratorate_records"] > 0 and result["court_records"] > 0
