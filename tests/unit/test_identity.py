"""Identity text rules (casebot.domain.identity): the examples the issue quotes, then properties on generated text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebot.domain.identity import clean_name, clean_text, has_invisible, is_chinese_name, visible
from casebot.mapping.filters import f_clean_name, f_clean_text

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b",
             "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u00ad", "\x00", "\x1b",
             "\x7f", "\u061c"]
SPACES = [" ", "\u3000", "\u00a0", "\t", "\u2002"]
DOTS = ["・", "･", "•", "‧", "∙", "●", "．", "⋅"]

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
latin = st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x24F)
invisible = st.sampled_from(INVISIBLE)
space = st.sampled_from(SPACES)


# -- the cases adversarial testing found ---------------------------------------

def test_latin_name_keeps_its_inner_spaces() -> None:
    assert clean_name("NGUYEN VAN AN") == "NGUYEN VAN AN"
    assert clean_name("  NGUYEN\u3000 VAN   AN ") == "NGUYEN VAN AN"
    assert clean_name("Nguyễn Văn An") == "Nguyễn Văn An", "letters as given"


def test_chinese_name_loses_inner_spaces() -> None:
    assert clean_name(" 张 三\u3000") == "张三"
    assert clean_name("阿依古丽 • 买买提") == "阿依古丽·买买提"


def test_bidi_and_zero_width_characters_are_removed() -> None:
    assert clean_name("\u202e张三\u200b") == "张三"
    assert clean_text("案情\u202e摘要\u200d\n第二行\t") == "案情摘要\n第二行\t"


def test_ascii_dot_is_a_lookalike_in_chinese_names_only() -> None:
    assert clean_name("阮.文雄") == "阮·文雄"
    assert clean_name("J. SMITH") == "J. SMITH"
    assert clean_name("JOHN•SMITH") == "JOHN·SMITH"


def test_filters_apply_the_same_rules() -> None:
    assert f_clean_name("\u202eNGUYEN  VAN AN") == "NGUYEN VAN AN"
    assert f_clean_text(None) == ""
    assert f_clean_text("a\u200bb") == "ab"


def test_refusing_policy_stops_instead() -> None:
    with pytest.raises(ValueError, match="不可见"):
        clean_text("11010519491231002\u200bX", refuse=True)
    assert clean_text("110105194912310021", refuse=True) == "110105194912310021"


def test_visible_shows_invisible_characters() -> None:
    assert visible("\u202e张三") == "<U+202E>张三"
    assert visible("行1\n行2") == "行1\n行2"


# -- properties --------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(han, min_size=1, max_size=3), min_size=1, max_size=4), st.data())
def test_chinese_names_have_no_space_or_invisible_character(parts: list[str], data: st.DataObject) -> None:
    sep = data.draw(st.lists(st.text(space | invisible, max_size=3), min_size=len(parts), max_size=len(parts)))
    raw = data.draw(st.text(space, max_size=2)) + "".join(p + s for p, s in zip(parts, sep, strict=True))
    out = clean_name(raw)
    assert out == "".join(parts)
    assert clean_name(out) == out, "idempotent"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(latin, min_size=1, max_size=8), min_size=1, max_size=4), st.data())
def test_latin_names_keep_one_space_between_words(words: list[str], data: st.DataObject) -> None:
    seps = [data.draw(st.text(space, min_size=1, max_size=3)) + data.draw(st.text(invisible, max_size=1))
            for _ in words[1:]]
    raw = data.draw(st.text(space, max_size=2)) + words[0] + "".join(
        s + w for s, w in zip(seps, words[1:], strict=True)) + data.draw(st.text(space, max_size=2))
    out = clean_name(raw)
    assert out == " ".join(words), "letters as given, one space between words, trimmed"
    assert not is_chinese_name(out)
    assert clean_name(out) == out


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_no_text_keeps_an_invisible_character(text: str) -> None:
    for out in (clean_text(text), clean_name(text)):
        assert not has_invisible(out)
        assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in out if c not in "\n\t")
    assert not any(unicodedata.category(c) == "Cf" for c in visible(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(han, min_size=1, max_size=3), min_size=2, max_size=3), st.sampled_from([*DOTS, "."]))
def test_dot_lookalikes_unify(parts: list[str], dot: str) -> None:
    assert clean_name(f" {dot} ".join(parts)) == "·".join(parts)
