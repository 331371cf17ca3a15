"""Chaos: many cases through both routes while every system misbehaves; then runs until quiet.

    python bench/chaos.py --cases 100            # the published figures (docs/reliability.md)

The cases are the hand-written golden set (tests/data/golden/) copied under new
case numbers. The targets' duplicate-key refusal is off, so a second save would
show. The verdict comes from the systems' own records (``/_sandbox/records``)
and save counters (``/_sandbox/saves``), not from casebot: every valid eligible
case exactly once in each system and equal (``==``) to its golden record, every
stopped or refused case reported with its reason, zero duplicates, zero lost.
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

from casebot.cli.demo import sandbox_settings
from casebot.ledger import open_ledger
from casebot.run import Runner
from casebot.run.outcome import UNFINISHED_OUTCOMES
from sandbox.client import SandboxClient, SandboxProcess
from tests.golden import GoldenSet, copies, prosecute, stripped

FULL_PLAN = {"latency_ms": [50, 800], "error_rate": 0.05, "commit_then_error_rate": 0.05,
             "session_max_requests": 30, "notice_rate": 0.2, "reject_rate": 0.03}


def plan_for(system: str, base: dict[str, Any], seed: int) -> dict[str, Any]:
    plan = dict(base, seed=seed)
    if system == "police":  # a source has no saves to refuse, lose or alter
        for key in ("commit_then_error_rate", "reject_rate", "alter_rate"):
            plan.pop(key, None)
    else:
        plan["refuse_duplicates"] = False
    return plan


async def scenario(client: SandboxClient, workdir: Path, *, cases: int, plan: dict[str, Any], seed: int = 1,
                   concurrency: int = 2, max_rounds: int = 8) -> dict[str, Any]:
    """The golden cases, copied up to ``cases``, through both routes under ``plan``; the targets' duplicate
    refusal is off, so only the robot keeps a second save away."""
    g = copies(cases)
    client.add_cases(g.police)
    for i, system in enumerate(("police", "procuratorate", "court")):
        client.set_faults(system, **plan_for(system, plan, seed + i))
    settings = sandbox_settings(client.urls, workdir, browser={"concurrency": concurrency},
                                run={"backoff_initial_s": 0.1, "backoff_max_s": 2.0, "max_attempts": 6},
                                artifacts={"trace": "off"})
    t0 = time.monotonic()
    rounds = 0
    retries = writes = lookups = 0
    prosecuted: set[str] = set()
    while rounds < max_rounds:
        rounds += 1
        summary = await Runner(settings, routes=["police-procuratorate"]).run()
        held = {r["ysajbh"] for r in client.records("procuratorate")}
        todo = [p for p in g.prosecutions if p["ysajbh"] in held and p["ysajbh"] not in prosecuted]
        prosecute(client, todo)
        prosecuted.update(p["ysajbh"] for p in todo)
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
    return verdict(client, g, settings, prosecuted=prosecuted, faults=faults, rounds=rounds, retries=retries,
                   writes=writes, lookups=lookups, seconds=elapsed)


def verdict(client: SandboxClient, g: GoldenSet, settings: Any, *, prosecuted: set[str],
            **figures: Any) -> dict[str, Any]:
    """What the systems hold against the hand-written golden records: plain equality, per case."""
    ledger = open_ledger(settings.ledger_url())
    failed = {(i.route, i.case_key): i for i in ledger.items(states=("failed",))}
    ledger.close()
    proc = client.records("procuratorate")
    court = client.records("court")
    saves = {s: client.saves(s) for s in ("procuratorate", "court")}
    duplicates = sum(n - 1 for per in saves.values() for n in per.values() if n > 1)
    duplicates += sum(n - 1 for n in Counter(r["ysajbh"] for r in proc).values() if n > 1)
    duplicates += sum(n - 1 for n in Counter(r["qsswh"] for r in court).values() if n > 1)
    proc_by = {r["ysajbh"]: stripped("procuratorate", r) for r in proc}
    court_by = {r["qsswh"]: stripped("court", r) for r in court}
    lost: list[str] = []
    unreported: list[str] = []
    mismatched: list[str] = []
    refused = 0
    expected_proc = g.procuratorate_after([p for p in g.prosecutions if p["ysajbh"] in prosecuted])
    for key in g.stops:
        if ("police-procuratorate", key) not in failed or key in proc_by:
            unreported.append(key)
    for key, want in expected_proc.items():
        if key not in proc_by:
            item = failed.get(("police-procuratorate", key))
            if item is None or not item.error_message:
                lost.append(key)
            else:
                refused += 1
        elif proc_by[key] != want:
            mismatched.append(key)
    for p in g.prosecutions:
        if p["ysajbh"] not in prosecuted:
            continue
        if p["qsswh"] not in court_by:
            item = failed.get(("procuratorate-court", p["ysajbh"]))
            if item is None or not item.error_message:
                lost.append(p["qsswh"])
            else:
                refused += 1
        elif court_by[p["qsswh"]] != g.court[p["qsswh"]]:
            mismatched.append(p["qsswh"])
    unexpected = sorted(set(proc_by) - set(expected_proc)) + sorted(set(court_by) - set(g.court))
    return {"cases": len(g.police), "eligible": len(g.procuratorate) + len(g.stops),
            "procuratorate_records": len(proc), "court_records": len(court), "refused_reported": refused,
            "duplicates": duplicates, "lost": len(lost), "lost_keys": lost, "unreported": unreported,
            "mismatched": mismatched, "unexpected": unexpected,
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
    ok = (result["duplicates"] == 0 and result["lost"] == 0 and not result["unreported"]
          and not result["mismatched"] and not result["unexpected"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
