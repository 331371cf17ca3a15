"""Autocomplete inputs: type some text, wait for the suggestion list the system fetches, pick the exact one.

Many case systems take a coded value (a charge, a unit) through a text box
that asks the server for suggestions after a short debounce and only *sets*
the value when a suggestion is picked: typing the right text without picking
leaves the field unset. This widget does what a clerk does: it types the
value, waits until the list for that text has arrived, clicks the suggestion
whose text is exactly the value, and checks that the field now holds it.

Options (YAML, beside ``selector`` = the text box):

``list``          the suggestion list (required)
``ready``         a selector that matches once the suggestions for the typed text have arrived
                  (or failed), e.g. ``#list[data-state=done], #list[data-state=error]``;
                  default: an item of the list being visible
``item``          one suggestion inside the list (default ``li``); the suggestion whose own
                  text, or the text of one of its children, is exactly the value is clicked
``value``         the hidden input set when a suggestion is picked; checked after picking and
                  read back (optional: without it the text box is checked and read)
``error``         what the list shows when loading failed (optional)
``expired_text``  a part of that error text meaning the session is gone (optional)
``keys``          ``true`` to type key by key (for lists that listen to key events) instead of one input event

A value the system does not suggest is refused: the system does not know it,
so :class:`~casebot.errors.OptionMissing` is raised naming the field and the value.
"""

from __future__ import annotations

from typing import Any

from casebot import errors
from casebot.kit.widgets import Binding, Widget, register


@register
class Autocomplete(Widget):
    kind = "autocomplete"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        opts = binding.options
        text = "" if value is None else str(value).strip()
        box = scope.locator(binding.selector)
        if opts.get("keys"):
            await box.fill("")
            await box.press_sequentially(text)
        else:
            await box.fill(text)
        if not text:
            return
        items = scope.locator(opts["list"]).locator(opts.get("item", "li"))
        ready = scope.locator(opts["ready"]) if opts.get("ready") else items
        await ready.first.wait_for(state="visible")
        match = items.get_by_text(text, exact=True)
        if not await match.count():
            if opts.get("error"):
                failed = scope.locator(opts["error"])
                if await failed.count():
                    message = (await failed.first.inner_text()).strip()
                    expired = opts.get("expired_text")
                    if expired and expired in message:
                        raise errors.SessionExpired(f"{binding.label}：{message}")
                    raise errors.ServerError(f"{binding.label}：候选列表加载失败（{message}）")
            raise errors.OptionMissing(binding.label, text)
        await match.first.click()
        got = await self.read(scope, binding)
        if got != text:
            raise errors.PageChanged("autocomplete", f"选择“{text}”后的取值（实际为“{got}”）", label=binding.label)

    async def read(self, scope: Any, binding: Binding) -> Any:
        target = binding.options.get("value") or binding.selector
        return (await scope.locator(target).input_value()).strip()

    async def present(self, scope: Any, binding: Binding) -> bool:
        return (await scope.locator(binding.selector).count() > 0
                and await scope.locator(binding.options["list"]).count() > 0)
