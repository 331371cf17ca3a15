"""select2: a ``<select>`` hidden behind select2's box, its search and results in a dropdown on ``<body>``.

The binding's selector names the original ``<select>``, whose value (an id,
often an AJAX answer's) is what the form posts. The widget opens the box; the
search field exists only while the dropdown is open (attached to ``<body>``);
the value's text is typed there (``search: false`` for a select2 without a
search box); the widget waits for the answer (select2 shows "Searching…" and
the results as they come) and clicks the one result whose text is the value,
then checks that the ``<select>`` took it. No result, or two, is never guessed.
Works with select2 4.1 and 4.0 (Django admin ships 4.0.13: its results carry no
``--selectable`` class, only ``aria-selected``).
"""

from __future__ import annotations

from typing import Any

from casebot.kit.widgets import OPTION_TEXTS, Binding, Widget, document, register
from casebot.kit.widgets.choose import exact, pick_one

_SELECTED = "s => s.selectedIndex < 0 || s.value === '' ? '' : s.options[s.selectedIndex].text.trim()"
_OPEN = ".select2-container--open .select2-dropdown"
#: a result that can be chosen: 4.1 marks it with a class, 4.0 (Django admin's) only with aria-selected
_SELECTABLE = ".select2-results__option--selectable, .select2-results__option[aria-selected]"


@register
class Select2(Widget):
    kind = "select2"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        select = scope.locator(binding.selector)
        text = "" if value is None else str(value)
        if text == "":
            if await select.input_value() != "":
                await select.evaluate("s => { s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true})); }")
            return
        box = select.locator("xpath=following-sibling::span[contains(@class,'select2-container')][1]")
        await box.locator(".select2-selection").click()
        dropdown = document(scope).locator(_OPEN)
        await dropdown.wait_for(state="visible")
        if binding.options.get("search", True):
            await dropdown.locator(".select2-search__field").fill(text)
        results = dropdown.locator(".select2-results__option")
        await dropdown.locator(".select2-results__option.loading-results").wait_for(state="detached")
        item = results.filter(has_text=exact(text)).and_(
            dropdown.locator(_SELECTABLE))
        # the answer replaces "Searching…": wait until one result matches, or a final answer says none does
        await results.filter(has_text=exact(text)).or_(
            dropdown.locator(".select2-results__message")).first.wait_for(state="visible")
        search = dropdown.locator(".select2-search__field") if binding.options.get("search", True) else None
        await pick_one("select2", binding, text, item, escape=search, dropdown=dropdown, closes="detached",
                       check=select, shown=_SELECTED)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).evaluate(_SELECTED)

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        """The ``<select>``'s options; None when they are loaded as one types (``remote: true``, or none yet)."""
        if binding.options.get("remote"):
            return None
        texts = list(await scope.locator(binding.selector).first.evaluate(OPTION_TEXTS))
        return texts or None
