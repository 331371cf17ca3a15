"""Before a case's first write: is it already in the target? (SPEC rule 9)

A target adapter that can search for what a person typed offers
``find_match(card) -> Match`` (:mod:`casebot.matching`). Before the first
write of a case, the core asks it:

- a **certain** match is adopted: the ledger links the case to that record,
  which is then read back like a record the robot wrote; a difference is
  reported to a clerk (:class:`~casebot.errors.AdoptedDiffers`), never
  overwritten;
- a **probable** match stops the case (:class:`~casebot.errors.ProbableMatch`,
  "目标系统中可能已有此案", naming the records found);
- **none**: the card is written.

An adapter without ``find_match`` keeps the older contract (``find_existing``
when the ledger cannot tell).
"""

from __future__ import annotations

from typing import Any

from casebot import errors, logs
from casebot.keys import same_key

log = logs.get("adoption")


async def look_before_first_write(target: Any, card: dict[str, Any], *, route: str, case: str) -> str | None:
    """The record to adopt instead of writing, or None to write; ProbableMatch to stop the case."""
    find = getattr(target, "find_match", None)
    if find is None:
        return None
    match = await find(card)
    if match.kind == "certain":
        log.info("case.adopted_match", route=route, case=case, record_id=match.record_id)
        return match.record_id
    if match.kind == "probable":
        log.warning("case.probable_match", route=route, case=case, records=len(match.candidates))
        raise errors.ProbableMatch(getattr(target, "title", target.name), match.describe(), case=case)
    return None


def adopted_differs(exc: errors.VerificationError, record_id: str, case: str) -> errors.AdoptedDiffers:
    """The read-back differences of an adopted record, as a clerk reads them."""
    return errors.AdoptedDiffers(record_id, exc.differences, case=case)


def align_key(card: dict[str, Any], back: dict[str, Any], *key_fields: str) -> dict[str, Any]:
    """An adopted record read back, its case number spelt as the card spells it when it is the same number
    (``a3505… `` typed by hand is not a difference to report); each of ``key_fields`` when a kind of
    record is known by several (a 审查逮捕 card: 移送案件编号 and 提请批准逮捕书文号)."""
    out = back
    for key_field in key_fields:
        if same_key(card.get(key_field), back.get(key_field)):
            out = {**out, key_field: card[key_field]}
    return out
