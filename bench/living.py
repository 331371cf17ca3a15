"""A case's life at scale: what a run costs once the cases are written (issue 13's goal).

    python bench/living.py --cases 1000          # the goal's size
    python bench/living.py --cases 60            # what fits in a few minutes on two cores

Three timed runs of the police → procuratorate route in one process, against
the sandbox: the first writes every eligible case; the second finds them all
unchanged; before the third, 5 % of the cases change at the police (a measure
added). The figures are ratios against the first run, in the same process: the
goals are at most 0.10 (unchanged) and 0.15 (5 % changed). The verdict on the
changes comes from the procuratorate's own records.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from casebot.cli.demo import sandbox_settings
from casebot.domain.verify import differences
from casebot.errors import BusinessError
from casebot.mapping.pipeline import Pipeline
from casebot.run import Runner
from sandbox.client import SandboxProcess

ROUTE = "police-procuratorate"


async def timed(settings: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    summary = await Runner(settings, routes=[ROUTE]).run()
    return time.perf_counter() - t0, summary


async def bench(cases: int, seed: int, concurrency: int) -> dict[str, Any]:
    pipeline = Pipeline()
    with SandboxProcess(port=0) as sb, tempfile.TemporaryDirectory(prefix="casebot-living-") as tmp:
        client = sb.client
        client.seed(cases, seed, status="已移送起诉")
        police = client.police_cases()
        settings = sandbox_settings(sb.urls, Path(tmp), browser={"concurrency": concurrency})
        write_s, first = await timed(settings)
        quiet_s, second = await timed(settings)
        written = {r["ysajbh"] for r in client.records("procuratorate")}
        changed = []
        for case in police:
            if case["ajbh"] not in written or len(changed) >= max(1, round(0.05 * len(written))):
                continue
            case = copy.deepcopy(case)
            case["xyr"][0]["qzcs"].append({"cslx": "02", "zxrq": case["yssj"]})
            changed.append(case)
        client.add_cases(changed)
        follow_s, third = await timed(settings)
        records = {r["ysajbh"]: r for r in client.records("procuratorate")}
        wrong = []
        for case in changed:
            try:
                want = pipeline.procuratorate_card(pipeline.case_card(case))
            except BusinessError:
                continue
            if differences(want, records[case["ajbh"]]):
                wrong.append(case["ajbh"])
        return {
            "cases": cases, "written": len(written), "changed": len(changed), "concurrency": concurrency,
            "write_s": round(write_s, 2), "unchanged_s": round(quiet_s, 2), "changed_s": round(follow_s, 2),
            "unchanged_ratio": round(quiet_s / write_s, 3), "changed_ratio": round(follow_s / write_s, 3),
            "updates": third.counters.get("updates", 0), "second_run_cases": len(second.results),
            "not_followed": wrong, "first_exit": first.exit_code,
        }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "living.json")
    return ap.parse_args(argv)


def main() -> None:
    args = parse()
    result = asyncio.run(bench(args.cases, args.seed, args.concurrency))
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
