"""Code tables (代码表): the CSV files versioned beside the mappings.

A table is named by its file stem (``charges`` for ``codes/charges.csv``); its
first row holds the column names. A lookup names the table, the key column and
the value column; a code absent from the table is a :class:`CodeMissing`
(a :class:`~casebot.errors.DataError`): the case stops, naming table and code.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from casebot.errors import DataError, MappingError

__all__ = ["TABLE_TITLES", "CodeMissing", "CodeTable", "CodeTables", "code_name"]

#: what a clerk calls each shipped table; other tables are shown by their stem
TABLE_TITLES: dict[str, str] = {
    "charges": "案由",
    "countries": "国籍",
    "detention_houses": "羁押场所",
    "education": "文化程度",
    "ethnicity": "民族",
    "gender": "性别",
    "id_types": "证件种类",
    "measures": "强制措施",
    "units": "单位",
}

_MAX_CODE_SHOWN = 40


class CodeMissing(DataError):
    """A code is not in its table. The case stops."""

    def __init__(self, table: str, code: object, *, column: str | None = None) -> None:
        self.table = table
        self.code = "" if code is None else str(code)
        self.column = column
        shown = self.code if len(self.code) <= _MAX_CODE_SHOWN else self.code[:_MAX_CODE_SHOWN] + "…"
        super().__init__(f"代码表“{table_title(table)}”中没有代码 {shown}")


def table_title(name: str) -> str:
    """``charges`` -> ``案由(charges)``."""
    title = TABLE_TITLES.get(name)
    return f"{title}({name})" if title else name


@dataclass
class CodeTable:
    """One code table: its rows as dicts, indexed on demand by any column."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    path: Path | None = None
    #: the CSV line of each row (1-based), for errors
    lines: list[int] = field(default_factory=list, repr=False)
    _index: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        return table_title(self.name)

    @classmethod
    def from_csv(cls, path: Path) -> CodeTable:
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                header = next(reader, None)
                if not header:
                    raise MappingError("code table is empty", file=str(path), line=1)
                columns = tuple(h.strip() for h in header)
                if len(set(columns)) != len(columns) or "" in columns:
                    raise MappingError("code table has an empty or repeated column name",
                                       file=str(path), line=1)
                rows, lines = [], []
                for lineno, raw in enumerate(reader, start=2):
                    if not any(c.strip() for c in raw):
                        continue
                    if len(raw) != len(columns):
                        raise MappingError(
                            f"row has {len(raw)} values, the header has {len(columns)}",
                            file=str(path), line=lineno)
                    rows.append({c: v.strip() for c, v in zip(columns, raw, strict=True)})
                    lines.append(lineno)
        except OSError as exc:
            raise MappingError(f"cannot read code table: {exc.strerror}", file=str(path)) from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise MappingError(f"code table is not valid UTF-8 CSV: {exc}", file=str(path)) from exc
        table = cls(name=path.stem, columns=columns, rows=rows, path=path, lines=lines)
        table.index(columns[0])  # the first column is the table's key: a repeat is refused at load
        return table

    def has_column(self, column: str) -> bool:
        return column in self.columns

    def index(self, key: str) -> dict[str, dict[str, str]]:
        """Rows by the value of column ``key``; a value listed twice is a MappingError (file, line):
        a lookup never silently takes the first of two rows."""
        idx = self._index.get(key)
        if idx is None:
            if key not in self.columns:
                raise KeyError(key)
            idx = {}
            for i, row in enumerate(self.rows):
                if row[key] in idx:
                    line = self.lines[i] if i < len(self.lines) else None
                    raise MappingError(f"code table {self.name!r}: {key} {row[key]!r} listed twice",
                                       file=str(self.path) if self.path else None, line=line,
                                       hint="each code a lookup uses must be listed once")
                idx[row[key]] = row
            self._index[key] = idx
        return idx

    def row(self, key: str, code: object) -> dict[str, str]:
        """The row whose ``key`` column equals ``code``; CodeMissing if none."""
        found = self.index(key).get("" if code is None else str(code).strip())
        if found is None:
            raise CodeMissing(self.name, code, column=key)
        return found

    def lookup(self, key: str, code: object, value: str) -> str:
        """The ``value`` column of the row whose ``key`` column is ``code``."""
        return self.row(key, code)[value]

    def values(self, column: str) -> list[str]:
        return [r[column] for r in self.rows]


class CodeTables:
    """Every table of one ``codes`` directory, by stem."""

    def __init__(self, tables: dict[str, CodeTable], directory: Path | None = None) -> None:
        self._tables = tables
        self.directory = directory

    @classmethod
    def load(cls, directory: Path) -> CodeTables:
        if not directory.is_dir():
            raise MappingError("code table directory not found", file=str(directory))
        tables = {p.stem: CodeTable.from_csv(p) for p in sorted(directory.glob("*.csv"))}
        return cls(tables, directory)

    def __contains__(self, name: object) -> bool:
        return name in self._tables

    def __getitem__(self, name: str) -> CodeTable:
        return self._tables[name]

    def __iter__(self) -> Iterator[CodeTable]:
        return iter(self._tables.values())

    def names(self) -> list[str]:
        return sorted(self._tables)

    def lookup(self, table: str, key: str, code: object, value: str) -> str:
        return self._tables[table].lookup(key, code, value)


def code_name(tables: CodeTables, ref: str | None, code: object, *, system: str | None = None) -> str | None:
    """A code's name in its table (``逮捕`` for measures' 6), or None when the table does not name it.

    ``ref``: ``table.column``, or a table alone: then the column of ``system``'s codes
    (``procuratorate_code``) first, the table's first column, then each ``*_code`` column. A column
    holding labels already (``court_label``, ``name``) names nothing."""
    if not isinstance(ref, str) or not isinstance(code, str) or not code:
        return None
    name, _, column = ref.partition(".")
    if name not in tables:
        return None
    table = tables[name]
    if column and column != table.columns[0] and not column.endswith("_code"):
        return None
    own = [f"{system}_code"] if system and table.has_column(f"{system}_code") else []
    tried = [column] if column else [*own, table.columns[0], *(c for c in table.columns if c.endswith("_code"))]
    for col in dict.fromkeys(tried):
        label = col[: -len("_code")] + "_name" if col.endswith("_code") else "name"
        label = label if table.has_column(label) else "name"
        try:
            row = table.index(col).get(code.strip())
        except (KeyError, MappingError):
            continue
        if row is not None and table.has_column(label) and row[label]:
            return row[label]
    return None
