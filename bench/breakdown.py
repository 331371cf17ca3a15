"""Where a card's time and CPU go: casebot's run split into its phases, with the page loads of each.

    python bench/breakdown.py --cards 8                   # both routes, verify on, one browser context
    python bench/breakdown.py --cards 2 --route police-procuratorate --out /dev/null   # a smoke run

One casebot run per route, on seeded cases (bench/workload.py), one browser
context. Each phase is timed where the core calls it (wall clock, and the CPU
of this process, Playwright's driver and Chromium read from ``/proc`` at its
start and end; one context works one step at a time, so the CPU between two
reads is that step's): logging in, listing the source, reading a case, the
look before a first write (``find_match``: the searches of the target, or the
run's list of it), the write, the read-back, screenshots and traces. "rest" is
what lies between them (the ledger, mapping, checks, logging). Page loads are
the documents the browser requested (frames included) while the phase ran.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import memory  # noqa: E402
from bench.workload import ROUTES, Workload, measuring, save  # noqa: E402
from casebot.cli.demo import sandbox_settings  # noqa: E402
from casebot.kit.base import Adapter, Source, Target  # noqa: E402
from casebot.run import Runner  # noqa: E402
from casebot.run.artifacts import Artifacts  # noqa: E402
from casebot.run.worker import Worker  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "breakdown.json"

#: (owner class, method, phase): where the core calls each phase
PHASES = (
    (Adapter, "_do_login", "login"),
    (Runner, "_list", "list source"),
    (Source, "read", "read case"),
    (Target, "find_match", "look before write"),
    (Target, "find_existing", "find existing"),
    (Target, "write", "write"),
    (Target, "read_back", "read back"),
    (Artifacts, "screenshot", "screenshot"),
    (Worker, "start_trace", "trace"),
    (Worker, "stop_trace", "trace"),
)
#: what the look before a first write is made of (counted, not timed apart)
SEARCHES = ("_search_by_key", "_search_by_id", "_search_by_case")


class Clock:
    """Wall time, CPU by process kind and page loads, per phase (the outermost phase running)."""

    def __init__(self) -> None:
        self.root = os.getpid()
        self.hz = os.sysconf("SC_CLK_TCK")
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.calls: dict[str, int] = defaultdict(int)
        self.loads: dict[str, int] = defaultdict(int)
        self.searches: dict[str, int] = defaultdict(int)
        self.current: str | None = None

    def ticks(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for pid in [self.root, *memory.descendants(self.root)]:
            out[memory.kind(pid, self.root)] += memory._cpu_ticks(pid)
        return out

    @contextlib.asynccontextmanager
    async def phase(self, name: str) -> Any:
        if self.current is not None:  # nested (a login inside a read): the outer phase keeps it
            yield
            return
        self.current = name
        t0, c0 = time.perf_counter(), self.ticks()
        try:
            yield
        finally:
            c1 = self.ticks()
            self.wall[name] += time.perf_counter() - t0
            for k in c1:
                self.cpu[name][k] += max(0, c1[k] - c0.get(k, 0)) / self.hz
            self.calls[name] += 1
            self.current = None

    def page_load(self, request: Any) -> None:
        if request.resource_type == "document":
            self.loads[self.current or "rest"] += 1


def instrument(clock: Clock) -> list[tuple[Any, str, Any]]:
    """Wrap every phase's method; returns what to restore."""
    saved: list[tuple[Any, str, Any]] = []

    def wrap(owner: Any, attr: str, name: str) -> None:
        original = owner.__dict__.get(attr)
        if original is None:
            return
        saved.append((owner, attr, original))

        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            async with clock.phase(name):
                return await original(*args, **kwargs)

        setattr(owner, attr, timed)

    for owner, attr, name in PHASES:
        wrap(owner, attr, name)
    new_context = Runner._new_context

    async def counted_context(self: Any, browser: Any) -> Any:
        ctx = await new_context(self, browser)
        ctx.on("request", clock.page_load)
        return ctx

    saved.append((Runner, "_new_context", new_context))
    Runner._new_context = counted_context  # type: ignore[method-assign]
    return saved


def count_searches(clock: Clock, target_cls: type) -> None:
    """Count the target's searches (its own overrides of the matching policy's hooks)."""
    for attr in SEARCHES:
        own = getattr(target_cls, attr)
        if getattr(own, "_bench_counted", False):
            continue

        def make(own: Any, attr: str) -> Any:
            async def count(self: Any, *args: Any, **kwargs: Any) -> Any:
                clock.searches[attr] += 1
                return await own(self, *args, **kwargs)
            count._bench_counted = True  # type: ignore[attr-defined]
            count._bench_original = own  # type: ignore[attr-defined]
            return count

        setattr(target_cls, attr, make(own, attr))


def uncount_searches(target_cls: type) -> None:
    for attr in SEARCHES:
        own = target_cls.__dict__.get(attr)
        if own is not None and getattr(own, "_bench_counted", False):
            setattr(target_cls, attr, own._bench_original)


