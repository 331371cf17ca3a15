"""The Chinese words for a case's states: one glossary for `run`, `status`, `failures` and the report.

A case's outcome in a run is the ledger state it was left in (plus ``dry-run``),
so a clerk reads the same word for the same case wherever it is shown.
"""

from __future__ import annotations

STATE_LABELS: dict[str, str] = {
    "pending": "待处理",
    "writing": "写入中",
    "unknown": "待确认",
    "written": "已写入未核对",
    "done": "已完成",
    "failed": "需人工处理",
    "retry": "待重试",
    "dry-run": "试运行",
}


def label(state: str) -> str:
    """The clerk's word for ``state`` (the state itself when it has none)."""
    return STATE_LABELS.get(state, state)
