"""Unit tests that pin the guarantees: read-back comparison on every shape, and masking of personal data.

Each test here fails when one deliberate bug is put into the code it covers
(docs/testing.md lists the bugs tried and the mutation score of these modules).
"""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebot import logs
from casebot.domain.privacy import mask_id, mask_mapping, mask_name, scrub_text
from casebot.domain.verify import differences, normalise, verify
from casebot.errors import VerificationError

CARD = {
    "ysajbh": "A3505020000002026110001", "ysay": ["0502", "0504"], "slrq": "2026-11-20",
    "xyr": [{"xm": "张三", "zjhm": "350502199003072415", "csrq": "1990-03-07"},
            {"xm": "李四", "zjhm": "35052119920815005X", "csrq": "1992-08-15"}],
}


def copy_of(card: dict) -> dict:
    return json.loads(json.dumps(card, ensure_ascii=False))


# -- differences: every shape ---------------------------------------------------------------

def test_equal_record_with_more_fields_has_no_difference() -> None:
    assert differences(CARD, {**copy_of(CARD), "bmsah": "鲤城区院刑检受[2026]35050200001号", "zt": "已受理"}) == []


def test_a_change_in_the_second_list_item_is_found() -> None:
    got = copy_of(CARD)
    got["xyr"][1]["csrq"] = "1992-08-16"
    assert differences(CARD, got) == [("xyr[2].csrq", "1992-08-15", "1992-08-16")]


def test_a_change_in_every_item_is_found_in_order() -> None:
    got = copy_of(CARD)
    got["xyr"][0]["xm"] = "张四"
    got["xyr"][1]["xm"] = "李五"
    assert [d[0] for d in differences(CARD, got)] == ["xyr[1].xm", "xyr[2].xm"]


def test_a_blank_read_back_is_a_difference() -> None:
    for key in ("slrq", "ysajbh"):
        assert differences(CARD, {**copy_of(CARD), key: ""}) == [(key, CARD[key], "")]
    got = copy_of(CARD)
    got["xyr"][0]["zjhm"] = ""
    assert differences(CARD, got) == [("xyr[1].zjhm", "350502********2415", "")]


def test_a_blank_sent_value_read_back_filled_is_a_difference() -> None:
    assert differences({"bm": ""}, {"bm": "阿明"}) == [("bm", "", "阿*")]


def test_a_missing_key_is_a_difference() -> None:
    got = copy_of(CARD)
    del got["slrq"]
    del got["xyr"][1]["csrq"]
    assert [d[:2] for d in differences(CARD, got)] == [("slrq", "2026-11-20"), ("xyr[2].csrq", "1992-08-15")]
    assert [d[:2] for d in differences(CARD, {})] == [("ysajbh", CARD["ysajbh"]), ("ysay", "['0502', '0504']"),
                                                      ("slrq", "2026-11-20"), ("xyr", "2 条")]


def test_fields_after_a_list_are_still_compared() -> None:
    """A list that differs (or not) does not end the comparison: the fields after it count too."""
    card = {"xyr": CARD["xyr"], "slrq": "2026-11-20"}
    shorter = {"xyr": CARD["xyr"][:1], "slrq": "2026-11-21"}
    assert [d[0] for d in differences(card, shorter)] == ["xyr", "slrq"]
    same_list = {"xyr": copy_of(CARD)["xyr"], "slrq": "2026-11-21"}
    assert [d[0] for d in differences(card, same_list)] == ["slrq"]


def test_a_shorter_or_longer_list_is_a_difference() -> None:
    got = copy_of(CARD)
    got["xyr"].pop()
    assert differences(CARD, got) == [("xyr", "2 条", "1 条")]
    got = copy_of(CARD)
    got["xyr"].append(dict(got["xyr"][0]))
    assert differences(CARD, got) == [("xyr", "2 条", "3 条")]
    assert differences(CARD, {**copy_of(CARD), "xyr": "张三"}) == [("xyr", "2 条", "0 条")]


def test_lists_of_codes_compare_in_order_and_in_full() -> None:
    assert [d[0] for d in differences(CARD, {**copy_of(CARD), "ysay": ["0504", "0502"]})] == ["ysay"]
    assert [d[0] for d in differences(CARD, {**copy_of(CARD), "ysay": ["0502"]})] == ["ysay"]
    assert [d[0] for d in differences(CARD, {**copy_of(CARD), "ysay": ["0502", "0504", "0701"]})] == ["ysay"]


def test_a_list_item_that_is_no_mapping_is_compared_as_empty() -> None:
    got = copy_of(CARD)
    got["xyr"][1] = "李四"
    assert [d[0] for d in differences(CARD, got)] == ["xyr[2].xm", "xyr[2].zjhm", "xyr[2].csrq"]


