"""``casebot mappings check|schema`` and ``casebot preview``, through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from casebot.adapter import FieldSpec
from casebot.commands import mappings as mappings_cmd
from casebot.commands.preview import preview
from casebot.mapping import checks
from mappings import MAPPINGS_DIR
from tests.unit.conftest import EXAMPLE_CASE, make_case, make_suspect

runner = CliRunner()

PERSON = tuple(FieldSpec(n, n, required=n in {"xm", "xb", "csrq", "zjlx", "zjhm", "gj", "xl", "sfwcn", "ay"})
               for n in ("xm", "bm", "xb", "csrq", "zjlx", "zjhm", "gj", "mz", "xl", "zy", "hjdqh", "hjdxz",
                         "xzz", "sfwcn", "qzcs", "qzcsrq", "jycs", "ay"))
DEFENDANT = tuple(FieldSpec(n, n, required=n in {"xm", "xb", "csrq", "jyzt"},
                            max_length=18 if n == "sfzh" else None)
                  for n in ("xm", "xb", "csrq", "sfzh", "mz", "whcd", "zy", "zz", "jyzt", "qzcs", "jycs", "jyrq"))


class FakeProcuratorate:
    """The procuratorate's fields as SPEC section 2 describes them."""

    fields = (
        FieldSpec("ysajbh", "移送案件编号", required=True), FieldSpec("ajmc", "案件名称", required=True),
        FieldSpec("ajlb", "案件类别", "choice", required=True),
        FieldSpec("ysdw", "移送单位", "code", required=True, code_table="units"),
        FieldSpec("ysay", "移送案由", "codes", required=True, code_table="charges"),
        FieldSpec("slrq", "受理日期", "date", required=True), FieldSpec("ajzy", "案情摘要", max_length=1000),
        FieldSpec("xyr", "人卡", "list", required=True, children=PERSON),
        FieldSpec("bmsah", "部门受案号", assigned=True),
    )


class FakeCourt:
    """The court's fields as SPEC section 3 describes them."""

    fields = (
        FieldSpec("ay", "案由", "code", required=True, code_table="charges.name"),
        FieldSpec("gsjg", "公诉机关", "code", required=True, code_table="units.procuratorate_name"),
        FieldSpec("qsswh", "起诉书文号", required=True, max_length=60),
        FieldSpec("sarq", "收案日期", "date", required=True),
        FieldSpec("bgr", "被告人", "list", required=True, children=DEFENDANT),
        FieldSpec("ah", "案号", assigned=True),
    )


class FakeArrestReview:
    """The 审查逮捕 card as SPEC section 7 describes it: the 审查起诉 card's fields and the request's 文书号."""

    fields = (*FakeProcuratorate.fields[:3], FieldSpec("tqpbsh", "提请批准逮捕书文号", required=True),
              *FakeProcuratorate.fields[3:])


class FakeJudgment:
    """判决情况 as SPEC section 7 describes it: per judged person, the procuratorate's codes."""

    fields = (
        FieldSpec("qsswh", "起诉书文号", required=True),
        FieldSpec("pjqk", "判决情况", "list", required=True, children=tuple(
            FieldSpec(n, n, required=n in {"xm", "pjrq", "pjzm", "zx"})
            for n in ("xm", "sfzh", "pjrq", "pjzm", "zx", "xq", "hx", "fj"))),
    )


_installed = checks._default_loader


def fake_loader(name: str) -> Any:
    """The two SPEC systems as SPEC describes them; any other installed adapter package as it is."""
    fakes = {"procuratorate": FakeProcuratorate, "court": FakeCourt,
             "procuratorate.arrest_review": FakeArrestReview, "procuratorate.judgment": FakeJudgment}
    return fakes[name] if name in fakes else _installed(name)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "_default_loader", fake_loader)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def check(directory: Path | None = None) -> Any:
    args = ["check"] + (["--dir", str(directory)] if directory else [])
    return runner.invoke(mappings_cmd.app, args)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- check ------------------------------------------------------------------------------

