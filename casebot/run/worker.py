"""A worker: one browser context (its own sessions) and the adapters living in it.

A worker knows the settings and its context, not the runner: the runner gives
it cases, it gives adapters their pages, keeps a case's trace and reopens its
pages now and then.
"""

from __future__ import annotations

from typing import Any

from casebot.config import Settings
from casebot.kit.base import Adapter
from casebot.kit.plugins import load_adapter

#: a worker closes and reopens its pages after this many cases: Playwright keeps every
#: request and response of a page until the page closes (memory grew ~90 KB a card; with
#: 100, the robot's RSS reached its plateau only after ~230 cards of a 500-card run)
RECYCLE_PAGES_EVERY = 50


class Worker:
    """One browser context and the adapters living in it."""

    def __init__(self, settings: Settings, context: Any, index: int) -> None:
        self.settings = settings
        self.context = context
        self.index = index
        self._adapters: dict[str, Adapter] = {}
        self.cases = 0
        #: a trace is being recorded for the current case
        self.tracing = False

    def adapter(self, system: str, kind: str | None = None) -> Any:
        """The adapter of ``system`` (for records of ``kind``, when not the system's own)."""
        key = f"{system}:{kind}" if kind else system
        if key not in self._adapters:
            cls = load_adapter(self.settings.adapter_name(system)).of_kind(kind)
            self._adapters[key] = cls(self.context, self.settings.system_config(system))
        return self._adapters[key]

    def reached(self) -> set[str]:
        """The systems (by configured name) whose pages this worker logged in to."""
        return {a.config.name for a in self._adapters.values() if a.reached}

    def page_of(self, system: str, kind: str | None = None) -> Any:
        """The page of ``system``'s adapter, if it has one open."""
        adapter = self._adapters.get(f"{system}:{kind}" if kind else system)
        return adapter.current_page if adapter is not None else None

    async def reset_pages(self) -> None:
        for a in self._adapters.values():
            await a.reset_page()

    async def start_trace(self, title: str) -> None:
        """Record a trace (DOM snapshots, network) from now until :meth:`stop_trace`.

        Tracing is started and stopped per case, not kept running in chunks:
        between chunks Playwright would still log the network of every page.
        """
        if self.tracing:
            return
        await self.context.tracing.start(title=title, screenshots=False, snapshots=True)
        self.tracing = True

    async def stop_trace(self, path: str | None = None) -> None:
        """End the trace, if one is recording; keep it at ``path``, or drop it."""
        if not self.tracing:
            return
        self.tracing = False
        if path is None:
            await self.context.tracing.stop()
        else:
            await self.context.tracing.stop(path=path)

    async def finished_case(self) -> None:
        self.cases += 1
        if self.cases % RECYCLE_PAGES_EVERY == 0:
            await self.reset_pages()
