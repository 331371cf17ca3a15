"""The mapping file format: what loading refuses (with line and hint) and what each rule does."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from casebot.domain.codes import CodeTables
from casebot.domain.model import CaseCard
from casebot.errors import DataError, MappingError
from casebot.mapping.engine import CompiledMapping
from casebot.mapping.expressions import MappingEnvironment
from casebot.mapping.filters import FILTER_DOCS
from casebot.mapping.loader import load_mapping
from casebot.mapping.pipeline import Pipeline
from casebot.mapping.schema import mapping_json_schema
from mappings import CODES_DIR
from tests.unit.conftest import EXAMPLE_CASE, make_case

HEAD = """\
version: 1
name: t
sources:
  card: case_card
target: procuratorate
case: card.ajbh
fields:
"""


@pytest.fixture(scope="module")
def env() -> MappingEnvironment:
    return MappingEnvironment(CodeTables.load(CODES_DIR))


@pytest.fixture(scope="module")
def card(pipeline: Pipeline) -> CaseCard:
    return pipeline.case_card(EXAMPLE_CASE)


def load(tmp_path: Path, env: MappingEnvironment, fields: str, head: str = HEAD) -> CompiledMapping:
    path = tmp_path / "t.yaml"
    path.write_text(head + textwrap.indent(textwrap.dedent(fields), "  "), encoding="utf-8")
    return load_mapping(path, env)


def refused(tmp_path: Path, env: MappingEnvironment, fields: str, head: str = HEAD) -> MappingError:
    with pytest.raises(MappingError) as info:
        load(tmp_path, env, fields, head)
    assert info.value.file is not None and info.value.file.endswith("t.yaml")
    return info.value


def render(tmp_path: Path, env: MappingEnvironment, card: CaseCard, fields: str) -> dict[str, Any]:
    return load(tmp_path, env, fields).render(card=card)


# -- the environment --------------------------------------------------------------

def test_environment_is_closed(env: MappingEnvironment) -> None:
    assert dict(env.globals) == {}
    assert set(env.filters) == set(FILTER_DOCS)
    assert env.undefined.__name__ == "StrictUndefined"


def test_json_schema() -> None:
    schema = mapping_json_schema()
    field_map = schema["$defs"]["FieldMap"]
    assert {"const", "path", "expr", "each", "as", "lookup", "when", "default", "max_length"} <= set(
        field_map["properties"])
    assert field_map["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "sources", "target", "fields"}


# -- refused at load, with the line -------------------------------------------------

@pytest.mark.parametrize(("fields", "line", "words", "hint"), [
    ("ajmc: {path: card.ajmc, requird: true}\n", 8, "Extra inputs", "'required'"),
    ("ajmc: {path: card.ajmc, const: x}\n", 8, "exactly one of", None),
    ("xyr:\n  each: card.suspects\n", 8, "needs `fields`", None),
    ("ajmc: {path: card.ajmc}\najmc: {path: card.ajbh}\n", 9, "appears twice", None),
    ("ajmc: {path: card.ajmcc}\n", 8, "unknown field 'ajmcc'", "'ajmc'"),
    ("ajmc: {path: crad.ajmc}\n", 8, "unknown variable 'crad'", "'card'"),
    ("ajmc: {path: 'card.ajmc.x'}\n", 8, "cannot read 'x' of a text", None),
    ("ajmc: {path: 'card..ajmc'}\n", 8, "names joined by dots", None),
    ("ajmc: {expr: \"card.ajmc | uper\"}\n", 8, "unknown filter 'uper'", "'upper'"),
    ("ajmc: {expr: \"card.ajmc is strin\"}\n", 8, "unknown test 'strin'", "'string'"),
    ("ajmc: {expr: \"card.ajmc | code('charge', 'name', 'x')\"}\n", 8, "unknown code table 'charge'",
     "'charges'"),
    ("ajmc: {expr: \"card.ajmc | code('charges', 'police', 'name')\"}\n", 8, "has no column 'police'",
     "'police_code'"),
    ("ajmc:\n  path: card.ajmc\n  lookup: {table: charges, key: police_code, value: nmae}\n", 10,
     "has no column 'nmae'", "'name'"),
    ("xyr:\n  each: card.ajmc\n  fields: {x: {const: 1}}\n", 9, "needs a list", None),
    ("xyr:\n  each: card.suspects\n  as: card\n  fields: {x: {const: 1}}\n", 10, "hides a variable", None),
    ("xyr:\n  each: card.suspects\n  as: s\n  fields:\n    x: {path: s.nmae}\n", 12, "unknown field 'nmae'",
     "'name'"),
    ("ajmc: {path: card.ajmc, max_length: 0}\n", 8, "greater than or equal to 1", None),
    ("ajmc: {expr: \"card.ajmc[card.ajbh]\"}\n", 8, "indexed", None),
    ("ajmc: {expr: \"(card.suspects | first).name\"}\n", None, None, None),
])
def test_refused_with_line_and_hint(tmp_path: Path, env: MappingEnvironment, fields: str, line: int | None,
                                    words: str | None, hint: str | None) -> None:
    if words is None:
        load(tmp_path, env, fields)  # allowed: first keeps the item's shape
        return
    err = refused(tmp_path, env, fields)
    assert err.line == line, str(err)
    assert words in str(err)
    if hint is not None:
        assert err.hint is not None and hint in err.hint


def test_unknown_source_kind(tmp_path: Path, env: MappingEnvironment) -> None:
    err = refused(tmp_path, env, "x: {const: 1}\n", head=HEAD.replace("case_card", "case_crd"))
    assert err.line == 3 and "unknown source kind" in str(err) and "'case_card'" in (err.hint or "")


def test_model_target_fields_checked(tmp_path: Path, env: MappingEnvironment) -> None:
    head = "version: 1\nname: t\nsources: {police: police_case}\ntarget: case_card\nfields:\n"
    err = refused(tmp_path, env, "ajbh: {path: police.ajbh}\n", head=head)
    assert "needs field(s) not mapped" in str(err) and "suspects" in str(err)
    shipped = (Path(CODES_DIR).parent / "police_to_card.yaml").read_text(encoding="utf-8")
    broken = shipped.replace("      rybh: {label: 人员编号", "      rybhh: {label: 人员编号")
    path = tmp_path / "p.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mapping(path, env)
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "rybhh" in t)
    assert info.value.line == line and "'rybh'" in (info.value.hint or "")


def test_not_a_mapping(tmp_path: Path, env: MappingEnvironment) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(MappingError, match="a mapping file is a YAML mapping"):
        load_mapping(path, env)
    path.write_text("fields: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match="invalid YAML") as info:
        load_mapping(path, env)
    assert info.value.line is not None


# -- what each rule does ---------------------------------------------------------------

def test_const_default_when(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    out = render(tmp_path, env, card, """\
        a: {const: 审查起诉}
        b: {path: card.lasj, when: "card.ajzt == '撤案'", default: 无}
        c: {path: card.prosecution.qsswh}
        d: {path: card.prosecution.qsswh, default: 未起诉}
        e: {const: 7}
        f: {expr: "card.suspects | length"}
        """)
    assert out == {"a": "审查起诉", "b": "无", "c": "", "d": "未起诉", "e": "7", "f": "1"}


def test_lists_objects_and_index(tmp_path: Path, env: MappingEnvironment, pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case(ay=["032640", "032930"]))
    out = render(tmp_path, env, card, """\
        names:
          expr: "card.charges | map(attribute='police_code') | list"
          lookup: {table: charges, key: police_code, value: name}
        people:
          each: card.charges
          as: c
          fields:
            n: {expr: "index ~ '.' ~ c.name"}
            unit: {fields: {code: {path: card.unit.ysdw_code}}}
        """)
    assert out["names"] == ["盗窃罪", "寻衅滋事罪"]
    assert out["people"] == [{"n": "1.盗窃罪", "unit": {"code": "Y350502"}},
                             {"n": "2.寻衅滋事罪", "unit": {"code": "Y350502"}}]


@pytest.mark.parametrize(("rule", "expected"), [
    ("ellipsis", "一二三四…"), ("cut", "一二三四五"),
])
def test_truncation(tmp_path: Path, env: MappingEnvironment, pipeline: Pipeline, rule: str, expected: str) -> None:
    card = pipeline.case_card(make_case(jyaq="一二三四五六"))
    out = render(tmp_path, env, card, f"s: {{path: card.jyaq, max_length: 5, truncate: {rule}}}\n")
    assert out["s"] == expected


def test_truncation_refused(tmp_path: Path, env: MappingEnvironment, pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case(jyaq="一二三四五六"))
    mapping = load(tmp_path, env, "s: {label: 案情摘要, path: card.jyaq, max_length: 5, truncate: refuse}\n")
    with pytest.raises(DataError) as info:
        mapping.render(card=card)
    assert info.value.field == "案情摘要" and info.value.reason == "超过5个字符"
    assert info.value.case == card.ajbh


def test_required(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "q: {label: 起诉书文号, path: card.prosecution.qsswh, required: true}\n")
    with pytest.raises(DataError) as info:
        mapping.render(card=card)
    assert (info.value.field, info.value.reason) == ("起诉书文号", "必填项为空")


@pytest.mark.parametrize(("expr", "expected"), [
    ("card.fasj | date", "2026-09-30"),
    ("card.fasj | date('%Y/%m/%d')", "2026/09/30"),
    ("'2026/12/01' | date", "2026-12-01"),
    ("'2026年12月1日' | date", "2026-12-01"),
    ("card.lasj | date", "2026-10-01"),
    ("'  a b ' | trim | upper", "A B"),
    ("'３５０５０２ x' | id_normalize", "350502X"),
    ("' 张\u3000三 ' | clean_name", "张三"),
    ("card.charges | map(attribute='name') | join('、')", "盗窃罪"),
    ("card.ajbh | cut(5)", "A350…"),
    ("(card.suspects | first).birth_date | age_on(card.fasj)", "36"),
    ("card.unit.region | code('units', 'region', 'court_name')", "泉州市鲤城区人民法院"),
    ("card.suspects | selectattr('custodial') | map(attribute='name') | first", "张三"),
    ("(card.suspects | first).measures | sort(attribute='date', reverse=true) | map(attribute='code') | join(',')",
     "06,05"),
    ("none | default('x', true)", "x"),
])
def test_filters(tmp_path: Path, env: MappingEnvironment, card: CaseCard, expr: str, expected: str) -> None:
    assert render(tmp_path, env, card, f'v: {{expr: "{expr}"}}\n')["v"] == expected


def test_bad_date_text_stops_the_case(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "v: {label: 收案日期, expr: \"'12/01/2026' | date\"}\n")
    with pytest.raises(DataError) as info:
        mapping.render(card=card)
    assert info.value.field == "收案日期" and "YYYY-MM-DD" in info.value.reason


def test_code_missing_in_expression(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "v: {label: 罪名, expr: \"'039999' | code('charges', 'police_code', 'name')\"}\n")
    with pytest.raises(DataError) as info:
        mapping.render(card=card)
    assert str(info.value) == f"案件 {card.ajbh}，字段“罪名”：代码表“案由(charges)”中没有代码 039999"


def test_true_false_is_not_text(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "v: {expr: \"card.suspects[0].custodial\"}\n")
    with pytest.raises(MappingError, match="true/false"):
        mapping.render(card=card)


def test_undefined_result_is_a_mapping_error(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "v: {expr: \"(card.prosecution.qsswh)\"}\n")
    with pytest.raises(MappingError) as info:
        mapping.render(card=card)
    assert info.value.line == 8 and "when" in (info.value.hint or "")


def test_paths_give_null_for_missing_steps_and_project_lists(tmp_path: Path, env: MappingEnvironment,
                                                              pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case(ay=["032640", "032930"]))
    out = render(tmp_path, env, card, """\
        a: {path: card.prosecution.qsswh}
        b: {expr: card.prosecution.qsswh}
        c: {path: "card.charges[].name"}
        d: {path: "card.suspects[].measures[].court_label"}
        e: {path: "card.charges[1].police_code"}
        f: {path: "card.charges[5].police_code"}
        """)
    assert out == {"a": "", "b": "", "c": ["盗窃罪", "寻衅滋事罪"], "d": [["刑事拘留", "逮捕"]], "e": "032930", "f": ""}
    err = refused(tmp_path, env, 'x: {path: "card.ajmc[].x"}\n')
    assert "[] on a text" in str(err)


def test_missing_source(tmp_path: Path, env: MappingEnvironment, card: CaseCard) -> None:
    mapping = load(tmp_path, env, "v: {const: 1}\n")
    with pytest.raises(MappingError, match="needs the source 'card'"):
        mapping.render()
