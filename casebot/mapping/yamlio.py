"""Reading mapping files: safe YAML that remembers where every key was written.

Mappings are parsed with :class:`yaml.SafeLoader` (no Python tags), aliases are
refused (no "billion laughs"), repeated keys are refused rather than silently
overwritten, nesting deeper than :data:`MAX_DEPTH` is refused where it starts,
values are JSON types only (text, numbers, true/false, null, lists, mappings:
``!!binary``, ``!!set``, ``!!omap``, ``!!pairs``, ``.nan`` and ``.inf`` are
refused, as are an unquoted date (quote it: YAML would make it a date, not
text), an integer of more than :data:`MAX_INT_DIGITS` digits and a plain
number YAML 1.1 reads as text (``1.0e999999``: quote it or write ``1.0e+5``)),
and every mapping becomes a
:class:`LineDict` that knows the line of each of its keys, so errors found
later can point at the file and line. Every YAML error is a MappingError
with the file and, where the parser knows it, the line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode

from casebot.errors import MappingError

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "LineDict", "line_at", "read_yaml"]

#: a mapping file larger than this is refused before parsing
MAX_FILE_BYTES = 512 * 1024
#: lists and mappings nested deeper than this are refused
MAX_DEPTH = 50
#: an integer constant longer than this is refused (a code or a count needs far fewer)
MAX_INT_DIGITS = 30
_NUMBERISH = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
_JSON_ONLY = "YAML values must be JSON types (text, number, true/false, null, list, mapping)"


class LineDict(dict):
    """A dict from YAML: ``line`` of the mapping itself, ``key_lines`` of each key (1-based)."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}


class _Loader(yaml.SafeLoader):
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases (*name) are not allowed in mappings", event.start_mark)
        if self._depth >= MAX_DEPTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_not_json(self, node: Any) -> Any:
        raise yaml.constructor.ConstructorError(None, None, f"{_JSON_ONLY}, found {node.tag}", node.start_mark)

    def construct_finite_float(self, node: Any) -> float:
        value = self.construct_yaml_float(node)
        if value != value or value in (float("inf"), float("-inf")):
            raise yaml.constructor.ConstructorError(None, None, f"{_JSON_ONLY}, found {node.value}",
                                                    node.start_mark)
        return value

    def construct_timestamp_refused(self, node: Any) -> str:
        raise yaml.constructor.ConstructorError(
            None, None, f"{_JSON_ONLY}, found the date {node.value} (quote it: '{node.value}')", node.start_mark)

    def construct_bounded_int(self, node: Any) -> int:
        digits = sum(c.isdigit() for c in str(node.value))
        if digits > MAX_INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer of {digits} digits (at most {MAX_INT_DIGITS} digits)", node.start_mark)
        return int(self.construct_yaml_int(node))

    def construct_plain_text(self, node: Any) -> str:
        text = self.construct_yaml_str(node)
        if node.style is None and _NUMBERISH.match(text):
            raise yaml.constructor.ConstructorError(
                None, None, f"{_JSON_ONLY}: {text[:40]} reads as text, not a number "
                "(quote it, or write the exponent with its sign: 1.0e+5)", node.start_mark)
        return text

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        self.flatten_mapping(node)
        out = LineDict()
        out.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, f"keys must be text, found {type(key).__name__} (quote it)",
                    key_node.start_mark)
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark)
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                        _Loader.construct_line_mapping)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.construct_not_json)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_finite_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_timestamp_refused)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_bounded_int)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_plain_text)


def read_yaml(path: Path) -> Any:
    """Parse one mapping file; MappingError (with file and line) when it is not valid YAML."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MappingError(f"file is too large ({size} bytes, at most {MAX_FILE_BYTES})", file=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"cannot read mapping file: {exc.strerror}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise MappingError("mapping file is not UTF-8", file=str(path)) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise MappingError(f"invalid YAML: {exc.problem or exc.context}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise MappingError(f"invalid YAML: {exc}", file=str(path)) from None
    except RecursionError:  # MAX_DEPTH stops nesting first; this is the last line of defence
        raise MappingError("invalid YAML: nested too deeply", file=str(path), line=1) from None


def line_at(data: Any, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key along ``loc`` that the YAML recorded."""
    line = data.line if isinstance(data, LineDict) else None
    for part in loc:
        if isinstance(data, LineDict):
            if part in data.key_lines:
                line = data.key_lines[part]
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            if isinstance(data, LineDict) and data.line:
                line = data.line
        else:
            break
    return line
