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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casebot.run.outcome import CaseResult, RunSummary
    from casebot.run.runner import Runner

__all__ = ["CaseResult", "RunSummary", "Runner"]

#: the names the package offers, each loaded from its module when first asked for: importing one module of the
#: package (``casebot.run.lock``) does not load the runner and everything it drives
_WHERE = {"CaseResult": "casebot.run.outcome", "RunSummary": "casebot.run.outcome", "Runner": "casebot.run.runner"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
