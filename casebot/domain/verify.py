"""Read-back verification: compare what was written with what the system shows, field by field.

Formats are normalised before comparing (whitespace, full-width digits, date
separators, ``None`` vs empty), so that only real differences count. The
differences are returned with masked values: they end up in ledgers and reports.
How a value is shown follows its field's role (:mod:`casebot.domain.roles`):
names and ID numbers masked, a title and free text by their length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from casebot.domain.privacy import key_mask, names_in
from casebot.domain.roles import Role, Roles, known
from casebot.errors import VerificationError

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def normalise(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = text.replace("\r\n", "\n")
    m = _DATE.match(text)
    if m:
        y, mo, d = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    return text


#: values a message may quote: codes, numbers, dates (no letters-and-spaces text, no Han text)
_QUOTABLE = re.compile(r"^[0-9A-Za-z_./:+-]{0,40}$")


def _show(key: str, value: Any, names: frozenset[str] = frozenset(), roles: Roles | None = None) -> str:
    """A value as a message may show it: names and ID numbers masked, codes and dates as they are,
    any other text, titles (fields with the role ``title``) included (free text and titles may hold
    names, addresses, facts), only by its length."""
    roles = roles if roles is not None else known()
    fn = key_mask(key, roles)
    if fn is not None and isinstance(value, str):
        return fn(value)
    if isinstance(value, list) and all(isinstance(v, str) and _QUOTABLE.match(v) for v in value):
        return str(value)  # a list of codes, in order
    text = "" if value is None else str(value)
    if _QUOTABLE.match(text):
        return text
    if roles.has(key, Role.TITLE):
        # a title names suspects and may name victims (``王大锤故意伤害\n李小龙案``): masking the
        # case's own names is not enough, so a title is shown by its length
        return f"{len(text)} 字的案件名称"
    return f"{len(text)} 字的文本"


def differences(card: dict[str, Any], actual: dict[str, Any], *, prefix: str = "",
                labels: dict[str, str] | None = None, names: frozenset[str] | None = None,
                namer: Callable[[str, Any], str | None] | None = None,
                at: str = "", roles: Roles | None = None) -> list[tuple[str, str, str]]:
    """Fields of ``card`` whose value differs in ``actual``: ``(field, expected, actual)``.

    Only the card's own fields are compared (the record may hold more, e.g. an
    assigned number). Lists of dicts are compared item by item, in order. Values
    are shown as their fields' ``roles`` say (default :func:`~casebot.domain.roles.known`).
    ``namer`` names a code by its place (``xyr.qzcs``, see :func:`casebot.domain.changes.code_namer`):
    ``6（逮捕）``; ``at``: the place of ``card`` within the whole card.
    """
    labels = labels or {}
    roles = roles if roles is not None else known()
    if names is None:
        names = names_in(card, actual, roles=roles)
    out: list[tuple[str, str, str]] = []
    for key, want in card.items():
        got = actual.get(key)
        name = f"{prefix}{labels.get(key, key)}"
        if isinstance(want, list) and want and isinstance(want[0], dict):
            got_list = got if isinstance(got, list) else []
            if len(got_list) != len(want):
                out.append((name, f"{len(want)} 条", f"{len(got_list)} 条"))
                continue
            for i, (w, a) in enumerate(zip(want, got_list, strict=True), 1):
                out.extend(differences(w, a if isinstance(a, dict) else {}, prefix=f"{name}[{i}].",
                                       labels=labels, names=names, namer=namer, at=f"{at}{key}.",
                                       roles=roles))
            continue
        if normalise(want) != normalise(got):
            out.append((name, *(_named(f"{at}{key}", key, v, names, namer, roles) for v in (want, got))))
    return out


def _named(place: str, key: str, value: Any, names: frozenset[str],
           namer: Callable[[str, Any], str | None] | None, roles: Roles | None = None) -> str:
    """A value as a message shows it: a code with its name when ``namer`` knows it, else :func:`_show`."""
    named = namer(place, value) if namer is not None and value not in (None, "") else None
    return named or _show(key, value, names, roles)


def verify(card: dict[str, Any], actual: dict[str, Any], *, case: str | None = None,
           labels: dict[str, str] | None = None, namer: Callable[[str, Any], str | None] | None = None,
           roles: Roles | None = None) -> None:
    """Raise VerificationError naming every field that differs (codes with their names, given ``namer``)."""
    diffs = differences(card, actual, labels=labels, namer=namer, roles=roles)
    if diffs:
        raise VerificationError(diffs, case=case)
