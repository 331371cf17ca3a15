"""A date typed whole into a text box shown in its own display format (``2026年03月01日``).

Date pickers (laydate, Element Plus's ``el-date-picker``, many in-house ones)
accept a date typed into their box in the format they display, which is often
not the card's ``YYYY-MM-DD``. The box is filled with the date in that format,
then ``commit`` is pressed (``Enter`` makes a picker parse what was typed;
``Tab`` leaves the box); a picker popup named by ``popup`` is then awaited
hidden. The box must then show the date as typed, or the picker refused it
(:class:`~casebot.errors.PageChanged`: its format is not the one described).
Read back, a date in the display format is returned as ``YYYY-MM-DD``.

Options: ``format`` (default ``YYYY-MM-DD``; tokens ``YYYY``/``yyyy``,
``MM``, ``DD``/``dd``), ``commit`` (a key, default ``Tab``), ``popup``.
"""

from __future__ import annotations

from typing import Any

from casebot import errors
from casebot.widgets import Binding, Widget, document, register
from casebot.widgets.input_mask import mask_format as shown
from casebot.widgets.input_mask import mask_read as parse


def display_format(binding: Binding) -> str:
    """The binding's display format with layui's lower-case tokens read as ``YYYY``/``DD``."""
    return str(binding.options.get("format", "YYYY-MM-DD")).replace("yyyy", "YYYY").replace("dd", "DD")


@register
class TypedDate(Widget):
    kind = "typed_date"
    single = True
    commit_key = "Tab"

    def box(self, scope: Any, binding: Binding) -> Any:
        return scope.locator(binding.selector)

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        fmt = display_format(binding)
        text = "" if value in (None, "") else _shown(fmt, str(value), binding)
        box = self.box(scope, binding)
        await box.fill(text)
        await box.press(str(binding.options.get("commit", self.commit_key)))
        popup = binding.options.get("popup")
        if popup:
            await document(scope).locator(popup).last.wait_for(state="hidden")
        got = (await box.input_value()).strip()
        if got != text:
            raise errors.PageChanged("typed_date", f"{binding.label}：输入“{text}”后显示“{got}”", label=binding.label)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return parse(display_format(binding), await self.box(scope, binding).input_value())


def _shown(fmt: str, value: str, binding: Binding) -> str:
    try:
        return shown(fmt, value)
    except ValueError:
        raise errors.DataError(f"不是日期：{value}", field=binding.label) from None
