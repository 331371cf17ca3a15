"""Mapping expressions: the Jinja jail they run in, and a check of every expression before it runs.

Two layers keep a mapping from running Python, reading files or reaching
interpreter internals:

1. :func:`analyse` walks the parsed expression and allows only a small set of
   constructs: names of the mapping's sources (nothing else is defined: the
   globals are empty), fields that exist on the source's shape, the fixed
   filters and tests, literals and operators. Calls, ``**``, ``%``, attributes
   starting with ``_`` and fields of computed values are refused, so
   ``range(10**9)``, ``lipsum.__globals__``, ``self``, ``cycler`` or
   ``''.__class__.__mro__`` never compile.
2. :class:`MappingEnvironment` is an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
   with :class:`~jinja2.StrictUndefined`, no loader (``include``/``import``/``extends``
   cannot even parse as expressions), and guarded ``*`` and ``+``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateExpression
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from casebot.domain.codes import CodeTables
from casebot.mapping import bounds
from casebot.mapping.filters import CODE_FILTER, MAX_TEXT, TESTS, build_filters
from casebot.mapping.shapes import ANY, Shape

__all__ = ["Analysis", "ExpressionRefused", "MappingEnvironment", "analyse", "compile_expression"]

#: filters whose ``attribute=`` (or first positional) names a field of the items
_ATTRIBUTE_FILTERS = {"map", "selectattr", "rejectattr", "sort", "unique", "min", "max"}
#: filters that keep the shape of a list
_LIST_KEEPING = {"sort", "unique", "list", "selectattr", "rejectattr"}
_ALLOWED = (
    nodes.Name, nodes.Const, nodes.Tuple, nodes.List, nodes.Dict, nodes.Pair, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.Filter, nodes.Test, nodes.CondExpr, nodes.And, nodes.Or,
    nodes.Not, nodes.Neg, nodes.Pos, nodes.Compare, nodes.Operand, nodes.Concat, nodes.Add,
    nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Keyword,
)
_REFUSED_WHY = {
    nodes.Call: "calling functions or methods is not allowed in a mapping; use a filter",
    nodes.Pow: "the ** operator is not allowed",
    nodes.Mod: "the % operator is not allowed",
}


class ExpressionRefused(Exception):
    """An expression uses something a mapping may not; carries a hint."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


class _BoundedCodeGenerator(CodeGenerator):
    """``a ~ b`` compiled to :func:`casebot.mapping.bounds.concat` (size checked before joining)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.concat_text((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class MappingEnvironment(ImmutableSandboxedEnvironment):
    """The one environment mapping expressions are compiled in."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})
    code_generator_class = _BoundedCodeGenerator
    concat_text = staticmethod(bounds.concat)

    def __init__(self, codes: CodeTables) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, loader=None, cache_size=0,
                         auto_reload=False)
        self.globals.clear()
        self.filters = {name: bounds.charged(f) for name, f in build_filters(codes).items()}
        self.tests = dict(TESTS)
        self.codes = codes

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return not attr.startswith("_") and super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator in ("**", "%"):
            raise SecurityError(f"the {operator} operator is not allowed")
        if operator == "*":
            bounds.repeat(left, right)
            bounds.repeat(right, left)
        if operator == "+":
            bounds.add(left, right)
        return super().call_binop(context, operator, left, right)


@dataclass
class Analysis:
    """What :func:`analyse` learnt about an expression."""

    shape: Shape
    #: (table, key column, value column) of every ``code`` filter call
    lookups: list[tuple[str, str, str]] = field(default_factory=list)


def _close(word: str, options: list[str] | set[str]) -> str | None:
    found = difflib.get_close_matches(word, sorted(options), n=3, cutoff=0.6)
    return "did you mean " + " or ".join(repr(f) for f in found) + "?" if found else None


def _known(options: list[str] | set[str]) -> str:
    return "known: " + ", ".join(sorted(options)) if options else "nothing is defined here"


