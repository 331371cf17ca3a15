"""Declarative mappings: YAML files that say how each target card is made.

- :mod:`~casebot.mapping.schema`: the file format (pydantic; JSON Schema export);
- :mod:`~casebot.mapping.yamlio`: safe YAML that keeps line numbers;
- :mod:`~casebot.mapping.shapes`: source and target shapes used to check names;
- :mod:`~casebot.mapping.filters`: the fixed list of filters and tests;
- :mod:`~casebot.mapping.expressions`: the Jinja jail expressions run in, and their static check;
- :mod:`~casebot.mapping.loader`: load, check, compile;
- :mod:`~casebot.mapping.engine`: apply a compiled mapping;
- :mod:`~casebot.mapping.checks`: deeper checks for ``casebot mappings check``.

May import: the domain, the kit (adapters' field lists for checks), ``casebot.errors``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casebot.mapping.engine import CompiledMapping
    from casebot.mapping.loader import MappingSet, load_mapping, load_mappings
    from casebot.mapping.schema import MappingFile, mapping_json_schema

__all__ = ["CompiledMapping", "MappingFile", "MappingSet", "load_mapping", "load_mappings",
           "mapping_json_schema"]

#: the names the package offers, each loaded from its module when first asked for (importing one of its
#: modules does not load the others)
_WHERE = {"CompiledMapping": "casebot.mapping.engine",
          "MappingSet": "casebot.mapping.loader",
          "load_mapping": "casebot.mapping.loader",
          "load_mappings": "casebot.mapping.loader",
          "MappingFile": "casebot.mapping.schema",
          "mapping_json_schema": "casebot.mapping.schema"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
