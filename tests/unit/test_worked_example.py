"""SPEC section 6, value for value."""

from __future__ import annotations

from datetime import date

from casebot.mapping.pipeline import Pipeline
from tests.unit.conftest import EXAMPLE_CASE

QSSWH = "泉鲤检刑诉〔2026〕123号"


def test_case_card(pipeline: Pipeline) -> None:
    card = pipeline.case_card(EXAMPLE_CASE)
    assert card.ajbh == "A3505020000002026110001"
    assert [c.police_code for c in card.charges] == ["032640"]
    assert card.unit.police_code == "350502000000"
    assert card.fasj == date(2026, 9, 30)
    assert card.yssj == date(2026, 11, 20)
    s = card.suspects[0]
    assert s.name == "张三"
    assert s.sex == "1"
    assert s.birth_date == date(1990, 3, 7)
    assert s.id_number == "350502199003072415"
    assert s.latest_measure is not None and s.latest_measure.code == "06"
    assert s.custodial is True
    assert s.earliest_custodial_date == date(2026, 10, 1)
    assert s.is_minor_at(card.fasj) is False


def test_procuratorate_card(pipeline: Pipeline) -> None:
    card = pipeline.procuratorate_card(pipeline.case_card(EXAMPLE_CASE))
    assert list(card) == ["ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "xyr"]
    assert card["ysajbh"] == "A3505020000002026110001"
    assert card["ajmc"] == "张三盗窃案"
    assert card["ajlb"] == "审查起诉"
    assert card["ysdw"] == "Y350502"
    assert card["ysay"] == ["0502"]
    assert card["slrq"] == "2026-11-20"
    assert card["ajzy"] == EXAMPLE_CASE["jyaq"]
    [person] = card["xyr"]
    assert list(person) == ["xm", "bm", "xb", "csrq", "zjlx", "zjhm", "gj", "mz", "xl", "zy", "hjdqh",
                            "hjdxz", "xzz", "sfwcn", "qzcs", "qzcsrq", "jycs", "ay"]
    assert person == {
        "xm": "张三", "bm": "", "xb": "1", "csrq": "1990-03-07", "zjlx": "111",
        "zjhm": "350502199003072415", "gj": "CHN", "mz": "01", "xl": "40", "zy": "无业",
        "hjdqh": "350502", "hjdxz": "福建省泉州市鲤城区开元街道1号", "xzz": "福建省泉州市鲤城区新华路2号",
        "sfwcn": "否", "qzcs": "6", "qzcsrq": "2026-10-20", "jycs": "KSS350500", "ay": ["0502"],
    }


def _all_strings(value: object) -> bool:
    if isinstance(value, dict):
        return all(_all_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


def test_court_card_after_prosecution(pipeline: Pipeline) -> None:
    card = pipeline.case_card(EXAMPLE_CASE)
    procuratorate = pipeline.procuratorate_card(card)
    record = {**procuratorate, "bmsah": "鲤城区院刑检受[2026]35050200001号", "zt": "已起诉",
              "qsswh": QSSWH, "qsrq": "2026-12-01"}
    court = pipeline.court_card(card, record)
    assert list(court) == ["ay", "gsjg", "qsswh", "sarq", "bgr"]
    assert court["ay"] == "盗窃罪"
    assert court["gsjg"] == "泉州市鲤城区人民检察院"
    assert court["qsswh"] == QSSWH
    assert court["sarq"] == "2026-12-01"
    [d] = court["bgr"]
    assert d == {
        "xm": "张三", "xb": "男", "csrq": "1990-03-07", "sfzh": "350502199003072415", "mz": "汉族",
        "whcd": "中专", "zy": "无业", "zz": "福建省泉州市鲤城区新华路2号", "jyzt": "在押", "qzcs": "逮捕",
        "jycs": "泉州市看守所", "jyrq": "2026-10-01",
    }
    assert _all_strings(procuratorate) and _all_strings(court)


def test_target_card_by_name(pipeline: Pipeline) -> None:
    card = pipeline.case_card(EXAMPLE_CASE)
    record = {"ysajbh": card.ajbh, "qsswh": QSSWH, "qsrq": "2026-12-01", "bmsah": "x"}
    assert pipeline.target_card("procuratorate", card) == pipeline.procuratorate_card(card)
    assert pipeline.target_card("court", card, procuratorate=record) == pipeline.court_card(card, record)
