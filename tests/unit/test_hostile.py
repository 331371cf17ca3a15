"""Hostile mapping files are refused at load, naming the file and the line; guards hold at run time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from casebot.domain.codes import CodeTables
from casebot.errors import MappingError
from casebot.mapping.expressions import MappingEnvironment
from casebot.mapping.loader import load_mapping
from casebot.mapping.pipeline import Pipeline
from mappings import CODES_DIR
from tests.unit.conftest import EXAMPLE_CASE

HOSTILE = Path(__file__).parent / "hostile"
FILES = sorted(HOSTILE.glob("*.yaml"))


@pytest.fixture(scope="module")
def env() -> MappingEnvironment:
    return MappingEnvironment(CodeTables.load(CODES_DIR))


def marked_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.rstrip().endswith("# HOSTILE"):
            return number
    raise AssertionError(f"{path.name} has no line marked HOSTILE")


def test_there_are_hostile_files() -> None:
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_refused_at_load(path: Path, env: MappingEnvironment) -> None:
    started = time.perf_counter()
    with pytest.raises(MappingError) as info:
        load_mapping(path, env)
    err = info.value
    assert time.perf_counter() - started < 5, "refusing must be quick"
    assert err.file is not None and Path(err.file).name == path.name
    assert err.line == marked_line(path), str(err)
    assert f"{path.name}:{err.line}" in str(err)


@pytest.mark.parametrize(("stem", "words"), [
    ("ssti_mro", "not allowed"),
    ("attribute_walk_globals", "'__class__' is not allowed"),
    ("huge_range", "calling functions"),
    ("power_bomb", "** operator"),
    ("include", "not a valid expression"),
    ("self", "unknown variable 'self'"),
    ("cycler", "calling functions"),
    ("lipsum", "calling functions"),
    ("joiner", "unknown variable 'joiner'"),
    ("config", "calling functions"),
    ("loop_var", "unknown variable 'loop'"),
    ("namespace", "calling functions"),
    ("attr_filter", "unknown filter 'attr'"),
    ("mro_field", "unknown field 'mro'"),
    ("code_table_traversal", "unknown code table"),
    ("python_tag", "invalid YAML"),
    ("alias_bomb", "aliases"),
    ("deep_nesting", "nested too deeply"),
    ("join_bomb", "expression too large: it builds 10000"),
    ("concat_bomb", "expression too large: it builds 120000"),
    ("repeat_count", "a repeat count of 100000000"),
    ("binary_constant", "JSON types"),
    ("set_constant", "JSON types"),
    ("deep_flow_yaml", "nested more than 50 levels"),
    ("huge_int_constant", "at most 30 digits"),
    ("huge_float_constant", "JSON types"),
    ("date_constant", "quote"),
])
def test_reason_is_clear(stem: str, words: str, env: MappingEnvironment) -> None:
    with pytest.raises(MappingError, match=words.replace("*", r"\*").replace("(", r"\(")):
        load_mapping(HOSTILE / f"{stem}.yaml", env)


def test_hint_offers_close_matches(env: MappingEnvironment, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "version: 1\nname: typo\nsources: {card: case_card}\ntarget: procuratorate\nfields:\n"
        "  ysdw: {path: card.unit.ysdw_cod}\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path, env)
    assert info.value.line == 6
    assert info.value.hint is not None and "ysdw_code" in info.value.hint


def _run(tmp_path: Path, expr: str) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    (directory / "codes").symlink_to(CODES_DIR, target_is_directory=True)
    shipped = Path(CODES_DIR).parent / "police_to_card.yaml"
    (directory / "police_to_card.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    (directory / "evil.yaml").write_text(
        "version: 1\nname: evil\nsources: {card: case_card}\ntarget: procuratorate\nfields:\n"
        f"  x: {{expr: \"{expr}\"}}\n", encoding="utf-8")
    pipeline = Pipeline(directory)
    pipeline.procuratorate_card(pipeline.case_card(EXAMPLE_CASE))


@pytest.mark.parametrize(("expr", "words"), [
    # sizes that depend on the data: checked before the result is built
    ("([card.ajmc * 1000] * 100000) | join", "result too large"),
    ("card.ajmc * 20000 ~ card.ajmc * 20000", "result too large"),
    ("[card.ajmc * 20000] + [card.ajmc * 20000]", "result too large"),
    ("card.jyaq | replace('', card.jyaq ~ card.jyaq ~ card.jyaq ~ card.jyaq ~ card.jyaq)"
     " | replace('', card.jyaq ~ card.jyaq) | replace('', card.jyaq ~ card.jyaq)", "longer than"),
    # the empty old text: inserted before every character (issue 26: reached 434 MB before refused)
    ("('a' * 20000) | replace('', 'b' * 20000)", "longer than"),
    # a filter whose output outgrows its input (issue 26): a date format repeated, a case mapping that
    # expands (ﬃ upper-cased is FFI): bounded like every other result
    ("card.fasj | date(('%Y' ~ card.ajlb[:0]) * 50000)", "longer than"),
    ("('\ufb03' * 100000) | upper", "longer than"),
    ("('\u0130' * 60000) | lower", "longer than"),
    ("[card.fasj | date('%Y%Y'), '\ufb03' * 40000] | map('upper') | join", "longer than"),
    # each step small enough, together past the evaluation's memory budget
    (" ~ ".join(["(card.ajmc * 19000)[:1]"] * 30), "memory budget"),
])
def test_size_guards_at_run_time(tmp_path: Path, expr: str, words: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MappingError) as info:
        _run(tmp_path, expr)
    assert time.perf_counter() - started < 5, "refused before anything large is built"
    assert "evil.yaml:6" in str(info.value) and "expression jail" in str(info.value)
    assert words in str(info.value)


def test_each_evaluation_has_a_time_budget(env: MappingEnvironment) -> None:
    from jinja2.exceptions import SecurityError

    from casebot.mapping import bounds
    from casebot.mapping.expressions import compile_expression
    from casebot.mapping.shapes import ANY

    compiled, _ = compile_expression(env, "x ~ x", {"x": ANY})
    assert compiled({"x": "ab"}) == "abab"
    with bounds.budget(seconds=0.0), pytest.raises(SecurityError, match="time budget"):
        time.sleep(0.001)
        compiled({"x": "ab"})


def test_run_time_error_names_no_data(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as info:
        _run(tmp_path, "card.suspects[0].name < card.fasj")
    text = str(info.value)
    assert "evil.yaml:6" in text and "TypeError" in text
    assert "张三" not in text and "350502199003072415" not in text


def test_replace_with_empty_old_text_is_refused_before_it_is_built(tmp_path: Path) -> None:
    """``replace('', new)`` inserts ``new`` before every character: its size is checked like any other
    (issue 26: ``('a'*20000)|replace('', 'b'*20000)`` reached 434 MB before it was refused)."""
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(MappingError, match="longer than"):
            _run(tmp_path, "('a' * 20000) | replace('', 'b' * 20000)")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000, f"{peak / 1e6:.0f} MB built before the refusal"


def test_a_long_date_format_is_refused_at_load(env: MappingEnvironment) -> None:
    """Issue 26: ``date('%Y'*50000)`` built 200,000 characters from one date; ``mappings check`` refuses it."""
    from casebot.mapping.expressions import ExpressionRefused, compile_expression

    with pytest.raises(ExpressionRefused, match="date format of 100000 characters"):
        compile_expression(env, "'2026-01-01' | date('%Y' * 50000)", {})


def test_a_long_sum_is_refused_not_a_traceback(env: MappingEnvironment) -> None:
    """Issue 26: a 210-term ``1+1+…`` made ``mappings check`` end in a traceback (SyntaxError from the
    compiled Python) and ``casebot run`` exit 8."""
    from casebot.mapping.expressions import ExpressionRefused, compile_expression

    with pytest.raises(ExpressionRefused, match="nested too deeply"):
        compile_expression(env, "+".join(["1"] * 210), {})
