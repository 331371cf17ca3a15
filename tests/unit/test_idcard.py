"""GB 11643 helpers: examples and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebot.domain import idcard
from casebot.domain.idcard import IdNumberError

REGIONS = st.sampled_from(["350502", "350503", "110101", "440305", "650102"])
BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))
SERIALS = st.integers(min_value=0, max_value=999)


def make_id(region: str, birth: date, serial: int) -> str:
    body = f"{region}{birth:%Y%m%d}{serial:03d}"
    return body + idcard.check_digit(body)


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_known_examples() -> None:
    assert idcard.check_digit("35050219900307241") == "5"
    assert idcard.to_18("３５０５０２１９９００３０７２４１５") == "350502199003072415"
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.to_18("11010519491231002x") == "11010519491231002X"
    assert idcard.upgrade_15("350502900307241") == "350502199003072415"
    assert idcard.birth_date("350502199003072415") == date(1990, 3, 7)
    assert idcard.sex("350502199003072415") == "1"
    assert idcard.sex("35050219900307242X") == "2"


def test_normalize_whitespace_and_case() -> None:
    assert idcard.normalize(" 3505 0219\u30009003072415\t") == "350502199003072415"
    assert idcard.normalize("ｅ１２３４５６７８") == "E12345678"
    assert idcard.normalize(None) == ""


@pytest.mark.parametrize(("raw", "reason"), [
    ("350502199003072416", "证件号码校验位错误"),
    ("35050219900307241", "证件号码应为18位（现为17位）"),
    ("3505021990030724155", "证件号码应为18位（现为19位）"),
    ("35050219900A072415", "证件号码含有非法字符"),
    ("350502199013072410", None),
    ("", "证件号码为空"),
])
def test_invalid_numbers(raw: str, reason: str | None) -> None:
    with pytest.raises(IdNumberError) as info:
        idcard.to_18(raw)
    if reason:
        assert info.value.reason == reason
    assert raw[6:] not in str(info.value) or not raw


def test_invalid_birth_date_in_valid_checksum() -> None:
    body = "35050219901307241"  # month 13
    with pytest.raises(IdNumberError, match="出生日期无效"):
        idcard.validate(body + idcard.check_digit(body))


@settings(deadline=None)
@given(REGIONS, BIRTHS, SERIALS)
def test_generated_ids_are_valid(region: str, birth: date, serial: int) -> None:
    number = make_id(region, birth, serial)
    assert idcard.is_valid(number)
    assert idcard.to_18(number) == number
    assert idcard.birth_date(number) == birth
    assert idcard.sex(number) == ("1" if serial % 2 else "2")


@settings(deadline=None, max_examples=40)
@given(REGIONS, BIRTHS, SERIALS, st.data())
def test_normalize_undoes_clerk_typing(region: str, birth: date, serial: int, data: st.DataObject) -> None:
    number = make_id(region, birth, serial)
    typed = "".join(
        (to_fullwidth(c) if data.draw(st.booleans()) else c) + data.draw(st.sampled_from(["", "", " ", "\u3000"]))
        for c in number)
    if data.draw(st.booleans()):
        typed = typed.lower()
    assert idcard.to_18(typed) == number


@settings(deadline=None)
@given(REGIONS, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), SERIALS)
def test_upgrade_15_roundtrip(region: str, birth: date, serial: int) -> None:
    old = f"{region}{birth:%y%m%d}{serial:03d}"
    new = idcard.upgrade_15(old)
    assert new == make_id(region, birth, serial)
    assert idcard.to_18(old) == new
    assert new[:6] + new[8:17] == old


@settings(deadline=None)
@given(REGIONS, BIRTHS, SERIALS, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(region: str, birth: date, serial: int, pos: int, delta: int) -> None:
    number = make_id(region, birth, serial)
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1:]
    assert not idcard.is_valid(changed)


@settings(deadline=None)
@given(REGIONS, BIRTHS, SERIALS)
def test_wrong_check_character_is_caught(region: str, birth: date, serial: int) -> None:
    number = make_id(region, birth, serial)
    for c in "0123456789X":
        if c != number[17]:
            assert not idcard.is_valid(number[:17] + c)


@settings(deadline=None)
@given(st.text(max_size=30))
def test_to_18_never_crashes_unexpectedly(text: str) -> None:
    try:
        result = idcard.to_18(text)
    except IdNumberError:
        return
    assert idcard.is_valid(result)


def test_sex_parity_edge() -> None:
    birth = date(1990, 3, 7)
    for serial in range(10):
        assert idcard.sex(make_id("350502", birth, serial)) == ("1" if serial % 2 else "2")
    assert idcard.birth_date(make_id("350502", birth, 1)) == birth


# -- found by mutation testing (docs/testing.md): each pins one line ------------------------------

@pytest.mark.parametrize(("call", "arg", "message"), [
    (idcard.check_digit, "３５０５０２１９９００３０７２４１", "证件号码前17位应为数字"),  # full-width: not ASCII
    (idcard.check_digit, "3505021990030724", "证件号码前17位应为数字"),  # 16 digits
    (idcard.upgrade_15, "35050385061212X", "15位证件号码应全部为数字"),
    (idcard.birth_date, "35050219900307241", "证件号码位数不对"),  # 17 digits
    (idcard.birth_date, "3505031985061212", "证件号码位数不对"),  # 16 digits
    (idcard.sex, "35050219900307241", "证件号码位数不对"),
    (idcard.sex, "3505031985061212", "证件号码位数不对"),
    (idcard.to_18, "350502199002302418", "证件号码中的出生日期无效"),
])
def test_each_refusal_says_why(call, arg: str, message: str) -> None:
    with pytest.raises(IdNumberError) as info:
        call(arg)
    assert str(info.value) == message


def test_birth_date_and_sex_read_a_15_digit_id() -> None:
    assert idcard.birth_date("350503850612123") == date(1985, 6, 12)
    assert idcard.sex("350503850612123") == "1"
    assert idcard.sex("350503850612124") == "2"
