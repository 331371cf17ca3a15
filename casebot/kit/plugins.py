"""Adapters are found through the ``casebot.adapters`` entry-point group.

A package adds a system by declaring, in its ``pyproject.toml``::

    [project.entry-points."casebot.adapters"]
    mysystem = "my_package:MySystemAdapter"
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from casebot.errors import ConfigError
from casebot.kit.base import Adapter

GROUP = "casebot.adapters"


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def names() -> list[str]:
    return sorted(_entry_points())


def load_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``."""
    eps = _entry_points()
    if name not in eps:
        known = ", ".join(sorted(eps)) or "none"
        raise ConfigError(f"no adapter named {name!r} is installed (installed: {known})")
    ep = eps[name]
    try:
        cls = ep.load()
    except Exception as exc:
        raise ConfigError(f"adapter {name!r} ({ep.value}) failed to load: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise ConfigError(f"adapter {name!r} ({ep.value}) is not an Adapter subclass")
    return cls


def describe() -> list[dict[str, str]]:
    """One row per installed adapter, for ``casebot adapters list``."""
    rows = []
    for name, ep in sorted(_entry_points().items()):
        row = {"name": name, "object": ep.value, "title": "", "roles": "", "error": ""}
        try:
            cls = load_adapter(name)
        except ConfigError as exc:
            row["error"] = str(exc)
        else:
            from casebot.kit.base import Source, Target

            row["title"] = getattr(cls, "title", "")
            row["roles"] = ", ".join(r for r, base in (("source", Source), ("target", Target))
                                     if issubclass(cls, base))
        rows.append(row)
    return rows
