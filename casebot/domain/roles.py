"""Field roles: what a field of a card or record *is*, whatever a system calls it.

Each system names its fields in its own words (the police's ``xm``, the court's
``sfzh``, another vendor's ``fullname``); the core never spells those names out.
A field declares its role where the field is declared:

- on a model (``casebot.domain.model``): ``personal(Role.NAME, ...)`` or
  ``with_role(Role.TITLE, ...)``, stored in the field's ``json_schema_extra``
  as ``{"role": "name"}``;
- on a target's fields (:class:`casebot.kit.base.FieldSpec`, in Python or in a
  form description's ``fields:`` list): ``role: name``.

The vocabulary (:class:`Role`):

========== ================================================================================
role       what the core does with it
========== ================================================================================
name       a person's name: masked (``张*``), looked for in free text, the identity of a
           person row that has no ID number
alias      another name of the person (别名, 曾用名): masked and looked for like a name, never
           an identity
id_number  an identity document's number: masked (``350502********2415``), the identity of a
           person row
birth_date a person's birth date: personal, masked to its year
address    where a person lives or is registered: personal text
free_text  free text that may name people and facts (案情摘要): personal, shown by its length
title      a case's title (案件名称): it names people, so it is shown by its length, as a title
persons    a list whose rows are persons (人卡, 被告人)
secret     a password: never shown, never looked for
========== ================================================================================

A person row's identity (:func:`identity_of`) is its ID number when it has one,
else its name: :data:`ROW_IDENTITY` in that order.

:class:`Roles` maps field names to roles; :func:`roles_of` reads it off models,
:meth:`Roles.of_fields` off field specs, :func:`keys_with` answers "which keys
of this card or row have role R". Roles are by field name at any depth of a card
(a name is a name in the case and in a person row). Where no roles are given,
:func:`known` is used: the roles of the domain's models and of every target whose
fields were declared in this process (:func:`declare`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType, NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from casebot.errors import ConfigError

__all__ = ["NAMES", "PERSONAL", "ROW_IDENTITY", "Role", "Roles", "declare", "identity_of", "keys_with", "known",
           "role", "roles_of", "submodels", "value_with"]


class Role(enum.StrEnum):
    """What a field is (see the module's table)."""

    NAME = "name"
    ALIAS = "alias"
    ID_NUMBER = "id_number"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"
    FREE_TEXT = "free_text"
    TITLE = "title"
    PERSONS = "persons"
    SECRET = "secret"


#: roles of a person's data (masked in logs, reports, messages; looked for in traces)
PERSONAL = frozenset({Role.NAME, Role.ALIAS, Role.ID_NUMBER, Role.BIRTH_DATE, Role.ADDRESS, Role.FREE_TEXT})
#: roles whose values are people's names
NAMES = frozenset({Role.NAME, Role.ALIAS})
#: what identifies a person row, first found first
ROW_IDENTITY = (Role.ID_NUMBER, Role.NAME)


def role(value: str | Role) -> Role:
    """``value`` as a Role; ConfigError naming the vocabulary when it is none."""
    try:
        return Role(value)
    except ValueError:
        raise ConfigError(f"unknown field role {value!r} (known: {', '.join(r.value for r in Role)})") from None


class Roles:
    """Field name -> its roles. Immutable; ``a | b`` holds both."""

    __slots__ = ("_by_key",)

    def __init__(self, by_key: Mapping[str, Iterable[Role | str]] | None = None) -> None:
        self._by_key = MappingProxyType({str(k): frozenset(role(r) for r in v) for k, v in (by_key or {}).items()
                                         if v})

    def of(self, key: str) -> frozenset[Role]:
        return self._by_key.get(str(key), frozenset())

    def has(self, key: str, *wanted: Role) -> bool:
        """Whether ``key`` has any of the ``wanted`` roles."""
        return not self.of(key).isdisjoint(wanted)

    def keys(self, *wanted: Role) -> frozenset[str]:
        """Every field name with any of the ``wanted`` roles."""
        return frozenset(k for k, rs in self._by_key.items() if not rs.isdisjoint(wanted))

    def personal(self, key: str) -> bool:
        return self.has(key, *PERSONAL)

    def __or__(self, other: Roles) -> Roles:
        merged: dict[str, set[Role]] = {k: set(v) for k, v in self._by_key.items()}
        for k, v in other._by_key.items():
            merged.setdefault(k, set()).update(v)
        return Roles(merged)

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Roles) and dict(self._by_key) == dict(other._by_key)

    def __hash__(self) -> int:
        return hash(frozenset(self._by_key.items()))

    def __repr__(self) -> str:
        return f"Roles({ {k: sorted(v) for k, v in sorted(self._by_key.items())} })"

    @classmethod
    def of_fields(cls, specs: Iterable[Any]) -> Roles:
        """The roles declared on field specs (each with ``name``, ``role`` and ``children``), nested ones
        included. An unknown role is a ConfigError naming it."""
        out: dict[str, set[Role]] = {}

        def walk(items: Iterable[Any]) -> None:
            for spec in items:
                declared = getattr(spec, "role", None)
                if declared:
                    out.setdefault(spec.name, set()).add(role(declared))
                walk(getattr(spec, "children", ()) or ())

        walk(specs)
        return cls(out)


