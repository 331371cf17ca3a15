"""Deeper checks of a mapping directory (``casebot mappings check``).

Loading already refuses a malformed mapping. These checks go further:

- the police -> ``case_card`` hop exists;
- each adapter target's declared fields (:attr:`casebot.adapter.Target.fields`)
  are covered: no unknown field, every required field mapped, text bounded to
  the field's length, list fields mapped item by item;
- code tables are complete for every code the police system can send: for each
  lookup a source-facing mapping makes, every row has a value (every police
  charge code has a procuratorate code, every measure its codes and labels...),
  and no key is listed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from casebot.adapter import FieldSpec
from casebot.errors import MappingError
from casebot.mapping.engine import CompiledField, CompiledMapping
from casebot.mapping.loader import MappingSet, load_mappings
from casebot.mapping.shapes import SOURCE_KINDS
from casebot.model import CaseCard, PoliceCase

__all__ = ["CASE_CARD", "Problem", "check_directory", "check_mappings", "check_routes", "refuse"]

CASE_CARD = "case_card"

AdapterLoader = Callable[[str], Any]


@dataclass(frozen=True)
class Problem:
    """One finding; an ``error`` makes the mappings unusable: ``mappings check``, ``run`` and ``replay``
    stop on it with exit 4 (:func:`refuse`), before a page is opened. A ``warning`` does not."""

    level: Literal["error", "warning"]
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        where = self.where
        return f"{self.level}: {where + ': ' if where else ''}{self.message}"


def _default_loader(name: str) -> Any:
    from casebot.registry import load_adapter  # another package; may be absent

    return load_adapter(name)


def check_directory(directory: Path, *, load_adapter: AdapterLoader | None = None) -> list[Problem]:
    """Every problem of the mappings in ``directory`` (an empty list: all good)."""
    try:
        mappings = load_mappings(directory)
    except MappingError as exc:
        message = str(exc)
        if exc.file:
            prefix = f"{exc.file}:{exc.line}: " if exc.line is not None else f"{exc.file}: "
            message = message.removeprefix(prefix)
        return [Problem("error", message, exc.file, exc.line)]
    return check_mappings(mappings, load_adapter=load_adapter or _default_loader)


def check_mappings(mappings: MappingSet, *, load_adapter: AdapterLoader) -> list[Problem]:
    problems: list[Problem] = []
    if CASE_CARD not in mappings:
        problems.append(Problem("error", "no mapping targets case_card (the police -> card hop)",
                                str(mappings.directory)))
    for mapping in mappings:
        if mapping.model is not None:
            if mapping.target == CASE_CARD and PoliceCase not in mapping.sources.values():
                problems.append(Problem("error", "the case_card mapping must read a police_case source",
                                        str(mapping.file), mapping.spec.line_of("sources")))
        else:
            problems += _check_adapter(mapping, load_adapter)
        if PoliceCase in mapping.sources.values():
            problems += _check_tables(mapping)
    return problems


# ---------------------------------------------------------------------------
# adapter fields


def _check_adapter(mapping: CompiledMapping, load_adapter: AdapterLoader) -> list[Problem]:
    file = str(mapping.file)
    try:
        adapter = _of_kind(load_adapter, mapping.target)
        specs = tuple(adapter.fields)
    except Exception as exc:
        return [Problem("warning", f"adapter not installed: {mapping.target!r} ({type(exc).__name__}); "
                                   "its fields were not checked", file, mapping.spec.line_of("target"))]
    return list(_compare(mapping.fields, specs, file, mapping, ""))


def _of_kind(load_adapter: AdapterLoader, target: str, kind: str | None = None) -> Any:
    """The adapter class of a mapping's target (``adapter`` or ``adapter.kind``), or of ``kind`` of it."""
    name, _, own = target.partition(".")
    cls = load_adapter(name)
    kind = own or kind
    if not kind:
        return cls
    # an adapter class names its kinds; another loader may answer for a kind by its full name
    return cls.of_kind(kind) if hasattr(cls, "of_kind") else load_adapter(f"{name}.{kind}")


def _compare(fields: tuple[CompiledField, ...], specs: Iterable[FieldSpec], file: str,
             mapping: CompiledMapping, prefix: str) -> Iterable[Problem]:
    mapped = {f.key: f for f in fields}
    by_name = {s.name: s for s in specs}
    for key, f in mapped.items():
        if key not in by_name:
            yield Problem("error", f"the {mapping.target} card has no field {prefix + key!r}", file, f.where.line)
    for spec in by_name.values():
        name = f"{prefix}{spec.name}"
        f = mapped.get(spec.name)
        if f is None:
            if spec.required and not spec.assigned:
                yield Problem("error", f"required field {name!r} ({spec.label}) is not mapped", file,
                              mapping.spec.line_of("fields"))
            continue
        if spec.assigned:
            yield Problem("warning", f"field {name!r} ({spec.label}) is assigned by the system; "
                                     "the mapped value is ignored", file, f.where.line)
        if spec.children:
            if f.children is None:
                yield Problem("error", f"field {name!r} ({spec.label}) is a list of records: "
                                       "map it with each + fields", file, f.where.line)
            else:
                yield from _compare(f.children, spec.children, file, mapping, f"{name}.")
        if spec.max_length is not None:
            if f.max_length is None and spec.type == "text" and f.value is not None:
                yield Problem("warning", f"field {name!r} holds at most {spec.max_length} characters; "
                                         "set max_length", file, f.where.line)
            elif f.max_length is not None and f.max_length > spec.max_length:
                yield Problem("error", f"field {name!r}: max_length {f.max_length} exceeds the "
                                       f"{spec.max_length} the target holds", file, f.where.line)
        if spec.required and not spec.assigned and not f.required and f.default in (None, "") \
                and not f.is_const and f.children is None:
            yield Problem("warning", f"field {name!r} ({spec.label}) is required by the target; "
                                     "set required: true so an empty value stops the case before writing",
                          file, f.where.line)
        if spec.code_table is not None:
            problem = _code_table_problem(spec.code_table, mapping)
            if problem:
                yield Problem("warning", f"field {name!r}: {problem}", file, f.where.line)


