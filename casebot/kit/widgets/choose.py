"""Choosing one option of a kit's dropdown select (layui, select2, Element Plus, ant-design-vue).

The kits differ in how their dropdown opens, searches and lists; the start and the end of a choice are
the same for each: nothing to do when the box already shows the text (a select cannot be emptied by
choosing), and exactly one option clicked, the box checked after. None is an option the system lacks
(:class:`~casebot.errors.OptionMissing`, the case stops); several, or another text shown after the
click, is a changed page.
"""

from __future__ import annotations

import re
from typing import Any

from casebot import errors
from casebot.kit.widgets import Binding


def exact(text: str) -> re.Pattern[str]:
    """An option's text, exactly (spaces around it aside)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


async def wanted(kit: str, binding: Binding, box: Any, value: Any, shown: str) -> str | None:
    """The text to choose, or None when ``box`` (evaluated with the ``shown`` script) shows it already."""
    text = "" if value is None else str(value)
    if text == await box.evaluate(shown):
        return None
    if text == "":
        raise errors.PageChanged(kit, f"{binding.label}：无法清空", label=binding.label)
    return text


async def pick_one(kit: str, binding: Binding, text: str, match: Any, *, escape: Any | None,
                   check: Any, shown: str, dropdown: Any | None = None, closes: str = "hidden") -> None:
    """Click the one option ``match``, then check that ``check`` (evaluated with ``shown``) shows ``text``.

    ``escape`` takes the Escape key that closes the dropdown when no single option matches;
    ``dropdown`` (when given) is waited for until it is ``closes`` (hidden or detached) after the click.
    """
    n = await match.count()
    if n != 1:
        if escape is not None:
            await escape.press("Escape")
        if n == 0:
            raise errors.OptionMissing(binding.label, text)
        raise errors.PageChanged(kit, f"{binding.label}：“{text}”有 {n} 项", label=binding.label)
    await match.click()
    if dropdown is not None:
        await dropdown.wait_for(state=closes)
    got = await check.evaluate(shown)
    if got != text:
        raise errors.PageChanged(kit, f"{binding.label}：选择“{text}”后为“{got}”", label=binding.label)
