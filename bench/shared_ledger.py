"""The shared ledger's cost: 1, 2 and 4 processes working one queue on one PostgreSQL.

    python bench/shared_ledger.py              # the published figures (docs/scale.md)
    python bench/shared_ledger.py --quick      # a smoke run

A throw-away PostgreSQL (sandbox/postgres.py) with fsync on, as a court's server
would run. Each process plays a workstation whose workers all list the same
route: it walks the same case keys in the same order and, for each, makes the
ledger calls of one card (reserve, begin_write, written, done + release); a case
reserved by another process is passed over. No browser: what is timed is the
ledger alone. Two paces: ``paced`` puts ``--work-ms`` of idle time (the page
work) after the reservation and after the save is sent, as a workstation does,
so that the overhead is measured under a realistic load; ``flat out`` makes the
calls back to back, which gives the ledger's ceiling (cards per second).

Reported, per number of processes: the ledger's overhead per written card (p50,
p95, max: the four calls), the cost of a case passed over (one reserve),
throughput per process and in all (cards per second of ledger calls alone), and
duplicates (must be 0). The baseline, in the same process, is the embedded
SQLite ledger making the same calls on the same machine: its ratio is what
counts on a shared machine.

Writes bench/results/shared-ledger.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "shared-ledger.json"
CARD = {"ajmc": "张某盗窃案", "ay": "盗窃罪", "xyr": [{"xm": "张*", "sfzh": "3505**********1234"}] * 3,
        "ysrq": "2026-03-01", "bz": "x" * 400}
#: the goal of issue 14: the ledger's overhead per card, p95, in milliseconds
P95_GOAL_MS = 5.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def one_card(ledger: Any, key: str, owner: str, run_id: str, work_s: float) -> tuple[str, float]:
    """The ledger calls of one card; ("done" | "skipped", seconds spent in the ledger)."""
    t0 = time.perf_counter()
    item = ledger.reserve("bench", "court", key, owner=owner, lease_s=60)
    if item is None:
        return "skipped", time.perf_counter() - t0
    if item.state == "done":
        ledger.release(item)
        return "skipped", time.perf_counter() - t0
    spent = time.perf_counter() - t0
    time.sleep(work_s)  # reading the source, mapping, filling the form
    t1 = time.perf_counter()
    attempt = ledger.begin_write(item, CARD, "h" + key, run_id)
    spent += time.perf_counter() - t1
    time.sleep(work_s)  # the save and its answer
    t2 = time.perf_counter()
    ledger.set_state(item, "written", record_id="R-" + key, attempt_id=attempt)
    ledger.set_state(item, "done", release=True)
    return "done", spent + time.perf_counter() - t2


def worker(url: str, keys: list[str], owner: str, work_s: float, start: Any, out: Any) -> None:
    from casebot.ledger.postgres import PostgresLedger

    ledger = PostgresLedger(url)
    run_id = ledger.start_run()
    start.wait()
    done: list[float] = []
    skipped: list[float] = []
    t0 = time.perf_counter()
    for key in keys:
        what, s = one_card(ledger, key, owner, run_id, work_s)
        (done if what == "done" else skipped).append(s)
    wall = time.perf_counter() - t0
    ledger.close()
    out.put({"owner": owner, "done": done, "skipped": skipped, "wall": wall})


def shared(server: Any, procs: int, cards: int, work_s: float) -> dict[str, Any]:
    url = server.url(server.create_database())
    from casebot.ledger.postgres import PostgresLedger

    PostgresLedger(url).close()  # migrated before the clock starts
    keys = [f"K{i:06d}" for i in range(cards)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(procs), ctx.Queue()
    ps = [ctx.Process(target=worker, args=(url, keys, f"ws{i}/w0", work_s, start, out)) for i in range(procs)]
    for p in ps:
        p.start()
    results = [out.get(timeout=600) for _ in ps]
    for p in ps:
        p.join()
    import psycopg

    with psycopg.connect(url) as conn:
        rows, done_rows, attempts = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'done'), "
            "(SELECT count(*) FROM attempts) FROM items").fetchone()
    done = [s * 1000 for r in results for s in r["done"]]
    skipped = [s * 1000 for r in results for s in r["skipped"]]
    per_process = [len(r["done"]) / r["wall"] for r in results]
    wall = max(r["wall"] for r in results)
    return {
        "processes": procs, "cards": cards, "work_ms": round(work_s * 1000), "rows": rows, "done_rows": done_rows,
        "duplicates": attempts - done_rows, "lost": cards - done_rows,
        "card_ms": {"p50": round(pct(done, 0.5), 2), "p95": round(pct(done, 0.95), 2),
                    "max": round(max(done), 2)},
        "skip_ms": {"p50": round(pct(skipped, 0.5), 2), "p95": round(pct(skipped, 0.95), 2)} if skipped else None,
        "cards_per_s_per_process": [round(x, 1) for x in per_process],
        "cards_per_s_total": round(cards / wall, 1),
    }


def sqlite_baseline(cards: int) -> dict[str, Any]:
    """The same calls on the embedded ledger, one process (fsync on: synchronous=FULL)."""
    from casebot.ledger.sqlite import SQLiteLedger

    with tempfile.TemporaryDirectory() as tmp:
        led = SQLiteLedger(Path(tmp) / "ledger.sqlite3")
        run_id = led.start_run()
        times: list[float] = []
        t0 = time.perf_counter()
        for i in range(cards):
            s = time.perf_counter()
            item = led.reserve("bench", "court", f"K{i:06d}", owner="ws0/w0", lease_s=60)
            attempt = led.begin_write(item, CARD, "h", run_id)
            led.set_state(item, "written", record_id=f"R-{i}", attempt_id=attempt)
            led.set_state(item, "done", release=True)
            times.append((time.perf_counter() - s) * 1000)
        wall = time.perf_counter() - t0
        led.close()
    return {"cards": cards, "card_ms": {"p50": round(pct(times, 0.5), 2), "p95": round(pct(times, 0.95), 2),
                                        "max": round(max(times), 2)},
            "cards_per_s": round(cards / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=1000, help="cases in the queue per variant (flat out)")
    ap.add_argument("--paced-cards", type=int, default=400, help="cases in the queue per variant (paced)")
    ap.add_argument("--work-ms", type=float, default=20, help="idle time twice per card when paced")
    ap.add_argument("--processes", default="1,2,4")
    ap.add_argument("--quick", action="store_true", help="100 cases")
    args = ap.parse_args(argv)
    cards = 100 if args.quick else args.cards
    paced_cards = 100 if args.quick else args.paced_cards
    from sandbox.postgres import PostgresServer, bindir

    found = bindir()
    if found is None:
        print("PostgreSQL is not installed: bash scripts/dev.sh setup", file=sys.stderr)
        return 2
    res: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                       "loadavg": os.getloadavg()[0]},
                           "goal_p95_ms": P95_GOAL_MS}
    res["sqlite"] = sqlite_baseline(cards)
    res["postgresql"] = []
    with PostgresServer(found, durable=True) as server:
        for pace, n in [(p, int(x)) for p in ("paced", "flat out") for x in args.processes.split(",")]:
            r = shared(server, n, paced_cards if pace == "paced" else cards,
                       args.work_ms / 1000 if pace == "paced" else 0.0)
            r["pace"] = pace
            r["p95_vs_sqlite"] = round(r["card_ms"]["p95"] / res["sqlite"]["card_ms"]["p95"], 2)
            res["postgresql"].append(r)
            print(f"{pace}, {n} process(es): per card p50 {r['card_ms']['p50']} ms, p95 {r['card_ms']['p95']} ms "
                  f"({r['p95_vs_sqlite']}x SQLite's), passed over p50 "
                  f"{(r['skip_ms'] or {}).get('p50', '-')} ms; cards/s per process "
                  f"{r['cards_per_s_per_process']}, in all {r['cards_per_s_total']}; "
                  f"duplicates {r['duplicates']}, lost {r['lost']}", flush=True)
    sq = res["sqlite"]
    print(f"SQLite, 1 process: per card p50 {sq['card_ms']['p50']} ms, p95 {sq['card_ms']['p95']} ms, "
          f"{sq['cards_per_s']} cards/s")
    worst = max(r["card_ms"]["p95"] for r in res["postgresql"] if r["pace"] == "paced")
    res["verdict"] = {"worst_p95_ms": worst, "meets_goal": worst <= P95_GOAL_MS,
                      "duplicates": sum(r["duplicates"] for r in res["postgresql"]),
                      "lost": sum(r["lost"] for r in res["postgresql"])}
    print(f"worst p95, paced {worst} ms (goal <= {P95_GOAL_MS} ms): {'met' if worst <= P95_GOAL_MS else 'NOT met'}")
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
