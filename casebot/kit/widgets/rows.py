"""Repeating rows (one block of controls per person, "添加…" to add one), rebuilt by the page on each add.

Pages that keep such rows in JavaScript state often rebuild the whole rows
container on every add (or delete, or some changes), so an element found
before the add is detached after it. This widget therefore never holds an
element: a row is always addressed as ``rows.nth(i)``, a Playwright locator
that is resolved afresh at each action, and each control inside it through
its own child binding.

It first makes the number of rows match the list (clicking ``add`` and
waiting for the new row to appear; clicking ``remove`` in the last rows when
there are too many), then fills row *i* with item *i*, child by child, each
through its own widget with the row as scope.

Options (YAML, beside ``selector`` = every row):

``add``       the add button, in the form's scope (required)
``remove``    the delete button inside a row (optional; without it, extra rows are an error)
``skip_empty``  ``true`` when rows are blank as added: empty values are then not entered (fewer actions)
``children``  a list of bindings ``{field, label, widget, selector, ...}`` with selectors relative to a row
"""

from __future__ import annotations

from typing import Any

from casebot import errors
from casebot.kit.widgets import Binding, Widget, locate, register, widget


def children(binding: Binding) -> list[Binding]:
    out = []
    for item in binding.options.get("children", []):
        item = dict(item)
        out.append(Binding(field=item.pop("field"), label=item.pop("label"), widget=item.pop("widget"),
                           selector=item.pop("selector", ""), options=item))
    return out


@register
class Rows(Widget):
    kind = "rows"

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        items = list(value or [])
        rows = scope.locator(binding.selector)
        count = await rows.count()
        while count < len(items):
            await scope.locator(binding.options["add"]).click()
            await rows.nth(count).wait_for(state="attached")
            count += 1
        while count > len(items):
            remove = binding.options.get("remove")
            if not remove:
                raise errors.PageChanged("rows", f"多余的{binding.label}行（{count} 行，应为 {len(items)} 行）",
                                         label=binding.label)
            await rows.nth(count - 1).locator(remove).click()
            await rows.nth(count - 1).wait_for(state="detached")
            count -= 1
        kids = children(binding)
        skip_empty = bool(binding.options.get("skip_empty"))
        for i, item in enumerate(items):
            for child in kids:
                if child.options.get("read_only") or child.field not in item:
                    continue
                if skip_empty and item[child.field] in (None, ""):
                    continue
                try:
                    found = await locate.find(rows.nth(i), child, "rows")
                    await widget(child.widget).fill(rows.nth(i), found, item[child.field])
                except errors.BusinessError as exc:
                    exc.field = f"{binding.label}[{i + 1}].{exc.field or child.label}"
                    raise exc.with_context() from None

    async def read(self, scope: Any, binding: Binding) -> Any:
        rows = scope.locator(binding.selector)
        kids = children(binding)
        out = []
        for i in range(await rows.count()):
            out.append({c.field: await widget(c.widget).read(rows.nth(i), await locate.find(rows.nth(i), c, "rows"))
                        for c in kids})
        return out

    async def present(self, scope: Any, binding: Binding) -> bool:
        if not await scope.locator(binding.options["add"]).count():
            return False
        rows = scope.locator(binding.selector)
        if not await rows.count():
            return True
        for c in children(binding):
            try:
                found = await locate.find(rows.first, c, "rows")
            except errors.PageChanged:
                return False
            if not await widget(c.widget).present(rows.first, found):
                return False
        return True


async def apply_row_changes(scope: Any, form: Any, binding: Binding, changes: list[Any], title: str = "") -> None:
    """Apply an edit's row changes (:class:`casebot.domain.changes.RowChange`) to the rows of ``binding``
    (a ``rows`` widget of ``form``): rows found by their identity (ID number, else name); removed ones
    deleted (option ``remove``: the row's delete button), edited ones changed field by field, new ones
    added at the end. BusinessError when a row to change is not on the page."""
    from casebot.domain.changes import row_identity, shown_path

    kids = {c.field: c for c in children(binding)}
    locs = scope.locator(binding.selector)

    async def row_of(who: str) -> int:
        rows = await form.read(scope)
        for i, row in enumerate(rows[binding.field]):
            if row_identity(row) == who:
                return i
        raise errors.BusinessError(f"{title}的记录中找不到要修改的{binding.label}（{shown_path('[' + who + ']')}）")

    for ch in (c for c in changes if c.kind == "removed"):
        index = await row_of(ch.who)
        count = await locs.count()
        await locs.nth(index).locator(binding.options["remove"]).click()
        await locs.nth(count - 1).wait_for(state="detached")
    for ch in (c for c in changes if c.kind != "removed"):
        if ch.kind == "edited":
            index = await row_of(ch.who)
            data = {f: ch.row.get(f, "") for f in ch.fields if f in kids}
        else:
            index = await locs.count()
            await scope.locator(binding.options["add"]).click()
            await locs.nth(index).wait_for(state="attached")
            data = {f: v for f, v in ch.row.items() if f in kids and v not in (None, "")}
        for f, value in data.items():
            await widget(kids[f].widget).fill(locs.nth(index), kids[f], value)
