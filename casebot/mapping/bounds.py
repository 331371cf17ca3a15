"""Bounds on what one mapping expression may build and spend.

Three layers, so that no expression can exhaust memory or time:

1. **Static sizes** (:func:`check_static`, at load, so ``casebot mappings check``
   refuses them): what the parsed expression shows of its own sizes, constants
   repeated, joined and concatenated, is estimated and refused over the
   limits: ``(['a'*100000]*100000) | join`` never compiles.
2. **Sizes checked before allocation** (:func:`repeat`, :func:`add`,
   :func:`concat`, :func:`join`): the size of a result is computed from its
   operands, items counted at their weight (a list of 100,000 references to a
   100,000-character text weighs 10^10), and refused before it is built.
3. **A budget per evaluation** (:func:`budget`): every operation above and
   every filter call charges what it built; past :data:`BUDGET_UNITS`
   characters and items in total, or :data:`BUDGET_SECONDS` of time, the
   expression is stopped. Refusals are :class:`jinja2.exceptions.SecurityError`,
   which the engine reports as a mapping error naming file and line.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError

__all__ = ["BUDGET_SECONDS", "BUDGET_UNITS", "MAX_ITEMS", "MAX_TEXT", "add", "budget", "charge", "charged",
           "check_static", "concat", "join", "repeat", "static_weight", "weight"]

#: the largest text (characters) or list (weighted items) one operation may build
MAX_TEXT = 100_000
#: the longest date format (kept here with the other sizes; casebot.mapping.filters uses it)
MAX_DATE_FORMAT = 64
#: the most items one list may hold
MAX_ITEMS = 100_000
#: characters and items one evaluation may build in total
BUDGET_UNITS = 2_000_000
#: time one evaluation may take
BUDGET_SECONDS = 1.0


@dataclass
class _Budget:
    units: int
    deadline: float


_current: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("casebot_expression_budget",
                                                                          default=None)


@contextmanager
def budget(units: int = BUDGET_UNITS, seconds: float = BUDGET_SECONDS) -> Iterator[None]:
    """Evaluate under a fresh budget (nested evaluations share the outer one)."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(_Budget(units, time.monotonic() + seconds))
    try:
        yield
    finally:
        _current.reset(token)


def charge(units: int) -> None:
    """Spend ``units`` of the current evaluation's budget; SecurityError when it is spent."""
    b = _current.get()
    if b is None:
        return
    b.units -= units
    if b.units < 0:
        raise SecurityError("expression built more than its memory budget")
    if time.monotonic() > b.deadline:
        raise SecurityError("expression ran longer than its time budget")


def weight(obj: Any, limit: int = MAX_TEXT) -> int:
    """Characters and items ``obj`` holds, counting shared items each time; stops past ``limit``."""
    total = 0
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, str):
            total += len(o)
        elif isinstance(o, list | tuple):
            total += len(o)
            if total > limit:
                return total
            stack.extend(o)
        elif isinstance(o, dict):
            total += len(o)
            if total > limit:
                return total
            stack.extend(o.keys())
            stack.extend(o.values())
        else:
            total += 1
        if total > limit:
            return total
    return total


def _refuse(size: int) -> None:
    raise SecurityError(f"result too large ({size} characters or items, at most {MAX_TEXT})")


def repeat(seq: Any, n: Any) -> None:
    """Check ``seq * n`` before it is built."""
    if isinstance(seq, str | list | tuple) and isinstance(n, int) and not isinstance(n, bool) and n > 0:
        if len(seq) * n > MAX_ITEMS:
            _refuse(len(seq) * n)
        w = weight(seq) * n
        if w > MAX_TEXT:
            _refuse(w)
        charge(w)


def add(left: Any, right: Any) -> None:
    """Check ``left + right`` (texts or lists) before it is built."""
    if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        w = weight(left) + weight(right)
        if w > MAX_TEXT:
            _refuse(w)
        charge(w)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    w = weight(value)
    if w > MAX_TEXT:
        _refuse(w)
    return str(value)