def _code_table_problem(ref: str, mapping: CompiledMapping) -> str | None:
    """``ref`` is ``table`` or ``table.column``, as adapters declare it."""
    table, _, column = ref.partition(".")
    if table not in mapping.codes:
        return f"the target names code table {table!r}, which is not in codes/"
    if column and not mapping.codes[table].has_column(column):
        return f"the target names column {column!r} of code table {table!r}, which has no such column"
    return None


# ---------------------------------------------------------------------------
# code tables


def _check_tables(mapping: CompiledMapping) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    keyed: set[tuple[str, str]] = set()
    for table_name, key, column, where in mapping.lookups:
        if (table_name, key, column) in seen:
            continue
        seen.add((table_name, key, column))
        table = mapping.codes[table_name]
        file = str(table.path) if table.path else where.file
        if (table_name, key) not in keyed:
            keyed.add((table_name, key))
            keys = table.values(key)
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            if repeated:
                problems.append(Problem("error", f"code table {table_name!r}: {key} listed twice: "
                                                 + ", ".join(repeated), file))
        empty = [row[key] for row in table.rows if not row[column]]
        if empty:
            problems.append(Problem(
                "error", f"code table {table_name!r}: no {column} for {key} " + ", ".join(empty)
                + f" (looked up by {Path(where.file).name}:{where.line})", file))
    return problems


# ---------------------------------------------------------------------------
# routes: each route's target has a mapping, and the route gives what it reads


def check_routes(mappings: MappingSet, settings: Any, *, load_adapter: AdapterLoader) -> list[Problem]:
    """Problems of the configured routes against the mappings (``settings``: casebot.toml).

    A route's mapping is the one into its target's adapter; it may read the case
    card, and the records the route's systems give by their kind
    (``Source.record_kind``), whatever the systems are called in the config.
    """
    problems: list[Problem] = []
    where = str(getattr(settings, "base_dir", "")) or None
    for route in settings.routes:
        if not route.enabled:
            continue
        adapter = route.mapping_target(settings.adapter_name(route.target))
        if adapter not in mappings:
            problems.append(Problem("error", f"routes.{route.name}: no mapping into adapter {adapter!r} "
                                             f"(target {route.target!r})", where))
            continue
        mapping = mappings.for_target(adapter)
        try:
            given = {"case_card"} | {getattr(_of_kind(load_adapter, settings.adapter_name(system), kind),
                                             "record_kind", None)
                                     for system, kind in ((route.source, route.source_kind), (route.case_source, None))
                                     if system} - {None}
            if route.source_kind and not route.case_source:
                given |= {"police_case"}  # a kind of the police source is a police case seen one way
        except Exception as exc:
            problems.append(Problem("warning", f"routes.{route.name}: an adapter is not installed "
                                               f"({type(exc).__name__}); what the route gives was not checked", where))
            continue
        if route.regions or route.skip_regions:
            source_cls = load_adapter(settings.adapter_name(route.source))
            if not getattr(source_cls, "lists_regions", False):
                problems.append(Problem("error", f"routes.{route.name}: regions are set, but {route.source!r} "
                                                 "cannot tell a record's region (Source.lists_regions)", where))
        case_from = route.case_source or route.source
        if "police_case" not in given and CaseCard in mapping.sources.values():
            problems.append(Problem("error", f"routes.{route.name}: the case card needs a police_case, "
                                             f"but {case_from!r} gives {sorted(given - {'case_card'}) or 'nothing'}",
                                    where))
        kinds = {name: kind for kind, model in SOURCE_KINDS.items()
                 for name, m in mapping.sources.items() if m is model}
        for name, kind in kinds.items():
            if kind not in given:
                problems.append(Problem(
                    "error", f"routes.{route.name}: {mapping.file.name} reads {name}: {kind}, which this route "
                             f"does not give (it gives {', '.join(sorted(given))})",
                    str(mapping.file), mapping.spec.line_of("sources")))
    return problems


# ---------------------------------------------------------------------------
# the gate: what ``mappings check`` calls an error stops a run before a page is opened


def refuse(problems: Iterable[Problem]) -> None:
    """Raise :class:`MappingError` (exit 4) naming every error by file and line; warnings pass."""
    found = [p for p in problems if p.level == "error"]
    if not found:
        return
    first = found[0]
    lines = [first.message] + [f"{p.where + ': ' if p.where else ''}{p.message}" for p in found[1:]]
    raise MappingError("\n  ".join(lines), file=first.file, line=first.line,
                       hint="映射不可用：改正后再运行（casebot mappings check 列出全部问题）")
