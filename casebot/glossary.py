"""The Chinese words for a case's states: one glossary for `run`, `status`, `failures` and the report.

A case's outcome in a run is the ledger state it was left in (plus ``dry-run``),
so a clerk reads the same word for the same case wherever it is shown.
"""

from __future__ import annotations

from casebot.states import LABELS as STATE_LABELS
from casebot.states import label

__all__ = ["STATE_LABELS", "label"]
