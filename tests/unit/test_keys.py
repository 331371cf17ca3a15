"""Case-number normalisation (SPEC rule 9): examples and properties."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from casebot.domain.keys import CLOSING, OPENING, normalise_key, same_key, search_term, search_terms
from casebot.domain.privacy import scrub_text

#: canonical keys: what casebot itself writes (police 案件编号, 起诉书文号 with brackets)
AJBH = st.from_regex(r"\AA[0-9]{12}20[0-9]{2}(0[1-9]|1[0-2])[0-9]{4}\Z")
PREFIX = st.sampled_from(["泉检刑诉", "泉鲤检刑诉", "泉丰检刑诉", "晋检刑诉", "SJ"])
QSSWH = st.builds(lambda p, y, n: f"{p}[{y}]{n}号", PREFIX, st.integers(2000, 2099), st.integers(1, 99999))
KEYS = st.one_of(AJBH, QSSWH)
SPACES = st.sampled_from([" ", "\u3000", "\t", "\u00a0", "\u200b", "\ufeff"])


def fullwidth(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c


@st.composite
def respelled(draw: st.DrawFn, key: str) -> str:
    """``key`` as a clerk might type it: each character maybe full-width, lower-cased or bracket-swapped,
    spaces anywhere."""
    out = []
    for c in key:
        if c == "[":
            c = draw(st.sampled_from(OPENING))
        elif c == "]":
            c = draw(st.sampled_from(CLOSING))
        elif c.isascii() and c.isalpha() and draw(st.booleans()):
            c = c.lower()
        if c.isascii() and draw(st.booleans()):
            c = fullwidth(c)
        if draw(st.integers(0, 6)) == 0:
            c = draw(SPACES) + c
        out.append(c)
    if draw(st.booleans()):
        out.append(draw(SPACES))
    return "".join(out)


def test_examples_of_the_issue() -> None:
    assert normalise_key("A3505020000002026110001 ") == "A3505020000002026110001"
    assert normalise_key("a3505020000002026110001") == "A3505020000002026110001"
    assert normalise_key("Ａ３５０５０２００００００２０２６１１０００１") == "A3505020000002026110001"
    assert same_key("泉检刑诉[2026]22号", "泉检刑诉〔2026〕22号")
    assert same_key("泉检刑诉【2026】22号", "泉检刑诉（2026） 22号")
    assert same_key("泉检刑诉(2026)22号", "泉检刑诉〔2026〕22号")
    assert not same_key("泉检刑诉〔2026〕22号", "泉检刑诉〔2026〕23号")
    assert not same_key("", "")
    assert not same_key(None, " ")
    assert normalise_key(None) == ""


@given(KEYS.flatmap(lambda k: st.tuples(st.just(k), respelled(k))))
def test_any_spelling_normalises_to_the_same_key(pair: tuple[str, str]) -> None:
    key, typed = pair
    assert normalise_key(typed) == normalise_key(key)
    assert same_key(typed, key)


@given(KEYS)
def test_canonical_keys_are_fixed_points(key: str) -> None:
    assert normalise_key(key) == key.upper()


@given(st.text(max_size=40))
@example("U\u00af")  # NFKC gives "U \u0304"; without the space it composes to "\u016a"
def test_idempotent(text: str) -> None:
    once = normalise_key(text)
    assert normalise_key(once) == once
    assert not any(c.isspace() for c in once)


@given(KEYS, KEYS)
def test_different_keys_stay_different(a: str, b: str) -> None:
    assert same_key(a, b) == (a == b)


@given(KEYS.flatmap(lambda k: st.tuples(st.just(k), respelled(k))))
def test_search_term_is_a_substring_of_the_key_in_any_bracket_spelling(pair: tuple[str, str]) -> None:
    key, typed = pair
    term = search_term(key)
    assert term and term in normalise_key(key)
    assert term == search_term(typed)
    assert "[" not in term and "]" not in term


def test_search_term_examples() -> None:
    assert search_term("A3505020000002026110001") == "A3505020000002026110001"
    assert search_term("泉鲤检刑诉〔2026〕123号") == "123号"
    assert search_term("泉检刑诉[2026]1号") == "1号"
    assert search_term("〔刑诉〕") == "刑诉"
    assert search_term("") == ""


@st.composite
def typed_uniformly(draw: st.DrawFn, key: str) -> str:
    """``key`` typed wholly in full width or half width, in upper or lower case, brackets swapped."""
    wide, lower = draw(st.booleans()), draw(st.booleans())
    out = []
    for c in key:
        if c == "[":
            c = draw(st.sampled_from(OPENING))
        elif c == "]":
            c = draw(st.sampled_from(CLOSING))
        c = c.lower() if lower else c
        out.append(fullwidth(c) if wide else c)
    return "".join(out)


@given(KEYS.flatmap(lambda k: st.tuples(st.just(k), typed_uniformly(k))))
def test_one_of_the_search_terms_finds_the_key_as_typed(pair: tuple[str, str]) -> None:
    """A target's search matches the text as typed (case aside): a record typed in full width is found
    by the full-width term (issue: ``泉鲤检刑诉（２０２６）９１０３号`` was found by neither search)."""
    key, typed = pair
    terms = search_terms(key)
    assert terms[0] == search_term(key)
    assert any(t.casefold() in typed.casefold() for t in terms), (terms, typed)
    assert all(normalise_key(t) == terms[0] for t in terms)


@given(KEYS.flatmap(lambda k: st.tuples(st.just(k), typed_uniformly(k))))
@example(("A3505020000002026110001", "Ａ３５０５０２００００００２０２６１１０００１"))
def test_a_case_number_in_any_width_is_not_masked_as_an_id_number(pair: tuple[str, str]) -> None:
    _, typed = pair
    assert scrub_text(f"案件 {typed} 失败") == f"案件 {typed} 失败"


def test_an_id_number_in_full_width_is_still_masked() -> None:
    assert "１２３４" not in scrub_text("证件 ３５０５０２１９９０１２０１１２３４ 错")
    assert scrub_text("证件 350502199012011234 错") == "证件 350502********34 错"
