"""Hostile mapping files are refused at load, naming the file and the line; guards hold at run time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from casebot.codes import CodeTables
from casebot.errors import MappingError
from casebot.mapping.expressions import MappingEnvironment
from casebot.mapping.loader import load_mapping
from casebot.pipeline import Pipeline
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


@pytest.mark.parametrize("expr", [
    "card.jyaq * 100000000",
    "'a' * 1000000000",
    "card.jyaq | replace('', card.jyaq ~ card.jyaq ~ card.jyaq ~ card.jyaq ~ card.jyaq)"
    " | replace('', card.jyaq ~ card.jyaq) | replace('', card.jyaq ~ card.jyaq)",
])
def test_size_guards_at_run_time(tmp_path: Path, expr: str) -> None:
    with pytest.raises(MappingError) as info:
        _run(tmp_path, expr)
    assert "evil.yaml:6" in str(info.value) and "expression jail" in str(info.value)


def test_run_time_error_names_no_data(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as info:
        _run(tmp_path, "card.suspects[0].name < card.fasj")
    text = str(info.value)
    assert "evil.yaml:6" in text and "TypeError" in text
    assert "张三" not in text and "350502199003072415" not in text
