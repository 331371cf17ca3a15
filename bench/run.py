"""Performance: casebot against a hand-written baseline and a recorder-style script, on the same cards.

    python bench/run.py                 # the published figures (docs/performance.md)
    python bench/run.py --quick         # a smoke run, tiny sizes (under two minutes)
    bash scripts/dev.sh bench           # the same, after setting things up

One process, one sandbox (faults off). Before every variant the sandbox is
reset and seeded identically, so every variant carries the same cards:

- each route (police → procuratorate, procuratorate → court): casebot with
  read-back verification off and on (one browser context), the minimal
  baseline (bench/baseline.py) and the recorder-style script
  (bench/recorder.py, on a subset: it is slow);
- concurrency: casebot's cards per minute with 1, 2 and 4 browser contexts;
- memory over a long run (``--long`` cards), sampled every second from /proc;
- cost of scale: cards per run, suspects per card, and a 10,000-row ledger.

Prints a table and writes it as JSON (bench/results/perf.json). Times are wall
clock from browser launch to close (launch, logins and listing included, for
every variant alike); the ratios are what counts on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import memory  # noqa: E402
from bench.baseline import Baseline  # noqa: E402
from bench.recorder import Recorder  # noqa: E402
from bench.workload import ROUTE_COURT, ROUTE_PROC, ROUTES, Prepared, Workload  # noqa: E402
from casebot import logs  # noqa: E402
from casebot.cli.demo import sandbox_settings  # noqa: E402
from casebot.kit.browser import BrowserOptions  # noqa: E402
from casebot.run import Runner  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "perf.json"
#: what one run measures (``--only`` picks some)
PARTS = ("routes", "concurrency", "scale", "memory", "ledger")

#: (key, what, limit, "le" = value must be at most the limit / "ge" = at least)
TARGETS = (
    ("verify_off_vs_baseline", "casebot verify-off / baseline (s per card)", 1.15, "le"),
    ("verify_on_vs_baseline", "casebot verify-on / baseline (s per card)", 1.5, "le"),
    ("recorder_vs_casebot", "recorder-style / casebot verify-on (s per card)", 3.0, "ge"),
    ("concurrency_4_vs_1", "cards/min, 4 contexts / 1 context", 1.6, "ge"),
    ("concurrency_4_vs_1_steady", "steady cards/min (after launch and logins), 4 contexts / 1", 1.6, "ge"),
    ("memory_robot", "robot RSS, last 10% / first 10% of the long run", 1.2, "le"),
    ("memory_browser", "browser RSS, last 10% / first 10% of the long run", 1.2, "le"),
    ("ledger_counts_ms", "ledger.counts() on 10,000 rows (ms)", 50.0, "le"),
    ("ledger_failed_ms", "ledger.items(failed, limit=100) on 10,000 rows (ms)", 50.0, "le"),
)


# -- the machine -----------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version(),
                            "os": f"{platform.system()} {platform.release()}"}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        info["memory_gb"] = round(kb / 1024 / 1024, 1)
    with contextlib.suppress(Exception):
        import playwright

        info["playwright"] = playwright.__version__
    return info


def loadavg() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def browser_version(launch: dict[str, Any]) -> str | None:
    async def ask() -> str:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            b = await pw.chromium.launch(**launch)
            v = b.version
            await b.close()
            return v

    try:
        return asyncio.run(ask())
    except Exception:
        return None


# -- one measurement ---------------------------------------------------------------------------
def combine(name: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One measurement from one or more runs of a variant (rounds): totals, then per card."""
    cards = sum(r["cards"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    per_card = [s for r in runs for s in r["per_card"]]
    n = max(1, cards)
    cpu: dict[str, float] = defaultdict(float)
    for r in runs:
        for k, v in r["cpu"].items():
            cpu[k] += v
    check: dict[str, int] = defaultdict(int)
    for r in runs:
        for k, v in r["check"].items():
            check[k] += v
    out: dict[str, Any] = {
        "variant": name, "runs": len(runs), "cards": cards, "seconds": round(seconds, 2),
        "s_per_card": round(seconds / n, 3), "cards_per_min": round(60 * cards / seconds, 2) if seconds else None,
        "median_card_s": round(statistics.median(per_card), 3) if per_card else None,
        "cpu_s_per_card": {k: round(v / n, 3) for k, v in cpu.items()},
        "cpu_total_s_per_card": round(sum(cpu.values()) / n, 3),
        "check": dict(check), "load": [r["load"] for r in runs],
    }
    steady = [r["steady_cards_per_min"] for r in runs if r.get("steady_cards_per_min")]
    if steady:
        out["steady_cards_per_min"] = round(statistics.mean(steady), 2)
    outcomes: Counter[str] = Counter()
    for r in runs:
        outcomes.update(r.get("outcomes") or {})
    if outcomes:
        out["outcomes"] = dict(outcomes)
    for key in ("route", "verify", "concurrency"):
        if key in runs[0]:
            out[key] = runs[0][key]
    return out


class Bench:
    def __init__(self, urls: dict[str, str], work: Workload, tmp: Path, *, say: Any) -> None:
        self.urls = urls
        self.work = work
        self.tmp = tmp
        self.say = say
        self.launch = BrowserOptions().launch_kwargs()
        self._n = 0
        #: per-card seconds and suspects, by variant name (for the suspects table)
        self.per_card: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def _workdir(self) -> Path:
        self._n += 1
        d = self.tmp / f"run{self._n:03d}"
        d.mkdir()
        return d

    def casebot(self, prepared: Prepared, *, verify: bool, concurrency: int, name: str,
                sampler: memory.Sampler | None = None) -> dict[str, Any]:
        """One casebot run over ``prepared``."""
        # the shipped settings (traces on retry: none on a clean run), as a clerk's workstation runs them
        settings = sandbox_settings(self.urls, self._workdir(), browser={"concurrency": concurrency})
        finished: list[float] = []

        def progress(route: str, n: int, total: int) -> None:
            finished.append(time.perf_counter())

        runner = Runner(settings, routes=[prepared.route], verify_writes=verify, on_progress=progress)
        sampler = sampler or memory.Sampler(interval=0.5, keep=False)
        sampler.progress = lambda: len(finished)
        load0, cpu0 = loadavg(), time.process_time()
        sampler.start()
        t0 = time.perf_counter()
        try:
            summary = asyncio.run(runner.run())
        finally:
            seconds = time.perf_counter() - t0
            sampler.stop()
        suspects = {j.key: j.suspects for j in prepared.jobs}
        per = [(r.seconds, suspects.get(r.case_key, 0)) for r in summary.results if r.outcome == "done"]
        self.per_card[name] += per
        steady = None
        if len(finished) >= 4:
            # throughput once every context is at work: from the first finished card to the last
            steady = 60 * (len(finished) - 1) / (finished[-1] - finished[0])
        return {"cards": len(prepared.jobs), "seconds": seconds, "per_card": [s for s, _ in per],
                "cpu": {**sampler.cpu_seconds(), "robot": time.process_time() - cpu0},
                "route": prepared.route, "verify": verify, "concurrency": concurrency,
                "outcomes": dict(Counter(r.outcome for r in summary.results)),
                "check": self.work.check(prepared), "load": [load0, loadavg()], "steady_cards_per_min": steady}

    def script(self, prepared: Prepared, kind: str, name: str) -> dict[str, Any]:
        """One run of the baseline or the recorder-style script over ``prepared``."""
        bot = (Baseline if kind == "baseline" else Recorder)(self.urls, self.launch)
        sampler = memory.Sampler(interval=0.5, keep=False)
        load0, cpu0 = loadavg(), time.process_time()
        sampler.start()
        t0 = time.perf_counter()
        try:
            asyncio.run(bot.run(prepared))
        finally:
            seconds = time.perf_counter() - t0
            sampler.stop()
        self.per_card[name] += [(s, n) for _, s, n in bot.card_seconds]
        return {"cards": len(prepared.jobs), "seconds": seconds, "per_card": [s for _, s, _ in bot.card_seconds],
                "cpu": {**sampler.cpu_seconds(), "robot": time.process_time() - cpu0}, "route": prepared.route,
                "check": self.work.check(prepared), "load": [load0, loadavg()]}

    def interleaved(self, route: str, variants: dict[str, Any], cards: int, rounds: int,
                    seed: int) -> dict[str, dict[str, Any]]:
        """Each variant ``rounds`` times on ``cards`` cards in all, the order rotating each round.

        Round ``i`` seeds the same cases for every variant (seed + i): each
        variant does the same work, and slow spells of a shared machine fall
        on all of them alike.
        """
        names = list(variants)
        if not names:
            return {}
        runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
        per_round = [cards // rounds + (1 if i < cards % rounds else 0) for i in range(rounds)]
        for i, n_cards in enumerate(per_round):
            if not n_cards:
                continue
            order = names[i % len(names):] + names[: i % len(names)]
            for name in order:
                prepared = self.work.prepare(route, n_cards, seed=seed + i)
                self.say(f"{route}: {name}, round {i + 1}/{rounds}, {len(prepared.jobs)} cards")
                runs[name].append(variants[name](prepared))
        return {n: combine(n, r) for n, r in runs.items() if r}


# -- the ledger --------------------------------------------------------------------------------
def ledger_bench(tmp: Path, rows: int, card: dict[str, Any]) -> dict[str, Any]:
    """A ledger with ``rows`` items: how long `casebot status` / `failures` take on it."""
    from casebot.cli import ops
    from casebot.ledger import now
    from casebot.ledger.sqlite import SQLiteLedger

    path = tmp / "ledger" / "ledger.sqlite3"
    ledger = SQLiteLedger(path)
    card_json = json.dumps(card, ensure_ascii=False)
    states = ["done"] * 90 + ["failed"] * 6 + ["retry"] * 3 + ["unknown"]
    t0 = time.perf_counter()
    with ledger._tx() as db:
        db.executemany(
            "INSERT INTO items (route, target, case_key, state, attempts, card_json, card_hash, record_id, "
            "error_type, error_message, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, 'h', ?, ?, ?, ?, ?)",
            [(ROUTES[i % 2], "procuratorate" if i % 2 == 0 else "court", f"A{i:020d}", states[i % len(states)],
              card_json, f"R{i}", "RejectedError" if states[i % len(states)] == "failed" else None,
              "案卡质量检查未通过" if states[i % len(states)] == "failed" else None, now(), now())
             for i in range(rows)])
    fill_s = time.perf_counter() - t0

    def best_ms(fn: Any, n: int = 15) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return round(min(times) * 1000, 2), round(statistics.median(times) * 1000, 2)

    counts_ms = best_ms(ledger.counts)
    failed_ms = best_ms(lambda: ledger.items(states=("failed",), limit=100))
    failures_ms = best_ms(lambda: ledger.items(states=("failed", "retry", "unknown"), limit=100))
    plans = {
        "counts": [r[3] for r in ledger.conn.execute(
            "EXPLAIN QUERY PLAN SELECT route, state, COUNT(*) FROM items GROUP BY route, state")],
        "failed": [r[3] for r in ledger.conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM items WHERE state IN (?) ORDER BY updated_at DESC, id DESC LIMIT 100",
            ("failed",))],
    }
    ledger.close()
    size_mb = path.stat().st_size / 1024 / 1024
    # the commands themselves, in this process: load the config, open the ledger (integrity check), query, print
    config = tmp / "ledger" / "casebot.toml"
    config.write_text(
        "[systems.police]\nurl = \"http://127.0.0.1:9\"\n[systems.procuratorate]\nurl = \"http://127.0.0.1:9\"\n"
        "[[routes]]\nname = \"police-procuratorate\"\nsource = \"police\"\ntarget = \"procuratorate\"\n"
        f"[ledger]\nurl = \"sqlite:///{path.name}\"\n", encoding="utf-8")

    def command(fn: Any, **kw: Any) -> float:
        out = io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stdout(out):
            fn(config=config, json_out=True, **kw)
        return round((time.perf_counter() - t) * 1000, 1)

    status_ms = command(ops.status)
    failures_cmd_ms = command(ops.failures, route=None, limit=100)
    return {"rows": rows, "file_mb": round(size_mb, 1), "fill_s": round(fill_s, 2),
            "counts_ms": counts_ms[1], "counts_best_ms": counts_ms[0],
            "failed_ms": failed_ms[1], "failed_best_ms": failed_ms[0], "failures_query_ms": failures_ms[1],
            "status_command_ms": status_ms, "failures_command_ms": failures_cmd_ms, "query_plans": plans}


# -- grouping and ratios --------------------------------------------------------------------------
def by_suspects(per: list[tuple[float, int]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for seconds, n in per:
        groups["1" if n <= 1 else "2" if n == 2 else "3-4"].append(seconds)
    return {k: {"cards": len(v), "median_s": round(statistics.median(v), 3), "mean_s": round(statistics.mean(v), 3)}
            for k, v in sorted(groups.items())}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def verdicts(res: dict[str, Any]) -> list[dict[str, Any]]:
    out = []

    def add(key: str, scope: str, value: float | None) -> None:
        _, what, limit, how = next(t for t in TARGETS if t[0] == key)
        met = None if value is None else (value <= limit if how == "le" else value >= limit)
        out.append({"target": key, "scope": scope, "what": what, "value": value,
                    "limit": f"{'≤' if how == 'le' else '≥'} {limit:g}", "met": met})

    for route, r in res["routes"].items():
        base = r["baseline"]["s_per_card"]
        add("verify_off_vs_baseline", route, ratio(r["casebot_verify_off"]["s_per_card"], base))
        add("verify_on_vs_baseline", route, ratio(r["casebot_verify_on"]["s_per_card"], base))
        if "recorder" in r:
            add("recorder_vs_casebot", route, ratio(r["recorder"]["s_per_card"], r["casebot_verify_on"]["s_per_card"]))
    conc = res.get("concurrency") or {}
    if "1" in conc and "4" in conc:
        add("concurrency_4_vs_1", ROUTE_PROC, ratio(conc["4"]["cards_per_min"], conc["1"]["cards_per_min"]))
        if conc["4"].get("steady_cards_per_min") and conc["1"].get("steady_cards_per_min"):
            add("concurrency_4_vs_1_steady", ROUTE_PROC,
                ratio(conc["4"]["steady_cards_per_min"], conc["1"]["steady_cards_per_min"]))
    mem = res.get("memory")
    if mem:
        add("memory_robot", f"{mem['cards']} cards", mem["growth"]["robot_rss_mb"]["ratio"])
        add("memory_browser", f"{mem['cards']} cards", mem["growth"]["browser_rss_mb"]["ratio"])
    led = res["scale"].get("ledger")
    if led:
        add("ledger_counts_ms", f"{led['rows']} rows", led["counts_ms"])
        add("ledger_failed_ms", f"{led['rows']} rows", led["failed_ms"])
    return out


# -- printing ------------------------------------------------------------------------------------
def show(res: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=max(120, shutil.get_terminal_size((120, 40)).columns))
    t = Table(title="time per card (wall clock from browser launch to close; one browser context)")
    for col in ("route", "variant", "cards", "s/card", "cards/min", "median s/card", "CPU s/card robot",
                "driver", "browser", "sandbox", "written"):
        t.add_column(col, justify="left" if col in ("route", "variant") else "right")
    for route, r in res["routes"].items():
        for v in r.values():
            chk = v.get("check") or {}
            ok = f"{chk.get('records', '?')}/{chk.get('expected', '?')}"
            if chk.get("different"):
                ok += f" ({chk['different']} differ)"
            cpu = v["cpu_s_per_card"]
            t.add_row(route, v["variant"], str(v["cards"]), f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                      f"{v['median_card_s']:.2f}" if v.get("median_card_s") else "-",
                      f"{cpu.get('robot', 0):.2f}", f"{cpu.get('driver', 0):.2f}", f"{cpu.get('browser', 0):.2f}",
                      f"{cpu.get('other', 0):.2f}", ok)
    con.print(t)
    if res.get("concurrency"):
        c = Table(title=f"concurrency ({ROUTE_PROC}, verify on)")
        for col in ("contexts", "cards", "s/card", "cards/min", "speed-up", "steady cards/min", "CPU s/card (all)"):
            c.add_column(col, justify="right")
        one = res["concurrency"].get("1", {}).get("cards_per_min")
        for k, v in res["concurrency"].items():
            c.add_row(k, str(v["cards"]), f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                      f"{ratio(v['cards_per_min'], one) or 0:.2f}", str(v.get("steady_cards_per_min", "-")),
                      f"{v['cpu_total_s_per_card']:.2f}")
        con.print(c)
    sc = res["scale"]
    if sc.get("cards"):
        s = Table(title=f"cost of scale: cards per run ({ROUTE_PROC}, verify on, 2 contexts)")
        for col in ("cards", "s/card", "cards/min", "steady cards/min"):
            s.add_column(col, justify="right")
        for v in sc["cards"]:
            s.add_row(str(v["cards"]), f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                      str(v.get("steady_cards_per_min", "-")))
        con.print(s)
    if sc.get("suspects"):
        s = Table(title="cost of scale: suspects per card (median seconds per card)")
        s.add_column("variant")
        groups = sorted({g for v in sc["suspects"].values() for g in v})
        for g in groups:
            s.add_column(f"{g} suspect(s)", justify="right")
        for name, v in sc["suspects"].items():
            s.add_row(name, *(f"{v[g]['median_s']:.2f} (n={v[g]['cards']})" if g in v else "-" for g in groups))
        con.print(s)
    if sc.get("ledger"):
        led = sc["ledger"]
        con.print(f"ledger, {led['rows']} rows ({led['file_mb']} MB): counts() {led['counts_ms']} ms, "
                  f"items(failed, limit=100) {led['failed_ms']} ms; `casebot status` {led['status_command_ms']} ms, "
                  f"`casebot failures` {led['failures_command_ms']} ms (in process, config and integrity check "
                  "included)")
    mem = res.get("memory")
    if mem:
        m = Table(title=f"memory over {mem['cards']} cards ({mem['samples']} samples, every {mem['interval_s']} s)")
        for col in ("process", "peak MB", "first 10% MB", "last 10% MB", "last/first"):
            m.add_column(col, justify="left" if col == "process" else "right")
        for key, label in (("robot_rss_mb", "robot (Python RSS)"), ("driver_rss_mb", "Playwright driver RSS"),
                           ("browser_rss_mb", "browser (Chromium RSS sum)"),
                           ("browser_pss_mb", "browser (Chromium PSS sum)")):
            g = mem["growth"][key]
            m.add_row(label, f"{mem['peak'][key]:.0f}", str(g["first_mb"]), str(g["last_mb"]), str(g["ratio"]))
        con.print(m)
    v = Table(title="targets")
    for col in ("target", "scope", "value", "limit", "met"):
        v.add_column(col)
    for x in res["targets"]:
        met = "—" if x["met"] is None else ("[green]met[/green]" if x["met"] else "[red]not met[/red]")
        v.add_row(x["what"], x["scope"], "-" if x["value"] is None else f"{x['value']:g}", x["limit"], met)
    con.print(v)


# -- the whole bench -------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> dict[str, Any]:
    from sandbox.client import SandboxProcess

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="casebot-bench-"))
    logs.configure(log_file=tmp / "casebot.jsonl", console=False)
    started = time.time()
    res: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"), "command": " ".join(["python bench/run.py",
                                                                                          *sys.argv[1:]]),
        "machine": machine(),
        "params": {"cards": args.cards, "rounds": args.rounds, "recorder_cards": args.recorder_cards,
                   "recorder_routes": list(args.recorder_routes), "concurrency_cards": args.concurrency_cards,
                   "long": args.long, "scale_cards": args.scale, "ledger_rows": args.ledger_rows,
                   "seed": args.seed, "only": sorted(args.only)},
        "routes": {}, "concurrency": {}, "scale": {}, "memory": None,
    }
    try:
        with SandboxProcess(port=0) as sb:
            work = Workload(sb.client, seed=args.seed)
            bench = Bench(sb.urls, work, tmp, say=say)
            if not args.quick:
                res["machine"]["chromium"] = browser_version(bench.launch)
            for route in ROUTES if "routes" in args.only else ():
                variants = {
                    "baseline": lambda p, route=route: bench.script(p, "baseline", f"{route} baseline"),
                    "casebot_verify_off": lambda p, route=route: bench.casebot(
                        p, verify=False, concurrency=1, name=f"{route} casebot_verify_off"),
                    "casebot_verify_on": lambda p, route=route: bench.casebot(
                        p, verify=True, concurrency=1, name=f"{route} casebot_verify_on"),
                }
                r = bench.interleaved(route, variants, args.cards, args.rounds, args.seed)
                if args.recorder_cards and route in args.recorder_routes:
                    prepared = work.prepare(route, args.recorder_cards)
                    say(f"{route}: recorder, {len(prepared.jobs)} cards")
                    r["recorder"] = combine("recorder", [bench.script(prepared, "recorder", f"{route} recorder")])
                res["routes"][route] = r
            # concurrency (route 1, verify on)
            conc = {str(n): (lambda p, n=n: bench.casebot(p, verify=True, concurrency=n,
                                                          name=f"{ROUTE_PROC} {n} contexts"))
                    for n in (args.contexts if "concurrency" in args.only else ())}
            res["concurrency"] = bench.interleaved(ROUTE_PROC, conc, args.concurrency_cards, args.rounds,
                                                   args.seed + 100)
            # a smoke run: one context is the verify-on run above
            if "1" not in res["concurrency"] and ROUTE_PROC in res["routes"]:
                res["concurrency"] = {"1": res["routes"][ROUTE_PROC]["casebot_verify_on"], **res["concurrency"]}
            # cost of scale: cards per run (the default of 2 contexts, verify on)
            res["scale"]["cards"] = []
            for n in args.scale if "scale" in args.only else ():
                prepared = work.prepare(ROUTE_PROC, n)
                say(f"scale: {len(prepared.jobs)} cards per run")
                res["scale"]["cards"].append(combine(f"{n} per run", [bench.casebot(
                    prepared, verify=True, concurrency=2, name=f"{ROUTE_PROC} {n} per run")]))
            # memory over a long run
            if args.long and "memory" in args.only:
                prepared = work.prepare(ROUTE_PROC, args.long)
                say(f"memory: {len(prepared.jobs)} cards, sampling every second")
                sampler = memory.Sampler(interval=1.0)
                m = combine("long run", [bench.casebot(prepared, verify=True, concurrency=2, name="long run",
                                                       sampler=sampler)])
                keys = ("robot_rss_mb", "driver_rss_mb", "browser_rss_mb", "browser_pss_mb")
                res["memory"] = {
                    "cards": len(prepared.jobs), "interval_s": 1.0, "samples": len(sampler.samples),
                    "warmup": "first 10% of the samples", "run": m,
                    "peak": {k: round(sampler.peak(k), 1) for k in (*keys, "browser_procs")},
                    "growth": {k: memory.growth(sampler.samples, k) for k in keys},
                    "series": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in s.items()}
                               for s in sampler.samples[:: max(1, len(sampler.samples) // 120)]],
                }
                res["scale"]["cards"].append(m)
                if "2" not in res["concurrency"]:
                    res["concurrency"]["2"] = m
            # suspects per card: casebot (one context) and the baseline on the same cards
            res["scale"]["suspects"] = {name: by_suspects(bench.per_card[name]) for name in (
                f"{ROUTE_PROC} baseline", f"{ROUTE_PROC} casebot_verify_off", f"{ROUTE_PROC} casebot_verify_on",
                f"{ROUTE_COURT} baseline", f"{ROUTE_COURT} casebot_verify_off", f"{ROUTE_COURT} casebot_verify_on",
                "long run") if bench.per_card.get(name)}
            if "ledger" in args.only:
                say(f"ledger: {args.ledger_rows} rows")
                card = work.prepare(ROUTE_PROC, 1).jobs[0].card
                res["scale"]["ledger"] = ledger_bench(tmp, args.ledger_rows, card)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["seconds"] = round(time.time() - started, 1)
    res["targets"] = verdicts(res)
    return res


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=None,
                    help="cards per variant and measurement, over all rounds (default 12)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="runs each variant is split into, interleaved with the others (default 2)")
    ap.add_argument("--long", type=int, default=None, help="cards of the memory run (default 500; 0 skips it)")
    ap.add_argument("--recorder-cards", type=int, default=None,
                    help="cards for the recorder-style script, per route (default cards/5, at least 2)")
    ap.add_argument("--scale", type=str, default=None,
                    help="cards per run to compare (default 10; the memory run adds its own)")
    ap.add_argument("--ledger-rows", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--only", type=str, default=",".join(PARTS),
                    help=f"the parts to run, comma-separated (default all: {','.join(PARTS)})")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run (about two minutes)")
    ap.add_argument("--out", type=Path, default=None,
                    help="where the JSON goes (default bench/results/perf.json; perf-quick.json with --quick)")
    args = ap.parse_args(argv)
    args.only = {x.strip() for x in args.only.split(",") if x.strip()}
    if args.only - set(PARTS):
        ap.error(f"--only: unknown part(s) {', '.join(sorted(args.only - set(PARTS)))}; choose from {', '.join(PARTS)}")
    quick = args.quick
    if args.cards is None:
        args.cards = 2 if quick else 12
    if args.rounds is None:
        args.rounds = 1 if quick else 2
    args.rounds = max(1, min(args.rounds, args.cards or 1))
    if args.long is None:
        args.long = 4 if quick else 500
    if args.recorder_cards is None:
        args.recorder_cards = 1 if quick else max(2, args.cards // 5)
    # the recorder-style script takes 15-25 s a card: a smoke run tries it on one route only
    args.recorder_routes = (ROUTE_COURT,) if quick else ROUTES
    args.scale = [int(x) for x in (args.scale or ("" if quick else "10")).split(",") if x.strip()]
    args.concurrency_cards = args.cards if quick else max(2 * args.cards, 8 * args.rounds)
    # a smoke run measures 2 contexts in its memory run
    args.contexts = () if quick else (1, 2, 4)
    if args.out is None:
        args.out = RESULTS.with_name("perf-quick.json") if quick else RESULTS
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    res = run(args)
    show(res)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out} "
          f"({res['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
