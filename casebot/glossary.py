"""The Chinese words for a case's states: one glossary for `run`, `status`, `failures` and the report.

A case's outcome in a run is the ledger state it was left in (plus ``dry-run``),
so a clerk reads the same word for the same case wherever it is shown.
"""

from __future__ import annotations

from casebot.states import LABELS as STATE_LABELS
from casebot.states import label

__all__ = ["STATE_LABELS", "hop", "label"]

#: what each system is called in a hop's name (by adapter)
SYSTEM_WORDS: dict[str, str] = {"police": "公安", "procuratorate": "检察院", "court": "法院", "county": "法院"}
#: what a route reads, by source adapter and kind (None: the adapter's own records)
SOURCE_KIND_WORDS: dict[tuple[str, str | None], str] = {
    ("police", None): "移送起诉", ("police", "arrest_request"): "提请批准逮捕",
    ("procuratorate", None): "起诉", ("procuratorate", "arrest_decision"): "批捕决定",
    ("court", "judgment"): "宣判",
}
#: what a route writes, by target adapter and kind
TARGET_KIND_WORDS: dict[tuple[str, str | None], str] = {
    ("procuratorate", None): "审查起诉案卡", ("procuratorate", "arrest_review"): "审查逮捕案卡",
    ("procuratorate", "judgment"): "判决情况", ("police", "arrest_decision"): "决定登记",
    ("court", None): "收案登记", ("county", None): "收案登记",
}


def hop(source: str, source_kind: str | None, target: str, target_kind: str | None) -> str:
    """A hop of the chain as a clerk names it: ``公安提请批准逮捕 → 检察院审查逮捕案卡`` (by adapter names)."""
    def side(adapter: str, kind: str | None, words: dict[tuple[str, str | None], str]) -> str:
        return SYSTEM_WORDS.get(adapter, adapter) + words.get((adapter, kind), kind or "")

    return f"{side(source, source_kind, SOURCE_KIND_WORDS)} → {side(target, target_kind, TARGET_KIND_WORDS)}"
