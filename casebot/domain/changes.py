"""A case follows the police (SPEC rule 10): what changed, and whether a person changed it too.

Three cards of one case and target meet here, all in the target's card shape:

- ``written``: the card casebot last wrote (kept in the ledger's card history);
- ``found``: the record as the target shows it now (read back before updating);
- ``wanted``: the rules' output for the case as the police now have it.

:func:`diff` is the field-level difference between two cards: the case's own
fields, and the person rows of its list field (人卡, 被告人) matched by identity
(ID number, else name), so that a suspect added in the middle is one row added,
not every later row edited. :func:`plan_update` puts the three cards together:
what to change in the target (``wanted`` against ``written``) and which of those
changes would overwrite a person's edit (``found`` differs from ``written`` in
the same place): a :class:`Conflict`, never overwritten. Values shown in a
conflict are masked where personal, and codes named by their tables (:func:`code_namer`):
``强制措施：系统中为“2（取保候审）”（本系统写入“6（逮捕）”…）``.

Nothing here touches a page or the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from casebot.domain.codes import code_name
from casebot.domain.keys import normalise_key
from casebot.domain.privacy import mask_id, mask_name, names_in
from casebot.domain.roles import Role, Roles, identity_of, value_with
from casebot.domain.verify import _named, normalise

__all__ = ["CardDiff", "Conflict", "RowChange", "UpdatePlan", "code_namer", "diff", "plan_update", "restrict",
           "row_identity", "shown_path"]

#: names a coded place's value: (path, value) -> ``6（逮捕）``, or None when the place holds no code it knows
Namer = Callable[[str, Any], "str | None"]

RowKind = Literal["added", "removed", "edited"]


def row_identity(row: dict[str, Any], roles: Roles | None = None) -> str:
    """Who a person row is: its ID number (the field with role ``id_number``) when there is one, else its
    name (role ``name``): ``id:350502…`` or ``name:张三``."""
    found = identity_of(row, roles)
    if found is not None and found[0] is Role.ID_NUMBER:
        return "id:" + normalise_key(found[1])
    return "name:" + normalise_key(found[1] if found is not None else "")


def _identity(identity: Callable[[dict[str, Any]], str] | None, roles: Roles | None) -> Callable[[dict[str, Any]], str]:
    if identity is not None:
        return identity
    return lambda row: row_identity(row, roles)


@dataclass(frozen=True)
class RowChange:
    kind: RowKind
    #: the row's identity (see :func:`row_identity`)
    who: str
    #: its position in the old card (edited, removed) and in the new card (added, edited), from 0
    old_index: int | None
    new_index: int | None
    #: field -> (old, new), for an edited row
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: the new row (added, edited)
    row: dict[str, Any] | None = None


@dataclass(frozen=True)
class CardDiff:
    #: case field -> (old, new)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    #: list field (``xyr``, ``bgr``) -> the row changes, in the new card's order (removed ones first)
    rows: dict[str, list[RowChange]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.fields and not any(self.rows.values())

    def paths(self) -> set[str]:
        """Every changed place: ``ajmc``, ``xyr[id:3505…].qzcs``, ``xyr[id:3505…]`` (a row added or removed)."""
        out = set(self.fields)
        for name, changes in self.rows.items():
            for ch in changes:
                if ch.kind == "edited":
                    out.update(f"{name}[{ch.who}].{f}" for f in ch.fields)
                else:
                    out.add(f"{name}[{ch.who}]")
        return out


def _same(a: Any, b: Any) -> bool:
    return normalise(a) == normalise(b)


def _is_rows(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def diff(old: dict[str, Any], new: dict[str, Any], *, identity: Callable[[dict[str, Any]], str] | None = None,
         roles: Roles | None = None) -> CardDiff:
    """The field-level difference from ``old`` to ``new`` (fields of either card); person rows are matched
    by ``identity`` (default :func:`row_identity` under the cards' ``roles``)."""
    identity = _identity(identity, roles)
    out = CardDiff()
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if _is_rows(a) or _is_rows(b):
            changes = _row_changes(a or [], b or [], identity)
            if changes:
                out.rows[key] = changes
        elif not _same(a, b):
            out.fields[key] = (a, b)
    return out


def _row_changes(old: list[dict[str, Any]], new: list[dict[str, Any]],
                 identity: Callable[[dict[str, Any]], str]) -> list[RowChange]:
    old_ids = [identity(r) for r in old]
    new_ids = [identity(r) for r in new]
    out = [RowChange("removed", who, i, None) for i, who in enumerate(old_ids) if who not in new_ids]
    for j, who in enumerate(new_ids):
        if who not in old_ids:
            out.append(RowChange("added", who, None, j, row=new[j]))
            continue
        i = old_ids.index(who)
        fields = {k: (old[i].get(k), new[j].get(k)) for k in dict.fromkeys([*old[i], *new[j]])
                  if not _same(old[i].get(k), new[j].get(k))}
        if fields:
            out.append(RowChange("edited", who, i, j, fields=fields, row=new[j]))
    return out


@dataclass(frozen=True)
class Conflict:
    """A place casebot would change that a person changed in the target since casebot wrote it."""

    path: str
    written: str
    found: str
    wanted: str

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """The place by its label (see :func:`field_labels`; its code without them) and the three values."""
        return (f"{labelled_path(self.path, labels)}：系统中为“{self.found}”"
                f"（本系统写入“{self.written}”，现应为“{self.wanted}”）")


def field_labels(fields: Iterable[Any]) -> dict[str, str]:
    """A target's labels by place: ``ajmc`` -> 案件名称, ``xyr`` -> 犯罪嫌疑人, ``xyr.qzcs`` -> 强制措施
    (``fields``: the target's field specs, each with ``name``, ``label`` and ``children``)."""
    out: dict[str, str] = {}
    for f in fields:
        out[f.name] = f.label
        for c in getattr(f, "children", ()) or ():
            out[f"{f.name}.{c.name}"] = c.label
    return out


def code_namer(fields: Iterable[Any], tables: Any, *, system: str | None = None) -> Namer:
    """What names the codes of a target's places (``fields``: its field specs, each with ``name``,
    ``code_table`` and ``children``; ``tables``: the code tables; ``system``: the target's adapter, whose
    code column is looked in first). A personal place has no code table: never named."""
    refs: dict[str, str] = {}
    for f in fields:
        if getattr(f, "code_table", None):
            refs[f.name] = f.code_table
        for c in getattr(f, "children", ()) or ():
            if getattr(c, "code_table", None):
                refs[f"{f.name}.{c.name}"] = c.code_table

    def name(path: str, value: Any) -> str | None:
        ref = refs.get(_place_key(path))
        if ref is None or tables is None:
            return None
        codes = value if isinstance(value, list) else [value]
        if not codes or not all(isinstance(v, str) for v in codes):
            return None
        named = [code_name(tables, ref, v, system=system) for v in codes]
        if not all(named):
            return None
        return "、".join(f"{v}（{n}）" for v, n in zip(codes, named, strict=True))

    return name


def _place_key(path: str) -> str:
    """A place's field, rows' identities left out: ``xyr[id:…].qzcs`` -> ``xyr.qzcs``."""
    return re.sub(r"\[[^\]]*\]", "", path)


def labelled_path(path: str, labels: dict[str, str] | None = None) -> str:
    """A place as a clerk reads it: ``犯罪嫌疑人（350502********0118）的强制措施``, personal values masked."""
    shown = shown_path(path)
    if not labels:
        return shown
    m = re.fullmatch(r"([^\[.]+)(?:\[([^\]]*)\])?(?:\.(.+))?", shown)
    if m is None:
        return shown
    name, who, leaf = m.groups()
    top = labels.get(name, name)
    if who is None:
        return top if leaf is None else f"{top}的{labels.get(f'{name}.{leaf}', leaf)}"
    row = f"{top}（{who}）"
    return row if leaf is None else f"{row}的{labels.get(f'{name}.{leaf}', leaf)}"


def place_text(path: str, one: dict[str, Any], other: dict[str, Any], labels: dict[str, str] | None = None, *,
               before: str, after: str, identity: Callable[[dict[str, Any]], str] | None = None,
               roles: Roles | None = None, namer: Namer | None = None) -> str:
    """A place named by its label with its value in two cards, masked as a message may show them, codes
    with their names (``namer``: :func:`code_namer`):
    ``案件名称：本系统写入“7 字的案件名称”，系统中为“8 字的案件名称”``,
    ``移送案由：本系统写入“0206（交通肇事罪）”，系统中为“0207（危险驾驶罪）”``."""
    identity = _identity(identity, roles)
    names = names_in(one, other, roles=roles)
    a = _shown_at(one, path, identity, names, roles, namer)
    b = _shown_at(other, path, identity, names, roles, namer)
    return f"{labelled_path(path, labels)}：{before}“{a}”，{after}“{b}”"


def _shown_at(card: dict[str, Any], path: str, identity: Callable[[dict[str, Any]], str], names: frozenset[str],
              roles: Roles | None, namer: Namer | None = None) -> str:
    """The value at ``path`` as a message may show it (a code with its name, given ``namer``); a whole row
    by its person's name, masked."""
    if "[" in path and "]." not in path:
        row = _row_at(card, path, identity)
        if row is None:
            return ""
        who = path.split("[", 1)[1].rstrip("]")
        return mask_name(value_with(row, Role.NAME, roles)) or shown_path(f"[{who}]").strip("[]")
    key = path.rsplit(".", 1)[1] if "]." in path else path
    return _named(path, key, _value_at(card, path, identity) or "", names, namer, roles)


def shown_path(path: str) -> str:
    """A change's place as a report may show it: the person's ID number or name masked."""
    def mask(m: re.Match[str]) -> str:
        kind, value = m.group(1), m.group(2)
        return "[" + (mask_id(value) if kind == "id" else mask_name(value)) + "]"

    return re.sub(r"\[(id|name):([^\]]*)\]", mask, path)


@dataclass(frozen=True)
class UpdatePlan:
    #: what to apply to the target (wanted against written), minus skipped fields
    changes: CardDiff
    #: changes that would overwrite a person's edit
    conflicts: list[Conflict]
    #: places a person changed that this update leaves alone
    edited_by_person: set[str]
    #: places left out by policy (frozen after the first write, or skipped on conflict)
    skipped: set[str]


def _row_at(card: dict[str, Any], path: str, identity: Callable[[dict[str, Any]], str]) -> dict[str, Any] | None:
    name, rest = path.split("[", 1)
    who = rest.partition("]")[0]
    return next((r for r in card.get(name) or [] if isinstance(r, dict) and identity(r) == who), None)


def _value_at(card: dict[str, Any], path: str, identity: Callable[[dict[str, Any]], str]) -> Any:
    """The value of a case field or of a row's field (a whole row: see :func:`_shown_at`)."""
    if "[" not in path:
        return card.get(path)
    row = _row_at(card, path, identity)
    fld = path.partition("]")[2]
    return None if row is None else row.get(fld.lstrip("."))


def plan_update(written: dict[str, Any], found: dict[str, Any], wanted: dict[str, Any], *,
                frozen: Iterable[str] = (), on_conflict: str = "hold", field_conflict: dict[str, str] | None = None,
                identity: Callable[[dict[str, Any]], str] | None = None, roles: Roles | None = None,
                namer: Namer | None = None) -> UpdatePlan:
    """What an update of the target must change, and what it must not overwrite.

    ``frozen``: field names never updated after the first write (a case field, or a
    person-row field). ``on_conflict``: ``hold`` (the conflicts are
    returned: the caller holds the update) or ``skip-field`` (the conflicting places are
    left out of the update); ``field_conflict`` overrides it per field name. ``namer``: names the codes
    a conflict shows (:func:`code_namer`).
    """
    frozen = set(frozen)
    identity = _identity(identity, roles)
    changes = diff(written, wanted, identity=identity)
    by_person = diff(written, found, identity=identity).paths()
    already = changes.paths() - diff(found, wanted, identity=identity).paths()
    conflicts = []
    skipped: set[str] = set()
    for path in sorted(changes.paths()):
        name = path.split("[", 1)[0] if "[" in path else path
        leaf = path.rsplit(".", 1)[1] if "]." in path else name
        if name in frozen or leaf in frozen:
            skipped.add(path)
            continue
        row_path = path.split("].", 1)[0] + "]" if "]." in path else path
        if path in already:
            continue  # the target already holds the wanted value (an update cut short, or a person's same fix)
        if path in by_person or row_path in by_person:
            names = names_in(written, found, wanted, roles=roles)
            conflicts.append(Conflict(path, *(_shown_at(card, path, identity, names, roles, namer)
                                              for card in (written, found, wanted))))
    field_conflict = field_conflict or {}

    def policy(c: Conflict) -> str:
        leaf = c.path.rsplit(".", 1)[1] if "]." in c.path else c.path.split("[", 1)[0]
        return field_conflict.get(leaf, on_conflict)

    skipped.update(c.path for c in conflicts if policy(c) == "skip-field")
    held = [c for c in conflicts if policy(c) != "skip-field"]
    return UpdatePlan(_without(changes, skipped), held, by_person - changes.paths(), skipped)


def restrict(changes: CardDiff, paths: set[str]) -> CardDiff:
    """``changes`` limited to ``paths`` (a row's path covers its fields)."""
    fields = {k: v for k, v in changes.fields.items() if k in paths}
    rows: dict[str, list[RowChange]] = {}
    for name, lst in changes.rows.items():
        kept = []
        for ch in lst:
            whole = f"{name}[{ch.who}]" in paths
            if ch.kind != "edited":
                if whole:
                    kept.append(ch)
                continue
            left = {f: v for f, v in ch.fields.items() if whole or f"{name}[{ch.who}].{f}" in paths}
            if left:
                kept.append(RowChange("edited", ch.who, ch.old_index, ch.new_index, fields=left, row=ch.row))
        if kept:
            rows[name] = kept
    return CardDiff(fields, rows)


def _without(changes: CardDiff, paths: set[str]) -> CardDiff:
    if not paths:
        return changes
    fields = {k: v for k, v in changes.fields.items() if k not in paths}
    rows: dict[str, list[RowChange]] = {}
    for name, lst in changes.rows.items():
        kept = []
        for ch in lst:
            if ch.kind != "edited":
                if f"{name}[{ch.who}]" not in paths:
                    kept.append(ch)
                continue
            left = {f: v for f, v in ch.fields.items() if f"{name}[{ch.who}].{f}" not in paths}
            if left:
                kept.append(RowChange("edited", ch.who, ch.old_index, ch.new_index, fields=left, row=ch.row))
        if kept:
            rows[name] = kept
    return CardDiff(fields, rows)
