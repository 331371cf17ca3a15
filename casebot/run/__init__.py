"""A run: the runner (routes, workers, queue), one case's journey, retries, and how a run ends.

- :mod:`casebot.run.runner`: :class:`Runner`, one pass over every route;
- :mod:`casebot.run.case`: one case, top to bottom;
- :mod:`casebot.run.worker`: a browser context and its adapters;
- :mod:`casebot.run.retry`: the only place transient errors are retried;
- :mod:`casebot.run.outcome`: results and the summary (what commands and the report use);
- :mod:`casebot.run.adoption`, :mod:`casebot.run.follow`, :mod:`casebot.run.reconcile`: a living case;
- :mod:`casebot.run.audit`, :mod:`casebot.run.artifacts`, :mod:`casebot.run.report`: what a run leaves behind.

May import: every wing but the CLI and the testing kit.
"""

from __future__ import annotations

from casebot.run.outcome import CaseResult, RunSummary
from casebot.run.runner import Runner

__all__ = ["CaseResult", "RunSummary", "Runner"]
