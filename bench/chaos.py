"""Chaos: many seeded cases through both routes while every system misbehaves; then runs until quiet.

    python bench/chaos.py --cases 100            # the published figures (docs/reliability.md)

The verdict comes from the systems' own records (``/_sandbox/records``), not
from casebot: every eligible case exactly once in each system and equal to its
preview, every refused case reported with its reason, zero duplicates, zero lost.
The test suite runs the same scenario, smaller (tests/chaos/test_chaos.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from casebot.commands.demo import prosecute_some, sandbox_settings
from casebot.errors import BusinessError
from casebot.ledger import open_ledger
from casebot.pipeline import Pipeline
from casebot.run import Runner
from casebot.run.outcome import UNFINISHED_OUTCOMES
from casebot.verify import differences
from sandbox.client import SandboxClient, SandboxProcess

FULL_PLAN = {"latency_ms": [50, 800], "error_rate": 0.05, "commit_then_error_rate": 0.05,
             "session_max_requests": 30, "notice_rate": 0.2, "reject_rate": 0.03}


def plan_for(system: str, base: dict[str, Any], seed: int) -> dict[str, Any]:
    plan = dict(base, seed=seed)
    if system == "police":  # a source has no saves to refuse or lose
        plan.pop("commit_then_error_rate", None)
        plan.pop("reject_rate", None)
    return plan


async def scenario(client: SandboxClient, workdir: Path, *, cases: int, plan: dict[str, Any], seed: int = 1,
                   concurrency: int = 2, max_rounds: int = 8) -> dict[str, Any]:
    client.seed(cases, seed)
    police = client.police_cases()
    for i, system in enumerate(("police", "procuratorate", "court")):
        client.set_faults(system, **plan_for(system, plan, seed + i))
    settings = sandbox_settings(client.urls, workdir, browser={"concurrency": concurrency},
                                run={"backoff_initial_s": 0.1, "backoff_max_s": 2.0, "max_attempts": 6},
                                artifacts={"trace": "off"})
    t0 = time.monotonic()
    rounds = 0
    retries = writes = lookups = 0
    while rounds < max_rounds:
        rounds += 1
        summary = await Runner(settings, routes=["police-procuratorate"]).run()
        prosecute_some(client, fraction=1.0, seed=seed)
        summary2 = await Runner(settings, routes=["procuratorate-court"]).run()
        for s in (summary, summary2):
            retries += s.counters.get("retries", 0)
            writes += s.counters.get("writes", 0)
            lookups += s.counters.get("lookups", 0)
        pending = [r for s in (summary, summary2) for r in s.results if r.outcome in UNFINISHED_OUTCOMES]
        if not pending and not summary.system_errors and not summary2.system_errors:
            break
    elapsed = time.monotonic() - t0
    faults = {s: client.faults(s)["injected"] for s in ("police", "procuratorate", "court")}
    for system in ("police", "procuratorate", "court"):
        client.set_faults(system)
    return verdict(client, police, settings, faults=faults, rounds=rounds, retries=retries, writes=writes,
                   lookups=lookups, seconds=elapsed)


def verdict(client: SandboxClient, police: list[dict[str, Any]], settings: Any, **figures: Any) -> dict[str, Any]:
    pipeline = Pipeline()
    ledger = open_ledger(settings.ledger_url())
    failed = {(i.route, i.case_key): i for i in ledger.items(states=("failed",))}
    ledger.close()
    eligible = [c for c in police if c["ajzt"] == "已移送起诉" and c.get("yssj")]
    by_case = {c["ajbh"]: c for c in police}
    proc = client.records("procuratorate")
    court = client.records("court")
    proc_count = Counter(r["ysajbh"] for r in proc)
    court_count = Counter(r["qsswh"] for r in court)
    duplicates = sum(n - 1 for n in proc_count.values() if n > 1) + sum(n - 1 for n in court_count.values() if n > 1)
    lost: list[str] = []
    unreported: list[str] = []
    mismatched: list[str] = []
    refused = 0
    for case in eligible:
        key = case["ajbh"]
        try:
            card = pipeline.procuratorate_card(pipeline.case_card(case))
        except BusinessError:
            if ("police-procuratorate", key) not in failed:
                unreported.append(key)
            continue
        if key not in proc_count:
            item = failed.get(("police-procuratorate", key))
            if item is None or not item.error_message:
                lost.append(key)
            else:
                refused += 1
            continue
        rec = next(r for r in proc if r["ysajbh"] == key)
        if differences(card, rec):
            mismatched.append(key)
    for rec in proc:
        if rec.get("zt") != "已起诉":
            continue
        if rec["qsswh"] not in court_count:
            item = failed.get(("procuratorate-court", rec["ysajbh"]))
            if item is None or not item.error_message:
                lost.append(rec["qsswh"])
            else:
                refused += 1
            continue
        got = next(r for r in court if r["qsswh"] == rec["qsswh"])
        card = pipeline.court_card(pipeline.case_card(by_case[rec["ysajbh"]]), rec)
        if differences(card, got):
            mismatched.append(rec["qsswh"])
    return {"cases": len(police), "eligible": len(eligible), "procuratorate_records": len(proc),
            "court_records": len(court), "refused_reported": refused, "duplicates": duplicates,
            "lost": len(lost), "lost_keys": lost, "unreported": unreported, "mismatched": mismatched,
            "faults_met": {s: dict(v) for s, v in figures.pop("faults").items()}, **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "chaos.json")
    args = parser.parse_args()
    with SandboxProcess() as sb, tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(scenario(sb.client, Path(tmp), cases=args.cases, plan=FULL_PLAN, seed=args.seed,
                                      concurrency=args.concurrency))
    result["plan"] = FULL_PLAN
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("lost_keys",)}, ensure_ascii=False, indent=2))
    ok = result["duplicates"] == 0 and result["lost"] == 0 and not result["unreported"] and not result["mismatched"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
