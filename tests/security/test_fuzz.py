"""Hypothesis-driven fuzzing on a fixed budget: the mapping loader, the expression evaluator, the police page reader.

Each target has one promise. The loader: any file is a compiled mapping or a
MappingError naming the file, never another exception, quickly. The
evaluator: any expression is refused at load, or evaluates to a value no
larger than the limits, or stops with an ordinary error the engine reports
as a mapping error; never a hang, a MemoryError or a RecursionError. The
police page reader (a real Chromium on the sandbox): whatever text a case
holds, the record read from the page is the record stored, and the card made
from it either holds no invisible character or stops with a DataError.

Budgets are fixed (``max_examples``, ``derandomize``): the suite runs the same
examples every time, in seconds. The findings of adversarial testing are
regression tests in tests/unit/test_hostile.py and tests/unit/test_cli_mappings.py.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.police import PoliceAdapter
from casebot.domain.codes import CodeTables
from casebot.domain.identity import has_invisible
from casebot.domain.model import CaseCard
from casebot.errors import BusinessError, MappingError
from casebot.kit.base import Credentials, SystemConfig
from casebot.mapping.bounds import MAX_TEXT, weight
from casebot.mapping.expressions import ExpressionRefused, MappingEnvironment, compile_expression
from casebot.mapping.loader import load_mapping
from casebot.mapping.pipeline import Pipeline
from casebot.mapping.shapes import shape_of_model
from mappings import CODES_DIR, MAPPINGS_DIR
from tests.unit.conftest import EXAMPLE_CASE

BUDGET = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def env() -> MappingEnvironment:
    return MappingEnvironment(CodeTables.load(CODES_DIR))


# -- the mapping loader ------------------------------------------------------------

SHIPPED = yaml.safe_load((Path(MAPPINGS_DIR) / "card_to_court.yaml").read_text(encoding="utf-8"))

junk_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | junk_text
    | st.sampled_from(["!!binary aGk=", "!!set {a: null}", "*x", "&x a", "{{ 7*7 }}", "card.__class__",
                       "card.suspects | map('code', 'charges', 'name', 'x')", "'a' * 10**9", "[" * 60]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(junk_text, inner, max_size=4),
    max_leaves=12)


def _paths(obj: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*at, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*at, i))
    return out


def _put(obj: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    obj[at[0]] = _put(obj[at[0]], at[1:], value)
    return obj


@st.composite
def mapping_texts(draw: st.DrawFn) -> str:
    """A shipped mapping with a few values replaced by junk, dumped; sometimes cut or spliced raw."""
    doc = copy.deepcopy(SHIPPED)
    paths = _paths(doc)
    for _ in range(draw(st.integers(1, 3))):
        doc = _put(doc, draw(st.sampled_from(paths)), draw(junk))
        paths = _paths(doc)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    how = draw(st.sampled_from(["as is", "cut", "splice"]))
    if how == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif how == "splice":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


@settings(BUDGET, max_examples=60)
@given(text=mapping_texts())
def test_fuzz_mapping_loader(text: str, env: MappingEnvironment, tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "card_to_court.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    try:
        load_mapping(path, env)
    except MappingError as exc:
        assert exc.file == str(path)
    assert time.perf_counter() - started < 5


# -- the expression evaluator ----------------------------------------------------

FIELDS = ["card.ajmc", "card.jyaq", "card.fasj", "card.suspects", "card.charges", "card.main_charge.name",
          "card.suspects[0].name", "card.suspects[0].measures", "card.unit.region", "card.ajbh"]
atoms = st.sampled_from(FIELDS) | st.integers(-3, 200_000).map(str) | st.sampled_from(
    ["'a'", "'张三'", "''", "[]", "['x', 'y']", "none", "true", "'\u202e'"])


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(inner, st.sampled_from(["*", "+", "~", "-", "//", "==", "in", "and"]), inner).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})")
    filtered = st.tuples(inner, st.sampled_from(
        ["join", "join(',')", "list", "first", "last", "length", "upper", "trim", "unique", "sort",
         "replace('a', 'bb')", "replace('', 'xy')", "cut(5)", "clean_name", "clean_text", "default('x')",
         "map('upper')", "map(attribute='name')", "date", "id_normalize"])).map(lambda t: f"({t[0]} | {t[1]})")
    indexed = st.tuples(inner, st.integers(-2, 3)).map(lambda t: f"({t[0]})[{t[1]}]")
    listed = st.lists(inner, min_size=1, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
    return binary | filtered | indexed | listed


expressions = st.recursive(atoms, _combine, max_leaves=10)
ORDINARY = (ArithmeticError, TypeError, ValueError, LookupError, AttributeError, BusinessError)


@BUDGET
@given(source=expressions)
def test_fuzz_expression_evaluator(source: str, env: MappingEnvironment) -> None:
    from jinja2.exceptions import SecurityError, UndefinedError

    scope = {"card": shape_of_model(CaseCard)}
    try:
        compiled, _ = compile_expression(env, source, scope)
    except ExpressionRefused:
        return
    card = _card()
    started = time.perf_counter()
    try:
        value = compiled({"card": card})
    except (SecurityError, UndefinedError, *ORDINARY):
        value = None
    assert time.perf_counter() - started < 3, "the time budget stops every expression"
    if isinstance(value, str | list | tuple):
        assert weight(value, MAX_TEXT * 4) <= MAX_TEXT * 4


_CARD: list[CaseCard] = []


def _card() -> CaseCard:
    if not _CARD:
        _CARD.append(Pipeline().case_card(EXAMPLE_CASE))
    return _CARD[0]


# -- the police page reader (real Chromium) ------------------------------------------

#: text the police system accepts: anything but C0 controls other than tab/LF/CR (it refuses them),
#: surrogates, private use and unassigned characters
_C0 = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127])
page_chars = st.characters(blacklist_categories=("Cs", "Cn", "Co"), blacklist_characters=_C0) | st.sampled_from(
    ["\u202e", "\u200b", "\u2066", "\ufeff", "\u3000", "<", "&", "&amp;", "{{", "\r\n", "\t", "·", "."])
page_text = st.lists(page_chars, max_size=25).map("".join)


@st.composite
def hostile_cases(draw: st.DrawFn, index: int) -> dict[str, Any]:
    case = copy.deepcopy(EXAMPLE_CASE)
    case["ajbh"] = f"A35050200000020261{index:05d}"
    case["ajmc"] = "案" + draw(page_text)
    case["jyaq"] = draw(page_text)
    s = case["xyr"][0]
    s["xm"] = draw(st.sampled_from(["张三", "NGUYEN VAN AN"])) + draw(page_text)
    s["bm"], s["xzz"], s["zy"] = draw(page_text), draw(page_text), draw(page_text)
    s["zjhm"] = draw(st.sampled_from(["350502199003072415", "３５０５０２１９９００３０７２４１５",
                                      "35050219900307241\u200b5", "350502199003072416"]))
    return case


async def test_fuzz_police_page_reader(context: Any, sandbox: Any) -> None:
    drawn: list[dict[str, Any]] = []

    @settings(max_examples=6, deadline=None, derandomize=True, database=None)
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        drawn.append(data.draw(hostile_cases(len(drawn) + 1)))

    draw()
    sandbox.add_cases(drawn)
    stored = {c["ajbh"]: c for c in sandbox.police_cases()}
    adapter = PoliceAdapter(context, SystemConfig("police", sandbox.urls["police"],
                                                  Credentials("casebot", "sandbox"), timeout_ms=10_000))
    pipeline = Pipeline()
    for case in drawn:
        got = await adapter.read(case["ajbh"])
        assert got == stored[case["ajbh"]], "the page gives back exactly what the case holds"
        try:
            card = pipeline.case_card(got)
        except BusinessError:
            continue
        assert not has_invisible(card.model_dump_json()), "no invisible character reaches a card"