def parse_expression(env: MappingEnvironment, source: str) -> nodes.Expr:
    """Parse ``source`` as one expression (statements like ``{% include %}`` are syntax errors)."""
    try:
        parser = Parser(env, source, state="variable")
        expr = parser.parse_expression()
        if not parser.stream.eos:
            raise ExpressionRefused("unexpected text after the expression",
                                    hint="an expression is one value; {% %} blocks are not allowed")
    except TemplateError as exc:
        raise ExpressionRefused(f"not a valid expression: {exc.message}",
                                hint="write one Jinja2 expression, without {{ }} or {% %}") from None
    except RecursionError:
        raise ExpressionRefused("expression nested too deeply") from None
    return expr


def analyse(env: MappingEnvironment, expr: nodes.Expr, scope: Mapping[str, Shape]) -> Analysis:
    """Refuse anything outside the allowed constructs; infer the expression's shape."""
    out = Analysis(ANY)
    try:
        out.shape = _Analyser(env, scope, out).visit(expr)
        too_large = bounds.check_static(expr)
    except RecursionError:
        raise ExpressionRefused("expression nested too deeply") from None
    if too_large:
        raise ExpressionRefused(f"expression too large: it {too_large}" if too_large.startswith("builds")
                                else f"expression too large: {too_large}",
                                hint="a mapping builds at most 100000 characters or items")
    return out


