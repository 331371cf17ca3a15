"""Masking of personal data for logs, reports and error messages.

A raw ID number or a full name never leaves this process unmasked: every log
line, report row and error message goes through these helpers. Which model
fields are personal is declared on the model itself (``personal=True`` in the
field's ``json_schema_extra``), see :func:`casebot.domain.model.personal_fields`.
"""

from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import ahocorasick_rs

from casebot.domain.identity import clean_name, clean_text, visible

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


PERSONAL_KEYS = {
    "xm": mask_name, "bm": mask_name, "name": mask_name, "alias": mask_name,
    "zjhm": mask_id, "sfzh": mask_id, "id_number": mask_id,
    "password": lambda v: "***", "mm": lambda v: "***",
}


#: keys (police, card and target) whose values are personal beyond names and ID numbers:
#: birth dates, addresses, the free-text summary. Used to find a case's personal values.
PERSONAL_TEXT_KEYS = frozenset({"csrq", "birth_date", "hjdxz", "xzz", "zz", "jyaq", "ajzy"})
#: free text shorter than this is not searched for (too likely to be a code or a label)
_MIN_VALUE = 2


def mask_value(value: str) -> str:
    """The mask of a personal value of unknown kind: ID-like, a name, or longer text."""
    v = str(value).strip()
    if sum(c.isdigit() for c in v) >= 6:
        return mask_id(v)
    if len(v) > 20:
        return f"[{len(v)} 字]"
    return mask_name(v)


def spellings(value: str) -> set[str]:
    """The forms a personal value is met in: as given, trimmed, without spaces, cleaned, NFKC, upper case."""
    v = str(value)
    forms = {v, v.strip(), "".join(v.split()), clean_text(v).strip(), clean_name(v), " ".join(v.split())}
    forms |= {unicodedata.normalize("NFKC", f) for f in list(forms)}
    forms |= {f.upper() for f in list(forms)}
    return {f for f in forms if len(f) >= _MIN_VALUE}


def encodings(text: str) -> set[str]:
    """``text`` as stored by browsers and servers: raw, percent-encoded (form and URL, either hex
    case), JSON-escaped (``\\uXXXX``, either case) and as HTML entities (named, decimal, hex)."""
    out = {text}
    for enc in (quote(text, safe=""), quote_plus(text, safe=""), quote(text, safe="/")):
        out.add(enc)
        out.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), enc))
    escaped = json.dumps(text)[1:-1]
    upper = re.sub(r"\\u[0-9a-f]{4}", lambda m: m.group(0).upper().replace("\\U", "\\u"), escaped)
    # JSON-escaped, and escaped once more (a JSON body kept as a string inside a JSON trace event)
    out |= {escaped, upper, json.dumps(escaped)[1:-1], json.dumps(upper)[1:-1]}
    out.add(json.dumps(text, ensure_ascii=False)[1:-1])
    out.add(html.escape(text))
    out.add("".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in text))
    out.add("".join(f"&#x{ord(c):x};" if ord(c) > 127 else c for c in text))
    out.add("".join(f"&#x{ord(c):X};" if ord(c) > 127 else c for c in text))
    return {e for e in out if e}


def replacements(values: Iterable[str]) -> list[tuple[str, str]]:
    """(form, mask) for every spelling of every value in every encoding, longest first."""
    pairs: dict[str, str] = {}
    for value in values:
        if not value or len(str(value).strip()) < _MIN_VALUE:
            continue
        for enc, mask in _value_pairs(str(value)):
            pairs.setdefault(enc, mask)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


@functools.lru_cache(maxsize=16384)
def _value_pairs(value: str) -> tuple[tuple[str, str], ...]:
    mask = mask_value(value)
    return tuple((enc, mask) for form in spellings(value) for enc in encodings(form))


class Replacer:
    """Every ``raw`` of ``pairs`` replaced by its mask in one pass over a text (Aho-Corasick,
    leftmost-longest), however many forms: a trace of megabytes and thousands of forms stays quick."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        table: dict[str, str] = {}
        for raw, mask in pairs:
            if raw:
                table.setdefault(raw, mask)
        self._raws = list(table)
        self._masks = [table[r] for r in self._raws]
        self._ac = ahocorasick_rs.AhoCorasick(self._raws, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest) \
            if self._raws else None

    def __call__(self, text: str) -> str:
        if self._ac is None:
            return text
        found = self._ac.find_matches_as_indexes(text)
        if not found:
            return text
        out, at = [], 0
        for index, start, end in found:
            out.append(text[at:start])
            out.append(self._masks[index])
            at = end
        out.append(text[at:])
        return "".join(out)


def redact(text: str, values: Iterable[str] = ()) -> str:
    """A message fit for a clerk, a log or a report: the case's personal values masked in every
    spelling and encoding, ID-like numbers masked, invisible characters shown as ``<U+XXXX>``."""
    return visible(scrub_text(Replacer(replacements(values))(str(text))))


#: keys whose values are names of people
NAME_KEYS = ("xm", "bm", "name", "alias")


def _names(data: Any, out: set[str]) -> set[str]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            if str(k) in NAME_KEYS and isinstance(v, str) and v.strip():
                out.add(v.strip())
            else:
                _names(v, out)
    elif isinstance(data, list | tuple):
        for v in data:
            _names(v, out)
    return out


def names_in(*data: Any) -> frozenset[str]:
    """Every person's name (and alias) held in ``data`` (cards, records)."""
    return frozenset(_names(data, set()))


def mask_names_in(text: str, data: Any) -> str:
    """A system's message about ``data`` (a card) with every name in the card masked (in every spelling
    and encoding, see :func:`redact`), ID-like numbers scrubbed."""
    return redact(text, _names(data, set()))


def mask_mapping(data: Any) -> Any:
    """Return a copy of nested dicts/lists with personal keys masked."""
    if isinstance(data, Mapping):
        out = {}
        for k, v in data.items():
            fn = PERSONAL_KEYS.get(str(k))
            if fn is not None and isinstance(v, str):
                out[k] = fn(v)
            else:
                out[k] = mask_mapping(v)
        return out
    if isinstance(data, list | tuple):
        return [mask_mapping(v) for v in data]
    if isinstance(data, str):
        return scrub_text(data)
    return data
