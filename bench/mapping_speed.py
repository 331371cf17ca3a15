"""How fast the shipped mappings turn police records into cards.

    .venv/bin/python bench/mapping_speed.py [N]

Prints cards per second for each hop (police -> case card, card -> procuratorate,
card + procuratorate record -> court) over N generated records (default 1000).
"""

from __future__ import annotations

import sys
import time
from typing import Any

from casebot.domain import idcard
from casebot.mapping.pipeline import Pipeline

CHARGES = ["032640", "032660", "032340", "032930", "031331"]
MEASURES = [[], [("02", "2026-10-05")], [("05", "2026-10-01"), ("06", "2026-10-20")]]


def police_record(i: int) -> dict[str, Any]:
    """A valid police record, different for each ``i`` (deterministic)."""
    body = f"350502{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    number = body + idcard.check_digit(body)
    return {
        "ajbh": f"A350502000000202611{i:04d}",
        "ajmc": f"第{i}号盗窃案",
        "ajlb": "刑事案件",
        "ay": CHARGES[i % len(CHARGES): i % len(CHARGES) + 2],
        "zbdw": "350502000000",
        "zbdwmc": "泉州市公安局鲤城分局",
        "zbr": "民警",
        "fasj": "2026-09-30",
        "lasj": "2026-10-01",
        "yssj": "2026-11-20",
        "ajzt": "已移送起诉",
        "jyaq": "案情" * (i % 700),
        "xyr": [{
            "rybh": f"R{i}", "xm": f"张 {chr(0x4E00 + i % 2000)}", "bm": "", "xb": "", "csrq": "",
            "zjzl": "111", "zjhm": number if i % 3 else number.lower(), "gj": "CHN", "mz": "01",
            "whcd": "50", "zy": "无业", "hjdqh": "350502", "hjdxz": "地址", "xzz": "住址",
            "qzcs": [{"cslx": c, "zxrq": d} for c, d in MEASURES[i % len(MEASURES)]],
            "jycs": "泉州市看守所",
        }],
    }


def measure(n: int = 1000) -> dict[str, tuple[float, float]]:
    """(wall seconds, CPU seconds) taken by each hop over ``n`` records."""
    pipeline = Pipeline()
    records = [police_record(i) for i in range(n)]
    out: dict[str, tuple[float, float]] = {}

    def timed(hop: str, fn: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        out[hop] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    cards = timed("case_card", lambda: [pipeline.case_card(r) for r in records])
    proc = timed("procuratorate", lambda: [pipeline.procuratorate_card(c) for c in cards])
    timed("court", lambda: [
        pipeline.court_card(card, {**p, "qsswh": f"泉鲤检刑诉〔2026〕{card.ajbh[-4:]}号", "qsrq": "2026-12-01"})
        for card, p in zip(cards, proc, strict=True)])
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for hop, (wall, cpu) in measure(n).items():
        print(f"{hop:14s} {n / wall:8.0f} cards/s wall ({wall * 1000:5.0f} ms)"
              f"   {n / cpu:8.0f} cards/s CPU ({cpu * 1000:5.0f} ms)  for {n} cards")


if __name__ == "__main__":
    main()
