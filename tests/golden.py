"""Golden cases: police cases and the target records SPEC.md's rules make of them, written by hand.

``tests/data/golden/`` holds the police cases (``police.json``), what the
procuratorate must store for each (``procuratorate.json``, by 移送案件编号), the
prosecutions a test applies (``prosecutions.json``), what the court must store
then (``court.json``, by 起诉书文号), and the cases whose data stops them
(``stops.json``: case number -> the police field at fault). None of it is
computed by casebot: end-to-end, chaos and crash tests compare what the systems
hold (``/_sandbox/records``) with these files by plain equality, after dropping
the fields the targets assign themselves (部门受案号, 案号, creation time, count of returns).

For bigger runs, :func:`copies` renumbers the whole set: copy ``i`` of a case has
``i`` in the first two digits of its 4-digit serial, and its expectations change
in the case number (and 起诉书文号) only.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DIR = Path(__file__).parent / "data" / "golden"

#: the worked example of SPEC section 6, and a second valid case with two suspects
EXAMPLE = "A3505020000002026110001"
SECOND = "A3505830000002026100005"
THIRD = "A3505820000002026100003"

#: fields a target assigns itself (on save; 退回补充侦查's count of returns, thcs): dropped before comparing
ASSIGNED = {"procuratorate": ("bmsah", "created_at", "thcs"), "court": ("ah", "created_at")}
#: the field each target knows a case by
KEY = {"procuratorate": "ysajbh", "court": "qsswh"}


@cache
def _load(name: str) -> Any:
    return json.loads((DIR / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class GoldenSet:
    """Police cases with the records each target must end up holding for them."""

    police: list[dict[str, Any]]
    procuratorate: dict[str, dict[str, Any]]  # ysajbh -> record, before prosecution
    prosecutions: list[dict[str, str]]
    court: dict[str, dict[str, Any]]  # qsswh -> record
    stops: dict[str, str] = field(default_factory=dict)  # ajbh -> police field at fault

    def only(self, *ajbh: str) -> GoldenSet:
        """The subset of these cases (for tests that need few)."""
        keep = set(ajbh)
        pros = [p for p in self.prosecutions if p["ysajbh"] in keep]
        qs = {p["qsswh"] for p in pros}
        return GoldenSet([c for c in self.police if c["ajbh"] in keep],
                         {k: v for k, v in self.procuratorate.items() if k in keep}, pros,
                         {k: v for k, v in self.court.items() if k in qs},
                         {k: v for k, v in self.stops.items() if k in keep})

    @property
    def written(self) -> list[str]:
        """Case numbers the procuratorate must hold (eligible and valid)."""
        return list(self.procuratorate)

    def procuratorate_after(self, prosecuted: list[dict[str, str]] | None = None) -> dict[str, dict[str, Any]]:
        """The procuratorate's records once ``prosecuted`` (default: all of ``prosecutions``) were applied."""
        out = copy.deepcopy(self.procuratorate)
        for p in self.prosecutions if prosecuted is None else prosecuted:
            out[p["ysajbh"]].update(zt="已起诉", qsswh=p["qsswh"], qsrq=p["qsrq"])
        return out


def golden() -> GoldenSet:
    """The hand-written set (a fresh deep copy each call: tests may change it)."""
    court = {r["qsswh"]: r for r in _load("court")}
    return GoldenSet(copy.deepcopy(_load("police")), copy.deepcopy({r["ysajbh"]: r for r in _load("procuratorate")}),
                     copy.deepcopy(_load("prosecutions")), copy.deepcopy(court), dict(_load("stops")))


def _renumber(ajbh: str, i: int) -> str:
    return f"{ajbh[:-4]}{i:02d}{ajbh[-2:]}"


def _requalify(qsswh: str, i: int) -> str:
    return qsswh.replace("号", f"-{i}号")