def test_formats_that_mean_the_same_are_equal() -> None:
    got = copy_of(CARD)
    got["xyr"][0]["zjhm"] = "３５０５０２１９９００３０７２４１５"  # full-width digits
    got["xyr"][0]["xm"] = " 张三\n"
    got["xyr"][1]["csrq"] = "1992/8/15"
    got["slrq"] = "2026年11月20日"
    assert differences(CARD, got) == []
    assert differences({"bm": None}, {"bm": ""}) == [] and differences({"bm": ""}, {}) == []
    assert differences({"ajzy": "甲\r\n乙"}, {"ajzy": "甲\n乙"}) == []


def test_full_width_digits_that_differ_still_differ() -> None:
    got = copy_of(CARD)
    got["xyr"][0]["zjhm"] = "３５０５０２１９９００３０７２４１６"
    assert [d[0] for d in differences(CARD, got)] == ["xyr[1].zjhm"]


def test_normalise_only_rewrites_whole_dates() -> None:
    assert normalise("2026-1-2") == "2026-01-02"
    assert normalise("2026.01.02") == "2026-01-02"
    assert normalise("起诉书2026-1-2号") == "起诉书2026-1-2号"
    assert normalise(["2026/1/2", None, {"a": " x "}]) == ["2026-01-02", "", {"a": "x"}]
    assert normalise(7) == "7"


def test_labels_name_fields_and_values_are_shown_masked_and_short() -> None:
    got = copy_of(CARD)
    got["xyr"][0]["xm"] = "王五"
    got["slrq"] = "2026-11-21"
    diffs = differences(CARD, got, labels={"xm": "姓名", "slrq": "受理日期", "xyr": "人卡"})
    assert diffs == [("受理日期", "2026-11-20", "2026-11-21"), ("人卡[1].姓名", "张*", "王*")]
    # free text (it may hold names, addresses, facts) is never quoted: only its length
    long = "案" * 50
    [(_, want, got_text)] = differences({"ajzy": long}, {"ajzy": long + "！"})
    assert (want, got_text) == ("50 字的文本", "51 字的文本")
    assert differences({"ajzy": "张三盗窃"}, {"ajzy": "x"})[0][1:] == ("4 字的文本", "x")
    # codes, dates and lists of codes are quoted as they are
    assert differences({"ysay": ["0502", "0504"]}, {"ysay": ["0502"]})[0][1:] == ("['0502', '0504']", "['0502']")


def test_verify_raises_naming_every_field_and_passes_when_equal() -> None:
    verify(CARD, copy_of(CARD))
    got = copy_of(CARD)
    got["slrq"] = ""
    got["xyr"][1]["zjhm"] = "35052119920815005x"  # a lower-case x is a different character
    with pytest.raises(VerificationError) as info:
        verify(CARD, got, case="A3505020000002026110001")
    assert [d[0] for d in info.value.differences] == ["slrq", "xyr[2].zjhm"]
    assert "A3505020000002026110001" in str(info.value), "the error names the case"
    assert "35052119920815005X" not in str(info.value)


# -- masking: property tests --------------------------------------------------------------------

#: timings on shared cores are noisy: no per-example deadline
NO_DEADLINE = settings(deadline=None, max_examples=80)
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    """An ID number as the police may type it: 18 digits (check X or x), full-width or not, or 15 digits."""
    body = draw(digits17)
    check = "10X98765432"[sum(int(a) * b for a, b in zip(body, W, strict=True)) % 11]
    if check == "X":
        check = draw(st.sampled_from("Xx"))
    number = draw(st.sampled_from([body + check, body[:6] + body[8:17]]))  # 18 or 15 digits
    if draw(st.booleans()):
        number = number.translate(FULL)
    return number


names = st.text(alphabet="张王李赵陈刘黄吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔明华伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞平刚桂英",  # noqa: E501
                min_size=2, max_size=4)
around = st.text(alphabet="，。：；、的是在有和案件嫌疑人号码证件为 （）\n\"'<>&", max_size=12)


@NO_DEADLINE
@given(number=id_numbers(), before=around, after=around)
def test_scrub_text_masks_an_id_number_inside_text_and_keeps_the_rest(number: str, before: str, after: str) -> None:
    text = before + number + after
    out = scrub_text(text)
    assert number not in out
    assert out == before + number[:6] + "********" + number[-2:] + after, "the last two characters, X included"


@NO_DEADLINE
@given(number=id_numbers())
def test_scrub_text_masks_an_id_number_written_with_spaces(number: str) -> None:
    cut = 14 if len(number) == 18 else 12  # region, birth date, the rest
    spaced = number[:6] + " " + number[6:cut] + " " + number[cut:]
    out = scrub_text(f"证件号码：{spaced}。")
    assert number[6:cut] not in out.replace(" ", "")
    assert out.startswith("证件号码：" + number[:6]) and out.endswith(number[-2:] + "。")


