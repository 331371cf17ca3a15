"""Code-picker dialogs (代码选择框): a read-only box showing names, a hidden input holding the code(s).

The clerk opens a dialog, types into its search box, clicks the item for the
code (several items, in order, for a multiple picker) and confirms; the page
stores the code(s) in a hidden input and shows the names. Old Chinese
government systems are full of them (units, charges, regions).

Binding options (YAML)::

    - field: ysay
      label: 移送案由
      widget: picker
      selector: "#ysay"                 # the hidden input holding the code(s): read back from it
      open: "#ysay_mc"                  # what is clicked to open the dialog
      dialog: "#dlg-ysay"               # the dialog; the selectors below are inside it
      search: ".dm-search"              # optional: the code is typed here before picking
      item: "li[data-code='{code}']"    # the list item of one code (default shown)
      clear: ".dm-clear"                # optional: empties the chosen list first (multiple pickers)
      confirm: ".dm-ok"                 # optional: the OK button (pickers that close on click need none)
      multiple: true                    # the value is a list of codes, picked in order
      separator: ","                    # how the hidden input joins several codes (default ",")

A multiple picker's order of picking is kept (the first code is the main one),
so ``fill`` clears the chosen list (when something is chosen) and picks the
codes one by one in the card's order; a picker already holding exactly the
value is left alone. ``read`` returns a code (single) or a list of codes (multiple).
A code the dialog does not list is :class:`~casebot.errors.OptionMissing`.
"""

from __future__ import annotations

import re
from typing import Any

from casebot.errors import OptionMissing
from casebot.kit.widgets import Binding, Widget, register

DEFAULT_ITEM = "li[data-code='{code}']"
#: the ``[attribute='{code}']`` part of an item selector
_CODE_ATTR = re.compile(r"""\[([\w-]+)=['"]?\{code\}['"]?\]""")


@register
class CodePicker(Widget):
    kind = "picker"

    @staticmethod
    def _codes(binding: Binding, value: Any) -> list[str]:
        if value in (None, ""):
            return []
        codes = [str(v) for v in value if str(v)] if isinstance(value, list | tuple) else [str(value)]
        if not binding.options.get("multiple") and len(codes) > 1:
            raise ValueError(f"{binding.field}: a single picker takes one code, got {len(codes)}")
        return codes

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        o = binding.options
        codes = self._codes(binding, value)
        current = await self.read(scope, binding)
        if current == (codes if o.get("multiple") else (codes[0] if codes else "")):
            return  # already holds exactly these codes, in this order
        await scope.locator(o["open"]).click()
        dialog = scope.locator(o["dialog"])
        if current and o.get("clear"):
            await dialog.locator(o["clear"]).click()
        item = o.get("item", DEFAULT_ITEM)
        search = dialog.locator(o["search"]) if o.get("search") else None
        await dialog.wait_for(state="visible")
        for code in codes:
            if search is not None:
                await search.fill(code)
            choice = dialog.locator(item.format(code=code))
            if not await choice.count():
                raise OptionMissing(binding.label, code)
            await choice.first.click()
        if o.get("confirm"):
            await dialog.locator(o["confirm"]).click()
        await dialog.wait_for(state="hidden")

    async def read(self, scope: Any, binding: Binding) -> Any:
        raw = await scope.locator(binding.selector).input_value()
        if not binding.options.get("multiple"):
            return raw
        sep = binding.options.get("separator", ",")
        return [c for c in raw.split(sep) if c.strip()]

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        """The codes the dialog lists (a dialog that searches as one types lists none until then: None)."""
        o = binding.options
        m = _CODE_ATTR.search(o.get("item", DEFAULT_ITEM))
        if o.get("search") or m is None:
            return None
        every = _CODE_ATTR.sub(f"[{m.group(1)}]", o.get("item", DEFAULT_ITEM))
        items = scope.locator(o["dialog"]).locator(every)
        return list(await items.evaluate_all("(es, a) => es.map(e => e.getAttribute(a))", m.group(1)))

    async def present(self, scope: Any, binding: Binding) -> bool:
        o = binding.options
        for sel in (binding.selector, o["open"], o["dialog"]):
            if not await scope.locator(sel).count():
                return False
        return True
