"""The case-card model: helpers, personal fields, masking, and its errors."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from casebot.domain.model import CaseCard, PoliceCase, Suspect, age_on, clean_name, masked, personal_fields
from casebot.errors import DataError
from casebot.mapping.pipeline import Pipeline
from tests.unit.conftest import EXAMPLE_CASE, make_case, make_suspect

ID = "350502199003072415"


@pytest.fixture(scope="module")
def card(pipeline: Pipeline) -> CaseCard:
    return pipeline.case_card(EXAMPLE_CASE)


def test_personal_fields() -> None:
    assert personal_fields(Suspect) == {"name", "alias", "birth_date", "id_number", "hjdxz", "xzz"}
    assert personal_fields(CaseCard) == {"jyaq"} | {f"suspects.{n}" for n in personal_fields(Suspect)}
    assert {"xyr.xm", "xyr.zjhm", "xyr.csrq"} <= personal_fields(PoliceCase)


def test_masked_dump_hides_personal_data(card: CaseCard) -> None:
    dump = card.masked()
    text = json.dumps(dump, ensure_ascii=False)
    assert ID not in text and "张三" not in text and "1990-03-07" not in text and "新华路" not in text
    s = dump["suspects"][0]
    assert s["name"] == "张*" and s["id_number"] == "350502********2415" and s["birth_date"] == "1990-**-**"
    assert dump["charges"][0]["name"] == "盗窃罪" and s["measures"][0]["date"] == "2026-10-01"
    assert masked(card.suspects[0]) == s
    assert dump["ajmc"] == "张*盗窃案" and dump["jyaq"] == "***"


def test_json_round_trip(card: CaseCard) -> None:
    again = CaseCard.model_validate_json(card.model_dump_json())
    assert again == card


def test_helpers(card: CaseCard) -> None:
    s = card.suspects[0]
    assert card.main_charge.name == "盗窃罪"
    assert s.latest_measure is not None and s.latest_measure.date == date(2026, 10, 20)
    assert s.custodial and s.earliest_custodial_date == date(2026, 10, 1)
    assert s.age_at(card.fasj) == 36 and not s.is_minor_at(card.fasj)
    assert s.holds_resident_id


def test_latest_measure_tie_takes_the_later_listed(pipeline: Pipeline) -> None:
    qzcs = [{"cslx": "05", "zxrq": "2026-10-01"}, {"cslx": "02", "zxrq": "2026-10-01"}]
    s = pipeline.case_card(make_case([make_suspect(qzcs=qzcs)])).suspects[0]
    assert s.latest_measure is not None and s.latest_measure.code == "02" and not s.custodial
    assert s.earliest_custodial_date == date(2026, 10, 1)


@pytest.mark.parametrize(("birth", "day", "age"), [
    (date(2008, 9, 30), date(2026, 9, 30), 18), (date(2008, 10, 1), date(2026, 9, 30), 17),
    (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_clean_name() -> None:
    assert clean_name(" 阿依古丽 • 买买提\u3000") == "阿依古丽·买买提"
    assert clean_name(None) == ""


def test_card_is_valid_by_construction() -> None:
    """A CaseCard cannot exist with an ID that breaks the rules, however it is built."""
    data: dict[str, Any] = {"name": "张三", "id_type": "111", "id_number": "350502199003072416",
                            "nationality": "CHN"}
    with pytest.raises(DataError) as info:
        CaseCard.parse({"ajbh": "A3505020000002026110001", "ajmc": "x", "charges": [], "suspects": [data]})
    assert info.value.field in {"案由", "证件号码", "主办单位"}
    s = Suspect.model_validate({**data, "id_number": ID})
    assert s.sex == "1" and s.birth_date == date(1990, 3, 7)


def test_errors_never_echo_input(pipeline: Pipeline) -> None:
    with pytest.raises(DataError) as info:
        pipeline.case_card(make_case([make_suspect(csrq="1990-13-45")]))
    assert "1990-13-45" not in str(info.value) and info.value.field == "出生日期"


def test_clean_name_keeps_one_space_in_a_latin_name_and_drops_invisible_characters() -> None:
    """SPEC 2: a Latin-script name keeps one space between its parts; control, zero-width, bidi go."""
    assert clean_name(" NGUYEN  VAN\u3000AN ") == "NGUYEN VAN AN"
    assert clean_name("Maria\tSantos") == "Maria Santos"
    assert clean_name("张\u200b三\u202e") == "张三"
    assert clean_name("MARIA\u200dSANTOS\x07") == "MARIASANTOS"
    assert clean_name("陈 大 明") == "陈大明"
def test_identity_text_rules_on_the_card(pipeline: Pipeline) -> None:
    """A passport holder's Latin name keeps its spaces; bidi and zero-width characters leave every field."""
    latin = make_suspect(xm=" NGUYEN\u3000VAN  AN ", zjzl="414", zjhm="E1234567", xb="1", csrq="1990-01-02",
                         gj="VNM")
    hostile = make_suspect(xm="\u202e张三\u200b", xzz="新华路\u200d2号")
    card = pipeline.case_card(make_case([latin, hostile], jyaq="案情\u202e摘要\u2066"))
    assert [s.name for s in card.suspects] == ["NGUYEN VAN AN", "张三"]
    assert card.suspects[1].xzz == "新华路2号" and card.jyaq == "案情摘要"


def test_invisible_characters_in_an_id_number_stop_the_case(pipeline: Pipeline) -> None:
    with pytest.raises(DataError) as info:
        pipeline.case_card(make_case([make_suspect(zjzl="414", zjhm="E12\u200b34567", xb="1",
                                                    csrq="1990-01-02", gj="VNM")]))
    assert info.value.field == "证件号码" and "不可见" in info.value.reason
    assert "E12" not in str(info.value)


def test_the_same_charge_listed_many_times_is_one_charge(pipeline: Pipeline) -> None:
    """Issue 26 item 14: 30 identical charge codes were written (the picker ticks one), then failed read-back."""
    card = pipeline.case_card(make_case(ay=["032640"] * 30 + ["031330", "032640"]))
    assert [c.police_code for c in card.charges] == ["032640", "031330"], "once each, first order kept"


def test_line_breaks_leave_single_line_fields(pipeline: Pipeline) -> None:
    """Issue 26 item 14: a title with a newline was written (an <input> drops it), then failed read-back.
    Line breaks in a single-line field are normalised the same way every time: none between Chinese
    characters, one space otherwise; the case summary keeps its lines."""
    s = make_suspect(xzz="新华路\n2号", zy="driver\r\nof taxis")
    card = pipeline.case_card(make_case([s], ajmc="王大锤故意伤害\n 李小龙案", jyaq="第一行\n第二行"))
    assert card.ajmc == "王大锤故意伤害李小龙案"
    assert card.suspects[0].xzz == "新华路 2号" and card.suspects[0].occupation == "driver of taxis"
    assert card.jyaq == "第一行\n第二行"
    assert CaseCard.model_validate_json(card.model_dump_json()) == card