def measure(urls: dict[str, str], work: Workload, route: str, cards: int, tmp: Path, *, verify: bool,
            seed: int) -> dict[str, Any]:
    from casebot.kit.plugins import load_adapter

    prepared = work.prepare(route, cards, seed=seed)
    clock = Clock()
    saved = instrument(clock)
    target_cls = load_adapter("procuratorate" if route == ROUTES[0] else "court")
    count_searches(clock, target_cls)
    settings = sandbox_settings(urls, tmp / route, browser={"concurrency": 1})
    runner = Runner(settings, routes=[route], verify_writes=verify)
    t0, c0 = time.perf_counter(), clock.ticks()
    try:
        summary = asyncio.run(runner.run())
    finally:
        seconds = time.perf_counter() - t0
        c1 = clock.ticks()
        for owner, attr, original in saved:
            setattr(owner, attr, original)
        uncount_searches(target_cls)
    n = max(1, len(prepared.jobs))
    total_cpu = {k: (c1[k] - c0.get(k, 0)) / clock.hz for k in c1}
    phases: dict[str, Any] = {}
    for name in dict.fromkeys([p for _, _, p in PHASES]):
        if not clock.calls.get(name):
            continue
        phases[name] = {"calls": clock.calls[name], "s_per_card": round(clock.wall[name] / n, 3),
                        "share": round(clock.wall[name] / seconds, 3), "page_loads_per_card": round(
                            clock.loads.get(name, 0) / n, 2),
                        "cpu_s_per_card": {k: round(v / n, 3) for k, v in clock.cpu[name].items() if v}}
    rest_wall = seconds - sum(clock.wall.values())
    rest_cpu = {k: total_cpu[k] - sum(c[k] for c in clock.cpu.values()) for k in total_cpu}
    phases["rest"] = {"calls": 0, "s_per_card": round(rest_wall / n, 3), "share": round(rest_wall / seconds, 3),
                      "page_loads_per_card": round(clock.loads.get("rest", 0) / n, 2),
                      "cpu_s_per_card": {k: round(v / n, 3) for k, v in rest_cpu.items() if v > 0.005}}
    # the browser and its driver end with the run: their CPU is what the phases (and "rest") saw
    cpu_sum: dict[str, float] = defaultdict(float)
    for p in phases.values():
        for k, v in p["cpu_s_per_card"].items():
            cpu_sum[k] += v
    outcomes: dict[str, int] = defaultdict(int)
    for r in summary.results:
        outcomes[r.outcome] += 1
    return {"route": route, "verify": verify, "cards": len(prepared.jobs), "seconds": round(seconds, 2),
            "s_per_card": round(seconds / n, 3), "outcomes": dict(outcomes),
            "cpu_s_per_card": {k: round(v, 3) for k, v in cpu_sum.items()},
            "searches_per_card": {k: round(v / n, 2) for k, v in clock.searches.items()},
            "page_loads_per_card": round(sum(clock.loads.values()) / n, 2),
            "check": work.check(prepared), "phases": phases}


def show(res: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=max(120, shutil.get_terminal_size((120, 40)).columns))
    for r in res["runs"]:
        t = Table(title=f"{r['route']} (verify {'on' if r['verify'] else 'off'}): {r['cards']} cards, "
                        f"{r['s_per_card']:.2f} s/card, {r['page_loads_per_card']} page loads/card, "
                        f"searches/card {r['searches_per_card']}")
        for col in ("phase", "calls", "s/card", "share", "page loads/card", "CPU robot", "driver", "browser"):
            t.add_column(col, justify="left" if col == "phase" else "right")
        for name, p in r["phases"].items():
            cpu = p["cpu_s_per_card"]
            t.add_row(name, str(p["calls"]), f"{p['s_per_card']:.3f}", f"{p['share']:.0%}",
                      str(p["page_loads_per_card"]), f"{cpu.get('robot', 0):.2f}", f"{cpu.get('driver', 0):.2f}",
                      f"{cpu.get('browser', 0):.2f}")
        con.print(t)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=8)
    ap.add_argument("--route", choices=ROUTES, action="append", help="a route (default both)")
    ap.add_argument("--verify", choices=("on", "off"), default="on")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=RESULTS)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    res: dict[str, Any] = {"command": " ".join(["python bench/breakdown.py", *(argv or sys.argv[1:])]),
                           "load": os.getloadavg()[0], "runs": []}
    with measuring("breakdown") as (tmp, sb):
        work = Workload(sb.client, seed=args.seed)
        for route in args.route or ROUTES:
            res["runs"].append(measure(sb.urls, work, route, args.cards, tmp, verify=args.verify == "on",
                                       seed=args.seed))
    res["load_after"] = os.getloadavg()[0]
    show(res)
    save(res, args.out)
    return 0

if __name__ == "__main__":
    sys.exit(main())
