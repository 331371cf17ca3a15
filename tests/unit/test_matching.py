"""Certain, probable or no match: what the records a target's search returned mean for a card."""

from __future__ import annotations

from casebot.domain.matching import Candidate, Identity, classify, names_of

CARD = Identity(key="A3505020000002026110001", ids=frozenset({"350502199003072415"}), names=frozenset({"张三"}),
                charge="0502", unit="Y350502", date="2026-11-20")


def row(record_id: str, key: str, by: str = "key", **over: object) -> Candidate:
    fields = {"key": key, "ids": frozenset(), "names": frozenset({"张三"}), "charge": "0502", "unit": "Y350502",
              "date": "2026-11-20", **over}
    return Candidate(record_id, Identity(**fields), by)  # type: ignore[arg-type]


def test_nothing_found_is_no_match() -> None:
    assert classify(CARD, []).kind == "none"


def test_the_same_key_in_any_spelling_is_certain() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in CARD.key)
    for typed in ("a3505020000002026110001 ", full_width, "A350502 0000002026110001"):
        match = classify(CARD, [row("R1", typed), row("R2", "A3505020000002026110011")])
        assert (match.kind, match.record_id) == ("certain", "R1"), typed
    # the same record found twice (by key and by ID) is still one record
    match = classify(CARD, [row("R1", CARD.key), row("R1", CARD.key, "id", ids=CARD.ids)])
    assert (match.kind, match.record_id) == ("certain", "R1")


def test_two_records_with_the_key_are_for_a_clerk() -> None:
    match = classify(CARD, [row("R1", CARD.key), row("R2", CARD.key.lower())])
    assert match.kind == "probable" and {c.record_id for c in match.candidates} == {"R1", "R2"}
    assert "R1（案件编号 A3505020000002026110001）" in match.describe()


def test_a_second_identity_makes_a_probable_match() -> None:
    typo = row("R9", "A3505020000002026110007", "id", ids=CARD.ids)
    match = classify(CARD, [typo])
    assert match.kind == "probable" and match.record_id is None and match.candidates == (typo,)
    by_case = row("R8", "", "case", date="2026-12-05")
    assert classify(CARD, [by_case]).kind == "probable", "same name, charge, unit, dates 15 days apart"


def test_the_same_person_in_another_case_is_no_match() -> None:
    assert classify(CARD, [row("R9", "A3505020000002025010007", "id", ids=CARD.ids, charge="0206")]).kind == "none"
    assert classify(CARD, [row("R9", "A3505020000002025010007", "id", ids=CARD.ids, unit="Y350503")]).kind == "none"
    assert classify(CARD, [row("R8", "", "case", date="2026-06-01")]).kind == "none", "dates too far apart"
    assert classify(CARD, [row("R8", "", "case", names=frozenset({"李四"}))]).kind == "none"


def test_names_of_a_search_cell() -> None:
    assert names_of("张三、 阮·文雄,John  Smith") == frozenset({"张三", "阮·文雄", "JOHNSMITH"})
    assert names_of("") == frozenset()
