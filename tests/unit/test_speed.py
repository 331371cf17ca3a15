"""1,000 cards through every hop: reports the time taken, asserts only the results."""

from __future__ import annotations

import time
from typing import Any

import pytest

from casebot.domain import idcard
from casebot.mapping.pipeline import Pipeline
from tests.unit.conftest import make_case, make_suspect

N = 1000


def record(i: int) -> dict[str, Any]:
    body = f"350502{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
    measures = [[], [{"cslx": "02", "zxrq": "2026-10-05"}],
                [{"cslx": "05", "zxrq": "2026-10-01"}, {"cslx": "06", "zxrq": "2026-10-20"}]][i % 3]
    suspect = make_suspect(xm=f"张 {chr(0x4E00 + i % 2000)}", zjhm=body + idcard.check_digit(body), qzcs=measures)
    return make_case([suspect], ajbh=f"A350502000000202611{i:04d}", jyaq="案情" * (i % 700))


def test_thousand_cards(pipeline: Pipeline, record_property: Any, capsys: pytest.CaptureFixture[str]) -> None:
    records = [record(i) for i in range(N)]
    started = time.perf_counter()
    cards = [pipeline.case_card(r) for r in records]
    procuratorate = [pipeline.procuratorate_card(c) for c in cards]
    court = [pipeline.court_card(c, {**p, "qsswh": f"第{i}号", "qsrq": "2026-12-01"})
             for i, (c, p) in enumerate(zip(cards, procuratorate, strict=True))]
    elapsed = time.perf_counter() - started
    record_property("cards_per_second", round(3 * N / elapsed))
    with capsys.disabled():
        print(f"\n{N} cases x 3 hops in {elapsed * 1000:.0f} ms ({3 * N / elapsed:.0f} cards/s)")

    assert len({c.ajbh for c in cards}) == N
    assert all(len(p["ajzy"]) <= 1000 for p in procuratorate)
    assert sum(p["ajzy"].endswith("…") for p in procuratorate) == sum(1 for i in range(N) if 2 * (i % 700) > 1000)
    assert [c["bgr"][0]["jyzt"] for c in court[:3]] == ["未羁押", "未羁押", "在押"]
    assert all(p["xyr"][0]["zjhm"] == c.suspects[0].id_number for p, c in zip(procuratorate, cards, strict=True))
