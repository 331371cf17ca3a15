"""Loading mapping files: parse, validate against sources, tables and filters, compile.

Everything a mapping refers to is checked here, before any case runs: source
kinds, every variable and field along every path and expression, the target
model's fields, code tables and their columns, filters and tests. The first
problem becomes a :class:`~casebot.errors.MappingError` with the file, the line
and a hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from casebot.domain.codes import CodeTables
from casebot.errors import MappingError
from casebot.mapping.engine import (
    EACH,
    CompiledField,
    CompiledMapping,
    Getter,
    Where,
    const_getter,
    expression_getter,
    path_getter,
    split_path,
)
from casebot.mapping.expressions import ExpressionRefused, MappingEnvironment, compile_expression
from casebot.mapping.schema import PATH, FieldMap, MappingFile
from casebot.mapping.shapes import ANY, MODEL_TARGETS, SOURCE_KINDS, Shape, shape_of_model
from casebot.mapping.yamlio import LineDict, line_at, read_yaml

__all__ = ["MappingSet", "load_mapping", "load_mappings"]

def _hint(word: str, options: Iterable[str]) -> str | None:
    options = sorted(options)
    found = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    if found:
        return "did you mean " + " or ".join(repr(f) for f in found) + "?"
    return "known: " + ", ".join(options) if options else None


# ---------------------------------------------------------------------------
# the file's form


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed at ``loc`` (the parent of an unknown key) in the format models."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = next((i for n, i in current.model_fields.items() if part in (n, i.alias)), None)
            if info is None:
                return []
            current = info.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return []
        current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [i.alias or n for n, i in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not dict and args and len(args) == 1:
        return args[0]
    return annotation


def _merge(base: Any, patch: Any) -> Any:
    """``patch`` over ``base`` as a JSON merge patch (RFC 7386): mappings merged key by key, ``null``
    removes a key, anything else replaces. Lines are the patch's where it wrote a key."""
    if not isinstance(patch, dict):
        return patch
    out = LineDict(base) if isinstance(base, dict) else LineDict()
    out.line = getattr(patch, "line", None) or getattr(base, "line", None)
    out.key_lines = {**getattr(base, "key_lines", {}), **getattr(patch, "key_lines", {})}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge(out.get(key), value)
    return out


def _extended(name: str, path: Path) -> Path:
    """The mapping ``extends:`` names: ``<name>.yaml`` beside ``path``, shipped, or an adapter package's."""
    from casebot.kit.bundles import mapping_files
    from mappings import MAPPINGS_DIR

    candidates = [path.parent / f"{name}.yaml", MAPPINGS_DIR / f"{name}.yaml", *mapping_files()]
    for c in candidates:
        if c.stem == name and c.is_file() and c.resolve() != path.resolve():
            return c
    known = sorted({c.stem for c in [*MAPPINGS_DIR.glob("*.yaml"), *mapping_files()]})
    raise MappingError(f"extends: no mapping named {name!r}", file=str(path), hint=_hint(name, known))


def read_mapping(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The file's YAML, with the mapping it ``extends:`` merged under it (see :func:`_merge`)."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise MappingError("a mapping file is a YAML mapping (name:, sources:, target:, fields:)",
                           file=str(path), line=1)
    if "extends" not in raw:
        return raw
    name = raw.pop("extends")
    line = raw.key_lines.get("extends") if isinstance(raw, LineDict) else None
    if not isinstance(name, str) or not name:
        raise MappingError("extends: the name of another mapping, e.g. card_to_court", file=str(path), line=line)
    base_path = _extended(name, path)
    if base_path.resolve() in _seen:
        raise MappingError(f"extends: {name!r} extends this mapping again (a cycle)", file=str(path), line=line)
    base = read_mapping(base_path, (*_seen, path.resolve()))
    return _merge(base, raw)


def parse_file(path: Path) -> MappingFile:
    """Read ``path`` into a :class:`MappingFile`; MappingError with line and hint if malformed.

    A file may start from another mapping: ``extends: card_to_court`` and only what differs (a JSON
    merge patch: keys replaced, ``null`` removes one); the result is checked like any mapping."""
    raw = read_mapping(path)
    try:
        return MappingFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False, include_input=False)[0]
        loc = tuple(err["loc"])
        line = line_at(raw, loc)
        hint = None
        if err["type"] == "extra_forbidden" and loc:
            hint = _hint(str(loc[-1]), _allowed_keys(MappingFile, loc[:-1]))
        where = ".".join(str(p) for p in loc) or "file"
        msg = err["msg"].removeprefix("Value error, ")
        raise MappingError(f"{where}: {msg}", file=str(path), line=line, hint=hint) from None


# ---------------------------------------------------------------------------
# meaning: names, fields, tables


