"""Masking of personal data for logs, reports and error messages.

A raw ID number or a full name never leaves this process unmasked: every log
line, report row and error message goes through these helpers. Which model
fields are personal is declared on the model itself (``personal=True`` in the
field's ``json_schema_extra``), see :func:`casebot.model.personal_fields`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])([0-9０-９]{6})[0-9０-９ ]{5,}([0-9０-９xX]{2})(?![0-9A-Za-z])")


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
    v = "".join(str(value).split())
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


def mask_names_in(text: str, data: Any) -> str:
    """A system's message about ``data`` (a card) with every name in the card masked, ID-like numbers scrubbed."""
    for name in sorted(_names(data, set()), key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return scrub_text(text)


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
