"""ant-design-vue 4: ``a-select`` (its dropdown a virtual list in a portal), ``a-date-picker``.

``ant_select``: the binding's selector names the select's search input (``<a-select id>`` puts the
id there). Its ``aria-controls`` names a hidden listbox inside the dropdown, which is teleported
to ``<body>``: that is how the one dropdown of this select is told from every other. The dropdown
draws only the options in view (a virtual list): the widget types the value where the select is
searchable (``show-search``; option ``search: false`` to never type), else scrolls the list a page
at a time until the option whose text is the value is drawn, clicks it, and checks that the select
shows it. No option, or two, is never guessed: :class:`~casebot.errors.OptionMissing`.

``ant_date``: the picker's input is read-only until clicked; the date is typed in the picker's
display format (``format``, default ``YYYY-MM-DD``) and committed with Enter (the picker takes a
typed date only then); its popup, which is not tied to its input, is awaited closed.
"""

from __future__ import annotations

from typing import Any

from casebot.kit.widgets import Binding, Widget, document, register
from casebot.kit.widgets.choose import exact, pick_one, wanted
from casebot.kit.widgets.typed_date import TypedDate

_SHOWN = """i => {
  const s = i.closest('.ant-select');
  const el = s && s.querySelector('.ant-select-selection-item');
  return el ? (el.getAttribute('title') || el.textContent).trim() : '';
}"""
#: one page down in a virtual list; the new scrollTop (unchanged at the end of the list)
_SCROLL = "h => { const before = h.scrollTop; h.scrollTop = before + h.clientHeight; return h.scrollTop > before; }"
_FRAME = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@register
class AntSelect(Widget):
    kind = "ant_select"

    def dropdown(self, scope: Any, listbox: str) -> Any:
        doc = document(scope)
        return doc.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden)").filter(
            has=doc.locator(f"[id='{listbox}']"))

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        box = scope.locator(binding.selector)
        text = await wanted("antd", binding, box, value, _SHOWN)
        if text is None:
            return
        await box.click(force=True)  # the input sits under the shown value: a clerk clicks the box
        dropdown = self.dropdown(scope, await box.get_attribute("aria-controls") or "")
        await dropdown.wait_for(state="visible")
        searchable = await box.get_attribute("readonly") is None
        if binding.options.get("search", True) and searchable:
            await box.fill(text)
        options = dropdown.locator(".ant-select-item-option:not(.ant-select-item-option-disabled)")
        match = options.filter(has=document(scope).locator(".ant-select-item-option-content", has_text=exact(text)))
        holder = dropdown.locator(".rc-virtual-list-holder")
        await options.or_(dropdown.locator(".ant-select-item-empty, .ant-empty")).first.wait_for(state="visible")
        while await match.count() == 0 and await holder.count() and await holder.first.evaluate(_SCROLL):
            await document(scope).evaluate(_FRAME)  # the list draws the options now in view
        await pick_one("antd", binding, text, match, escape=box, dropdown=dropdown, check=box, shown=_SHOWN)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).evaluate(_SHOWN)


@register
class AntDate(TypedDate):
    kind = "ant_date"
    commit_key = "Enter"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        box = self.box(scope, binding)
        await box.click()  # read-only until clicked
        opts = {"popup": ".ant-picker-dropdown:not(.ant-picker-dropdown-hidden)", **binding.options}
        await super().fill(scope, Binding(binding.field, binding.label, binding.widget, binding.selector, opts), value)