@dataclass
class _Ctx:
    mapping: CompiledMapping
    env: MappingEnvironment

    @property
    def file(self) -> str:
        return str(self.mapping.file)


def _resolve_path(path: str, scope: Mapping[str, Shape]) -> Shape:
    root, steps = split_path(path)
    shape = scope.get(root)
    if shape is None:
        raise ExpressionRefused(f"unknown variable {root!r} in path {path!r}", hint=_hint(root, scope))
    return _resolve_steps(path, shape, steps)


def _resolve_steps(path: str, shape: Shape, steps: tuple[str | int, ...]) -> Shape:
    for i, step in enumerate(steps):
        if step == EACH:
            if shape.kind not in ("list", "any"):
                raise ExpressionRefused(f"{path!r}: [] on a {shape.describe()}")
            return Shape("list", item=_resolve_steps(path, shape.item or ANY, steps[i + 1:]))
        if isinstance(step, int):
            if shape.kind not in ("list", "any"):
                raise ExpressionRefused(f"{path!r}: [{step}] on a {shape.describe()}")
            shape = shape.item or ANY
            continue
        if shape.kind != "object":
            raise ExpressionRefused(f"{path!r}: cannot read {step!r} of a {shape.describe()}")
        found = shape.attribute(step)
        if found is None:
            raise ExpressionRefused(f"unknown field {step!r} of {shape.describe()} in path {path!r}",
                                    hint=_hint(step, shape.readable()))
        shape = found
    return shape


class _Compiler:
    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx

    def where(self, spec: Any, key: str | None = None) -> Where:
        return Where(self.ctx.file, spec.line_of(key) if key else spec.line)

    def refuse(self, exc: ExpressionRefused, where: Where) -> MappingError:
        return where.error(exc.message, exc.hint)

    def path(self, path: str, scope: Mapping[str, Shape], where: Where) -> tuple[Getter, Shape]:
        try:
            return path_getter(path), _resolve_path(path, scope)
        except ExpressionRefused as exc:
            raise self.refuse(exc, where) from None

    def expr(self, source: str, scope: Mapping[str, Shape], where: Where) -> tuple[Getter, Shape]:
        if PATH.match(source.strip()):
            # a bare path needs no template: same meaning (a missing step gives null), much faster
            return self.path(source.strip(), scope, where)
        try:
            compiled, analysis = compile_expression(self.ctx.env, source, scope)
        except ExpressionRefused as exc:
            raise self.refuse(exc, where) from None
        for table, key, column in analysis.lookups:
            self.ctx.env.codes[table].index(key)  # a repeated key is refused at load
            self.ctx.mapping.lookups.append((table, key, column, where))
        return expression_getter(compiled), analysis.shape

    def lookup(self, fm: FieldMap) -> tuple[str, str, str]:
        assert fm.lookup is not None
        lk = fm.lookup
        codes = self.ctx.mapping.codes
        if lk.table not in codes:
            raise self.where(lk, "table").error(f"unknown code table {lk.table!r}", _hint(lk.table, codes.names()))
        columns = codes[lk.table].columns
        for attr in ("key", "value"):
            column = getattr(lk, attr)
            if column not in columns:
                raise self.where(lk, attr).error(f"code table {lk.table!r} has no column {column!r}",
                                                 _hint(column, columns))
        codes[lk.table].index(lk.key)  # a repeated key is refused at load
        self.ctx.mapping.lookups.append((lk.table, lk.key, lk.value, self.where(lk)))
        return lk.table, lk.key, lk.value

    def fields(self, specs: Mapping[str, FieldMap], parent: Any, scope: Mapping[str, Shape],
               target: Shape | None) -> tuple[CompiledField, ...]:
        if target is not None and target.kind == "object":
            missing = sorted(target.required - set(specs))
            if missing:
                raise self.where(parent, "fields").error(
                    f"{target.describe()} needs field(s) not mapped: {', '.join(missing)}")
        out = []
        for key, fm in specs.items():
            sub = None
            if target is not None and target.kind == "object":
                sub = target.fields.get(key)
                if sub is None:
                    raise Where(self.ctx.file, parent.line_in("fields", key)).error(
                        f"{target.describe()} has no field {key!r}", _hint(key, target.fields))
            # where the field's key is written (a block mapping's own line is its first entry's)
            at = Where(self.ctx.file, parent.line_in("fields", key) or fm.line)
            out.append(self.field(key, fm, scope, sub, at))
        return tuple(out)

    def field(self, key: str, fm: FieldMap, scope: Mapping[str, Shape], target: Shape | None,
              at: Where | None = None) -> CompiledField:
        cf = CompiledField(key=key, label=fm.label or key, where=at or self.where(fm), default=fm.default,
                           required=fm.required, max_length=fm.max_length, truncate=fm.truncate)
        if fm.when is not None:
            cf.when, _ = self.expr(fm.when, scope, self.where(fm, "when"))
        if fm.each is not None:
            getter, shape = self.path(fm.each, scope, self.where(fm, "each"))
            if shape.kind not in ("list", "any"):
                raise self.where(fm, "each").error(f"`each` needs a list, {fm.each!r} is a {shape.describe()}")
            if fm.as_ in scope:
                raise self.where(fm, "as").error(f"`as: {fm.as_}` hides a variable of the same name")
            inner = {**scope, fm.as_: shape.item or ANY, "index": Shape("number")}
            cf.each, cf.as_name = getter, fm.as_
            if fm.subject is not None:
                cf.subject_title = fm.subject.title
                if fm.subject.name is not None:
                    cf.subject_name, _ = self.path(fm.subject.name, inner, self.where(fm.subject, "name"))
            item_target = target.item if target is not None and target.kind == "list" else None
            assert fm.fields is not None
            cf.children = self.fields(fm.fields, fm, inner, item_target)
        elif fm.fields is not None:
            cf.children = self.fields(fm.fields, fm, scope, target if target and target.kind == "object" else None)
        elif fm.is_const:
            cf.value, cf.is_const = const_getter(fm.const), True
        elif fm.path is not None:
            cf.value, _ = self.path(fm.path, scope, self.where(fm, "path"))
        elif fm.expr is not None:
            cf.value, _ = self.expr(fm.expr, scope, self.where(fm, "expr"))
        if fm.lookup is not None:
            cf.lookup = self.lookup(fm)
        return cf