@NO_DEADLINE
@given(st.text(alphabet="0123456789０１２３４５６７８９", min_size=1, max_size=12))
def test_scrub_text_leaves_short_numbers_alone(digits: str) -> None:
    assert scrub_text(f"金额{digits}元") == f"金额{digits}元"


def test_scrub_text_leaves_case_numbers_alone() -> None:
    """A 案件编号 or an ID glued to letters is not an ID number on its own."""
    for text in ("A3505020000002026110001", "R350502000000202605000101", "abc350502199003072415"):
        assert scrub_text(text) == text


@NO_DEADLINE
@given(number=id_numbers(), name=names)
def test_mask_id_and_mask_name_never_give_the_value_back(number: str, name: str) -> None:
    masked = mask_id(number)
    assert number not in masked and len(masked) == len(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and set(masked[6:-4]) == {"*"}
    assert mask_name(name) == name[0] + "*" * (len(name) - 1)
    assert name not in mask_name(name)


def test_short_values_are_masked_all_the_same() -> None:
    assert mask_id("E1234567") == "E1****67"
    assert mask_id("E1234") == "E1*34"
    assert mask_id("ab12") == "****" and mask_id("") == "" and mask_id(None) == ""
    assert mask_name("张") == "张*" and mask_name("  ") == "" and mask_name(None) == ""
    assert mask_name("阿不都 · 热合曼") == "阿" + "*" * 6


#: the keys that hold personal data, as written in logs and cards (not read from the code under test)
PERSONAL = ("xm", "bm", "name", "alias", "zjhm", "sfzh", "id_number", "password", "mm")

#: a passport number is not shaped like an ID: only its key masks it
passports = st.builds(lambda letter, digits: letter + digits, st.sampled_from("EGPSDC"),
                      st.text(alphabet="0123456789", min_size=7, max_size=8))
ids_or_passports = st.one_of(id_numbers(), passports)


@st.composite
def nested_records(draw: st.DrawFn) -> tuple[dict, list[str]]:
    """A log event / card with personal keys at any depth, and the raw values put in it."""
    raw: list[str] = []

    def person() -> dict:
        p = {}
        for key in draw(st.lists(st.sampled_from(PERSONAL), min_size=1, max_size=4, unique=True)):
            value = draw(ids_or_passports) if key in ("zjhm", "sfzh", "id_number") else draw(names)
            p[key] = value
            raw.append(value)
        return p

    number = draw(id_numbers())
    raw.append(number)
    event = {"event": "case.failed", "reason": f"证件号码{number}有误", "count": 3,
             "card": {"xyr": [person() for _ in range(draw(st.integers(1, 3)))], "deep": {"rows": [person()]}},
             "pair": (person(), "ok")}
    return event, raw


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list | tuple):
        return [s for v in data for s in _strings(v)]
    return [data] if isinstance(data, str) else []


@NO_DEADLINE
@given(nested_records())
def test_mask_mapping_masks_personal_keys_at_any_depth(record: tuple[dict, list[str]]) -> None:
    event, raw = record
    out = mask_mapping(event)
    text = "\n".join(_strings(out))
    for value in raw:
        if value.strip() and value not in ("***",):
            assert value not in text, value
    assert out["count"] == 3 and out["event"] == "case.failed" and out["pair"][1] == "ok"
    assert len(out["card"]["xyr"]) == len(event["card"]["xyr"])
    assert event["reason"].startswith("证件号码") and "password" not in text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=nested_records())
def test_the_log_file_never_holds_a_raw_value(tmp_path_factory: pytest.TempPathFactory,
                                              record: tuple[dict, list[str]]) -> None:
    """The processor configured by casebot.logs, fed raw values: the JSON line holds none of them."""
    event, raw = record
    path = tmp_path_factory.mktemp("logs") / "casebot.jsonl"
    logs.configure(log_file=path, console=False)
    try:
        fields = {k: v for k, v in event.items() if k != "event"}
        logs.get("run").warning(event["event"], password="s3cret-pw", **fields)
        for h in logging.getLogger("casebot").handlers:
            h.flush()
        line = path.read_text(encoding="utf-8")
    finally:
        logs.configure(console=False)
    data = json.loads(line)
    assert data["event"] == "case.failed" and data["password"] == "***"
    for value in [*raw, "s3cret-pw"]:
        assert value not in line, value
    # the JSON escapes nothing that could hide a value: non-ASCII is written as is
    assert "\\u" not in line
