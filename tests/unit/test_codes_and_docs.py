"""Code tables load strictly; the docs list exactly the filters and tests there are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebot.domain.codes import CodeMissing, CodeTable, CodeTables
from casebot.errors import MappingError
from casebot.mapping.filters import FILTER_DOCS, TESTS
from mappings import CODES_DIR

DOCS = Path(__file__).resolve().parents[2] / "docs" / "mappings.md"


def test_shipped_tables() -> None:
    codes = CodeTables.load(CODES_DIR)
    assert {"charges", "units", "detention_houses", "ethnicity", "education", "measures", "countries",
            "gender", "id_types"} <= set(codes.names())
    assert codes.lookup("charges", "police_code", "032640", "procuratorate_code") == "0502"
    assert codes.lookup("education", "police_code_gb4658_84", " 50 ", "court_label") == "中专"
    with pytest.raises(CodeMissing) as info:
        codes.lookup("measures", "police_code", "07", "court_label")
    assert info.value.reason == "代码表“强制措施(measures)”中没有代码 07"
    assert (info.value.table, info.value.code) == ("measures", "07")


def test_bad_csv_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("code,name\n01,a\n02,b,extra\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        CodeTable.from_csv(path)
    assert info.value.line == 3 and "3 values" in str(info.value)
    path.write_text("code,code\n", encoding="utf-8")
    with pytest.raises(MappingError, match="repeated column"):
        CodeTable.from_csv(path)


def test_long_codes_are_shortened_in_messages() -> None:
    err = CodeMissing("charges", "x" * 200)
    assert len(err.reason) < 80


def test_docs_list_every_filter_and_test() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Filters (the complete list)", 1)[1].split("## Code tables", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)`(?: `([a-z_]+)`)?(?: `([a-z_]+)`)?", section, re.M))
    names = {n for row in documented for n in row if n}
    assert names == set(FILTER_DOCS)
    for test in TESTS:
        assert f"`{test}`" in section
