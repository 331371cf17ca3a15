"""Identity text rules: how names and other text fields are cleaned, in one place.

Used by the model's validators (every text field of a card) and by the mapping
filters (``clean_name``, ``clean_text``), documented in ``docs/mappings.md``:

- **Invisible characters** (Unicode categories ``Cc`` control and ``Cf``
  format: zero-width spaces and joiners, bidi embeddings, overrides and
  isolates, the BOM, soft hyphens) are removed from every text field; tab and
  line feed are kept where a field may span lines. A field whose policy is
  ``refuse`` stops the case instead (:class:`InvisibleCharacters`).
- **Chinese names** (any Han character) lose every inner space, half- or
  full-width: ``张 三`` → ``张三``; an ASCII ``.`` or any look-alike dot
  between parts becomes ``·``: ``阮.文雄`` → ``阮·文雄``.
- **Latin-script names** (no Han character) keep their inner spaces, a run of
  spaces (of any width) becoming one ASCII space, trimmed; letters and ASCII
  dots as given: ``  NGUYEN　 VAN AN `` → ``NGUYEN VAN AN``. Look-alike dots
  other than ``.`` become ``·``.
- :func:`visible` shows invisible characters as ``<U+202E>`` so that a report
  or a console never renders them raw.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DOT",
    "InvisibleCharacters",
    "clean_name",
    "clean_text",
    "has_invisible",
    "is_chinese_name",
    "one_line",
    "visible",
]

#: the middle dot of transliterated names (U+00B7)
DOT = "·"
#: characters taken for the name dot in every name
_LOOKALIKE_DOTS = "・･•‧∙●．⋅⸱ꞏ∘᛫"
#: characters taken for the name dot in Chinese names only (a Latin name keeps ``J. SMITH``)
_CHINESE_ONLY_DOTS = "."
_DOTS_ALL = str.maketrans({c: DOT for c in _LOOKALIKE_DOTS})
_DOTS_CHINESE = str.maketrans({c: DOT for c in _LOOKALIKE_DOTS + _CHINESE_ONLY_DOTS})
#: whitespace kept inside free text
_KEPT_CONTROLS = frozenset("\n\t")
_SPACES = re.compile(r"\s+")


class InvisibleCharacters(ValueError):
    """Text holds control, zero-width or bidi characters and its field's policy refuses them."""


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") and ch not in _KEPT_CONTROLS


#: the space separators, line feed and tab, as a printable letter: what is left non-printable after
#: translating them is a control, format, private or unassigned character (str.isprintable, in C)
_SPACES_AS_LETTER = str.maketrans({c: "x" for c in "\n\t \u00a0\u1680\u2028\u2029\u202f\u205f\u3000"
                                   + "".join(chr(c) for c in range(0x2000, 0x200B))})


def has_invisible(text: str) -> bool:
    if text.translate(_SPACES_AS_LETTER).isprintable():
        return False  # the common case, decided at C speed
    return any(_invisible(c) for c in text)


def clean_text(value: str | None, *, refuse: bool = False) -> str:
    """Remove control, zero-width and bidi characters (tab and line feed kept; CR LF becomes LF).

    With ``refuse`` the text is returned unchanged when clean, and
    :class:`InvisibleCharacters` raised when it is not.
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n")
    if not has_invisible(text):
        return text
    if refuse:
        raise InvisibleCharacters("含有不可见的控制字符（零宽、双向或控制字符）")
    return "".join(c for c in text if not _invisible(c))


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F
            or 0xF900 <= o <= 0xFAFF or o == 0x3007)


def is_chinese_name(text: str) -> bool:
    """A name is written by the Chinese rule when it holds a Han character."""
    return any(_is_han(c) for c in text)


def clean_name(value: str | None) -> str:
    """A name by the rules above: invisible characters gone, spaces and dots by script."""
    text = clean_text(value).strip()
    if is_chinese_name(text):
        return "".join(text.split()).translate(_DOTS_CHINESE)
    return _SPACES.sub(" ", text).translate(_DOTS_ALL)


#: a line break (LF, CR, VT, FF, NEL, the Unicode line and paragraph separators) with the spaces around it
_LINE_BREAK = re.compile(r"[ \t\u3000]*[\n\r\v\f\x85\u2028\u2029][\s\u3000]*")


def one_line(text: str) -> str:
    """``text`` on one line, as a single-line field holds it: each line break (with the spaces around
    it) becomes nothing between two Chinese characters, one space otherwise (an ``<input>`` silently
    drops line breaks, so a card keeping them would not read back as written)."""
    if not _LINE_BREAK.search(text):
        return text

    def join(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return "" if not before or not after or (_is_han(before) and _is_han(after)) else " "

    return _LINE_BREAK.sub(join, text)


def visible(text: str | None) -> str:
    """``text`` with each invisible character shown as ``<U+XXXX>`` (tab and line feed kept)."""
    if not text:
        return "" if text is None else text
    if not has_invisible(text):
        return text
    return "".join(f"<U+{ord(c):04X}>" if _invisible(c) else c for c in text)
