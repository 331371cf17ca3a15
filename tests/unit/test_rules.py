"""The clerk's rules (SPEC section 4), through the shipped pipeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from casebot.domain import idcard
from casebot.domain.codes import CodeMissing
from casebot.errors import BusinessError, DataError
from casebot.mapping.pipeline import Pipeline
from tests.unit.conftest import make_case, make_suspect

AJBH = "A3505020000002026110001"
ID = "350502199003072415"


def stop(pipeline: Pipeline, case: dict[str, Any]) -> DataError:
    with pytest.raises(DataError) as info:
        pipeline.case_card(case)
    err = info.value
    assert isinstance(err, BusinessError)
    text = str(err)
    for raw in (ID, "张三", "张\u3000三"):
        assert raw not in text
    return err


def suspect_stop(pipeline: Pipeline, **suspect: Any) -> DataError:
    return stop(pipeline, make_case([make_suspect(**suspect)]))


def person(pipeline: Pipeline, **suspect: Any) -> dict[str, Any]:
    card = pipeline.case_card(make_case([make_suspect(**suspect)]))
    return pipeline.procuratorate_card(card)["xyr"][0]


def defendant(pipeline: Pipeline, **suspect: Any) -> dict[str, Any]:
    card = pipeline.case_card(make_case([make_suspect(**suspect)]))
    record = {"ysajbh": card.ajbh, "qsswh": "泉鲤检刑诉〔2026〕1号", "qsrq": "2026-12-01"}
    return pipeline.court_card(card, record)["bgr"][0]


# -- 4.2 ID numbers ---------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "350502199003072415", "３５０５０２１９９００３０７２４１５", " 350502 19900307 2415 ",
    "350502\u3000199003072415", "350502900307241",
])
def test_id_is_normalised(pipeline: Pipeline, raw: str) -> None:
    assert person(pipeline, zjhm=raw)["zjhm"] == ID


def test_lower_case_x_becomes_upper(pipeline: Pipeline) -> None:
    body = "11010519491231002"
    p = person(pipeline, zjhm=body + "x", hjdqh="110105")
    assert p["zjhm"] == body + "X"
    assert p["csrq"] == "1949-12-31" and p["xb"] == "2"


def test_fifteen_digit_id_upgraded(pipeline: Pipeline) -> None:
    p = person(pipeline, zjhm="350502900307241")
    assert p["zjhm"] == ID and p["csrq"] == "1990-03-07" and p["xb"] == "1"


def test_wrong_check_digit_stops_the_case(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, zjhm="350502199003072416")
    assert err.case == AJBH
    assert err.suspect == "嫌疑人1 张*"
    assert err.field == "证件号码"
    assert err.reason == "证件号码校验位错误"
    assert str(err) == f"案件 {AJBH}，嫌疑人1 张*，字段“证件号码”：证件号码校验位错误"


@pytest.mark.parametrize(("raw", "reason"), [
    ("35050219900307241", "证件号码应为18位"),
    ("", "证件号码为空"),
    ("3505021990030724AB", "非法字符"),
])
def test_malformed_ids_stop(pipeline: Pipeline, raw: str, reason: str) -> None:
    err = suspect_stop(pipeline, zjhm=raw)
    assert reason in err.reason and err.field == "证件号码"


def test_passport_trimmed_and_upper_cased(pipeline: Pipeline) -> None:
    p = person(pipeline, zjzl="414", zjhm="  e1234５678 ", xb="1", csrq="1985-06-01", gj="VNM", mz="",
               hjdqh="")
    assert p["zjhm"] == "E1234５678"
    assert p["zjlx"] == "414" and p["mz"] == ""


@pytest.mark.parametrize("missing", ["xb", "csrq"])
@pytest.mark.parametrize("empty", [None, "", "0", "9"])
def test_passport_needs_sex_and_birth_date(pipeline: Pipeline, missing: str, empty: str | None) -> None:
    if missing == "csrq" and empty in ("0", "9"):
        return
    given = {"xb": "2", "csrq": "1985-06-01", missing: empty}
    err = suspect_stop(pipeline, zjzl="414", zjhm="E12345678", gj="VNM", mz="", **given)
    assert err.field == ("性别" if missing == "xb" else "出生日期")
    assert "必须填写" in err.reason


def test_passport_holder_at_court(pipeline: Pipeline) -> None:
    d = defendant(pipeline, zjzl="414", zjhm="E12345678", xb="2", csrq="1985-06-01", gj="VNM", mz="")
    assert d["sfzh"] == "" and d["mz"] == "" and d["xb"] == "女" and d["csrq"] == "1985-06-01"


# -- 4.3 birth date and sex --------------------------------------------------

@pytest.mark.parametrize("csrq", [None, ""])
def test_birth_date_from_id(pipeline: Pipeline, csrq: str | None) -> None:
    assert person(pipeline, csrq=csrq)["csrq"] == "1990-03-07"


def test_birth_date_equal_to_id_is_kept(pipeline: Pipeline) -> None:
    assert person(pipeline, csrq="1990-03-07")["csrq"] == "1990-03-07"


def test_birth_date_different_from_id_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, csrq="1990-03-08")
    assert err.field == "出生日期" and "不一致" in err.reason and err.suspect == "嫌疑人1 张*"


def test_badly_written_birth_date_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, csrq="1990/3/7")
    assert err.field == "出生日期" and "YYYY-MM-DD" in err.reason


@pytest.mark.parametrize("xb", [None, "", "0", "9"])
def test_sex_from_id(pipeline: Pipeline, xb: str | None) -> None:
    assert person(pipeline, xb=xb)["xb"] == "1"
    female = "35050219900307242"
    assert person(pipeline, xb=xb, zjhm=female + idcard.check_digit(female))["xb"] == "2"


def test_sex_different_from_id_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, xb="2")
    assert err.field == "性别" and "第17位" in err.reason


def test_unknown_sex_code_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, xb="3")
    assert err.field == "性别" and err.reason == "代码表“性别(gender)”中没有代码 3"


# -- 4.4 minors --------------------------------------------------------------

@pytest.mark.parametrize(("birth", "minor"), [
    ("2008-09-30", "否"),  # 18 on the day of the offence
    ("2008-10-01", "是"),  # 18 the day after
    ("2010-01-01", "是"),
    ("1990-03-07", "否"),
])
def test_minor_on_offence_date(pipeline: Pipeline, birth: str, minor: str) -> None:
    body = f"350502{birth.replace('-', '')}241"
    p = person(pipeline, zjhm=body + idcard.check_digit(body), csrq=birth, qzcs=[], jycs="")
    assert p["sfwcn"] == minor


def test_birthday_on_29_february(case_with: Callable[..., Any]) -> None:
    body = "35050220080229241"
    card = case_with(zjhm=body + idcard.check_digit(body))
    s = card.suspects[0]
    assert s.is_minor_at(date(2026, 2, 28)) is True
    assert s.is_minor_at(date(2026, 3, 1)) is False


# -- 4.5 measures ------------------------------------------------------------

def test_latest_measure_by_date_not_list_order(pipeline: Pipeline) -> None:
    qzcs = [{"cslx": "06", "zxrq": "2026-10-20"}, {"cslx": "02", "zxrq": "2026-11-01"},
            {"cslx": "05", "zxrq": "2026-10-01"}]
    p = person(pipeline, qzcs=qzcs)
    assert (p["qzcs"], p["qzcsrq"], p["jycs"]) == ("2", "2026-11-01", "")
    d = defendant(pipeline, qzcs=qzcs)
    assert (d["jyzt"], d["qzcs"], d["jycs"], d["jyrq"]) == ("未羁押", "取保候审", "", "2026-10-01")


def test_no_measures(pipeline: Pipeline) -> None:
    p = person(pipeline, qzcs=[], jycs="")
    assert (p["qzcs"], p["qzcsrq"], p["jycs"]) == ("", "", "")
    d = defendant(pipeline, qzcs=[], jycs="")
    assert (d["jyzt"], d["qzcs"], d["jycs"], d["jyrq"]) == ("未羁押", "", "", "")


@pytest.mark.parametrize(("code", "custodial"), [("01", False), ("02", False), ("03", False),
                                                  ("04", False), ("05", True), ("06", True)])
def test_custodial_codes(case_with: Callable[..., Any], code: str, custodial: bool) -> None:
    card = case_with(qzcs=[{"cslx": code, "zxrq": "2026-10-02"}])
    assert card.suspects[0].custodial is custodial


def test_detention_house_only_in_custody(pipeline: Pipeline) -> None:
    p = person(pipeline, qzcs=[{"cslx": "06", "zxrq": "2026-10-20"}])
    assert p["jycs"] == "KSS350500"
    p = person(pipeline, qzcs=[{"cslx": "03", "zxrq": "2026-10-20"}])
    assert p["jycs"] == ""


def test_measure_without_date_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, qzcs=[{"cslx": "05", "zxrq": ""}])
    assert err.field == "强制措施执行日期" and err.suspect == "嫌疑人1 张*"


def test_measure_after_transfer_date_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, qzcs=[{"cslx": "05", "zxrq": "2026-11-21"}])
    assert err.reason == "强制措施执行日期晚于移送起诉日期"
    assert err.field == "强制措施第1项执行日期"


# -- 4.6 code tables ---------------------------------------------------------

@pytest.mark.parametrize(("where", "value", "table", "field"), [
    ("case", {"ay": ["032640", "039999"]}, "案由(charges)", "案由"),
    ("case", {"zbdw": "350599000000"}, "单位(units)", "主办单位"),
    ("suspect", {"jycs": "厦门市看守所"}, "羁押场所(detention_houses)", "羁押场所"),
    ("suspect", {"mz": "99"}, "民族(ethnicity)", "民族"),
    ("suspect", {"whcd": "55"}, "文化程度(education)", "文化程度"),
    ("suspect", {"qzcs": [{"cslx": "07", "zxrq": "2026-10-01"}]}, "强制措施(measures)", "强制措施类型"),
    ("suspect", {"gj": "USA"}, "国籍(countries)", "国籍"),
    ("suspect", {"zjzl": "990"}, "证件种类(id_types)", "证件种类"),
])
def test_code_missing_stops(pipeline: Pipeline, where: str, value: dict[str, Any], table: str,
                            field: str) -> None:
    case = make_case(**value) if where == "case" else make_case([make_suspect(**value)])
    err = stop(pipeline, case)
    assert isinstance(err, CodeMissing)
    code = next(iter(value.values()))
    code = {"ay": "039999", "qzcs": "07"}.get(next(iter(value)), code)
    assert err.reason == f"代码表“{table}”中没有代码 {code}"
    assert err.field == field
    assert err.case == AJBH
    assert err.suspect == (None if where == "case" else "嫌疑人1 张*")


def test_charges_keep_police_order(pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case(ay=["032930", "032640", "032340"]))
    p = pipeline.procuratorate_card(card)
    assert p["ysay"] == ["0631", "0502", "0403"] == p["xyr"][0]["ay"]
    court = pipeline.court_card(card, {"qsswh": "x号", "qsrq": "2026-12-01"})
    assert court["ay"] == "寻衅滋事罪"


def test_no_charge_stops(pipeline: Pipeline) -> None:
    err = stop(pipeline, make_case(ay=[]))
    assert err.field == "案由" and err.reason == "不能为空"


# -- names ---------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("张\u3000三", "张三"), (" 张 三 ", "张三"), ("阿卜杜拉·买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉 · 买买提", "阿卜杜拉·买买提"), ("阿卜杜拉・买买提", "阿卜杜拉·买买提"), ("李\t四\n", "李四"),
])
def test_names_cleaned(pipeline: Pipeline, raw: str, clean: str) -> None:
    assert person(pipeline, xm=raw)["xm"] == clean


def test_empty_name_stops(pipeline: Pipeline) -> None:
    err = suspect_stop(pipeline, xm="\u3000")
    assert err.field == "姓名" and err.suspect == "嫌疑人1"


# -- messages and several suspects ---------------------------------------------

def test_second_suspect_is_named(pipeline: Pipeline) -> None:
    other = make_suspect(xm="李 四", zjhm="350502199003072416")
    err = stop(pipeline, make_case([make_suspect(), other]))
    assert err.suspect == "嫌疑人2 李*"
    assert "李四" not in str(err) and "350502199003072416" not in str(err)


def test_suspects_keep_order(pipeline: Pipeline) -> None:
    body = "35050219851111002"
    second = make_suspect(xm="王五", zjhm=body + idcard.check_digit(body), qzcs=[], jycs="")
    card = pipeline.case_card(make_case([make_suspect(), second]))
    assert [p["xm"] for p in pipeline.procuratorate_card(card)["xyr"]] == ["张三", "王五"]


def test_no_suspect_stops(pipeline: Pipeline) -> None:
    err = stop(pipeline, make_case([]))
    assert err.field == "犯罪嫌疑人" and err.case == AJBH


def test_bad_case_number_stops(pipeline: Pipeline) -> None:
    err = stop(pipeline, make_case(ajbh="A35050200000020261100"))
    assert err.field == "案件编号"


def test_missing_offence_date_stops(pipeline: Pipeline) -> None:
    err = stop(pipeline, make_case(fasj=None))
    assert err.field == "发案日期"


def test_wrong_types_in_police_record_stop(pipeline: Pipeline) -> None:
    err = stop(pipeline, make_case(xyr="not a list"))
    assert err.field == "犯罪嫌疑人"


# -- procuratorate field limits and the court hop -----------------------------------

@pytest.mark.parametrize(("length", "expected"), [(999, 999), (1000, 1000), (1001, 1000), (5000, 1000)])
def test_summary_limited_to_1000_characters(pipeline: Pipeline, length: int, expected: int) -> None:
    text = "".join(chr(0x4E00 + i % 500) for i in range(length))
    card = pipeline.procuratorate_card(pipeline.case_card(make_case(jyaq=text)))
    assert len(card["ajzy"]) == expected
    if length > 1000:
        assert card["ajzy"] == text[:999] + "…"
    else:
        assert card["ajzy"] == text


def test_summary_special_characters_kept(pipeline: Pipeline) -> None:
    text = '第一行\n"引号" <b> & \'单引号\' {{ x }}'
    card = pipeline.procuratorate_card(pipeline.case_card(make_case(jyaq=text)))
    assert card["ajzy"] == text


def test_court_needs_prosecution_facts(pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case())
    with pytest.raises(DataError) as info:
        pipeline.court_card(card, {"ysajbh": AJBH, "qsswh": "", "qsrq": "2026-12-01"})
    assert info.value.field == "起诉书文号" and info.value.case == AJBH
    with pytest.raises(DataError) as info:
        pipeline.court_card(card, {"ysajbh": AJBH, "qsswh": "x号", "qsrq": "12/01/2026"})
    assert info.value.field == "收案日期"


def test_court_refuses_record_of_another_case(pipeline: Pipeline) -> None:
    card = pipeline.case_card(make_case())
    with pytest.raises(DataError, match="不一致"):
        pipeline.court_card(card, {"ysajbh": "A3505020000002026110002", "qsswh": "x号", "qsrq": "2026-12-01"})


def test_foreign_national_has_no_ethnicity(pipeline: Pipeline) -> None:
    p = person(pipeline, zjzl="414", zjhm="B7654321", xb="1", csrq="1980-01-01", gj="MMR", mz="", hjdqh="")
    assert p["mz"] == "" and p["gj"] == "MMR"
