"""The police system's native case record (SPEC section 1), validated for FORMAT only.

The police database holds what clerks typed: names with stray spaces, IDs in
full-width digits, codes missing from the tables, 性别 ``0``/``9``. Those are
the robot's business (the clerk's rules), so they pass here; only what breaks
the record's *format* is refused (a wrong 案件编号, a date that is not
``YYYY-MM-DD``, a list that is not a list, a missing required field, a number
where text is expected).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from sandbox.common import BadInput

AJBH_RE = re.compile(r"^A\d{12}\d{4}(0[1-9]|1[0-2])\d{4}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("text must not contain control characters")
    return value


def _date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("date must be YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a real date") from None
    return value


def _date_or_empty(value: str) -> str:
    return value if value == "" else _date(value)


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


def _ajbh(value: str) -> str:
    if not AJBH_RE.fullmatch(value):
        raise ValueError("ajbh must be 'A' + 12-digit unit code + yyyymm + 4-digit serial (23 characters)")
    return value


def _code(value: str) -> str:
    if not value or any(c.isspace() for c in value) or len(value) > 32:
        raise ValueError("a code is 1-32 characters without spaces")
    return value


def _code_or_empty(value: str) -> str:
    return value if value == "" else _code(value)


Text = Annotated[str, AfterValidator(_text)]
#: optional text: null is taken as empty
OptText = Annotated[str, BeforeValidator(_none_to_empty), AfterValidator(_text)]
Name = Annotated[str, AfterValidator(_text), AfterValidator(lambda v: v if v.strip() else _raise("must not be blank"))]
Date = Annotated[str, AfterValidator(_date)]
OptDate = Annotated[str, BeforeValidator(_none_to_empty), AfterValidator(_date_or_empty)]
Code = Annotated[str, AfterValidator(_code)]
OptCode = Annotated[str, BeforeValidator(_none_to_empty), AfterValidator(_code_or_empty)]


def _raise(message: str) -> str:
    raise ValueError(message)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Measure(_Model):
    cslx: Code
    zxrq: Date


class Decision(_Model):
    """The procuratorate's decision on an arrest request, as the police record it (决定登记)."""

    jd: Literal["批准逮捕", "不批准逮捕"]
    jdrq: Date
    jdswh: Name


class Request(_Model):
    """提请批准逮捕: the suspects (by 人员编号) the police ask the procuratorate to approve the arrest of."""

    wsh: Name
    tqrq: Date
    rybh: Annotated[list[Name], Field(min_length=1)]


class Suspect(_Model):
    rybh: OptText = ""
    xm: Name
    bm: OptText = ""
    xb: Annotated[str, BeforeValidator(_none_to_empty), Field(pattern=r"^\d?$")] = ""
    csrq: OptDate = ""
    zjzl: Code
    zjhm: Text
    gj: OptCode = ""
    mz: OptCode = ""
    whcd: OptCode = ""
    zy: OptText = ""
    hjdqh: Annotated[str, BeforeValidator(_none_to_empty), Field(pattern=r"^(\d{6})?$")] = ""
    hjdxz: OptText = ""
    xzz: OptText = ""
    qzcs: list[Measure] = Field(default_factory=list)
    jycs: OptText = ""
    pbjd: Decision | None = None


class Case(_Model):
    ajbh: Annotated[str, AfterValidator(_ajbh)]
    ajmc: Name
    ajlb: Literal["刑事案件"] = "刑事案件"
    ay: Annotated[list[Code], Field(min_length=1)]
    zbdw: Code
    zbdwmc: OptText = ""
    zbr: OptText = ""
    fasj: Date
    lasj: Date
    yssj: Annotated[Date | None, BeforeValidator(_empty_to_none)] = None
    ajzt: Literal["侦查中", "提请批捕", "已移送起诉", "撤案"]
    jyaq: OptText = ""
    xyr: Annotated[list[Suspect], Field(min_length=1)]
    tqpb: list[Request] = Field(default_factory=list)


_CASES = TypeAdapter(list[Case])


def field_path(loc: tuple[Any, ...]) -> str:
    """pydantic's error location -> ``[0].xyr[1].csrq``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-before")):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def validate_cases(body: Any, unit_names: dict[str, str]) -> list[dict[str, Any]]:
    """The records of a ``POST /_sandbox/cases`` body, normalised; BadInput naming the first bad field."""
    if not isinstance(body, list):
        raise BadInput("$", "body must be a JSON list of case records")
    try:
        cases = _CASES.validate_python(body)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("str", "none")))
        raise BadInput(field_path(loc), err["msg"]) from exc
    out = []
    for i, case in enumerate(cases):
        known = {p.rybh for p in case.xyr if p.rybh}
        for j, req in enumerate(case.tqpb):
            for k, rybh in enumerate(req.rybh):
                if rybh not in known:
                    raise BadInput(f"[{i}].tqpb[{j}].rybh[{k}]", "no suspect of the case has this rybh")
            if req.tqrq < case.lasj:
                raise BadInput(f"[{i}].tqpb[{j}].tqrq", "a request cannot be before 立案日期")
        if len({r.wsh.strip() for r in case.tqpb}) != len(case.tqpb):
            raise BadInput(f"[{i}].tqpb", "two requests with the same wsh")
        record = case.model_dump(mode="json")
        if not record["tqpb"]:
            del record["tqpb"]
        for p in record["xyr"]:
            if p["pbjd"] is None:
                del p["pbjd"]
        if not record["zbdwmc"]:
            record["zbdwmc"] = unit_names.get(record["zbdw"], "")
        out.append(record)
    return out
