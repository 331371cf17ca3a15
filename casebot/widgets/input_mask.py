"""Input masks on date boxes (``YYYY/MM/DD`` and the like): digits typed key by key, the mask adds the separators.

A masked input usually swallows what it does not expect (letters, separators)
and formats digits as they are typed, so the value is entered as a person
would: the field is cleared, the date's digits are typed one by one, and the
field must then show the date in the mask's format, or the mask did not take
it (:class:`~casebot.errors.PageChanged`). Read back, a complete date is
returned as ``YYYY-MM-DD``; an empty mask as ``""``.

Options: ``mask`` (default ``YYYY/MM/DD``; tokens ``YYYY``, ``MM``, ``DD`` in any
order with any separators).
"""

from __future__ import annotations

import re
from typing import Any

from casebot import errors
from casebot.widgets import Binding, Widget, register

_ISO = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?\s*$")
_TOKENS = re.compile(r"YYYY|MM|DD")


def _parts(value: str) -> dict[str, str] | None:
    m = _ISO.match(value)
    if not m:
        return None
    y, mo, d = m.groups()
    return {"YYYY": y, "MM": f"{int(mo):02d}", "DD": f"{int(d):02d}"}


def mask_format(mask: str, value: str) -> str:
    """How the mask shows ``value`` (``2026-12-01`` -> ``2026/12/01``)."""
    parts = _parts(value)
    if parts is None:
        raise ValueError(value)
    return _TOKENS.sub(lambda m: parts[m.group(0)], mask)


def mask_read(mask: str, text: str) -> str:
    """``2026/12/01`` under ``YYYY/MM/DD`` -> ``2026-12-01``; ``""`` stays ``""``; anything else as is."""
    text = text.strip()
    if not text:
        return ""
    pattern = "^" + _TOKENS.sub(lambda m: f"(?P<{m.group(0)[0]}>\\d{{{len(m.group(0))}}})", re.escape(mask)) + "$"
    m = re.match(pattern, text)
    if not m:
        return text
    return f"{m['Y']}-{m['M']}-{m['D']}"


@register
class MaskedDate(Widget):
    kind = "masked_date"
    single = True

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        mask = binding.options.get("mask", "YYYY/MM/DD")
        text = "" if value is None else str(value).strip()
        box = scope.locator(binding.selector)
        await box.fill("")
        if not text:
            return
        try:
            want = mask_format(mask, text)
        except ValueError:
            raise errors.DataError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD", field=binding.label) from None
        await box.press_sequentially(re.sub(r"\D", "", want))
        got = await box.input_value()
        if got != want:
            raise errors.PageChanged("masked_date", f"日期输入框（输入 {want} 后显示“{got}”）", label=binding.label)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return mask_read(binding.options.get("mask", "YYYY/MM/DD"), await scope.locator(binding.selector).input_value())
