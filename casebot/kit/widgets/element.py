"""Element Plus: ``el-select`` (filterable, remote) and ``el-dialog``; dates are ``typed_date``.

The binding's selector names the select's input (``<el-select id>`` puts the
id there; its ``aria-controls`` names the listbox, teleported to ``<body>``).
The widget clicks the select, types the value when it is filterable (a remote
select, with ``answer`` = a part of its search URL, then asks the server: the
widget awaits that answer), clicks the one option whose text is the value,
and checks that the select shows it. No option, or two, is never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from casebot.kit.widgets import Binding, Widget, document, register
from casebot.kit.widgets.choose import exact, pick_one, wanted

#: what the dropdown shows while a remote select waits for its answer (English and Chinese locales)
_LOADING = re.compile(r"^\s*(Loading|加载中)")
_SHOWN = """i => {
  const s = i.closest('.el-select');
  const el = s && s.querySelector('.el-select__selected-item:not(.el-select__input-wrapper):not(.is-transparent)');
  return el ? el.textContent.trim() : '';
}"""


@register
class ElSelect(Widget):
    kind = "el_select"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        box = scope.locator(binding.selector)
        text = await wanted("element", binding, box, value, _SHOWN)
        if text is None:
            return
        await box.click()
        doc = document(scope)
        listbox = doc.locator(f"#{await box.get_attribute('aria-controls')}")
        dropdown = doc.locator(".el-select-dropdown").filter(has=listbox)
        answer = binding.options.get("answer")
        if answer:  # remote: the options are the answer to the search the typing sends (after a debounce)
            page = getattr(doc, "page", doc)
            async with page.expect_response(lambda r: answer in r.url):
                await box.fill(text)
        elif binding.options.get("filterable", True):
            await box.fill(text)
        options = dropdown.locator(".el-select-dropdown__item:not(.is-disabled)")
        match = options.filter(has_text=exact(text))
        # a remote select shows "Loading" and then the answer: wait for the match or for a final "no data"
        answered = dropdown.locator(".el-select-dropdown__empty").filter(has_not_text=_LOADING)
        await match.or_(answered).first.wait_for(state="visible")
        await pick_one("element", binding, text, match, escape=box, dropdown=dropdown, check=box, shown=_SHOWN)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).evaluate(_SHOWN)



async def confirm_dialog(scope: Any, title: str, button: str = "确定") -> None:
    """Click ``button`` in the open ``el-dialog`` titled ``title``; wait for it to close."""
    dialog = document(scope).locator(".el-dialog").filter(
        has=document(scope).locator(".el-dialog__title", has_text=exact(title)))
    await dialog.wait_for(state="visible")
    await dialog.locator(".el-dialog__footer button").filter(has_text=exact(button)).click()
    await dialog.wait_for(state="hidden")