def submodels(annotation: Any) -> list[type]:
    """The pydantic models inside ``X``, ``X | None``, ``list[X]``, ``Annotated[...]``."""
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return [annotation]
    if get_origin(annotation) in (list, tuple, Union, UnionType, Annotated):
        return [m for arg in get_args(annotation) if arg is not NoneType for m in submodels(arg)]
    return []


def roles_of(*models: Any) -> Roles:
    """The roles declared on pydantic models (``json_schema_extra={"role": ...}``), nested models included."""
    out: dict[str, set[Role]] = {}
    seen: set[type] = set()

    def walk(model: Any) -> None:
        cls = model if isinstance(model, type) else type(model)
        if cls in seen:
            return
        seen.add(cls)
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("role"):
                out.setdefault(name, set()).add(role(extra["role"]))
            for sub in submodels(info.annotation):
                walk(sub)

    for m in models:
        walk(m)
    return Roles(out)


#: a login form's password, in the words systems use for it
_SECRETS = Roles({"password": [Role.SECRET], "mm": [Role.SECRET]})
_declared: list[Roles] = []
_known: list[Roles] = []


def declare(roles: Roles) -> None:
    """Add declared roles to :func:`known` (done by the domain's models, and for each target class as it is
    defined)."""
    if roles and roles not in _declared:
        _declared.append(roles)
        _known.clear()


def known() -> Roles:
    """The roles of the domain's models (declared by :mod:`casebot.domain.model` as it is imported) and of
    every target declared in this process."""
    if not _known:
        found = _SECRETS
        for r in _declared:
            found = found | r
        _known.append(found)
    return _known[0]


def keys_with(data: Mapping[str, Any], wanted: Role, roles: Roles | None = None) -> list[str]:
    """Which keys of ``data`` (a card, a row) have role ``wanted``, in ``data``'s order."""
    roles = roles if roles is not None else known()
    return [k for k in data if roles.has(k, wanted)]


def value_with(data: Mapping[str, Any], wanted: Role, roles: Roles | None = None) -> str:
    """The first non-empty value of ``data`` with role ``wanted``, as text; ``""`` if none."""
    for k in keys_with(data, wanted, roles):
        value = data.get(k)
        if value not in (None, "") and str(value).strip():
            return str(value)
    return ""


def identity_of(row: Mapping[str, Any], roles: Roles | None = None) -> tuple[Role, str] | None:
    """Who a person row is: ``(Role.ID_NUMBER, number)`` when it has one, else ``(Role.NAME, name)``;
    None when it has neither."""
    for r in ROW_IDENTITY:
        value = value_with(row, r, roles)
        if value:
            return r, value
    return None
