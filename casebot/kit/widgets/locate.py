"""Finding a form's control by its visible label, the selector being optional.

A binding may give its control's ``label`` only (no ``selector``), or both
with ``by_label: true``: the selector is tried first and, when it no longer
matches, the label finds the control. Labels are read as a person reads the
form: ``<label for>`` (or a wrapping ``<label>``), ``aria-label`` /
``aria-labelledby``, then a ``<th>`` whose next ``<td>`` holds the control.
A label that names two controls names none: nothing is typed into a control
found ambiguously (:class:`~casebot.errors.PageChanged`). The control found is
addressed by its id (or its ``name``) from then on; when that differs from the
configured selector, the :class:`Form` records the drift (``casebot doctor``
reports it) and goes on: the label, not the id, is what the clerk sees.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from casebot.errors import PageChanged
from casebot.kit.widgets import Binding

_ADDRESS = """e => {
  const esc = s => (window.CSS && CSS.escape) ? CSS.escape(s) : s.replace(/([^\\w-])/g, '\\\\$1');
  if (e.id) return '#' + esc(e.id);
  const name = e.getAttribute('name');
  return name ? e.tagName.toLowerCase() + '[name="' + name.replace(/"/g, '\\\\"') + '"]' : '';
}"""

_CONTROL = "*[self::input[not(@type='hidden')] or self::select or self::textarea]"


def wants_label(binding: Binding) -> bool:
    return not binding.selector or bool(binding.options.get("by_label"))


def by_label(scope: Any, label: str) -> list[Any]:
    """Locators for ``label``, in the order tried: label/aria, then th/td."""
    quoted = label.replace("'", "")
    return [scope.get_by_label(label, exact=True),
            scope.locator(f"xpath=.//th[normalize-space(.)='{quoted}']/following-sibling::td[1]//{_CONTROL}")]


async def find(scope: Any, binding: Binding, system: str = "form") -> Binding:
    """``binding`` with a selector naming exactly one control (itself when its selector still matches)."""
    if not wants_label(binding):
        return binding  # found by its selector alone: the widget reports what is missing, as before
    if binding.selector and await scope.locator(binding.selector).count() == 1:
        return binding
    for candidates in by_label(scope, binding.label):
        n = await candidates.count()
        if n > 1:
            raise PageChanged(system, f"标签“{binding.label}”对应 {n} 个控件，无法确定填写哪一个",
                              label=binding.label)
        if n == 1:
            address = await candidates.evaluate(_ADDRESS)
            if not address or await scope.locator(address).count() != 1:
                raise PageChanged(system, f"标签“{binding.label}”对应的控件没有唯一的 id 或 name",
                                  label=binding.label)
            return replace(binding, selector=address)
    raise PageChanged(system, binding.selector or f"标签“{binding.label}”", label=binding.label)
