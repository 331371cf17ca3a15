"""Plain controls: text, textarea, select (by value or visible label), radio, checkbox, label/value text."""

from __future__ import annotations

from typing import Any

from casebot.errors import OptionMissing
from casebot.kit.widgets import OPTION_TEXTS, OPTION_VALUES, Binding, Widget, offers, register


@register
class Text(Widget):
    """``<input>``: cleared and filled; ``fill`` fires the input events a person's typing would."""

    kind = "text"
    single = True

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        await scope.locator(binding.selector).fill("" if value is None else str(value))

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).input_value()


@register
class TextArea(Text):
    kind = "textarea"


@register
class SelectValue(Widget):
    """``<select>`` whose option values are the card's codes."""

    kind = "select"
    single = True

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        code = "" if value is None else str(value)
        loc = scope.locator(binding.selector)
        if not await offers(loc, value=code):
            raise OptionMissing(binding.label, code)
        await loc.select_option(value=code)

    async def read(self, scope: Any, binding: Binding) -> Any:
        return await scope.locator(binding.selector).input_value()

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        return list(await scope.locator(binding.selector).first.evaluate(OPTION_VALUES))


@register
class SelectLabel(Widget):
    """``<select>`` whose option values are internal ids: chosen and read by visible text."""

    kind = "select_label"
    single = True

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        loc = scope.locator(binding.selector)
        if value in (None, ""):
            await loc.select_option(index=0)
        else:
            label = str(value)
            if not await offers(loc, text=label):
                raise OptionMissing(binding.label, label)
            await loc.select_option(label=label)

    async def read(self, scope: Any, binding: Binding) -> Any:
        loc = scope.locator(binding.selector)
        text = await loc.evaluate("s => s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text")
        value = await loc.input_value()
        return "" if value == "" else text.strip()

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        return list(await scope.locator(binding.selector).first.evaluate(OPTION_TEXTS))


@register
class Radio(Widget):
    """A radio group: ``selector`` matches every radio; the one whose label/value is ``value`` is checked."""

    kind = "radio"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        if value in (None, ""):
            return
        await scope.locator(f"{binding.selector}[value='{value}']").check()

    async def read(self, scope: Any, binding: Binding) -> Any:
        checked = scope.locator(f"{binding.selector}:checked")
        return await checked.get_attribute("value") if await checked.count() else ""

    async def options(self, scope: Any, binding: Binding) -> list[str] | None:
        return list(await scope.locator(binding.selector).evaluate_all("rs => rs.map(r => r.value)"))


@register
class Checkbox(Widget):
    """A checkbox; the card value is ``options.on`` (default ``是``) when checked, else ``options.off``."""

    kind = "checkbox"
    single = True

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        on = binding.options.get("on", "是")
        await scope.locator(binding.selector).set_checked(value == on)

    async def read(self, scope: Any, binding: Binding) -> Any:
        checked = await scope.locator(binding.selector).is_checked()
        return binding.options.get("on", "是") if checked else binding.options.get("off", "否")


@register
class ReadText(Widget):
    """Read-only text shown on a view page (a label/value table cell)."""

    kind = "read_text"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        raise TypeError(f"{binding.field}: read_text cannot be filled")

    async def read(self, scope: Any, binding: Binding) -> Any:
        loc = scope.locator(binding.selector)
        return (await loc.inner_text()).strip() if await loc.count() else ""
