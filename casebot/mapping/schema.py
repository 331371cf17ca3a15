"""The mapping file format, as pydantic models (exported as JSON Schema).

A mapping file names its sources (variable -> kind of record), its target (an
adapter's entry-point name, or the model ``case_card``) and, for every target
field, how its value is made. See ``docs/mappings.md``.

The models only check the *form* of a file; names, fields, tables and filters
are checked against the sources and code tables by :mod:`casebot.mapping.loader`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from casebot.mapping.yamlio import LineDict

__all__ = ["FieldMap", "Lookup", "MappingFile", "Subject", "mapping_json_schema"]

IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: a path: ``card.unit.ysdw_code``, ``police.xyr[0].xm``, ``card.charges[].name`` (every item's name)
PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*|\[\d{0,4}\])*$")
#: longest expression accepted (keeps parsing and compiling bounded)
MAX_EXPRESSION = 2000


class _Spec(BaseModel):
    """Base of the format models: unknown keys refused, YAML lines remembered."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    _line: int | None = PrivateAttr(default=None)
    _key_lines: dict[str, int] = PrivateAttr(default_factory=dict)
    _nested_lines: dict[str, dict[str, int]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_lines(cls, data: Any, handler: Any) -> Any:
        obj = handler(data)
        if isinstance(data, LineDict) and isinstance(obj, _Spec):
            obj._line = data.line
            obj._key_lines = dict(data.key_lines)
            obj._nested_lines = {k: dict(v.key_lines) for k, v in data.items() if isinstance(v, LineDict)}
        return obj

    @property
    def line(self) -> int | None:
        """Line where this part of the file starts."""
        return self._line

    def line_of(self, key: str) -> int | None:
        """Line of ``key`` in this part of the file (or of the part itself)."""
        return self._key_lines.get(key, self._line)

    def line_in(self, key: str, subkey: str) -> int | None:
        """Line of ``subkey`` inside the mapping under ``key`` (e.g. a target field's name)."""
        return self._nested_lines.get(key, {}).get(subkey) or self.line_of(key)


def _check_path(value: str | None) -> str | None:
    if value is not None and not PATH.match(value):
        raise ValueError("a path is names joined by dots, e.g. card.unit.ysdw_code or card.charges[].name")
    return value


def _check_expression(value: str | None) -> str | None:
    if value is not None:
        if not value.strip():
            raise ValueError("expression is empty")
        if len(value) > MAX_EXPRESSION:
            raise ValueError(f"expression longer than {MAX_EXPRESSION} characters")
    return value


class Lookup(_Spec):
    """Replace the value by a column of the code table row it keys."""

    table: str = Field(description="code table: file stem in codes/, e.g. charges")
    key: str = Field(description="column the value is looked up in, e.g. police_code")
    value: str = Field(description="column returned, e.g. procuratorate_code")


class Subject(_Spec):
    """How an item of a list is named in error messages: ``嫌疑人1 张*``."""

    title: str = Field(description="what one item is, e.g. 嫌疑人")
    name: str | None = Field(None, description="path to the item's name (shown masked)")

    @field_validator("name")
    @classmethod
    def _v_name(cls, value: str | None) -> str | None:
        return _check_path(value)


class FieldMap(_Spec):
    """How one target field is made.

    Exactly one of ``const``, ``path``, ``expr`` or ``fields`` gives the value;
    ``each`` + ``fields`` makes a list, one object per item of ``each``.
    """

    label: str | None = Field(None, description="Chinese label, used in messages and previews")
    const: Any = Field(None, description="a fixed value")
    path: str | None = Field(None, description="dotted path into a source; a missing step gives null")
    expr: str | None = Field(None, description="a Jinja2 expression (sandboxed, fixed filters)")
    each: str | None = Field(None, description="path of a list: one output item per element")
    as_: str = Field("item", alias="as", description="variable naming the current element of `each`")
    subject: Subject | None = Field(None, description="how errors name the current element of `each`")
    fields: dict[str, FieldMap] | None = Field(None, description="fields of an object (or of each item)")
    lookup: Lookup | None = Field(None, description="code-table lookup applied to the value (each element of a list)")
    when: str | None = Field(None, description="expression; when false the field gets its default")
    default: Any = Field(None, description="value used when the result is empty or `when` is false")
    required: bool = Field(False, description="an empty result stops the case")
    max_length: int | None = Field(None, ge=1, description="longest text the target field holds")
    truncate: Literal["ellipsis", "cut", "refuse"] = Field(
        "ellipsis", description="longer text: first max_length-1 chars + '…', first max_length chars, or stop")

    @field_validator("path", "each")
    @classmethod
    def _v_path(cls, value: str | None) -> str | None:
        return _check_path(value)

    @field_validator("expr", "when")
    @classmethod
    def _v_expr(cls, value: str | None) -> str | None:
        return _check_expression(value)

    @field_validator("as_")
    @classmethod
    def _v_as(cls, value: str) -> str:
        if not IDENT.match(value):
            raise ValueError("`as` must be a simple name, e.g. s")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        if self.each is not None and self.fields is None:
            raise ValueError("`each` needs `fields` describing one item")
        given = [k for k in ("const", "path", "expr", "fields") if k in self.model_fields_set]
        if len(given) != 1:
            raise ValueError("give exactly one of const, path, expr or fields"
                             + (f" (found {', '.join(given)})" if given else ""))
        if self.fields is not None and self.lookup is not None:
            raise ValueError("`lookup` applies to a value, not to an object with `fields`")
        if self.subject is not None and self.each is None:
            raise ValueError("`subject` only names the items of `each`")
        if "as_" in self.model_fields_set and self.each is None:
            raise ValueError("`as` only names the items of `each`")
        return self

    @property
    def has_default(self) -> bool:
        return "default" in self.model_fields_set

    @property
    def is_const(self) -> bool:
        return "const" in self.model_fields_set


class MappingFile(_Spec):
    """One mapping file: sources -> target, field by field."""

    version: Literal[1] = Field(1, description="format version")
    name: str = Field(description="the mapping's name, usually the file stem")
    description: str = Field("", description="what the mapping is for")
    sources: dict[str, str] = Field(
        description="variable name -> kind of record: police_case, case_card, procuratorate_record")
    target: str = Field(description="adapter entry-point name (procuratorate, court) or the model case_card")
    case: str | None = Field(None, description="path to the case number, named in error messages")
    fields: dict[str, FieldMap] = Field(description="target fields, in the target's order")

    @field_validator("case")
    @classmethod
    def _v_case(cls, value: str | None) -> str | None:
        return _check_path(value)

    @field_validator("sources")
    @classmethod
    def _v_sources(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("name at least one source")
        for name in value:
            if not IDENT.match(name):
                raise ValueError(f"source name {name!r} must be a simple name")
        return value

    @field_validator("fields")
    @classmethod
    def _v_fields(cls, value: dict[str, FieldMap]) -> dict[str, FieldMap]:
        if not value:
            raise ValueError("map at least one field")
        return value


def mapping_json_schema() -> dict[str, Any]:
    """JSON Schema of a mapping file (``casebot mappings schema``)."""
    schema = MappingFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "casebot mapping file"
    return schema
