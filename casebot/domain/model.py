"""The case card (案卡) in national-standard codes, and the records around it.

:class:`CaseCard` is what the police hop produces and every target hop reads:
codes already resolved against the code tables (each charge carries its police
code, procuratorate code and name; each measure its codes and labels), ID
numbers normalised, and the clerk's identity rules (SPEC section 4) enforced
by validators, so that a ``CaseCard`` that exists is one that may be sent.

Validation failures never escape as pydantic errors: :meth:`CaseCard.parse`
turns them into a :class:`~casebot.errors.DataError` naming the suspect (masked)
and the field by its Chinese label, with a reason a clerk understands.

What each field is (a person's name, an ID number, a title, free text, the
person rows) is declared on the field with its role (:mod:`casebot.domain.roles`:
``personal(Role.NAME, ...)``, ``with_role(Role.TITLE, ...)``); the rest of the
core asks the roles and never names these fields. :func:`personal_fields` lists
the personal ones and :func:`masked` dumps a model with them masked, for logs and
reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from casebot.domain import idcard
from casebot.domain.identity import InvisibleCharacters, clean_name, clean_text, has_invisible, one_line
from casebot.domain.masks import mask_id, mask_name, scrub_text
from casebot.domain.roles import PERSONAL, Role, declare, roles_of, submodels
from casebot.errors import DataError

__all__ = [
    "CUSTODIAL_POLICE_CODES",
    "RESIDENT_ID",
    "ArrestRequestCase",
    "CaseCard",
    "Charge",
    "DetentionHouse",
    "Education",
    "Ethnicity",
    "Measure",
    "PoliceCase",
    "PoliceMeasure",
    "PoliceRequest",
    "PoliceSuspect",
    "ProcuratorateRecord",
    "Prosecution",
    "RuleViolation",
    "Suspect",
    "Unit",
    "age_on",
    "as_requested",
    "clean_name",
    "masked",
    "personal_fields",
]

#: 证件种类 居民身份证
RESIDENT_ID = "111"
#: police measure codes that hold the person (刑事拘留, 逮捕); the table's ``custodial`` column agrees
CUSTODIAL_POLICE_CODES = frozenset({"05", "06"})
#: sex codes that say nothing (未知 / 未说明): the ID decides
_UNKNOWN_SEX = {None, "", "0", "9"}


#: how a personal field's value is masked in :func:`masked`, by its role
_MASKS = {Role.NAME: "name", Role.ALIAS: "name", Role.ID_NUMBER: "id", Role.BIRTH_DATE: "date"}


def personal(field_role: Role, *, invisible: str = "remove", lines: str = "one", **kwargs: Any) -> Any:
    """A field holding personal data, with its role (:mod:`casebot.domain.roles`): ``Role.NAME``,
    ``Role.ALIAS``, ``Role.ID_NUMBER``, ``Role.BIRTH_DATE``, ``Role.ADDRESS`` or ``Role.FREE_TEXT``.

    ``invisible`` is the field's policy for control, zero-width and bidi
    characters: ``remove`` them, or ``refuse`` (the case stops). ``lines`` is
    ``many`` for free text written to a text area (line breaks kept); every other
    text field is one line (:func:`casebot.domain.identity.one_line`).
    """
    field_role = Role(field_role)
    if field_role not in PERSONAL:
        raise ValueError(f"{field_role} is not a personal role")
    return Field(json_schema_extra={"personal": True, "role": field_role.value, "mask": _MASKS.get(field_role, "text"),
                                    "invisible": invisible, "lines": lines}, **kwargs)


def with_role(field_role: Role, **kwargs: Any) -> Any:
    """A field with a role that is not personal data as such: ``Role.TITLE``, ``Role.PERSONS``."""
    extra = dict(kwargs.pop("json_schema_extra", None) or {})
    return Field(json_schema_extra={**extra, "role": Role(field_role).value}, **kwargs)


class RuleViolation(ValueError):
    """A clerk's rule broken inside a validator; :meth:`CaseCard.parse` makes it a DataError.

    ``field`` names the model field (when the validator is not a field's own),
    ``at`` the path from the validating model down to it.
    """

    def __init__(self, reason: str, *, field: str | None = None, at: tuple[str | int, ...] = ()) -> None:
        self.reason = reason
        self.field = field
        self.at = at
        super().__init__(reason)


def _text_policy(model: type[BaseModel], name: str, policy: str = "invisible", default: str = "remove") -> str:
    extra = model.model_fields[name].json_schema_extra if name in model.model_fields else None
    return str(extra.get(policy, default)) if isinstance(extra, dict) else default


def _clean_texts(model: type[BaseModel], data: Any) -> Any:
    """Invisible characters out of every text field (and list of texts) of ``data``, or the case stopped;
    line breaks out of every single-line field (a title, an address: what an ``<input>`` holds)."""
    if not isinstance(data, Mapping):
        return data
    out: dict[Any, Any] | None = None
    for key, value in data.items():
        if isinstance(value, str):
            values, single = [value], True
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            values, single = value, False
        else:
            continue
        cleaned = values
        if any(has_invisible(v) for v in values):
            refuse = _text_policy(model, key) == "refuse"
            try:
                cleaned = [clean_text(v, refuse=refuse) for v in values]
            except InvisibleCharacters as exc:
                raise RuleViolation(str(exc), field=key) from None
        if _text_policy(model, key, "lines", "one") == "one":
            cleaned = [one_line(v) for v in cleaned]
        if cleaned == values:
            continue
        out = out if out is not None else dict(data)
        out[key] = cleaned[0] if single else cleaned
    return data if out is None else out


def age_on(birth: date, day: date) -> int:
    """Completed years of age on ``day`` (a birthday counts on the day itself)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def _parse_date(value: Any, *, field: str, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise RuleViolation(f"{label}格式应为 YYYY-MM-DD", field=field) from None


class _Parsed(BaseModel):
    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Validate ``data``; a failure is a DataError naming case, suspect and field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise data_error(exc, cls, data) from None


class _Model(_Parsed):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_invisible_text(cls, data: Any) -> Any:
        """Identity text rules (casebot.domain.identity): control, zero-width and bidi characters removed,
        or the case stopped for a field declared ``invisible="refuse"``."""
        return _clean_texts(cls, data)


# ---------------------------------------------------------------------------
# resolved codes


class Charge(_Model):
    """One charge (案由), in all three systems' terms."""

    police_code: str = Field(title="公安案由代码", min_length=1)
    procuratorate_code: str = Field(title="检察案由代码", min_length=1)
    name: str = Field(title="罪名", min_length=1)


class Unit(_Model):
    """The police unit in charge and the bodies of its region (units.csv)."""

    police_code: str = Field(title="主办单位代码", min_length=1)
    police_name: str = Field("", title="主办单位名称")
    region: str = Field(title="行政区划", min_length=1)
    region_name: str = Field("", title="行政区划名称")
    ysdw_code: str = Field(title="移送单位代码", min_length=1)
    procuratorate_name: str = Field(title="检察院名称", min_length=1)
    court_name: str = Field("", title="法院名称")
    court_code: str = Field("", title="法院代码")


class Ethnicity(_Model):
    code: str = Field(title="民族代码", min_length=1)
    name: str = Field(title="民族名称", min_length=1)


class Education(_Model):
    police_code: str = Field(title="文化程度代码", min_length=1)
    procuratorate_code: str = Field(title="检察文化程度代码", min_length=1)
    court_label: str = Field(title="法院文化程度", min_length=1)


class DetentionHouse(_Model):
    name: str = Field(title="羁押场所", min_length=1)
    procuratorate_code: str = Field(title="检察羁押场所代码", min_length=1)
    court_label: str = Field(title="法院羁押场所", min_length=1)


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        flag = value.strip().lower()
        if flag in {"yes", "y", "true", "1", "是"}:
            return True
        if flag in {"no", "n", "false", "0", "否", ""}:
            return False
    return value


class Measure(_Model):
    """One coercive measure (强制措施) as executed."""

    code: str = Field(title="强制措施类型", min_length=1)
    name: str = Field("", title="强制措施名称")
    date: dt.date = Field(title="执行日期")
    custodial: Annotated[bool, BeforeValidator(_yes_no)] = Field(title="是否羁押性")
    procuratorate_code: str = Field(title="检察强制措施代码", min_length=1)
    court_label: str = Field(title="法院强制措施", min_length=1)


class Prosecution(_Model):
    """起诉 facts from the procuratorate record, for the court hop."""

    qsswh: str = Field(title="起诉书文号", min_length=1)
    qsrq: date = Field(title="起诉日期")
    bmsah: str = Field("", title="部门受案号")


# ---------------------------------------------------------------------------
# the card


class Suspect(_Model):
    """A suspect (犯罪嫌疑人) with identity rules applied."""

    rybh: str = Field("", title="人员编号")
    name: str = personal(Role.NAME, title="姓名", min_length=1)
    alias: str = personal(Role.ALIAS, default="", title="别名")
    sex: Literal["1", "2"] = Field(title="性别")
    birth_date: date = personal(Role.BIRTH_DATE, title="出生日期")
    id_type: str = Field(title="证件种类", min_length=1)
    id_number: str = personal(Role.ID_NUMBER, title="证件号码", min_length=1, invisible="refuse")
    nationality: str = Field(title="国籍", min_length=1)
    ethnicity: Ethnicity | None = Field(None, title="民族")
    education: Education | None = Field(None, title="文化程度")
    occupation: str = Field("", title="职业")
    hjdqh: str = Field("", title="户籍地区划", pattern=r"^(\d{6})?$")
    hjdxz: str = personal(Role.ADDRESS, default="", title="户籍地详址")
    xzz: str = personal(Role.ADDRESS, default="", title="现住址")
    measures: list[Measure] = Field(default_factory=list, title="强制措施")
    detention_house: DetentionHouse | None = Field(None, title="羁押场所")

    @field_validator("name", "alias", mode="before")
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_name(value) if isinstance(value, str) or value is None else value

    @model_validator(mode="before")
    @classmethod
    def _identity_rules(cls, data: Any) -> Any:
        """SPEC 4.2-4.3: normalise the ID; fill or check sex and birth date against it."""
        if not isinstance(data, Mapping):
            return data
        data = dict(_clean_texts(cls, data))  # the identity text rules first: they may stop the case
        id_type = str(data.get("id_type") or "").strip()
        raw_sex = data.get("sex")
        sex = str(raw_sex).strip() if raw_sex is not None else None
        birth = _parse_date(data.get("birth_date"), field="birth_date", label="出生日期")
        if id_type == RESIDENT_ID:
            try:
                number = idcard.to_18(data.get("id_number"))
            except idcard.IdNumberError as exc:
                raise RuleViolation(exc.reason, field="id_number") from None
            id_birth, id_sex = idcard.birth_date(number), idcard.sex(number)
            if birth is None:
                birth = id_birth
            elif birth != id_birth:
                raise RuleViolation("出生日期与证件号码中的出生日期不一致", field="birth_date")
            if sex in _UNKNOWN_SEX:
                sex = id_sex
            elif sex != id_sex:
                raise RuleViolation("性别与证件号码第17位（单数为男、双数为女）不一致", field="sex")
            data["id_number"] = number
        elif id_type:
            number = str(data.get("id_number") or "").strip().upper()
            if not number:
                raise RuleViolation("证件号码为空", field="id_number")
            if sex in _UNKNOWN_SEX:
                raise RuleViolation("证件不是居民身份证，必须填写性别", field="sex")
            if birth is None:
                raise RuleViolation("证件不是居民身份证，必须填写出生日期", field="birth_date")
            data["id_number"] = number
        data["sex"] = sex
        data["birth_date"] = birth
        return data

    @property
    def latest_measure(self) -> Measure | None:
        """The measure with the latest date (on a tie, the later one listed)."""
        latest: Measure | None = None
        for m in self.measures:
            if latest is None or m.date >= latest.date:
                latest = m
        return latest

    @property
    def custodial(self) -> bool:
        """In custody: the latest measure is custodial (刑事拘留, 逮捕)."""
        latest = self.latest_measure
        return latest is not None and latest.custodial

    @property
    def earliest_custodial_date(self) -> date | None:
        """The first day of custody: earliest date of any custodial measure."""
        dates = [m.date for m in self.measures if m.custodial]
        return min(dates) if dates else None

    @property
    def holds_resident_id(self) -> bool:
        return self.id_type == RESIDENT_ID

    def age_at(self, day: date) -> int:
        return age_on(self.birth_date, day)

    def is_minor_at(self, day: date) -> bool:
        """Under 18 on ``day`` (SPEC 4.4: on the case's 发案日期)."""
        return self.age_at(day) < 18


class CaseCard(_Model):
    """A police case, codes resolved, rules applied: what every target hop reads."""

    ajbh: str = Field(title="案件编号", pattern=r"^A\d{22}$")
    ajmc: str = with_role(Role.TITLE, title="案件名称", min_length=1)
    ajlb: str = Field("", title="案件类别")
    charges: list[Charge] = Field(title="案由", min_length=1)
    unit: Unit = Field(title="主办单位")
    zbr: str = Field("", title="主办民警")
    fasj: date = Field(title="发案日期")
    lasj: date | None = Field(None, title="立案日期")
    yssj: date | None = Field(None, title="移送起诉日期")
    ajzt: Literal["侦查中", "提请批捕", "已移送起诉", "撤案"] = Field(title="案件状态")
    jyaq: str = personal(Role.FREE_TEXT, default="", title="简要案情", lines="many")
    suspects: list[Suspect] = with_role(
        Role.PERSONS, title="犯罪嫌疑人", min_length=1,
        json_schema_extra={"item_title": "嫌疑人", "item_name": "name"})
    prosecution: Prosecution | None = Field(None, title="起诉情况")

    @field_validator("charges", mode="after")
    @classmethod
    def _each_charge_once(cls, charges: list[Charge]) -> list[Charge]:
        """A charge listed twice (30 times the same code) is one charge: the targets' pickers tick it once,
        so a card keeping the repeats would be written, then fail its read-back."""
        seen: set[str] = set()
        return [c for c in charges if not (c.police_code in seen or seen.add(c.police_code))]

    @model_validator(mode="after")
    def _dates_in_order(self) -> CaseCard:
        """Checks the procuratorate would refuse the card for, made before sending it."""
        for i, s in enumerate(self.suspects):
            if s.birth_date > self.fasj:
                raise RuleViolation("出生日期晚于发案日期", field="birth_date", at=("suspects", i))
            if self.yssj is not None:
                for j, m in enumerate(s.measures):
                    if m.date > self.yssj:
                        raise RuleViolation("强制措施执行日期晚于移送起诉日期", field="date",
                                            at=("suspects", i, "measures", j))
        return self

    @property
    def main_charge(self) -> Charge:
        return self.charges[0]

    def masked(self) -> dict[str, Any]:
        """:func:`masked`, plus the suspects' names and ID-like numbers hidden in free text (ajmc)."""
        names = sorted({n for s in self.suspects for n in (s.name, s.alias) if len(n) > 1}, key=len, reverse=True)
        return _hide_in_text(masked(self), names)


# ---------------------------------------------------------------------------
# records as the systems hold them (sources of mappings)


def _to_str(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


def _to_list(value: Any) -> Any:
    return [] if value is None or value == "" else value


Text = Annotated[str | None, BeforeValidator(_to_str)]


class _Record(_Parsed):
    model_config = ConfigDict(extra="ignore")


class PoliceMeasure(_Record):
    cslx: Text = Field(None, title="强制措施类型")
    zxrq: Text = Field(None, title="执行日期")


class PoliceDecision(_Record):
    """The procuratorate's decision on an arrest, as the police record it (SPEC section 7)."""

    jd: Text = Field(None, title="批捕决定")
    jdrq: Text = Field(None, title="决定日期")
    jdswh: Text = Field(None, title="决定书文号")


class PoliceRequest(_Record):
    """提请批准逮捕: a request for the approval of the arrest of some of a case's suspects."""

    wsh: Text = Field(None, title="提请批准逮捕书文号")
    tqrq: Text = Field(None, title="提请日期")
    rybh: Annotated[list[Text], BeforeValidator(_to_list)] = Field(default_factory=list, title="提请逮捕人员")


class PoliceSuspect(_Record):
    """A suspect as the police system gives it (SPEC section 1)."""

    rybh: Text = Field(None, title="人员编号")
    xm: Text = personal(Role.NAME, default=None, title="姓名")
    bm: Text = personal(Role.ALIAS, default=None, title="别名")
    xb: Text = Field(None, title="性别")
    csrq: Text = personal(Role.BIRTH_DATE, default=None, title="出生日期")
    zjzl: Text = Field(None, title="证件种类")
    zjhm: Text = personal(Role.ID_NUMBER, default=None, title="证件号码")
    gj: Text = Field(None, title="国籍")
    mz: Text = Field(None, title="民族")
    whcd: Text = Field(None, title="文化程度")
    zy: Text = Field(None, title="职业")
    hjdqh: Text = Field(None, title="户籍地区划")
    hjdxz: Text = personal(Role.ADDRESS, default=None, title="户籍地详址")
    xzz: Text = personal(Role.ADDRESS, default=None, title="现住址")
    qzcs: Annotated[list[PoliceMeasure], BeforeValidator(_to_list)] = Field(
        default_factory=list, title="强制措施")
    jycs: Text = Field(None, title="羁押场所")
    pbjd: PoliceDecision | None = Field(None, title="批捕决定")


class PoliceCase(_Record):
    """A case as the police system gives it (SPEC section 1)."""

    ajbh: Text = Field(None, title="案件编号")
    ajmc: Text = with_role(Role.TITLE, default=None, title="案件名称")
    ajlb: Text = Field(None, title="案件类别")
    ay: Annotated[list[Text], BeforeValidator(_to_list)] = Field(default_factory=list, title="案由")
    zbdw: Text = Field(None, title="主办单位")
    zbdwmc: Text = Field(None, title="主办单位名称")
    zbr: Text = Field(None, title="主办民警")
    fasj: Text = Field(None, title="发案日期")
    lasj: Text = Field(None, title="立案日期")
    yssj: Text = Field(None, title="移送起诉日期")
    ajzt: Text = Field(None, title="案件状态")
    jyaq: Text = personal(Role.FREE_TEXT, default=None, title="简要案情")
    xyr: Annotated[list[PoliceSuspect], BeforeValidator(_to_list)] = with_role(
        Role.PERSONS, default_factory=list, title="犯罪嫌疑人",
        json_schema_extra={"item_title": "嫌疑人", "item_name": "xm"})
    tqpb: Annotated[list[PoliceRequest], BeforeValidator(_to_list)] = Field(
        default_factory=list, title="提请批准逮捕")


class ArrestRequestCase(PoliceCase):
    """A police case as one of its 提请批准逮捕 requests sees it (:func:`as_requested`): the requested
    suspects only, each with the measures taken by the request date; ``tqpb`` holds that request."""

    @property
    def request(self) -> PoliceRequest:
        return self.tqpb[0] if self.tqpb else PoliceRequest()


#: between a case's number and a request's document number in a record key (``A350502…0001#泉鲤公提捕〔2026〕5号``)
REQUEST_SEPARATOR = "#"


def request_key(ajbh: str, wsh: str) -> str:
    """The key of one 提请批准逮捕 request: its case and its document number (SPEC 7: one record each)."""
    return f"{ajbh}{REQUEST_SEPARATOR}{wsh.strip()}"


def case_number(key: str) -> str:
    """The case number a record key starts with: the key itself, or what precedes its first ``#``
    (a request ``{ajbh}#{wsh}``, a decision ``{ajbh}#{wsh}#{n}``)."""
    return key.partition(REQUEST_SEPARATOR)[0]


def split_request_key(key: str) -> tuple[str, str]:
    """``(ajbh, wsh)`` of a :func:`request_key`; ValueError when ``key`` is not one."""
    ajbh, sep, wsh = key.partition(REQUEST_SEPARATOR)
    if not sep or not ajbh or not wsh:
        raise ValueError(f"not a request key: {key!r}")
    return ajbh, wsh


def as_requested(case: Mapping[str, Any], wsh: str) -> dict[str, Any] | None:
    """The police case ``case`` as its request ``wsh`` sees it (SPEC 7, hop 3), or None if it has no
    such request: its suspects those requested, in the case's order, each with the measures taken by
    the request date (the latest measure *as of* 提请日期); ``tqpb`` that request alone."""
    from casebot.domain.keys import same_key

    request = next((r for r in case.get("tqpb") or [] if same_key(r.get("wsh"), wsh)), None)
    if request is None:
        return None
    tqrq = request.get("tqrq") or ""
    wanted = set(request.get("rybh") or [])
    suspects = []
    for s in case.get("xyr") or []:
        if s.get("rybh") in wanted:
            measures = [m for m in s.get("qzcs") or [] if not tqrq or (m.get("zxrq") or "") <= tqrq]
            suspects.append({**s, "qzcs": measures})
    return {**case, "xyr": suspects, "tqpb": [request]}


class DecidedPerson(_Record):
    """A 审查逮捕 person card and the prosecutor's decision on it (``pbjd``: decisions.csv code)."""

    xm: Text = personal(Role.NAME, default=None, title="姓名")
    zjlx: Text = Field(None, title="证件类型")
    zjhm: Text = personal(Role.ID_NUMBER, default=None, title="证件号码")
    pbjd: PoliceDecision | None = Field(None, title="批捕决定")


class ArrestDecision(_Record):
    """One decision of a 审查逮捕 card (record kind ``arrest_decision``, SPEC 7 hop 4): the card's
    numbers and the person card decided on."""

    bmsah: Text = Field(None, title="部门受案号")
    ysajbh: Text = Field(None, title="移送案件编号")
    tqpbsh: Text = Field(None, title="提请批准逮捕书文号")
    index: Text = Field(None, title="人卡序号")
    person: DecidedPerson = Field(default_factory=DecidedPerson, title="人卡")


class CourtJudgment(_Record):
    """宣判: one defendant's judgment as the court records it (SPEC 7)."""

    xprq: Text = Field(None, title="宣判日期")
    pjzm: Annotated[list[Text], BeforeValidator(_to_list)] = Field(default_factory=list, title="判决罪名")
    zx: Text = Field(None, title="主刑")
    xq: Text = Field(None, title="刑期")
    hx: Text = Field(None, title="缓刑")
    fj: Text = Field(None, title="罚金")


class JudgedDefendant(_Record):
    xm: Text = personal(Role.NAME, default=None, title="姓名")
    sfzh: Text = personal(Role.ID_NUMBER, default=None, title="身份证号")
    pj: CourtJudgment | None = Field(None, title="判决")


class JudgedCase(_Record):
    """A court record once pronounced (record kind ``court_judgment``, SPEC 7 hop 5)."""

    ah: Text = Field(None, title="案号")
    qsswh: Text = Field(None, title="起诉书文号")
    zt: Text = Field(None, title="状态")
    bgr: Annotated[list[JudgedDefendant], BeforeValidator(_to_list)] = with_role(
        Role.PERSONS, default_factory=list, title="被告人",
        json_schema_extra={"item_title": "被告人", "item_name": "xm"})

    @property
    def judged(self) -> list[JudgedDefendant]:
        """The defendants judged so far, in the court's order."""
        return [d for d in self.bgr if d.pj is not None]


class ProcuratorateRecord(_Record):
    """A record as the procuratorate stores it (SPEC section 2), for the court hop."""

    bmsah: Text = Field(None, title="部门受案号")
    ysajbh: Text = Field(None, title="移送案件编号")
    ajmc: Text = with_role(Role.TITLE, default=None, title="案件名称")
    ajlb: Text = Field(None, title="案件类别")
    ysdw: Text = Field(None, title="移送单位")
    ysay: Annotated[list[Text], BeforeValidator(_to_list)] = Field(default_factory=list, title="移送案由")
    slrq: Text = Field(None, title="受理日期")
    ajzy: Text = personal(Role.FREE_TEXT, default=None, title="案情摘要")
    zt: Text = Field(None, title="状态")
    qsswh: Text = Field(None, title="起诉书文号")
    qsrq: Text = Field(None, title="起诉日期")
    xyr: Annotated[list[dict[str, Any]], BeforeValidator(_to_list)] = with_role(
        Role.PERSONS, default_factory=list, title="人卡")


# ---------------------------------------------------------------------------
# personal data


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None``, ``list[X]`` or ``Annotated[...]``, if any."""
    return next(iter(submodels(annotation)), None)


def _extra(info: Any) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def personal_fields(model: type[BaseModel] | BaseModel) -> frozenset[str]:
    """Dotted paths of the personal fields of ``model``, nested ones included.

    ``personal_fields(CaseCard)`` holds ``suspects.name``, ``suspects.id_number``...
    (a list's items are addressed through the list's name).
    """
    cls = model if isinstance(model, type) else type(model)
    out: set[str] = set()
    for name, info in cls.model_fields.items():
        if _extra(info).get("personal"):
            out.add(name)
        sub = _submodel(info.annotation)
        if sub is not None:
            out.update(f"{name}.{p}" for p in personal_fields(sub))
    return frozenset(out)


def _mask_value(kind: str, value: Any) -> Any:
    if value is None or value == "":
        return value
    if kind == "name":
        return mask_name(str(value))
    if kind == "id":
        return mask_id(str(value))
    if kind == "date":
        return str(value)[:4] + "-**-**"
    return "***"


def masked(model: BaseModel) -> dict[str, Any]:
    """``model.model_dump(mode="json")`` with every personal field masked."""
    out: dict[str, Any] = {}
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        extra = _extra(info)
        if extra.get("personal"):
            out[name] = _mask_value(extra.get("mask", "text"), _dump(value))
        elif isinstance(value, BaseModel):
            out[name] = masked(value)
        elif isinstance(value, list):
            out[name] = [masked(v) if isinstance(v, BaseModel) else _dump(v) for v in value]
        else:
            out[name] = _dump(value)
    return out


def _hide_in_text(data: Any, names: list[str]) -> Any:
    if isinstance(data, dict):
        return {k: _hide_in_text(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [_hide_in_text(v, names) for v in data]
    if isinstance(data, str):
        for name in names:
            data = data.replace(name, mask_name(name))
        return scrub_text(data)
    return data


def _dump(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


# ---------------------------------------------------------------------------
# pydantic errors -> DataError

_REASONS = {
    "missing": "缺少该项",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_pattern_mismatch": "格式不正确",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
    "literal_error": "取值不在允许范围内",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "bool_parsing": "应为是或否",
    "extra_forbidden": "多余的项",
}


def data_error(exc: ValidationError, model: type[BaseModel], data: Mapping[str, Any] | Any) -> DataError:
    """The first error of ``exc`` as a DataError a clerk can read (no input values)."""
    err = exc.errors(include_url=False, include_input=False)[0]
    loc: list[str | int] = list(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, RuleViolation):
        loc += list(cause.at)
        if cause.field and (not loc or loc[-1] != cause.field):
            loc.append(cause.field)
        reason = cause.reason
    else:
        reason = _REASONS.get(err["type"], f"取值不正确（{err['type']}）")
    suspect, field = _describe(loc, model, data)
    case = data.get("ajbh") if isinstance(data, Mapping) and isinstance(data.get("ajbh"), str) else None
    return DataError(reason, case=case, suspect=suspect, field=field)


def _describe(loc: list[str | int], model: type[BaseModel] | None, data: Any) -> tuple[str | None, str | None]:
    """Walk ``loc`` through the model: the subject (e.g. ``嫌疑人1 张*``) and the field label."""
    subject: str | None = None
    labels: list[str] = []
    item_title = item_name = None
    for part in loc:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list | tuple) and part < len(data) else None
            if item_title:
                name = data.get(item_name) if isinstance(data, Mapping) and item_name else None
                subject = f"{item_title}{part + 1} {mask_name(name)}".rstrip()
                labels = []
            elif labels:
                labels[-1] += f"第{part + 1}项"
            item_title = item_name = None
            continue
        info = model.model_fields.get(part) if model is not None else None
        if info is None:
            labels.append(str(part))
            model = None
            data = None
            continue
        labels.append(info.title or part)
        extra = _extra(info)
        item_title, item_name = extra.get("item_title"), extra.get("item_name")
        model = _submodel(info.annotation)
        data = data.get(part) if isinstance(data, Mapping) else None
    return subject, "".join(labels) or None


# the roles of the domain's records, for everything that asks :func:`casebot.domain.roles.known`
declare(roles_of(PoliceCase, ArrestDecision, JudgedCase, ProcuratorateRecord, CaseCard))
