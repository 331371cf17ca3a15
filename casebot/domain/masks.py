"""Masks of one value: an ID number, a name, ID-like numbers inside free text.

Pure string functions, below the models that use them (a record's masked form) and the role-driven
masking of :mod:`casebot.domain.privacy`.
"""

from __future__ import annotations

import re

from casebot.domain.identity import clean_text

#: an ID number (half or full width, spaced or not), not part of a longer code: a case number
#: (``A3505…``, ``ａ３５０５…`` typed by hand) is not masked
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])([0-9０-９]{6})[0-9０-９ \u3000]{5,}([0-9０-９xXｘＸ]{2})"
                      r"(?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])")


def mask_id(value: str | None) -> str:
    """``350502199003072415`` -> ``350502********2415``; passports keep 2 + 2 characters."""
    if not value:
        return ""
    v = str(value).strip()
    if len(v) >= 15:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    if len(v) > 4:
        return v[:2] + "*" * (len(v) - 4) + v[-2:]
    return "*" * len(v)


def mask_name(value: str | None) -> str:
    """``张三`` -> ``张*``; ``阮·文雄`` -> ``阮**``: the first character only."""
    if not value:
        return ""
    v = "".join(clean_text(str(value)).split())
    if not v:
        return ""
    return v[0] + "*" * max(1, len(v) - 1)


def scrub_text(text: str) -> str:
    """Mask anything that looks like an ID number inside free text."""
    return _ID_LIKE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
