"""Shapes: what fields a source has, so a mapping can be checked before it runs.

A :class:`Shape` is derived from a pydantic model: its fields, plus the public
read-only properties the model defines (``Suspect.latest_measure``). Mappings
may read both, but a model *target* can only be given its fields.

The kinds of records a mapping may name as a source, and the model targets,
are fixed here.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, field
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from casebot.model import ArrestDecision, ArrestRequestCase, CaseCard, JudgedCase, PoliceCase, ProcuratorateRecord

__all__ = ["MODEL_TARGETS", "SOURCE_KINDS", "Shape", "shape_of", "shape_of_model"]

Kind = Literal["object", "list", "text", "date", "number", "bool", "any"]

#: record kinds a mapping can read, by the name a mapping file uses
SOURCE_KINDS: dict[str, type[BaseModel]] = {
    "police_case": PoliceCase,
    "case_card": CaseCard,
    "procuratorate_record": ProcuratorateRecord,
    # the loop's further kinds (SPEC 7)
    "arrest_request": ArrestRequestCase,
    "arrest_decision": ArrestDecision,
    "court_judgment": JudgedCase,
}
#: targets that are models (validated after mapping) rather than adapters
MODEL_TARGETS: dict[str, type[BaseModel]] = {"case_card": CaseCard}


@dataclass(eq=False)
class Shape:
    """What a value is: an object with fields, a list of items, or a scalar."""

    kind: Kind
    name: str = ""
    item: Shape | None = None
    model: type[BaseModel] | None = None
    #: model fields (writable when the model is a target)
    fields: dict[str, Shape] = field(default_factory=dict)
    #: read-only properties
    properties: dict[str, Shape] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    def attribute(self, name: str) -> Shape | None:
        """The shape of ``self.name``, or None if there is no such field."""
        return self.fields.get(name) or self.properties.get(name)

    def readable(self) -> list[str]:
        return sorted({*self.fields, *self.properties})

    def describe(self) -> str:
        if self.kind == "object":
            return self.name or "object"
        if self.kind == "list":
            return f"list of {self.item.describe() if self.item else 'values'}"
        return self.kind


ANY = Shape("any")
_SCALARS: dict[Any, Kind] = {str: "text", dt.date: "date", int: "number", float: "number", bool: "bool"}


def shape_of(annotation: Any) -> Shape:
    """Shape of a type annotation (``list[Suspect]``, ``Measure | None``, ``str``...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return shape_of_model(annotation)
    if annotation in _SCALARS:
        return Shape(_SCALARS[annotation])
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return shape_of(args[0])
    if origin in (Union, UnionType):
        rest = [a for a in args if a is not NoneType]
        return shape_of(rest[0]) if len(rest) == 1 else ANY
    if origin in (list, tuple):
        return Shape("list", item=shape_of(args[0]) if args else ANY)
    if origin is Literal:
        return Shape("text")
    return ANY


@cache
def shape_of_model(model: type[BaseModel]) -> Shape:
    """Fields and public properties of a model (cached; models are not recursive)."""
    shape = Shape("object", name=model.__name__, model=model)
    for name, info in model.model_fields.items():
        shape.fields[name] = shape_of(info.annotation)
    shape.required = frozenset(n for n, i in model.model_fields.items() if i.is_required())
    for klass in model.__mro__:
        if klass is BaseModel:
            break
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_") and name not in shape.properties:
                hints = typing.get_type_hints(member.fget) if member.fget else {}
                shape.properties[name] = shape_of(hints.get("return", Any))
    return shape
