"""Read-only tables of view pages: label/value tables, row tables, and paged lists.

Many case systems show a record as a *label/value table* (``<th>案件编号</th><td>…</td>``,
several pairs a row) and its sub-lists as *row tables* (a header row, then one
row per item). A coded value is shown by its name and, in the better systems,
carries its code in an attribute (``<span data-code="032640">盗窃罪</span>``).

Two widgets read them, one value per binding:

``label_value``  ``selector`` is the table; ``label`` the ``<th>`` text; option
                 ``value`` says how the ``<td>`` becomes a value:
                 ``text`` (default; the cell's text exactly, spaces and newlines kept),
                 ``code`` (the one ``data-code`` in the cell, ``""`` when the cell is empty),
                 ``codes`` (every ``data-code`` in order, a list),
                 ``date`` (``YYYY-MM-DD`` or ``""``), ``date_or_none`` (``None`` when empty),
                 ``shown`` (the text with its runs of spaces made one, trimmed), ``shown_date``
                 (a date as the page shows it, ``2026/12/01`` or ``2026年12月01日``, as ``YYYY-MM-DD``).
                 Option ``code_attr`` names the attribute (default ``data-code``).
``row_table``    ``selector`` is the table; option ``columns`` a list of
                 ``{label, field, value}`` (header text, output key, value kind as above);
                 option ``empty_row`` (default ``tr.empty``) a placeholder row shown
                 when there is nothing. Reads a list of dicts.

Reading a page one binding at a time costs a round trip each, so a whole page
is better read at once: :data:`JS_HELPERS` holds the DOM readers (to embed in
an adapter's own ``page.evaluate``), :func:`table_specs` says which tables a
:class:`~casebot.kit.widgets.Form` needs, :func:`snapshot_tables` reads them in one
call, and :func:`form_values` turns the snapshot into the form's values,
raising :class:`~casebot.errors.PageChanged` for a missing table, an empty
table or a missing label. :func:`read_grid` reads a list page's table (a
:class:`Grid`) in one call as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from casebot.errors import PageChanged
from casebot.kit.widgets import Binding, Form, Widget, register

#: DOM readers, plain functions to embed in a page.evaluate body
JS_HELPERS = r"""
function __own(table, sel) {
  return Array.from(table.querySelectorAll(sel)).filter(e => e.closest('table') === table);
}
function __cell(td, attr) {
  const coded = Array.from(td.querySelectorAll('[' + attr + ']'));
  return {text: td.textContent, codes: coded.map(e => e.getAttribute(attr)),
          link: (td.querySelector('a[href]') || {}).href || null};
}
function readLabelTable(table, attr) {
  if (!table) return null;
  const cells = [];
  for (const th of __own(table, 'tr > th')) {
    const td = th.nextElementSibling;
    const label = th.textContent.replace(/[\s\u3000]+/g, '').replace(/[:：]$/, '');
    if (!label) continue;
    cells.push([label, td && td.tagName === 'TD' ? __cell(td, attr) : null]);
  }
  return {kind: 'label', cells: cells};
}
function readRowTable(table, attr, emptyRow) {
  if (!table) return null;
  let headRow = __own(table, 'thead > tr')[0];
  let bodyRows = __own(table, 'tbody > tr');
  if (!headRow) {
    const all = __own(table, 'tr');
    headRow = all.find(tr => tr.querySelector(':scope > th'));
    bodyRows = all.filter(tr => tr !== headRow);
  }
  const headers = headRow ? Array.from(headRow.children).map(c => c.textContent.trim()) : [];
  const rows = [];
  let placeholder = false;
  for (const tr of bodyRows) {
    if (emptyRow && tr.matches(emptyRow)) { placeholder = true; continue; }
    const tds = Array.from(tr.children).filter(c => c.tagName === 'TD' || c.tagName === 'TH');
    const row = {cells: tds.map(td => __cell(td, attr)), data: Object.assign({}, tr.dataset)};
    rows.push(row);
  }
  return {kind: 'rows', headers: headers, rows: rows, placeholder: placeholder};
}
function snapshotTables(root, specs) {
  const out = {};
  for (const s of specs) {
    const table = root ? root.querySelector(s.selector) : null;
    out[s.selector] = s.reader === 'rows' ? readRowTable(table, s.attr, s.emptyRow)
                                          : readLabelTable(table, s.attr);
  }
  return out;
}
"""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHOWN_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
VALUE_KINDS = ("text", "code", "codes", "date", "date_or_none", "shown", "shown_date")


def cell_value(cell: dict[str, Any], kind: str = "text") -> Any:
    """A snapshot cell (``{text, codes}``) as a value of ``kind``; ValueError when it does not fit."""
    text = cell.get("text") or ""
    codes = list(cell.get("codes") or [])
    if kind == "text":
        return text
    if kind in ("shown", "shown_date"):
        shown = " ".join(text.split())
        m = _SHOWN_DATE.match(shown) if kind == "shown_date" else None
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else shown
    if kind == "codes":
        if not codes and text.strip():
            raise ValueError("值没有代码属性")
        return codes
    if kind == "code":
        if len(codes) > 1:
            raise ValueError("一个单元格中有多个代码")
        if not codes:
            if text.strip():
                raise ValueError("值没有代码属性")
            return ""
        return codes[0]
    if kind in ("date", "date_or_none"):
        value = text.strip()
        if not value:
            return None if kind == "date_or_none" else ""
        if not _DATE.match(value):
            # the value itself is left out: it may be a birth date
            raise ValueError("日期不是 YYYY-MM-DD 格式")
        return value
    raise ValueError(f"unknown value kind {kind!r}; known: {', '.join(VALUE_KINDS)}")


class _TableWidget(Widget):
    async def fill(self, scope: Any, binding: Binding, value: Any) -> None:
        raise TypeError(f"{binding.field}: {self.kind} is read-only")

    @staticmethod
    def spec(binding: Binding) -> dict[str, Any]:
        return {"selector": binding.selector, "reader": "label", "attr": binding.options.get("code_attr", "data-code"),
                "emptyRow": binding.options.get("empty_row", "tr.empty")}

    async def _snapshot(self, scope: Any, binding: Binding) -> dict[str, Any]:
        return await evaluate_in(scope, "return snapshotTables(root, arg);", [type(self).spec(binding)])


@register
class LabelValue(_TableWidget):
    """One value of a label/value table (``<th>label</th><td>value</td>``), see the module doc."""

    kind = "label_value"

    async def read(self, scope: Any, binding: Binding) -> Any:
        snap = (await self._snapshot(scope, binding))[binding.selector]
        return binding_value(binding, snap, "")

    async def present(self, scope: Any, binding: Binding) -> bool:
        snap = (await self._snapshot(scope, binding))[binding.selector]
        return bool(snap) and any(label == binding.label for label, _ in snap["cells"])


@register
class RowTable(_TableWidget):
    """A table of rows read as a list of dicts by its header labels, see the module doc."""

    kind = "row_table"

    @staticmethod
    def spec(binding: Binding) -> dict[str, Any]:
        return {**_TableWidget.spec(binding), "reader": "rows"}

    async def read(self, scope: Any, binding: Binding) -> Any:
        snap = (await self._snapshot(scope, binding))[binding.selector]
        return binding_value(binding, snap, "")

    async def present(self, scope: Any, binding: Binding) -> bool:
        snap = (await self._snapshot(scope, binding))[binding.selector]
        if not snap:
            return False
        return all(c["label"] in snap["headers"] for c in binding.options.get("columns", []))


def table_specs(form: Form) -> list[dict[str, Any]]:
    """The tables a form's ``label_value``/``row_table`` bindings read, for :data:`JS_HELPERS`' snapshotTables."""
    out: dict[str, dict[str, Any]] = {}
    for b in form.bindings:
        if b.widget == "row_table":
            out.setdefault(b.selector, RowTable.spec(b))
        elif b.widget == "label_value":
            out.setdefault(b.selector, LabelValue.spec(b))
    return list(out.values())


async def evaluate_in(scope: Any, body: str, arg: Any) -> Any:
    """Run ``body`` (JS using ``root``, ``arg`` and :data:`JS_HELPERS`) in one round trip.

    ``root`` is the scope's element for a Locator, else the document of the Page/Frame/FrameLocator.
    """
    from playwright.async_api import FrameLocator, Locator

    if isinstance(scope, Locator):
        return await scope.first.evaluate(f"(root, arg) => {{ {JS_HELPERS}\n{body} }}", arg)
    if isinstance(scope, FrameLocator):
        scope = scope.locator(":root")
        return await scope.evaluate(f"(el, arg) => {{ const root = el.ownerDocument; {JS_HELPERS}\n{body} }}", arg)
    return await scope.evaluate(f"(arg) => {{ const root = document; {JS_HELPERS}\n{body} }}", arg)


async def snapshot_tables(scope: Any, form: Form) -> dict[str, Any]:
    """Read every table ``form`` needs, in one round trip."""
    return await evaluate_in(scope, "return snapshotTables(root, arg);", table_specs(form))


def binding_value(binding: Binding, snap: dict[str, Any] | None, where: str, system: str = "") -> Any:
    """One binding's value from its table's snapshot; PageChanged naming what is missing."""
    title = binding.options.get("table_title") or binding.selector
    place = f"{where}{title}"
    if not snap:
        raise PageChanged(system or binding.widget, f"{place}（{binding.selector}）", label=binding.label)
    if binding.widget == "row_table":
        return _rows_value(binding, snap, place, system)
    cells = snap.get("cells") or []
    if not cells:
        raise PageChanged(system or binding.widget, f"{place}的内容（表格为空）", label=binding.label)
    for label, cell in cells:
        if label == binding.label:
            if cell is None:
                raise PageChanged(system or binding.widget, f"{place}中“{binding.label}”的值单元格",
                                  label=binding.label)
            try:
                return cell_value(cell, binding.options.get("value", "text"))
            except ValueError as exc:
                raise PageChanged(system or binding.widget, f"{place}中“{binding.label}”的值（{exc}）",
                                  label=binding.label) from None
    raise PageChanged(system or binding.widget, f"{place}中的“{binding.label}”", label=binding.label)


def _rows_value(binding: Binding, snap: dict[str, Any], place: str, system: str) -> list[dict[str, Any]]:
    columns = binding.options.get("columns") or []
    headers = snap.get("headers") or []
    index = {}
    for col in columns:
        if col["label"] not in headers:
            raise PageChanged(system or binding.widget, f"{place}的表头“{col['label']}”", label=binding.label)
        index[col["field"]] = (headers.index(col["label"]), col.get("value", "text"), col["label"])
    rows = snap.get("rows") or []
    if not rows and not snap.get("placeholder"):
        raise PageChanged(system or binding.widget, f"{place}的内容（表格为空，也没有“无记录”行）",
                          label=binding.label)
    out = []
    for n, row in enumerate(rows, 1):
        cells = row["cells"]
        if len(cells) != len(headers):
            raise PageChanged(system or binding.widget, f"{place}第{n}行的单元格（应有{len(headers)}个）",
                              label=binding.label)
        item = {}
        for fld, (i, kind, label) in index.items():
            try:
                item[fld] = cell_value(cells[i], kind)
            except ValueError as exc:
                raise PageChanged(system or binding.widget, f"{place}第{n}行“{label}”（{exc}）",
                                  label=binding.label) from None
        out.append(item)
    return out


def form_values(form: Form, tables: dict[str, Any], *, where: str = "", system: str = "") -> dict[str, Any]:
    """A form's values, in binding order, from :func:`snapshot_tables` output."""
    return {b.field: binding_value(b, tables.get(b.selector), where, system) for b in form.bindings}