def copies(n: int) -> GoldenSet:
    """``n`` police cases: the golden set repeated under new case numbers (copy 0 is the set itself)."""
    base = golden()
    out = GoldenSet([], {}, [], {}, {})
    i = 0
    while len(out.police) < n:
        for case in base.police:
            if len(out.police) == n:
                break
            key = _renumber(case["ajbh"], i)
            out.police.append({**copy.deepcopy(case), "ajbh": key})
            if case["ajbh"] in base.procuratorate:
                out.procuratorate[key] = {**copy.deepcopy(base.procuratorate[case["ajbh"]]), "ysajbh": key}
            if case["ajbh"] in base.stops:
                out.stops[key] = base.stops[case["ajbh"]]
            for p in base.prosecutions:
                if p["ysajbh"] == case["ajbh"]:
                    qs = _requalify(p["qsswh"], i) if i else p["qsswh"]
                    out.prosecutions.append({**p, "ysajbh": key, "qsswh": qs})
                    out.court[qs] = {**copy.deepcopy(base.court[p["qsswh"]]), "qsswh": qs}
        i += 1
    return out


@dataclass
class LoopHop:
    """One further hop of the loop (SPEC 7): the source records, and what the target must hold."""

    police: list[dict[str, Any]]
    expected: dict[str, dict[str, Any]]
    stops: dict[str, str] = field(default_factory=dict)


def arrest() -> LoopHop:
    """Hop 3: police cases with 提请批准逮捕 requests, the 审查逮捕 cards (by 移送案件编号#文书号)."""
    data = copy.deepcopy(_load("arrest"))
    return LoopHop(data["police"], data["procuratorate"], data["stops"])


def decisions() -> dict[str, Any]:
    """Hop 4: decisions taken on arrest()'s cards, and each police suspect's 批捕决定 then."""
    return copy.deepcopy(_load("decisions"))


def police_decisions(client: Any) -> dict[str, dict[str, Any]]:
    """What the police hold of decisions: case -> 人员编号 -> 批捕决定 (suspects with one only)."""
    out: dict[str, dict[str, Any]] = {}
    for case in client.police_cases():
        held = {p["rybh"]: p["pbjd"] for p in case["xyr"] if p.get("pbjd")}
        if held:
            out[case["ajbh"]] = held
    return out


def judgments() -> dict[str, Any]:
    """Hop 5: judgments pronounced on golden court records, and each person card's 判决情况 then."""
    return copy.deepcopy(_load("judgments"))


def record_key(system: str, record: dict[str, Any]) -> str:
    """The key a system knows a record by; a 审查逮捕 card's is its case and its request together."""
    if system == "procuratorate" and record.get("ajlb") == "审查逮捕":
        return f"{record['ysajbh']}#{record['tqpbsh']}"
    return record[KEY[system]]


def stripped(system: str, record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without the fields the target assigned."""
    return {k: v for k, v in record.items() if k not in ASSIGNED[system]}


def holdings(client: Any, system: str) -> dict[str, dict[str, Any]]:
    """What ``system`` holds, by case key; fails on a key held twice."""
    records = client.records(system)
    counts = Counter(record_key(system, r) for r in records)
    dupes = {k: n for k, n in counts.items() if n > 1}
    assert not dupes, f"held twice in the {system}: {dupes}"
    return {record_key(system, r): stripped(system, r) for r in records}


def assert_holds(client: Any, system: str, expected: dict[str, dict[str, Any]]) -> None:
    """The system holds exactly ``expected``: each record once, equal field for field."""
    got = holdings(client, system)
    assert sorted(got) == sorted(expected), (f"missing {sorted(set(expected) - set(got))}, "
                                             f"unexpected {sorted(set(got) - set(expected))}")
    for key, want in expected.items():
        assert got[key] == want, _first_difference(key, want, got[key])


def _first_difference(key: str, want: Any, got: Any, path: str = "") -> str:
    """Where two records part, to read a failure quickly (the verdict itself is ``==``)."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if want.get(k) != got.get(k):
                return _first_difference(key, want.get(k), got.get(k), f"{path}.{k}")
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got, strict=True)):
            if w != g:
                return _first_difference(key, w, g, f"{path}[{i}]")
    return f"{key}{path}: expected {want!r}, the system holds {got!r}"


def prosecute(client: Any, prosecutions: list[dict[str, str]]) -> None:
    for p in prosecutions:
        client.prosecute(p["ysajbh"], p["qsswh"], p["qsrq"])


def saves(client: Any, system: str) -> dict[str, int]:
    """How many times the system stored each case (its own counter, ``GET /_sandbox/saves``)."""
    return client.saves(system)
