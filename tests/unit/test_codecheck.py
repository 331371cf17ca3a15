"""doctor's code check (casebot.ops.codecheck) on the shipped code tables: which codes a control lacks."""

from __future__ import annotations

from casebot.domain.codes import CodeTables
from casebot.kit.base import FieldSpec
from casebot.ops.codecheck import lacking
from mappings import CODES_DIR

TABLES = CodeTables.load(CODES_DIR)
UNITS = TABLES["units"]


def test_the_column_named_or_else_the_one_the_control_matches_best():
    gsjg = FieldSpec("gsjg", "公诉机关", "code", code_table="units.procuratorate_name")
    offered = [r["procuratorate_name"] for r in UNITS.rows][1:]
    [short] = lacking([gsjg], {"gsjg": offered}, TABLES)
    assert (short.column, short.codes) == ("procuratorate_name", (UNITS.rows[0]["procuratorate_name"],))
    ysdw = FieldSpec("ysdw", "移送单位", "code", code_table="units")  # no column: the control offers ysdw codes
    [short] = lacking([ysdw], {"ysdw": ["Y350502"]}, TABLES)
    assert short.column == "ysdw_code" and "Y350502" not in short.codes and len(short.codes) == len(UNITS.rows) - 1


def test_only_the_regions_a_system_serves_are_asked_for():
    gsjg = FieldSpec("gsjg", "公诉机关", "code", code_table="units.procuratorate_name")
    county = [r["procuratorate_name"] for r in UNITS.rows if r["region"] in ("350521", "350526")]
    assert lacking([gsjg], {"gsjg": county}, TABLES, regions={"350521", "350526"}) == []
    [short] = lacking([gsjg], {"gsjg": county[:1]}, TABLES, regions={"350521", "350526"})
    assert short.codes == (county[1],)
    assert len(lacking([gsjg], {"gsjg": county}, TABLES)[0].codes) == len(UNITS.rows) - 2, "None: every region"


def test_fields_in_person_rows_and_fields_without_options_read():
    xb = FieldSpec("xb", "性别", "choice", code_table="gender.court_label")
    row = FieldSpec("bgr", "被告人", "list", children=(xb,))
    [short] = lacking([row], {"xb": ["男"]}, TABLES)
    assert (short.field, short.codes) == ("xb", ("女",)), "a blank court_label (未知的性别) is not asked for"
    assert lacking([row], {}, TABLES) == [], "a control whose options were not read is not judged"