def compile_mapping(spec: MappingFile, path: Path, env: MappingEnvironment) -> CompiledMapping:
    """Check ``spec`` against its sources, target and tables, and compile it."""
    sources: dict[str, type[BaseModel]] = {}
    for name, kind in spec.sources.items():
        model = SOURCE_KINDS.get(kind)
        if model is None:
            raise MappingError(f"unknown source kind {kind!r} for {name!r}", file=str(path),
                               line=spec.line_of("sources"), hint=_hint(kind, SOURCE_KINDS))
        sources[name] = model
    target_model = MODEL_TARGETS.get(spec.target)
    mapping = CompiledMapping(name=spec.name, file=path, target=spec.target, sources=sources, fields=(),
                              codes=env.codes, model=target_model, spec=spec)
    compiler = _Compiler(_Ctx(mapping, env))
    scope = {name: shape_of_model(model) for name, model in sources.items()}
    if spec.case is not None:
        mapping.case, _ = compiler.path(spec.case, scope, compiler.where(spec, "case"))
    target_shape = shape_of_model(target_model) if target_model is not None else None
    mapping.fields = compiler.fields(spec.fields, spec, scope, target_shape)
    return mapping


def load_mapping(path: Path, env: MappingEnvironment) -> CompiledMapping:
    """Parse, check and compile one mapping file."""
    return compile_mapping(parse_file(path), path, env)


class MappingSet:
    """Every mapping of one directory, compiled once, by target."""

    def __init__(self, mappings: list[CompiledMapping], codes: CodeTables, directory: Path) -> None:
        self.directory = directory
        self.codes = codes
        self._by_target: dict[str, CompiledMapping] = {}
        for m in mappings:
            other = self._by_target.get(m.target)
            if other is not None:
                raise MappingError(f"two mappings target {m.target!r} (also {other.file.name})",
                                   file=str(m.file), line=m.spec.line_of("target"))
            self._by_target[m.target] = m

    def __iter__(self) -> Iterator[CompiledMapping]:
        return iter(self._by_target.values())

    def __contains__(self, target: object) -> bool:
        return target in self._by_target

    def targets(self) -> list[str]:
        return list(self._by_target)

    def for_target(self, target: str) -> CompiledMapping:
        found = self._by_target.get(target)
        if found is None:
            raise MappingError(f"no mapping targets {target!r}", file=str(self.directory),
                               hint=_hint(target, self._by_target))
        return found


def load_mappings(directory: Path, codes_dir: Path | None = None, *, plugins: bool = True) -> MappingSet:
    """Load and compile every ``*.yaml`` mapping of ``directory`` (tables from ``codes/`` beside them),
    and, with ``plugins``, those the installed adapter packages bring (:mod:`casebot.kit.bundles`)."""
    if not directory.is_dir():
        raise MappingError("mapping directory not found", file=str(directory))
    codes = CodeTables.load(codes_dir or directory / "codes")
    env = MappingEnvironment(codes)
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if plugins:
        from casebot.kit.bundles import mapping_files

        files += mapping_files()
    if not files:
        raise MappingError("no mapping files (*.yaml) found", file=str(directory))
    mappings = [load_mapping(p, env) for p in files]
    return MappingSet(mappings, codes, directory)
