"""Codes a target's pickers and selects do not offer (for ``casebot doctor``).

A code added to a code table but not to a target system would stop every case
that uses it (:class:`~casebot.errors.OptionMissing`, a clerk's work). ``doctor``
reads the options each control offers (:meth:`~casebot.kit.base.Target.check_form`)
and lists, field by field, every code of the field's table the control lacks.

A field names its table as ``table`` or ``table.column`` (:class:`~casebot.kit.base.FieldSpec`);
without a column, the column whose values the control offers most is taken (a
control offering names is compared with names, one offering codes with codes).
A system that serves some regions only (a county's court) is asked only for
their rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from casebot.domain.codes import CodeTables
from casebot.kit.base import FieldSpec

__all__ = ["Lacking", "lacking"]


@dataclass(frozen=True)
class Lacking:
    field: str
    label: str
    table: str
    column: str
    #: the column's values the control does not offer, in the table's order
    codes: tuple[str, ...]

    def describe(self, limit: int = 20) -> str:
        shown = "、".join(self.codes[:limit]) + (f" 等 {len(self.codes)} 个" if len(self.codes) > limit else "")
        return (f"“{self.label}”的选项缺少代码表 {self.table}.{self.column} 中的 {shown}："
                f"用到它们的案件会停下等待处理（请在目标系统中添加，或改代码表）")


def _flat(fields: Iterable[FieldSpec]) -> dict[str, FieldSpec]:
    out: dict[str, FieldSpec] = {}
    for spec in fields:
        out.setdefault(spec.name, spec)
        for name, child in _flat(spec.children).items():
            out.setdefault(name, child)
    return out


def lacking(fields: Iterable[FieldSpec], offered: dict[str, list[str]], tables: CodeTables,
            regions: Iterable[str] | None = None) -> list[Lacking]:
    """For each field with a code table whose control's options were read: the codes it lacks.

    ``regions``: the 行政区划 codes the system serves (its routes' ``regions``): rows of a table with a
    ``region`` column (units) outside them are not asked for; None: every row."""
    served = None if regions is None else set(regions)
    out = []
    for name, spec in _flat(fields).items():
        if not spec.code_table or name not in offered:
            continue
        table_name, _, column = spec.code_table.partition(".")
        if table_name not in tables:
            continue
        table = tables[table_name]
        have = {o.strip() for o in offered[name]}
        columns = [column] if column else list(table.columns)
        if any(c not in table.columns for c in columns):
            continue
        rows = table.rows if served is None or "region" not in table.columns else [
            r for r in table.rows if r["region"] in served]
        best = max(columns, key=lambda c: sum(1 for r in rows if r[c] in have))
        wanted = list(dict.fromkeys(r[best] for r in rows if r[best]))
        missing = tuple(v for v in wanted if v not in have)
        if missing:
            out.append(Lacking(name, spec.label, table_name, best, missing))
    return out
