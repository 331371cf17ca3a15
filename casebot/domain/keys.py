"""Case numbers as a clerk may have typed them: one normal form (SPEC rule 9).

A record typed by hand carries its case number (移送案件编号, 起诉书文号) in
whatever spelling the clerk used: full-width digits, ``〔2026〕`` or ``[2026]``
or ``【2026】`` or ``（2026）``, a stray or trailing space, a lower-case letter.
Two numbers that are equal once normalised are the same case.

:func:`normalise_key` is the only place that decides it; everything that
compares case numbers calls it. :func:`search_term` picks the part of a number
to type into a target's search box (searches there match loosely, by
substring), so that the spellings above still come back as candidates.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CLOSING", "OPENING", "full_width", "normalise_key", "same_key", "search_term", "search_terms"]

#: opening brackets a clerk may use, all read as ``[``
OPENING = "〔[【(（［〖"
#: closing brackets, all read as ``]``
CLOSING = "〕]】)）］〗"
_BRACKETS = str.maketrans({**dict.fromkeys(OPENING, "["), **dict.fromkeys(CLOSING, "]")})
#: whitespace and the invisible characters a copy-paste brings along
_SPACE = re.compile(r"[\s\u00a0\u200b-\u200f\u2028-\u202f\u2060\u3000\ufeff]+")
_RUN = re.compile(r"[^\[\]]+")


def normalise_key(text: str | None) -> str:
    """The canonical spelling of a case number.

    Full-width letters, digits and punctuation become half-width (NFKC), every
    bracket of :data:`OPENING` / :data:`CLOSING` becomes ``[`` / ``]``, all
    whitespace (half-width, full-width, non-breaking, zero-width) is removed and
    letters are upper-cased. ``None`` is the empty key.
    """
    if not text:
        return ""
    out = str(text)
    # removing a space or upper-casing can make a new NFKC composition
    # ("U" + space + combining macron): repeat until nothing changes
    for _ in range(4):
        step = _SPACE.sub("", unicodedata.normalize("NFKC", out)).translate(_BRACKETS).upper()
        if step == out:
            break
        out = step
    return out


def same_key(a: str | None, b: str | None) -> bool:
    """Whether two case numbers name the same case (both non-empty and equal once normalised)."""
    na, nb = normalise_key(a), normalise_key(b)
    return bool(na) and na == nb


def search_term(key: str | None) -> str:
    """What to type into a loose (substring) search box to find ``key`` in any bracket spelling.

    The normalised key split at its brackets; the last part holding a digit (the
    serial: the most selective), else the longest part. ``A3505020000002026110001``
    is searched whole; ``泉鲤检刑诉〔2026〕123号`` by ``123号``. A search by it may
    return other records too (``1123号``): callers compare :func:`normalise_key`.
    """
    runs = _RUN.findall(normalise_key(key))
    if not runs:
        return ""
    with_digit = [r for r in runs if any(c.isdigit() for c in r)]
    return with_digit[-1] if with_digit else max(runs, key=len)


_FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def full_width(text: str) -> str:
    """``text`` with its ASCII letters, digits and marks in full width (as a clerk's IME types them)."""
    return text.translate(_FULL)


def search_terms(key: str | None) -> list[str]:
    """The terms to search for ``key`` in turn: :func:`search_term`, then the same in full width.

    A target's search matches the text as typed: ``9103号`` does not find ``９１０３号``. Each
    further term is searched only when the ones before found nothing certain.
    """
    term = search_term(key)
    if not term:
        return []
    wide = full_width(term)
    return [term] if wide == term else [term, wide]
