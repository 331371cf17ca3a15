"""Is the case already in the target? Records typed by hand count (SPEC rule 9).

Before a case's first write, its target is searched: by the case number (in
the loose way the target's search page allows, see :func:`casebot.keys.search_term`)
and by a second identity where the search offers one (a suspect's ID number;
案由 + unit + a date window). Each record found is a :class:`Candidate`; this
module decides, with no page in sight, what they mean:

- **certain**: exactly one record whose case number equals the card's once
  normalised. It is the same case: adopted, never written a second time.
- **probable**: no such record (or several), but a record agrees with the card
  on a second identity: the same suspect ID number, or the same suspect name
  and date window, *and* the same main charge and unit. A clerk must decide
  ("目标系统中可能已有此案"); nothing is written.
- **none**: nothing found; the card may be written.

A suspect who is in two unrelated cases (another charge or another unit) does
not make a probable match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from casebot.keys import normalise_key, same_key

__all__ = ["DEFAULT_WINDOW_DAYS", "Candidate", "Identity", "Match", "classify", "match_person", "names_of"]

#: how far apart two dates of the same case may be (受理日期 / 收案日期 typed by hand)
DEFAULT_WINDOW_DAYS = 30

Kind = Literal["certain", "probable", "none"]


@dataclass(frozen=True)
class Identity:
    """What identifies a case, on a card or in a target's search row."""

    key: str
    ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    charge: str = ""
    unit: str = ""
    #: ISO date (受理日期, 收案日期)
    date: str = ""


@dataclass(frozen=True)
class Candidate:
    """A record a target's search page returned."""

    #: the target's own number for the record (部门受案号, 案号)
    record_id: str
    identity: Identity
    #: what the search was by: ``key``, ``id`` (a suspect's ID number) or ``case`` (案由 + unit + dates)
    by: str = "key"


@dataclass(frozen=True)
class Match:
    kind: Kind
    #: the adopted record (certain) or None
    record_id: str | None = None
    #: the records behind the decision (the certain one, or the probable ones)
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        """The records found, as a clerk reads them: ``部门受案号（移送案件编号 …）``."""
        return "、".join(f"{c.record_id}（案件编号 {c.identity.key.strip() or '空'}）" for c in self.candidates)


def _days_apart(a: str, b: str) -> int | None:
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:
        return None


def _same_case(card: Identity, row: Identity, window_days: int) -> bool:
    """A second identity agrees: the same charge and unit, and a shared suspect ID, or a shared name
    with dates in the window."""
    if not (card.charge and card.charge == row.charge and card.unit and card.unit == row.unit):
        return False
    if card.ids & row.ids:
        return True
    if card.names & row.names:
        apart = _days_apart(card.date, row.date)
        return apart is not None and apart <= window_days
    return False


def classify(card: Identity, found: Iterable[Candidate], *, window_days: int = DEFAULT_WINDOW_DAYS) -> Match:
    """What the records ``found`` mean for ``card`` (see the module's doc)."""
    unique: dict[str, Candidate] = {}
    for cand in found:
        known = unique.get(cand.record_id)
        if known is None:
            unique[cand.record_id] = cand
        elif cand.identity.ids - known.identity.ids:
            merged = Identity(**{**known.identity.__dict__, "ids": known.identity.ids | cand.identity.ids})
            unique[cand.record_id] = Candidate(cand.record_id, merged, known.by)
    same = [c for c in unique.values() if same_key(card.key, c.identity.key)]
    if len(same) == 1:
        return Match("certain", same[0].record_id, (same[0],))
    if len(same) > 1:
        return Match("probable", None, tuple(same))
    probable = tuple(c for c in unique.values() if _same_case(card, c.identity, window_days))
    if probable:
        return Match("probable", None, probable)
    return Match("none")


def names_of(text: str) -> frozenset[str]:
    """The names of a search row's 嫌疑人 / 被告人 cell (``张三、李四``), spaces dropped."""
    return frozenset(n for n in (normalise_key(p) for p in text.replace(",", "、").split("、")) if n)


def match_person(people: Iterable[tuple[str, str]], id_number: str | None, name: str | None) -> int | None:
    """The position of the one person among ``people`` (``(id_number, name)`` pairs) who is the person
    named by ``id_number``, else by ``name`` (SPEC 7: decisions and judgments go back to the person
    they are about); None when no one, or more than one, is.

    ID numbers and names are compared normalised (:func:`casebot.keys.normalise_key`: width, spaces,
    letter case); a person given an ID number is matched by it alone.
    """
    people = list(people)
    wanted = normalise_key(id_number)
    if wanted:
        found = [i for i, (pid, _) in enumerate(people) if normalise_key(pid) == wanted]
        if found or any(normalise_key(pid) for pid, _ in people):
            return found[0] if len(found) == 1 else None
    wanted = normalise_key(name)
    found = [i for i, (_, pname) in enumerate(people) if wanted and normalise_key(pname) == wanted]
    return found[0] if len(found) == 1 else None
