"""Applying a compiled mapping to its sources.

Everything here runs per case and is kept cheap: paths are plain getter
functions, expressions were compiled once at load, code tables are indexed.

Errors: a rule broken by the data is a :class:`~casebot.errors.DataError`
completed with the case number, the subject (``嫌疑人1 张*``) and the field's
label; a mapping that fails at run time is a :class:`~casebot.errors.MappingError`
naming the file and line, never the data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Undefined
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError
from pydantic import BaseModel, ValidationError

from casebot.domain.codes import CodeTables
from casebot.domain.model import data_error
from casebot.domain.privacy import mask_name
from casebot.errors import DataError, MappingError

__all__ = ["CompiledField", "CompiledMapping", "Getter", "Where", "expression_getter", "path_getter"]

Scope = dict[str, Any]
Getter = Callable[[Scope], Any]

_HEAD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_STEP = re.compile(r"\.([A-Za-z][A-Za-z0-9_]*)|\[(\d*)\]")


@dataclass(frozen=True)
class Where:
    """A place in a mapping file."""

    file: str
    line: int | None = None

    def error(self, message: str, hint: str | None = None) -> MappingError:
        return MappingError(message, file=self.file, line=self.line, hint=hint)


#: the ``[]`` step of a path: every item of a list
EACH = "[]"


def split_path(path: str) -> tuple[str, tuple[str | int, ...]]:
    """``card.suspects[0].name`` -> ``("card", ("suspects", 0, "name"))``; ``[]`` stays ``"[]"``."""
    head = _HEAD.match(path)
    if head is None:
        raise ValueError("not a path")
    steps: list[str | int] = []
    for m in _STEP.finditer(path, head.end()):
        if m.group(1) is not None:
            steps.append(m.group(1))
        else:
            steps.append(int(m.group(2)) if m.group(2) else EACH)
    return head.group(0), tuple(steps)


def _walk(value: Any, steps: tuple[str | int, ...], start: int) -> Any:
    for i in range(start, len(steps)):
        if value is None:
            return None
        step = steps[i]
        if step is EACH:
            if not isinstance(value, list | tuple):
                return None
            return [_walk(v, steps, i + 1) for v in value]
        if isinstance(step, int):
            value = value[step] if isinstance(value, list | tuple) and step < len(value) else None
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            value = getattr(value, step, None)
    return value


def path_getter(path: str) -> Getter:
    """A getter for a (statically checked) path; a missing step gives None."""
    root, steps = split_path(path)
    if not steps:
        return lambda scope: scope.get(root)
    if len(steps) == 1 and isinstance(steps[0], str) and steps[0] is not EACH:
        attr = steps[0]

        def get_one(scope: Scope) -> Any:
            value = scope.get(root)
            if value is None:
                return None
            return value.get(attr) if isinstance(value, dict) else getattr(value, attr, None)

        return get_one
    return lambda scope: _walk(scope.get(root), steps, 0)


class _UndefinedResult(Exception):
    pass


def expression_getter(compiled: TemplateExpression) -> Getter:
    def get(scope: Scope) -> Any:
        result = compiled(scope)
        if isinstance(result, Undefined):
            raise _UndefinedResult
        return result

    return get


def const_getter(value: Any) -> Getter:
    return lambda scope: value


@dataclass
class CompiledField:
    """One target field, ready to evaluate."""

    key: str
    label: str
    where: Where
    value: Getter | None = None
    children: tuple[CompiledField, ...] | None = None
    each: Getter | None = None
    as_name: str = "item"
    subject_title: str | None = None
    subject_name: Getter | None = None
    lookup: tuple[str, str, str] | None = None
    when: Getter | None = None
    default: Any = None
    required: bool = False
    max_length: int | None = None
    truncate: str = "ellipsis"
    is_const: bool = False


@dataclass
class CompiledMapping:
    """A mapping file, validated and compiled: apply it with :meth:`render`."""

    name: str
    file: Path
    target: str
    sources: dict[str, type[BaseModel]]
    fields: tuple[CompiledField, ...]
    codes: CodeTables
    case: Getter | None = None
    #: the model a model target is validated into (None for adapter targets)
    model: type[BaseModel] | None = None
    #: every code-table lookup: (table, key, value, where)
    lookups: list[tuple[str, str, str, Where]] = field(default_factory=list)
    spec: Any = None

    @property
    def stringify(self) -> bool:
        """Adapter targets take text: dates as YYYY-MM-DD, empty as ''."""
        return self.model is None

    def labels(self) -> dict[str, Any]:
        """Field key -> label (nested dicts for lists and objects), for previews."""
        return _labels(self.fields)

    def scope(self, sources: Mapping[str, Any]) -> Scope:
        scope: Scope = {}
        for name, model in self.sources.items():
            if name not in sources or sources[name] is None:
                raise MappingError(f"mapping {self.name!r} needs the source {name!r}", file=str(self.file))
            value = sources[name]
            if not isinstance(value, model):
                if not isinstance(value, Mapping):
                    raise MappingError(f"source {name!r} must be a {model.__name__} or a dict",
                                       file=str(self.file))
                parse = getattr(model, "parse", None)
                value = parse(value) if parse else model.model_validate(value)
            scope[name] = value
        return scope

    def render(self, **sources: Any) -> dict[str, Any]:
        """The target card (a dict) for these sources; DataError if the data breaks a rule."""
        scope = self.scope(sources)
        case = _safe_case(self.case, scope)
        try:
            return _evaluate_fields(self.fields, scope, self)
        except DataError as exc:
            exc.with_context(case=case)
            raise

    def build(self, **sources: Any) -> BaseModel:
        """For a model target: render, then validate into the model (DataError on failure)."""
        if self.model is None:
            raise MappingError(f"mapping {self.name!r} targets {self.target!r}, not a model", file=str(self.file))
        data = self.render(**sources)
        try:
            return self.model.model_validate(data)
        except ValidationError as exc:
            raise data_error(exc, self.model, data) from None


def _safe_case(getter: Getter | None, scope: Scope) -> str | None:
    if getter is None:
        return None
    value = getter(scope)
    return str(value).strip() if value not in (None, "") else None


def _labels(fields: tuple[CompiledField, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        out[f.key] = (f.label, _labels(f.children)) if f.children is not None else f.label
    return out


def _evaluate_fields(fields: tuple[CompiledField, ...], scope: Scope, mapping: CompiledMapping) -> dict[str, Any]:
    return {f.key: _evaluate(f, scope, mapping) for f in fields}


def _evaluate(f: CompiledField, scope: Scope, mapping: CompiledMapping) -> Any:
    try:
        if f.when is not None and not f.when(scope):
            value = f.default
        elif f.each is not None:
            value = _evaluate_items(f, scope, mapping)
        elif f.children is not None:
            value = _evaluate_fields(f.children, scope, mapping)
        else:
            value = f.value(scope) if f.value is not None else None
            if f.lookup is not None:
                value = _lookup(mapping.codes, f.lookup, value)
        if f.default is not None and _empty(value):
            value = f.default
        if f.required and _empty(value):
            raise DataError("必填项为空")
        if f.children is None and mapping.stringify:
            value = _to_text(value, f)
        if f.max_length is not None and isinstance(value, str) and len(value) > f.max_length:
            value = _truncate(value, f)
        return value
    except DataError as exc:
        exc.with_context(field=f.label)
        raise
    except MappingError:
        raise
    except _UndefinedResult:
        raise f.where.error(f"field {f.key!r}: the expression gave an undefined value",
                            hint="guard it with `when:` or `| default(...)`") from None
    except SecurityError as exc:
        raise f.where.error(f"field {f.key!r}: refused by the expression jail: {exc}") from None
    except Exception as exc:
        raise f.where.error(f"field {f.key!r}: evaluation failed ({type(exc).__name__})") from None


def _evaluate_items(f: CompiledField, scope: Scope, mapping: CompiledMapping) -> list[Any]:
    assert f.each is not None and f.children is not None
    items = f.each(scope)
    if items is None:
        return []
    if not isinstance(items, list | tuple):
        raise f.where.error(f"field {f.key!r}: `each` is not a list")
    out = []
    for index, item in enumerate(items, start=1):
        inner = {**scope, f.as_name: item, "index": index}
        try:
            out.append(_evaluate_fields(f.children, inner, mapping))
        except DataError as exc:
            if f.subject_title:
                name = f.subject_name(inner) if f.subject_name is not None else None
                exc.with_context(suspect=f"{f.subject_title}{index} {mask_name(name)}".rstrip())
            raise
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def _lookup(codes: CodeTables, lookup: tuple[str, str, str], value: Any) -> Any:
    table, key, column = lookup
    if isinstance(value, list | tuple):
        return [None if v in (None, "") else codes.lookup(table, key, v, column) for v in value]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return codes.lookup(table, key, value, column)


def _to_text(value: Any, f: CompiledField) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise f.where.error(f"field {f.key!r} gave true/false; targets take text",
                            hint="write e.g. \"'是' if ... else '否'\"")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [_to_text(v, f) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_text(v, f) for k, v in value.items()}
    raise f.where.error(f"field {f.key!r} gave a {type(value).__name__}; targets take text")


def _truncate(text: str, f: CompiledField) -> str:
    limit = f.max_length or len(text)
    if f.truncate == "refuse":
        raise DataError(f"超过{limit}个字符")
    if f.truncate == "cut":
        return text[:limit]
    return text[: limit - 1] + "…"
