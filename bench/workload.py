"""The work every variant of the benchmark does: the same seeded cases, the same cards.

Before each variant the sandbox is reset and seeded identically, so casebot,
the hand-written baseline and the recorder-style script find the same police
cases and write the same cards. For the court route the procuratorate is
filled through its ``/_sandbox/records`` route (no page work): every case
already accepted and prosecuted, as after the first route and the
prosecutors' work.

The cards the scripts write are computed up front by casebot's
:class:`~casebot.mapping.pipeline.Pipeline` (mapping is not page work); casebot itself
computes them from what it reads on the pages.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebot.cli.demo import qsswh_for
from casebot.domain.verify import differences
from casebot.errors import BusinessError
from casebot.mapping.pipeline import Pipeline
from sandbox.client import SandboxClient, SandboxProcess

ROUTE_PROC = "police-procuratorate"
ROUTE_COURT = "procuratorate-court"
ROUTES = (ROUTE_PROC, ROUTE_COURT)
TARGET = {ROUTE_PROC: "procuratorate", ROUTE_COURT: "court"}
ELIGIBLE = "已移送起诉"


@dataclass
class Job:
    """One card to carry: the key the source lists it by, and the card the target must show."""

    key: str
    card: dict[str, Any]
    suspects: int


@dataclass
class Prepared:
    route: str
    jobs: list[Job]
    #: police cases whose data a clerk's rule stops (casebot marks them failed; the scripts skip them)
    refused: list[str] = field(default_factory=list)


class Workload:
    """Seeds the sandbox and knows the expected cards."""

    def __init__(self, client: SandboxClient, *, seed: int = 42) -> None:
        self.client = client
        self.seed = seed
        self.pipeline = Pipeline()

    def prepare(self, route: str, n: int, *, seed: int | None = None) -> Prepared:
        """Reset every system and seed ``n`` eligible cases for ``route``."""
        seed = self.seed if seed is None else seed
        c = self.client
        c.reset()
        c.seed(n, seed, status=ELIGIBLE)
        police = sorted(c.police_cases(), key=lambda r: r["ajbh"])
        refused: list[str] = []
        jobs: list[Job] = []
        cards = {}
        for rec in police:
            try:
                cards[rec["ajbh"]] = self.pipeline.case_card(rec)
            except BusinessError:
                refused.append(rec["ajbh"])
        if route == ROUTE_PROC:
            for key, case_card in cards.items():
                card = self.pipeline.procuratorate_card(case_card)
                jobs.append(Job(key, card, len(card["xyr"])))
            return Prepared(route, jobs, refused)
        # the court route: the procuratorate holds every case, prosecuted
        records = []
        for i, case_card in enumerate(cards.values(), 1):
            card = self.pipeline.procuratorate_card(case_card)
            qsswh = qsswh_for(card["ysdw"], card["slrq"][:4], 100 + i)
            records.append({**card, "zt": "已起诉", "qsswh": qsswh, "qsrq": card["slrq"]})
        if records:
            c.call("procuratorate", "POST", "/_sandbox/records", records)
        stored = {r["ysajbh"]: r for r in c.records("procuratorate")}
        for key, case_card in cards.items():
            card = self.pipeline.court_card(case_card, stored[key])
            jobs.append(Job(key, card, len(card["bgr"])))
        return Prepared(route, jobs, refused)

    def check(self, prepared: Prepared) -> dict[str, Any]:
        """What the target system holds after a variant: how many records, and whether they equal the cards."""
        target = TARGET[prepared.route]
        records = self.client.records(target)
        key = "ysajbh" if target == "procuratorate" else "qsswh"
        by_key = {r[key]: r for r in records}
        missing = wrong = 0
        for job in prepared.jobs:
            rec = by_key.get(job.card[key])
            if rec is None:
                missing += 1
            elif differences(job.card, rec):
                wrong += 1
        return {"records": len(records), "expected": len(prepared.jobs), "missing": missing, "different": wrong}


def run_standalone(script: Any, doc: str, default_cards: int) -> None:
    """``python bench/<script>.py [--cards N]``: one script alone against a fresh sandbox, both routes."""
    import argparse
    import asyncio

    from casebot.kit.browser import BrowserOptions
    from sandbox.client import SandboxProcess

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--cards", type=int, default=default_cards)
    args = ap.parse_args()
    with SandboxProcess(port=0) as sb:
        work = Workload(sb.client)
        for route in ROUTES:
            prepared = work.prepare(route, args.cards)
            seconds = asyncio.run(script(sb.urls, BrowserOptions().launch_kwargs()).run(prepared))
            print(route, f"{seconds:.1f}s", f"{seconds / max(1, len(prepared.jobs)):.2f}s/card", work.check(prepared))


@contextlib.contextmanager
def measuring(name: str) -> Iterator[tuple[Path, SandboxProcess]]:
    """A scratch folder (casebot's log goes there, not to the console) and a sandbox of its own, for one
    measuring script; both gone on the way out."""
    from casebot import logs

    tmp = Path(tempfile.mkdtemp(prefix=f"casebot-{name}-"))
    logs.configure(log_file=tmp / "casebot.jsonl", console=False)
    try:
        with SandboxProcess(port=0) as sb:
            yield tmp, sb
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def save(res: dict[str, Any], out: Path) -> None:
    """The results as JSON in ``out`` (nothing for ``/dev/null``)."""
    if str(out) == os.devnull:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