class _Analyser:
    def __init__(self, env: MappingEnvironment, scope: Mapping[str, Shape], out: Analysis) -> None:
        self.env = env
        self.scope = scope
        self.out = out

    def visit(self, node: nodes.Node) -> Shape:
        if not isinstance(node, _ALLOWED):
            why = next((w for k, w in _REFUSED_WHY.items() if isinstance(node, k)), None)
            raise ExpressionRefused(why or f"{type(node).__name__} is not allowed in a mapping expression")
        method: Callable[[Any], Shape] | None = getattr(self, f"visit_{type(node).__name__}", None)
        if method is not None:
            return method(node)
        for child in node.iter_child_nodes():
            self.visit(child)
        return ANY

    # -- names and fields ---------------------------------------------------
    def visit_Name(self, node: nodes.Name) -> Shape:
        if node.ctx != "load":
            raise ExpressionRefused("assignment is not allowed")
        shape = self.scope.get(node.name)
        if shape is None:
            raise ExpressionRefused(f"unknown variable {node.name!r}",
                                    hint=_close(node.name, set(self.scope)) or _known(set(self.scope)))
        return shape

    def visit_Const(self, node: nodes.Const) -> Shape:
        if isinstance(node.value, str) and len(node.value) > MAX_TEXT:
            raise ExpressionRefused("text constant too long")
        return ANY

    def _field(self, base: Shape, name: str) -> Shape:
        if name.startswith("_"):
            raise ExpressionRefused(f"field {name!r} is not allowed",
                                    hint="names starting with _ are internals a mapping cannot reach")
        if base.kind != "object":
            raise ExpressionRefused(
                f"cannot read field {name!r} of a {base.describe()}",
                hint="read fields of sources and their items only (use first/last for a list's item)")
        found = base.attribute(name)
        if found is None:
            raise ExpressionRefused(f"unknown field {name!r} of {base.describe()}",
                                    hint=_close(name, base.readable()) or _known(base.readable()))
        return found

    def visit_Getattr(self, node: nodes.Getattr) -> Shape:
        return self._field(self.visit(node.node), node.attr)

    def visit_Getitem(self, node: nodes.Getitem) -> Shape:
        base = self.visit(node.node)
        arg = node.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return self._field(base, arg.value)
        if isinstance(arg, nodes.Slice):
            self.visit(arg)
            return base
        self.visit(arg)
        if base.kind == "list":
            return base.item or ANY
        if base.kind in ("text", "any") and isinstance(arg, nodes.Const) and isinstance(arg.value, int):
            return ANY
        raise ExpressionRefused("only lists and text can be indexed, by a number")

    # -- filters and tests --------------------------------------------------
    def _args(self, node: nodes.Filter | nodes.Test) -> None:
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise ExpressionRefused("*args and **kwargs are not allowed")
        for a in node.args:
            self.visit(a)
        for k in node.kwargs:
            self.visit(k)

    def _code_args(self, args: list[nodes.Expr]) -> None:
        values = [a.value if isinstance(a, nodes.Const) and isinstance(a.value, str) else None for a in args]
        if len(values) != 3 or None in values:
            raise ExpressionRefused("code needs three quoted names: code('table', 'key_column', 'value_column')")
        table, key, column = values
        codes = self.env.codes
        if table not in codes:
            raise ExpressionRefused(f"unknown code table {table!r}",
                                    hint=_close(table, codes.names()) or _known(codes.names()))
        columns = list(codes[table].columns)
        for c in (key, column):
            if c not in columns:
                raise ExpressionRefused(f"code table {table!r} has no column {c!r}",
                                        hint=_close(c, columns) or _known(columns))
        self.out.lookups.append((table, key, column))

    def _attribute_arg(self, item: Shape, node: nodes.Filter) -> Shape:
        attr = next((k.value for k in node.kwargs if k.key == "attribute"), None)
        if attr is None and node.name in ("selectattr", "rejectattr") and node.args:
            attr = node.args[0]
        if attr is None:
            return ANY
        if not (isinstance(attr, nodes.Const) and isinstance(attr.value, str)):
            raise ExpressionRefused(f"{node.name}: the attribute must be a quoted field name")
        shape = item
        for part in attr.value.split("."):
            shape = self._field(shape, part) if not part.isdigit() else (shape.item or ANY)
        return shape

    def visit_Filter(self, node: nodes.Filter) -> Shape:
        if node.name not in self.env.filters:
            raise ExpressionRefused(f"unknown filter {node.name!r}",
                                    hint=_close(node.name, set(self.env.filters)) or _known(set(self.env.filters)))
        base = self.visit(node.node) if node.node is not None else ANY
        self._args(node)
        if node.name == CODE_FILTER:
            self._code_args(node.args)
            return Shape("list", item=Shape("text")) if base.kind == "list" else Shape("text")
        if node.name == "map" and node.args and not any(k.key == "attribute" for k in node.kwargs):
            name = node.args[0]
            if not (isinstance(name, nodes.Const) and name.value in self.env.filters):
                raise ExpressionRefused("map: name a known filter, or use attribute='field'")
            if name.value == CODE_FILTER:
                self._code_args(node.args[1:])
            return Shape("list", item=ANY)
        item = base.item if base.kind == "list" and base.item else ANY
        if node.name in _ATTRIBUTE_FILTERS and item.kind == "object":
            attr_shape = self._attribute_arg(item, node)
            if node.name == "map":
                return Shape("list", item=attr_shape)
        if node.name in ("first", "last", "min", "max"):
            return item
        if node.name in _LIST_KEEPING:
            return base if base.kind == "list" else Shape("list", item=ANY)
        if node.name == "default":
            return base
        if node.name in ("length", "age_on"):
            return Shape("number")
        return Shape("text")

    def visit_Test(self, node: nodes.Test) -> Shape:
        if node.name not in self.env.tests:
            raise ExpressionRefused(f"unknown test {node.name!r}",
                                    hint=_close(node.name, set(self.env.tests)) or _known(set(self.env.tests)))
        self.visit(node.node)
        self._args(node)
        return Shape("bool")

    def visit_CondExpr(self, node: nodes.CondExpr) -> Shape:
        self.visit(node.test)
        a = self.visit(node.expr1)
        b = self.visit(node.expr2) if node.expr2 is not None else ANY
        return a if a is b else ANY


def compile_expression(env: MappingEnvironment, source: str,
                       scope: Mapping[str, Shape]) -> tuple[TemplateExpression, Analysis]:
    """Parse, analyse and compile ``source``; ExpressionRefused if anything is not allowed."""
    try:
        expr = parse_expression(env, source)
        analysis = analyse(env, expr, scope)
        compiled = env.compile_expression(source, undefined_to_none=False)
    except TemplateError as exc:
        raise ExpressionRefused(f"cannot compile expression: {exc.message}") from None
    except (RecursionError, SyntaxError, MemoryError):
        # a 210-term ``1+1+…`` compiles to Python nested past the parser's limit ("too many nested
        # parentheses"): refused like any expression nested too deeply, never a traceback
        raise ExpressionRefused("expression nested too deeply") from None
    return _Budgeted(compiled), analysis


class _Budgeted:
    """A compiled expression evaluated under its own time and memory budget (casebot.mapping.bounds)."""

    __slots__ = ("_compiled",)

    def __init__(self, compiled: TemplateExpression) -> None:
        self._compiled = compiled

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with bounds.budget():
            return self._compiled(*args, **kwargs)
