"""layui: ``form`` selects (searchable with ``lay-search``) and ``layer`` confirm dialogs.

``layui.form`` hides the ``<select>`` and draws its own list after it
(``.layui-form-select``: a title input, a ``<dl>`` of ``<dd lay-value>``). The
binding's selector names the hidden ``<select>``; the widget opens layui's
list, types the value into the title box when the select is searchable (the
list then hides what does not match), clicks the one item whose text is the
value, and checks that the ``<select>`` took it. An item missing, or found
twice, is never guessed at. Dates in laydate boxes are ``typed_date``.
"""

from __future__ import annotations

from typing import Any

from casebot.kit.widgets import OPTION_TEXTS, Binding, Widget, document, register
from casebot.kit.widgets.choose import exact, pick_one

_SELECTED = "s => s.selectedIndex < 0 || s.value === '' ? '' : s.options[s.selectedIndex].text.trim()"


@register
class LayuiSelect(Widget):
    kind = "layui_select"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        select = scope.locator(binding.selector)
        ui = select.locator("xpath=following-sibling::div[contains(@class,'layui-form-select')][1]")
        text = "" if value is None else str(value)
        if text == "" and await select.input_value() == "":
            return
        title = ui.locator(".layui-select-title input")
        await title.click()
        await ui.locator("dl").wait_for(state="visible")
        if text and await select.get_attribute("lay-search") is not None:
            await title.fill(text)
        items = ui.locator("dl dd:not(.layui-hide):not(.layui-select-tips)" if text else "dl dd.layui-select-tips")
        item = items.filter(has_text=exact(text)) if text else items
        await pick_one("layui", binding, text, item, escape=title, check=select, shown=_SELECTED)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).evaluate(_SELECTED)

    async def present(self, scope: Any, binding: Binding) -> bool:
        return await scope.locator(binding.selector).count() > 0

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        return list(await scope.locator(binding.selector).first.evaluate(OPTION_TEXTS))


async def confirm_layer(scope: Any, text: str, button: str = "确定") -> None:
    """Answer the ``layer.confirm`` dialog that says ``text`` by clicking ``button``; wait for it to close."""
    dialog = document(scope).locator(".layui-layer-dialog").filter(has_text=text)
    await dialog.wait_for(state="visible")
    await dialog.locator(".layui-layer-btn a").filter(has_text=exact(button)).click()
    await dialog.wait_for(state="detached")