@dataclass
class Grid:
    """A list page's table: header texts and rows of cells (``{text, codes, link}``)."""

    headers: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def column(self, label: str) -> int:
        try:
            return self.headers.index(label)
        except ValueError:
            raise KeyError(label) from None

    def records(self, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Rows as dicts: ``columns`` is ``[{label, field, value}]``; ``value`` ``link`` gives the cell's href."""
        idx = [(c["field"], self.column(c["label"]), c.get("value", "text")) for c in columns]
        out = []
        for row in self.rows:
            cells = row["cells"]
            rec = {}
            for fld, i, kind in idx:
                if i >= len(cells):
                    raise ValueError(f"行的单元格少于表头（缺“{self.headers[i]}”）")
                rec[fld] = cells[i].get("link") if kind == "link" else cell_value(cells[i], kind)
            out.append(rec)
        return out


async def read_grid(scope: Any, selector: str, *, code_attr: str = "data-code",
                    empty_row: str = "tr.empty") -> Grid | None:
    """A list table in one round trip; None when the table is not on the page."""
    snap = await evaluate_in(scope, "return readRowTable(root.querySelector(arg[0]), arg[1], arg[2]);",
                             [selector, code_attr, empty_row])
    if snap is None:
        return None
    return Grid(headers=snap["headers"], rows=snap["rows"])