def test_shipped_mappings_pass_against_spec_fields(fakes: None) -> None:
    result = check()
    assert result.exit_code == 0, result.output
    assert "mappings OK" in result.output and "warning" not in result.output


def test_shipped_mappings_pass_with_installed_adapters() -> None:
    result = check()
    assert result.exit_code == 0, result.output
    assert "mappings OK" in result.output


def test_copy_passes(fakes: None, copy: Path) -> None:
    result = check(copy)
    assert result.exit_code == 0, result.output


def test_missing_adapter_is_a_warning(monkeypatch: pytest.MonkeyPatch, copy: Path) -> None:
    def missing(name: str) -> Any:
        raise ImportError(name)

    monkeypatch.setattr(checks, "_default_loader", missing)
    result = check(copy)
    assert result.exit_code == 0, result.output
    assert "adapter not installed: 'court'" in result.output
    assert "adapter not installed: 'procuratorate'" in result.output


def test_code_table_incomplete(fakes: None, copy: Path) -> None:
    edit(copy / "codes" / "charges.csv", "盗窃罪,第二百六十四条,032640,0502", "盗窃罪,第二百六十四条,032640,")
    edit(copy / "codes" / "measures.csv", "06,逮捕,6,逮捕,逮捕,yes", "06,逮捕,6,逮捕,,yes")
    result = check(copy)
    assert result.exit_code == 4
    assert "code table 'charges': no procuratorate_code for police_code 032640" in result.output
    assert "code table 'measures': no court_label for police_code 06" in result.output
    assert "2 error(s)" in result.output


def test_repeated_code(fakes: None, copy: Path) -> None:
    """A table's key (its first column) listed twice: refused at load, with file and line, exit 4."""
    path = copy / "codes" / "ethnicity.csv"
    path.write_text(path.read_text(encoding="utf-8") + "01,重复\n", encoding="utf-8")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    result = check(copy)
    assert result.exit_code == 4, result.output
    assert f"ethnicity.csv:{lines}" in result.output and "code '01' listed twice" in result.output


def test_repeated_lookup_key_is_refused_by_check_and_preview(
        fakes: None, copy: Path, preview_app: typer.Typer, tmp_path: Path) -> None:
    """A repeat in a column a mapping looks codes up by (not the first): check and preview both refuse it;
    preview no longer takes the first of the two rows."""
    path = copy / "codes" / "charges.csv"
    path.write_text(path.read_text(encoding="utf-8") + "另一罪,第一条,032640,9999\n", encoding="utf-8")
    result = check(copy)
    assert result.exit_code == 4 and "police_code '032640' listed twice" in result.output
    src = write_records(tmp_path, EXAMPLE_CASE)
    result = runner.invoke(preview_app, ["preview", str(src), "--mappings", str(copy)])
    assert result.exit_code == 4 and "listed twice" in result.output


@pytest.mark.parametrize(("value", "words"), [
    ("!!binary aGVsbG8=", "found tag:yaml.org,2002:binary"),
    ("!!set {a: null}", "found tag:yaml.org,2002:set"),
    (".nan", "found .nan"),
])
def test_constants_are_json_types_only(copy: Path, value: str, words: str) -> None:
    path = copy / "card_to_court.yaml"
    edit(path, "  gsjg: {label: 公诉机关", f"  extra: {{label: x, const: {value}}}\n  gsjg: {{label: 公诉机关")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "extra:" in t)
    result = check(copy)
    assert result.exit_code == 4, result.output
    assert f"card_to_court.yaml:{line}" in result.output and words in result.output


def test_deep_yaml_is_a_mapping_error_not_a_traceback(copy: Path) -> None:
    path = copy / "card_to_court.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "deep: " + "[" * 20000 + "]" * 20000 + "\n",
                    encoding="utf-8")
    line = len(path.read_text(encoding="utf-8").splitlines())
    result = check(copy)
    assert result.exit_code == 4, result.output
    assert f"card_to_court.yaml:{line}" in result.output and "nested more than" in result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)