def concat(values: Iterable[Any]) -> str:
    """``a ~ b ~ c``: the texts' total size checked before they are joined."""
    texts = [_text(v) for v in values]
    total = sum(map(len, texts))
    if total > MAX_TEXT:
        _refuse(total)
    charge(total)
    return "".join(texts)


def join(values: Iterable[Any] | None, sep: str = "") -> str:
    """``items | join(sep)``: the total size checked before the items are joined."""
    texts: list[str] = []
    total = 0
    sep = str(sep)
    for v in values or ():
        t = _text(v)
        total += len(t) + (len(sep) if texts else 0)
        if total > MAX_TEXT:
            _refuse(total)
        texts.append(t)
    charge(total)
    return sep.join(texts)


def charged(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (a filter) bounded: what it returns is at most :data:`MAX_TEXT` characters or items, like
    every other result (a filter whose output outgrows its input, a date format repeated or a case
    mapping that expands characters, included), and its size is charged to the current budget."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        charge(1)
        out = fn(*args, **kwargs)
        if isinstance(out, str | list | tuple | dict):
            w = weight(out, BUDGET_UNITS)
            if w > MAX_TEXT:
                raise SecurityError(f"result longer than {MAX_TEXT} characters or items ({w})")
            charge(w)
        return out

    return wrapper


# -- static estimate -----------------------------------------------------------

def _const_int(node: nodes.Node) -> int | None:
    if isinstance(node, nodes.Const) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, nodes.Neg):
        inner = _const_int(node.node)
        return None if inner is None else -inner
    return None


def static_weight(node: nodes.Node) -> int | None:
    """The weight of what ``node`` builds when the expression alone shows it; None when it depends on data."""
    if isinstance(node, nodes.Const):
        return len(node.value) if isinstance(node.value, str) else 1
    if isinstance(node, nodes.List | nodes.Tuple):
        parts = [static_weight(i) for i in node.items]
        return None if None in parts else len(parts) + sum(p for p in parts if p is not None)
    if isinstance(node, nodes.Mul):
        for seq, n in ((node.left, node.right), (node.right, node.left)):
            count, w = _const_int(n), static_weight(seq)
            if count is None or w is None:
                continue
            if isinstance(seq, nodes.Const) and not isinstance(seq.value, str):
                return 1  # arithmetic, not repetition
            return max(0, count) * w
        return None
    if isinstance(node, nodes.Add | nodes.Concat):
        children = [node.left, node.right] if isinstance(node, nodes.Add) else list(node.nodes)
        parts = [static_weight(c) for c in children]
        return None if None in parts else sum(p for p in parts if p is not None)
    if isinstance(node, nodes.Filter) and node.node is not None and node.name in (
            "join", "list", "sort", "unique", "first", "last", "trim", "upper", "lower", "clean_name",
            "clean_text"):
        return static_weight(node.node)
    return None


def check_static(expr: nodes.Node) -> str | None:
    """Why ``expr`` is refused for what it visibly builds (None when nothing visible is too large)."""
    for node in [expr, *expr.find_all((nodes.Mul, nodes.Add, nodes.Concat, nodes.Filter, nodes.List))]:
        if isinstance(node, nodes.Mul):
            for n in (node.left, node.right):
                count = _const_int(n)
                if count is not None and count > MAX_ITEMS:
                    return f"a repeat count of {count} (at most {MAX_ITEMS})"
        if isinstance(node, nodes.Filter) and node.name == "date" and node.args:
            fmt = static_weight(node.args[0])
            if fmt is not None and fmt > MAX_DATE_FORMAT:
                return f"a date format of {fmt} characters (at most {MAX_DATE_FORMAT})"
        w = static_weight(node)
        if w is not None and w > MAX_TEXT:
            return f"builds {w} characters or items (at most {MAX_TEXT})"
    return None
