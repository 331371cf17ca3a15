"""A run: the runner (routes, workers, queue), one case's journey, retries, and how a run ends.

- :mod:`casebot.run.runner`: :class:`Runner`, one pass over every route;
- :mod:`casebot.run.case`: one case, top to bottom;
- :mod:`casebot.run.worker`: a browser context and its adapters;
- :mod:`casebot.run.retry`: the only place transient errors are retried;
- :mod:`casebot.run.outcome`: exit codes, results and the summary (what commands and the report use).
"""

from __future__ import annotations

from casebot.run.outcome import (
    EXIT_BUG,
    EXIT_CASES_FAILED,
    EXIT_CONFIG,
    EXIT_HUMAN_REQUIRED,
    EXIT_LEDGER,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PAGE_CHANGED,
    EXIT_RETRY_LATER,
    CaseResult,
    RunSummary,
)
from casebot.run.runner import Runner

__all__ = ["EXIT_BUG", "EXIT_CASES_FAILED", "EXIT_CONFIG", "EXIT_HUMAN_REQUIRED", "EXIT_LEDGER", "EXIT_LOCKED",
           "EXIT_OK", "EXIT_PAGE_CHANGED", "EXIT_RETRY_LATER", "CaseResult", "RunSummary", "Runner"]