def test_unknown_and_unmapped_target_fields(fakes: None, copy: Path) -> None:
    path = copy / "card_to_court.yaml"
    edit(path, "      zz: {label: 住址, path: s.xzz}", "      zhuzhi: {label: 住址, path: s.xzz}")
    edit(path, "  gsjg: {label: 公诉机关", "  gongsu: {label: 公诉机关")
    result = check(copy)
    assert result.exit_code == 4
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "zhuzhi" in t)
    assert f"card_to_court.yaml:{line}: the court card has no field 'bgr.zhuzhi'" in result.output
    assert "required field 'gsjg' (公诉机关) is not mapped" in result.output


def test_too_long_for_target(fakes: None, copy: Path) -> None:
    edit(copy / "card_to_procuratorate.yaml", "max_length: 1000", "max_length: 2000")
    result = check(copy)
    assert result.exit_code == 4 and "max_length 2000 exceeds the 1000" in result.output


def test_broken_expression_names_file_and_line(fakes: None, copy: Path) -> None:
    path = copy / "card_to_procuratorate.yaml"
    edit(path, "s.latest_measure.procuratorate_code", "s.latest_measure.procuratorate_cod")
    result = check(copy)
    assert result.exit_code == 4, "a mapping that cannot load: the status a run over it would exit with"
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if "procuratorate_cod}" in t)
    assert f"card_to_procuratorate.yaml:{line}" in result.output
    assert "unknown field 'procuratorate_cod'" in result.output and "procuratorate_code" in result.output


def test_missing_case_card_mapping(fakes: None, copy: Path) -> None:
    (copy / "police_to_card.yaml").unlink()
    result = check(copy)
    assert result.exit_code == 4 and "no mapping targets case_card" in result.output


# -- schema --------------------------------------------------------------------------

