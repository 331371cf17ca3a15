"""Counting the calls a block of code makes to Playwright's driver, by protocol method.

Each call (a click, a fill, a count, an evaluation) is a round trip to the
driver and, for most, work in the browser: what a card costs beyond its page
loads. Used by ``bench/calls.py`` (calls per card, casebot against the
hand-written script) and by tests that hold a widget to the calls its happy
path needs::

    with PlaywrightCalls() as calls:
        await form.fill(page, card)
    assert calls.methods["queryCount"] == 1

``where=True`` also counts, for each call, the innermost frames of casebot's
and the adapters' code that made it. It hooks Playwright's connection (a
private interface of the Python package): for measuring, never for a run.

May import: nothing of casebot.
"""

from __future__ import annotations

import traceback
from collections import Counter
from typing import Any

__all__ = ["PlaywrightCalls"]

#: the parts of a path that mark casebot's own code (and its adapters') in a call's stack
_OWN = ("/casebot/", "/adapters/")


class PlaywrightCalls:
    """While inside: every message sent to the driver counted by method (``methods``), and with ``where``
    by method and call site (``sites``: (method, "file:line:function < caller < ...") -> count)."""

    def __init__(self, *, where: bool = False, depth: int = 3) -> None:
        self.methods: Counter[str] = Counter()
        self.sites: Counter[tuple[str, str]] = Counter()
        self._where = where
        self._depth = depth

    def __enter__(self) -> PlaywrightCalls:
        from playwright._impl import connection

        self._connection = connection.Connection
        original = self._original = connection.Connection.send_message_to_server

        def counted(conn: Any, obj: Any, method: str, *args: Any, **kwargs: Any) -> Any:
            self.methods[method] += 1
            if self._where:
                self.sites[(method, self._site())] += 1
            return original(conn, obj, method, *args, **kwargs)

        self._connection.send_message_to_server = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self._connection.send_message_to_server = self._original  # type: ignore[method-assign]

    def _site(self) -> str:
        own = [f for f in traceback.extract_stack(limit=60)
               if f.filename != __file__ and any(p in f.filename for p in _OWN)]
        if not own:
            return "(not casebot's code)"
        frames = own[-1:-1 - self._depth:-1]
        return " < ".join(f"{_short(f.filename)}:{f.lineno}:{f.name}" for f in frames)

    @property
    def total(self) -> int:
        return sum(self.methods.values())


def _short(path: str) -> str:
    for part in _OWN:
        if part in path:
            return part.strip("/") + "/" + path.split(part, 1)[1]
    return path
