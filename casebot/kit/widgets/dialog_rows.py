"""Rows entered one at a time through a dialog: "添加" opens a modal form, its OK adds a row to a table.

Many single-page apps (ant-design-vue's ``a-modal``, Element Plus's ``el-dialog``, layui's layers)
keep a list of people this way. For each item the widget clicks ``open``, waits for the dialog,
fills its controls (``children``, each through its own widget, with the dialog as scope: selects
whose dropdown is on ``<body>`` still find it), clicks OK and waits until the dialog is hidden and
the page shows one row more. A dialog is usually kept in the page, hidden, after it closes: only
the visible one is used.

The dialog's own validation may keep it open without sending anything: the widget then reads the
messages it shows (``invalid``), cancels the dialog and raises
:class:`~casebot.errors.RejectedError` naming the row and the field (a business error: never
retried, never a timeout).

Options (YAML):

``open``      the button that opens the dialog (in the form's scope; required)
``dialog``    the dialog (CSS, looked for on the whole page; required)
``rows``      one element per row already added (CSS, in the form's scope; required)
``ok``        the OK button's text (default ``确定``; spaces a kit puts between two characters are ignored)
``cancel``    the cancel button's text (default ``取消``)
``invalid``   the dialog's validation messages (default: those of ant-design-vue, Element Plus, layui, Bootstrap)
``field``     the element holding one control and its label, to name a refused field (default: the kits')
``remove``    the delete button inside a row (optional; without it, rows already there are an error)
``table``, ``columns``, ``blank``  reading back: the table of rows, ``[{label, field}]``, and the text a
              table shows for an empty value (e.g. ``-``)
``children``  the dialog's bindings ``{field, label, widget, selector, ...}``
"""

from __future__ import annotations

import re
from typing import Any

from casebot import errors
from casebot.kit.widgets import Binding, Widget, document, locate, register, widget
from casebot.kit.widgets.rows import children
from casebot.kit.widgets.tables import read_grid

INVALID = ".ant-form-item-explain-error, .el-form-item__error, .layui-form-danger + .layui-form-mid, .invalid-feedback"
FIELD = ".ant-form-item, .el-form-item, .layui-form-item, .form-group"
#: the table rows kits draw that are not data: placeholders ("暂无数据") and measure rows
NOT_DATA = "tr.empty, tr.ant-table-placeholder, tr.ant-table-measure-row, tr.el-table__empty-row"


def button_text(text: str) -> re.Pattern[str]:
    """A button's text, allowing the space kits put between two characters (``确 定``)."""
    return re.compile(r"^\s*" + r"\s*".join(re.escape(c) for c in text) + r"\s*$")


_READ_INVALID = """([dialog, invalid, field]) => Array.from(dialog.querySelectorAll(invalid))
  .filter(e => e.offsetParent !== null && e.textContent.trim())
  .map(e => { const box = e.closest(field); const l = box && box.querySelector('label');
              return [(l ? l.textContent : '').replace(/[*：:\\s]+/g, ''), e.textContent.trim()]; })"""


@register
class DialogRows(Widget):
    kind = "dialog_rows"

    def dialog(self, scope: Any, binding: Binding) -> Any:
        return document(scope).locator(binding.options["dialog"]).locator("visible=true")

    def button(self, dialog: Any, text: str) -> Any:
        return dialog.locator("button").filter(has_text=button_text(text))

    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        o = binding.options
        items = list(value or [])
        rows = scope.locator(o["rows"])
        while await rows.count():
            if not o.get("remove"):
                raise errors.PageChanged("dialog_rows", f"表单中已有{binding.label}行", label=binding.label)
            n = await rows.count()
            await rows.last.locator(o["remove"]).click()
            await rows.nth(n - 1).wait_for(state="detached")
        kids = children(binding)
        for i, item in enumerate(items):
            await scope.locator(o["open"]).click()
            dialog = self.dialog(scope, binding)
            await dialog.wait_for(state="visible")
            for child in kids:
                if child.field not in item or item[child.field] in (None, ""):
                    continue
                try:
                    found = await locate.find(dialog, child, "dialog_rows")
                    await widget(child.widget).fill(dialog, found, item[child.field])
                except errors.BusinessError as exc:
                    exc.field = f"{binding.label}[{i + 1}].{exc.field or child.label}"
                    raise exc.with_context() from None
            await self.button(dialog, o.get("ok", "确定")).click()
            invalid = dialog.locator(o.get("invalid", INVALID)).locator("visible=true")
            await invalid.first.or_(rows.nth(i)).wait_for(state="visible")
            if not await rows.nth(i).count():
                problems = await dialog.evaluate("(d, a) => (" + _READ_INVALID + ")([d, a[0], a[1]])",
                                                 [o.get("invalid", INVALID), o.get("field", FIELD)])
                await self.button(dialog, o.get("cancel", "取消")).click()
                await dialog.wait_for(state="hidden")
                label = problems[0][0] if problems else ""
                text = "；".join(f"{lab}：{msg}" if lab else msg for lab, msg in problems) or "对话框未关闭"
                raise errors.RejectedError(f"{binding.label}[{i + 1}] {text}",
                                           field=f"{binding.label}[{i + 1}].{label}" if label else binding.label)
            await dialog.wait_for(state="hidden")

    async def read(self, scope: Any, binding: Binding) -> Any:
        o = binding.options
        grid = await read_grid(scope, o["table"], empty_row=o.get("empty_row", NOT_DATA))
        if grid is None:
            raise errors.PageChanged("dialog_rows", o["table"], label=binding.label)
        blank = o.get("blank")
        return [{k: ("" if v == blank else v) for k, v in r.items()} for r in grid.records(o["columns"])]

    async def present(self, scope: Any, binding: Binding) -> bool:
        return await scope.locator(binding.options["open"]).count() > 0