def test_schema_printed_and_written(tmp_path: Path) -> None:
    result = runner.invoke(mappings_cmd.app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"] == "casebot mapping file"
    out = tmp_path / "schema.json"
    result = runner.invoke(mappings_cmd.app, ["schema", "--output", str(out)])
    assert result.exit_code == 0
    assert "FieldMap" in json.loads(out.read_text(encoding="utf-8"))["$defs"]


# -- preview ---------------------------------------------------------------------------

@pytest.fixture
def preview_app() -> typer.Typer:
    app = typer.Typer()
    app.command("preview")(preview)
    app.command("noop")(lambda: None)
    return app


def write_records(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_preview_json_with_court(preview_app: typer.Typer, tmp_path: Path) -> None:
    src = write_records(tmp_path, EXAMPLE_CASE)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(preview_app, ["preview", str(src), "--json", "--qsswh", "泉鲤检刑诉〔2026〕123号",
                                         "--qsrq", "2026-12-01"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    assert item["error"] is None
    assert item["cards"]["procuratorate"]["xyr"][0]["zjhm"] == "350502199003072415"
    assert item["cards"]["court"]["sarq"] == "2026-12-01"
    assert item["cards"]["court"]["bgr"][0]["jyrq"] == "2026-10-01"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_preview_shows_every_route_county_included(preview_app: typer.Typer, tmp_path: Path) -> None:
    """Preview makes each card as the run does (Pipeline.card_for): the county route too, by route name."""
    from casebot.pipeline import Pipeline

    src = write_records(tmp_path, EXAMPLE_CASE)
    facts = ["--qsswh", "泉鲤检刑诉〔2026〕123号", "--qsrq", "2026-12-01"]
    plain = runner.invoke(preview_app, ["preview", str(src), "--json", *facts])
    assert plain.exit_code == 0, plain.output
    [item] = json.loads(plain.output)
    assert {"procuratorate", "court", "county"} <= set(item["cards"]), "every adapter target, county included"

    # renamed in the config: mappings name adapters, the preview names routes
    config = _config(tmp_path, lambda t: t.replace("[systems.county]", '[systems.huian]\nadapter = "county"')
                     .replace('target = "county"', 'target = "huian"'))
    routed = runner.invoke(preview_app, ["preview", str(src), "--json", "--config", str(config), *facts])
    assert routed.exit_code == 0, routed.output
    [item] = json.loads(routed.output)
    assert set(item["cards"]) == {"police-procuratorate", "procuratorate-court", "procuratorate-county"}
    pipeline = Pipeline()
    card = pipeline.case_card(EXAMPLE_CASE)
    record = {**pipeline.procuratorate_card(card), "qsswh": facts[1], "qsrq": facts[3], "zt": "已起诉"}
    assert item["cards"]["procuratorate-county"] == pipeline.card_for("county", card,
                                                                      {"procuratorate_record": record})
    assert item["cards"]["procuratorate-county"]["qsswh"] == facts[1]
    tables = runner.invoke(preview_app, ["preview", str(src), "--config", str(config), *facts])
    assert tables.exit_code == 0 and "procuratorate-county（card_to_county）" in tables.output, tables.output


def test_preview_tables_and_mask(preview_app: typer.Typer, tmp_path: Path) -> None:
    src = write_records(tmp_path, [EXAMPLE_CASE])
    result = runner.invoke(preview_app, ["preview", str(src), "--mask"])
    assert result.exit_code == 0, result.output
    assert "移送案件编号" in result.output and "是否未成年" in result.output
    assert "350502199003072415" not in result.output and "张三" not in result.output
    assert "张*" in result.output


def test_preview_reports_stopped_case(preview_app: typer.Typer, tmp_path: Path) -> None:
    bad = make_case([make_suspect(zjhm="350502199003072416")], ajbh="A3505020000002026110002")
    src = write_records(tmp_path, [EXAMPLE_CASE, bad])
    result = runner.invoke(preview_app, ["preview", str(src), "--json"])
    assert result.exit_code == 1
    items = json.loads(result.stdout if hasattr(result, "stdout") else result.output)
    assert items[0]["error"] is None
    assert items[1]["error"].endswith("证件号码校验位错误") and "嫌疑人1 张*" in items[1]["error"]


def test_preview_needs_both_court_facts(preview_app: typer.Typer, tmp_path: Path) -> None:
    src = write_records(tmp_path, EXAMPLE_CASE)
    result = runner.invoke(preview_app, ["preview", str(src), "--qsswh", "x号"])
    assert result.exit_code != 0


def _config(tmp_path: Path, edit_text: Any = None) -> Path:
    text = (Path(__file__).parents[2] / "examples" / "sandbox.toml").read_text(encoding="utf-8")
    path = tmp_path / "casebot.toml"
    path.write_text(edit_text(text) if edit_text else text, encoding="utf-8")
    return path


def run_check(*args: str) -> Any:
    app = typer.Typer()
    app.add_typer(mappings_cmd.app, name="mappings")
    return CliRunner().invoke(app, ["mappings", "check", *args])


def test_routes_checked_against_what_their_mappings_read(tmp_path: Path) -> None:
    ok = run_check("--config", str(_config(tmp_path)))
    assert ok.exit_code == 0, ok.output
    # systems named otherwise in the config: mappings name adapters and kinds of record, not config keys
    renamed = run_check("--config", str(_config(tmp_path, lambda t: t.replace(
        "[systems.procuratorate]", '[systems.jcy]\nadapter = "procuratorate"').replace(
        'source = "procuratorate"', 'source = "jcy"').replace('target = "procuratorate"', 'target = "jcy"'))))
    assert renamed.exit_code == 0, renamed.output
    # the county hop fed from the police system alone: no procuratorate record for card_to_county to read
    county = 'name = "procuratorate-county"\nsource = '
    bad = run_check("--config", str(_config(tmp_path, lambda t: t.replace(
        county + '"procuratorate"', county + '"police"'))))
    assert bad.exit_code == 4
    assert "routes.procuratorate-county: card_to_county.yaml reads procuratorate: procuratorate_record" in bad.output
    assert "regions are set, but 'police' cannot tell a record's region" in bad.output
