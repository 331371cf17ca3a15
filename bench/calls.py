"""Playwright calls per card: casebot (verification off and on) against the hand-written script.

    python bench/calls.py --cards 6                  # both routes, the calls by method
    python bench/calls.py --cards 6 --where 25       # and the 25 call sites in casebot that call most
    python bench/calls.py --cards 1 --route police-procuratorate --out /dev/null   # a smoke run

Every call to Playwright's driver (a click, a fill, a count, an evaluation, a
wait) is a round trip to the driver and, for most, work in the browser: after
the page loads, what a card costs. The same seeded cards are written by the
minimal baseline (bench/baseline.py) and by casebot with verification off and
on, one browser context each (bench/workload.py), and the calls each made are
counted by protocol method (``casebot.testing.calls``). The figures are per
card; logins and the source list are spread over the cards.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import Bench  # noqa: E402
from bench.workload import ROUTES, Workload, measuring, save  # noqa: E402
from casebot.testing.calls import PlaywrightCalls  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "calls.json"
VARIANTS = ("baseline", "casebot_verify_off", "casebot_verify_on")


def measure(bench: Bench, work: Workload, route: str, cards: int, *, seed: int, where: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"route": route, "cards": cards, "variants": {}}
    for name in VARIANTS:
        prepared = work.prepare(route, cards, seed=seed)
        with PlaywrightCalls(where=where and name != "baseline") as calls:
            if name == "baseline":
                res = bench.script(prepared, "baseline", name)
            else:
                res = bench.casebot(prepared, verify=name.endswith("_on"), concurrency=1, name=name)
        n = max(1, len(prepared.jobs))
        out["variants"][name] = {
            "cards": len(prepared.jobs), "written": res["check"],
            "calls_per_card": round(calls.total / n, 1),
            "by_method": {m: round(c / n, 2) for m, c in calls.methods.most_common()},
            "sites": [{"method": m, "site": s, "per_card": round(c / n, 2)} for (m, s), c in calls.sites.most_common()],
        }
    return out


def show(res: dict[str, Any], where: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    for run in res["runs"]:
        v = run["variants"]
        table = Table(title=f"{run['route']}: Playwright calls per card ({run['cards']} cards)")
        table.add_column("method")
        for name in VARIANTS:
            table.add_column(name, justify="right")
        methods = Counter()
        for name in VARIANTS:
            methods.update(v[name]["by_method"])
        for m, _ in sorted(methods.items(), key=lambda kv: -v["casebot_verify_off"]["by_method"].get(kv[0], 0)):
            table.add_row(m, *(f"{v[name]['by_method'].get(m, 0):.1f}" for name in VARIANTS))
        table.add_row("all", *(f"{v[name]['calls_per_card']:.1f}" for name in VARIANTS))
        console.print(table)
        written = ", ".join(f"{n} {v[n]['written']['records']}/{v[n]['written']['expected']}" for n in VARIANTS)
        console.print(f"records written: {written}")
        if where:
            sites = Table(title=f"{run['route']}: where casebot calls (verify on, per card)")
            sites.add_column("per card", justify="right")
            sites.add_column("method")
            sites.add_column("call site < caller < ...")
            for s in v["casebot_verify_on"]["sites"][:where]:
                sites.add_row(f"{s['per_card']:.2f}", s["method"], s["site"])
            console.print(sites)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=6)
    ap.add_argument("--route", choices=ROUTES, action="append", help="a route (default both)")
    ap.add_argument("--where", type=int, default=0, metavar="N", help="show the N call sites that call most")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=RESULTS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    res: dict[str, Any] = {"command": " ".join(["python bench/calls.py", *(argv or sys.argv[1:])]), "runs": []}
    with measuring("calls") as (tmp, sb):
        work = Workload(sb.client, seed=args.seed)
        bench = Bench(sb.urls, work, tmp, say=lambda msg: None)
        for route in args.route or ROUTES:
            res["runs"].append(measure(bench, work, route, args.cards, seed=args.seed, where=True))
    show(res, args.where)
    save(res, args.out)
    return 0

if __name__ == "__main__":
    sys.exit(main())
