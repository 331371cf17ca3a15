"""Mappings that extend others: ``extends: NAME`` and only what differs, checked like any mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebot.domain.codes import CodeTables
from casebot.errors import MappingError
from casebot.mapping.expressions import MappingEnvironment
from casebot.mapping.loader import load_mapping, load_mappings
from mappings import CODES_DIR, MAPPINGS_DIR

SMARTCOURT = Path(__file__).resolve().parents[2] / "adapters" / "smartcourt" / "mappings" / "card_to_smartcourt.yaml"


@pytest.fixture(scope="module")
def env() -> MappingEnvironment:
    return MappingEnvironment(CodeTables.load(CODES_DIR))


def keys(mapping: object) -> dict[str, list[str]]:
    return {f.key: [c.key for c in f.children or ()] for f in mapping.fields}  # type: ignore[attr-defined]


def test_the_shipped_extension_is_the_court_card_less_what_it_removes(env: MappingEnvironment) -> None:
    court = load_mapping(MAPPINGS_DIR / "card_to_court.yaml", env)
    smart = load_mapping(SMARTCOURT, env)
    assert (smart.name, smart.target) == ("card_to_smartcourt", "smartcourt")
    assert list(keys(smart)) == list(keys(court))
    assert keys(smart)["bgr"] == ["xm", "xb", "csrq", "sfzh", "mz", "jyzt"]
    qsswh = {f.key: f for f in smart.fields}["qsswh"]
    assert qsswh.max_length is None, "null removed the court's limit"
    assert {f.key: f for f in court.fields}["qsswh"].max_length == 60, "the court's own mapping is untouched"


def test_the_set_of_mappings_holds_both(tmp_path: Path) -> None:
    found = load_mappings(MAPPINGS_DIR)
    assert {"court", "smartcourt"} <= set(found.targets())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_override_replaces_and_is_checked(tmp_path: Path, env: MappingEnvironment) -> None:
    ok = write(tmp_path, "mine", "extends: card_to_court\nname: mine\ntarget: smartcourt\nfields:\n"
                                 "  sarq: {label: 收案日期, expr: \"procuratorate.qsrq | date\", required: false}\n"
                                 "  bgr: {fields: {whcd: null, zy: null, zz: null, qzcs: null, jycs: null, "
                                 "jyrq: null}}\n")
    m = load_mapping(ok, env)
    assert {f.key: f for f in m.fields}["sarq"].required is False
    bad = write(tmp_path, "bad", "extends: card_to_court\nname: bad\ntarget: smartcourt\nfields:\n"
                                 "  ay: {path: card.main_charge.nmae}\n")
    with pytest.raises(MappingError, match="nmae") as info:
        load_mapping(bad, env)
    assert info.value.file == str(bad) and info.value.line == 5


def test_unknown_and_cyclic_extends_are_refused(tmp_path: Path, env: MappingEnvironment) -> None:
    with pytest.raises(MappingError, match="no mapping named 'card_to_cour'") as info:
        load_mapping(write(tmp_path, "a", "extends: card_to_cour\nname: a\n"), env)
    assert "card_to_court" in str(info.value)
    write(tmp_path, "b", "extends: c\nname: b\n")
    with pytest.raises(MappingError, match="cycle"):
        load_mapping(write(tmp_path, "c", "extends: b\nname: c\n"), env)
