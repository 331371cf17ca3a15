"""The tables of bench/results/perf.json as Markdown (for docs/performance.md).

    python bench/markdown.py [bench/results/perf.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render(res: dict[str, Any]) -> str:
    parts = []
    rows = []
    for route, r in res["routes"].items():
        for v in r.values():
            cpu = v["cpu_s_per_card"]
            chk = v["check"]
            rows.append([route, v["variant"], v["cards"], f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                         f"{v['median_card_s']:.2f}", f"{cpu.get('robot', 0):.2f}", f"{cpu.get('driver', 0):.2f}",
                         f"{cpu.get('browser', 0):.2f}", f"{chk['records']}/{chk['expected']}"
                         + (f" ({chk['different']} differ)" if chk.get("different") else "")])
    parts.append(table(["route", "variant", "cards", "s/card", "cards/min", "median s/card", "CPU robot",
                        "CPU driver", "CPU browser", "written"], rows))
    conc = res.get("concurrency") or {}
    if conc:
        one = conc.get("1", {}).get("cards_per_min")
        parts.append(table(["contexts", "cards", "s/card", "cards/min", "× 1 context", "steady cards/min",
                            "CPU s/card, all processes"],
                           [[k, v["cards"], f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                             f"{v['cards_per_min'] / one:.2f}" if one else "-", v.get("steady_cards_per_min", "-"),
                             f"{v['cpu_total_s_per_card']:.2f}"] for k, v in conc.items()]))
    sc = res.get("scale") or {}
    if sc.get("cards"):
        parts.append(table(["cards per run", "s/card", "cards/min", "steady cards/min"],
                           [[v["cards"], f"{v['s_per_card']:.2f}", f"{v['cards_per_min']:.1f}",
                             v.get("steady_cards_per_min", "-")] for v in sc["cards"]]))
    if sc.get("suspects"):
        groups = sorted({g for v in sc["suspects"].values() for g in v})
        parts.append(table(["variant", *(f"{g} suspect(s): median s (cards)" for g in groups)],
                           [[name, *(f"{v[g]['median_s']:.2f} ({v[g]['cards']})" if g in v else "-" for g in groups)]
                            for name, v in sc["suspects"].items()]))
    if sc.get("ledger"):
        led = sc["ledger"]
        parts.append(table(["ledger rows", "file MB", "counts() ms", "items(failed, 100) ms",
                            "`casebot status` ms", "`casebot failures` ms"],
                           [[led["rows"], led["file_mb"], led["counts_ms"], led["failed_ms"],
                             led["status_command_ms"], led["failures_command_ms"]]]))
    mem = res.get("memory")
    if mem:
        labels = {"robot_rss_mb": "robot (Python RSS)", "driver_rss_mb": "Playwright driver (RSS)",
                  "browser_rss_mb": "browser (sum of Chromium RSS)", "browser_pss_mb": "browser (sum of Chromium PSS)"}
        parts.append(table(["process", "peak MB", "first 10% MB", "last 10% MB", "last / first"],
                           [[label, f"{mem['peak'][k]:.0f}", mem["growth"][k]["first_mb"], mem["growth"][k]["last_mb"],
                             mem["growth"][k]["ratio"]] for k, label in labels.items()]))
    parts.append(table(["target", "scope", "value", "limit", "met"],
                       [[t["what"], t["scope"], t["value"], t["limit"],
                         "—" if t["met"] is None else ("met" if t["met"] else "**not met**")]
                        for t in res["targets"]]))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "results" / "perf.json"
    print(render(json.loads(path.read_text(encoding="utf-8"))), end="")


if __name__ == "__main__":
    main()
