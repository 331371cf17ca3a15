"""Masking of personal data for logs, reports and error messages.

A raw ID number or a full name never leaves this process unmasked: every log
line, report row and error message goes through these helpers. Which fields are
personal, and how each is masked, is read from their declared roles
(:mod:`casebot.domain.roles`: a name, an ID number, a birth date, an address,
free text, a secret), never from a system's field names; the helpers take the
roles of the card at hand, or use :func:`casebot.domain.roles.known`.
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

from casebot.domain import model as _model  # noqa: F401 - its records declare the roles known() reads
from casebot.domain.identity import clean_name, clean_text, visible
from casebot.domain.masks import mask_id, mask_name, scrub_text
from casebot.domain.roles import NAMES, PERSONAL, Role, Roles, known

__all__ = ["key_mask", "mask_id", "mask_mapping", "mask_name", "mask_names_in", "mask_value", "names_in",
           "personal_key", "redact", "scrub_text"]


def _secret(value: str) -> str:
    return "***"


#: how a value of each role is masked where it is shown (other personal roles: see :func:`key_mask`)
_MASK_BY_ROLE = {Role.NAME: mask_name, Role.ALIAS: mask_name, Role.ID_NUMBER: mask_id, Role.SECRET: _secret}


def key_mask(key: str, roles: Roles | None = None) -> Any:
    """The mask of a name, an ID number or a secret held under ``key``, or None when its role is none of these."""
    for r in (roles if roles is not None else known()).of(key):
        if r in _MASK_BY_ROLE:
            return _MASK_BY_ROLE[r]
    return None


def personal_key(key: str, roles: Roles | None = None) -> bool:
    """Whether the values under ``key`` are a person's data (names, numbers, dates, addresses, free text)."""
    return (roles if roles is not None else known()).has(key, *PERSONAL)


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


def _names(data: Any, out: set[str], roles: Roles) -> set[str]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            if roles.has(str(k), *NAMES) and isinstance(v, str) and v.strip():
                out.add(v.strip())
            else:
                _names(v, out, roles)
    elif isinstance(data, list | tuple):
        for v in data:
            _names(v, out, roles)
    return out


def names_in(*data: Any, roles: Roles | None = None) -> frozenset[str]:
    """Every person's name (and alias) held in ``data`` (cards, records)."""
    return frozenset(_names(data, set(), roles if roles is not None else known()))


def mask_names_in(text: str, data: Any, roles: Roles | None = None) -> str:
    """A system's message about ``data`` (a card) with every name in the card masked (in every spelling
    and encoding, see :func:`redact`), ID-like numbers scrubbed."""
    return redact(text, names_in(data, roles=roles))


def mask_mapping(data: Any, roles: Roles | None = None) -> Any:
    """Return a copy of nested dicts/lists with personal keys masked: names and ID numbers by their
    masks, secrets, addresses and birth dates as ``***``; ID-like numbers scrubbed from any text."""
    roles = roles if roles is not None else known()
    if isinstance(data, Mapping):
        out = {}
        for k, v in data.items():
            fn = key_mask(str(k), roles)
            if fn is None and isinstance(v, str) and v and roles.has(str(k), Role.ADDRESS, Role.BIRTH_DATE):
                fn = _secret
            if fn is not None and isinstance(v, str):
                out[k] = fn(v)
            else:
                out[k] = mask_mapping(v, roles)
        return out
    if isinstance(data, list | tuple):
        return [mask_mapping(v, roles) for v in data]
    if isinstance(data, str):
        return scrub_text(data)
    return data
