"""Every deadline of every case and person, from the cards the ledger holds, each with its derivation.

What is read (field names as the systems name them, docs/deadlines.md):

- the procuratorate's 审查起诉 card (``ajlb`` 审查起诉): ``slrq`` 受理日期 (its history over
  the card versions: each later ``slrq`` is a re-transfer after 退回补充侦查), ``thcs``
  (the count of returns, where read back), the person cards' ``qzcs``/``qzcsrq``;
- the 审查逮捕 card (``ajlb`` 审查逮捕): ``slrq`` (the request's date), per person ``pbjd``
  ``{jd, jdrq}`` (the decision);
- the court card (``sarq`` 收案日期, defendants' ``jyzt``/``qzcs``/``jyrq``): its ``sarq`` is
  the 起诉日期, which ends 审查起诉;
- the 判决 card (person cards with ``pjqk.pjrq``), which ends the first instance.

Measure codes are read through ``measures.csv`` (custodial, and which one is 逮捕).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from casebot.deadlines.calendar import Calendar
from casebot.deadlines.counting import holiday_shift
from casebot.deadlines.rules import Rule, RuleSet, shipped
from casebot.domain.privacy import mask_name
from casebot.domain.roles import Role, Roles, identity_of, keys_with, value_with

#: deadline states, most urgent first
STATES = ("overdue", "due_today", "due_soon", "running", "unknown", "late", "met")
STATE_LABELS = {"overdue": "已超期", "due_today": "今日到期", "due_soon": "即将到期", "running": "期限内",
                "unknown": "无法计算", "late": "逾期完成", "met": "按期完成"}
#: states where the period still runs (or cannot be told)
OPEN = ("overdue", "due_today", "due_soon", "running", "unknown")
#: the procuratorate record's 状态 while the case is back at the police
RETURNED = "退回补充侦查"
#: 批准逮捕 as the procuratorate codes it and as the police label it (decisions.csv, SPEC section 7)
APPROVE_ARREST = ("1", "批准逮捕")
_POLICE_CASE = re.compile(r"A\d{22}")


@dataclass
class Deadline:
    case: str
    route: str
    rule: str
    name: str
    article: str
    unit: str
    person: str
    person_key: str
    start: date | None
    due: date | None
    state: str
    days_left: int | None = None
    last_day: date | None = None
    limit: date | None = None
    ended: date | None = None
    in_custody: bool | None = None
    verified: bool = True
    missing: str | None = None
    #: what a period without a date says of itself (a count exceeded)
    note: str | None = None
    derivation: list[str] = field(default_factory=list)
    possible: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable identity of this period (a restart or new start date is a new period)."""
        return f"{self.case}|{self.rule}|{self.person_key}|{self.start}"

    def as_json(self) -> dict[str, Any]:
        def iso(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {"case": self.case, "route": self.route, "rule": self.rule, "name": self.name,
                "article": self.article, "unit": self.unit, "person": self.person, "start": iso(self.start),
                "last_day": iso(self.last_day), "due": iso(self.due), "limit": iso(self.limit),
                "ended": iso(self.ended), "state": self.state, "days_left": self.days_left,
                "in_custody": self.in_custody, "verified": self.verified, "missing": self.missing,
                "note": self.note,
                "derivation": self.derivation, "possible_extensions": self.possible}


# -- code tables ------------------------------------------------------------------
def _codes_dir() -> Path:
    from mappings import MAPPINGS_DIR

    return Path(MAPPINGS_DIR) / "codes"


@functools.cache
def _table(name: str) -> tuple[dict[str, str], ...]:
    with (_codes_dir() / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def custodial(code: Any) -> bool:
    """A measure (a procuratorate code, a court label or a police code) that holds the person."""
    text = str(code or "").strip()
    return any(text in (r["police_code"], r["procuratorate_code"], r["court_label"], r["police_name"])
               for r in _table("measures") if r["custodial"] == "yes") if text else False


def is_arrest(code: Any) -> bool:
    text = str(code or "").strip()
    return bool(text) and any(text in (r["police_code"], r["procuratorate_code"], r["court_label"])
                              for r in _table("measures") if r["police_name"] == "逮捕")


def _unit_row(card: dict[str, Any]) -> dict[str, str] | None:
    for row in _table("units"):
        if card.get("ysdw") and card["ysdw"] == row["ysdw_code"]:
            return row
        if card.get("gsjg") and card["gsjg"] == row["procuratorate_name"]:
            return row
    return None


def unit_name(rule: Rule, *cards: dict[str, Any] | None) -> str:
    column = {"police": "police_unit_name", "procuratorate": "procuratorate_name", "court": "court_name"}[rule.unit]
    for card in cards:
        row = _unit_row(card or {})
        if row:
            return row[column]
    return ""


def parse_day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _name(p: dict[str, Any], roles: Roles | None = None) -> str:
    """A person's name (the field with role ``name``), spaces removed."""
    return "".join(value_with(p, Role.NAME, roles).split())


def person_key(p: dict[str, Any], roles: Roles | None = None) -> str:
    """A person's key across cards: a digest of the ID number (role ``id_number``), else of the name."""
    found = identity_of(p, roles)
    ident = "" if found is None else found[1] if found[0] is Role.ID_NUMBER else _name(p, roles)
    return hashlib.sha256(ident.encode()).hexdigest()[:12]


def same_person(a: dict[str, Any], b: dict[str, Any], roles: Roles | None = None) -> bool:
    """One person in two cards: by ID number when both have one, else by name (spaces ignored)."""
    ida, idb = value_with(a, Role.ID_NUMBER, roles), value_with(b, Role.ID_NUMBER, roles)
    if ida and idb:
        return ida == idb
    return _name(a, roles) == _name(b, roles)


# -- the sources of one case ------------------------------------------------------
@dataclass
class CaseCards:
    """What the ledger holds of one case (police 案件编号), the latest card of each kind."""

    case: str
    review: dict[str, Any] | None = None
    review_route: str = ""
    #: 受理日期 of the review card's versions, oldest first (a later one: re-transfer)
    acceptances: list[date] = field(default_factory=list)
    #: the count of returns (``thcs``) the procuratorate showed in any card version read back from it
    returns_read: int = 0
    arrests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    court: dict[str, Any] | None = None
    court_route: str = ""
    judgment: dict[str, Any] | None = None
    #: decisions on 审查逮捕 as written to the police (hop 4): person cards holding ``pbjd``
    decisions: list[dict[str, Any]] = field(default_factory=list)


def _count(value: Any) -> int:
    try:
        return max(0, int(str(value or 0).rstrip("次")))
    except ValueError:
        return 0


def kind_of(card: dict[str, Any]) -> str | None:
    if card.get("ajlb") == "审查逮捕":
        return "arrest"
    if isinstance(card.get("pbjd"), dict) and not card.get("ajlb"):
        return "decision"
    has_persons = bool(keys_with(card, Role.PERSONS))
    if any(p.get("pjqk") for p in _persons(card)):
        return "judgment"
    if card.get("ajlb") == "审查起诉" or (card.get("slrq") is not None and has_persons):
        return "review"
    if "sarq" in card or has_persons:
        return "court"
    return None


def gather(entries: Iterable[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]) -> list[CaseCards]:
    """Group ledger entries ``(route, case_key, card, older cards)`` by case."""
    cases: dict[str, CaseCards] = {}
    by_qsswh: dict[str, str] = {}
    judgments: list[tuple[str, dict[str, Any]]] = []
    for route, case_key, card, history in entries:
        kind = kind_of(card)
        if kind is None:
            continue
        if kind == "judgment":
            judgments.append((case_key, card))
            continue
        found = _POLICE_CASE.search(str(card.get("ysajbh") or card.get("ajbh") or case_key))
        key = str(card.get("ysajbh") or card.get("ajbh") or (found.group(0) if found else case_key))
        cc = cases.setdefault(key, CaseCards(key))
        if kind == "decision":
            cc.decisions.append(card)
        elif kind == "arrest":
            cc.arrests.append((route, card))
        elif kind == "review":
            cc.review, cc.review_route = card, route
            seen: list[date] = []
            for old in [*history, card]:
                d = parse_day(old.get("slrq"))
                if d and (not seen or d > seen[-1]):
                    seen.append(d)
            cc.acceptances = seen
            cc.returns_read = max((_count(old.get("thcs")) for old in [*history, card]), default=0)
        else:
            cc.court, cc.court_route = card, route
            if card.get("qsswh"):
                by_qsswh[str(card["qsswh"])] = key
    for case_key, card in judgments:
        key = str(card.get("ysajbh") or by_qsswh.get(str(card.get("qsswh") or ""), "") or case_key)
        cases.setdefault(key, CaseCards(key)).judgment = card
    return sorted(cases.values(), key=lambda c: c.case)


# -- one period -----------------------------------------------------------------
def _state(due: date | None, ended: date | None, today: date, soon_days: int) -> tuple[str, int | None]:
    if due is None:
        return "unknown", None
    if ended is not None:
        return ("met" if ended <= due else "late"), None
    left = (due - today).days
    if left < 0:
        return "overdue", left
    if left == 0:
        return "due_today", 0
    return ("due_soon" if left <= soon_days else "running"), left


def _shift_lines(last: date, due: date, kept: bool, verified: bool, cal: Calendar) -> list[str]:
    lines = []
    if due != last:
        lines.append(f"届满日 {last} 为节假日，顺延至其后第一个工作日 {due}（刑事诉讼法第一百零五条）")
    elif kept:
        lines.append(f"届满日 {last} 为节假日；在押期间不因节假日延长，仍于 {last} 届满（刑事诉讼法第一百零五条）")
    if not verified:
        lines.append(f"{due.year} 年的节假日安排尚未载入（{cal.source(due.year)}）：期满日未核实")
    return lines


def period(rule: Rule, start: date | None, *, cal: Calendar, in_custody: bool, today: date, soon_days: int = 3,
           ended: date | None = None, fast_track: bool = False, missing: str | None = None,
           case: str = "", route: str = "", unit: str = "", person: str = "", pkey: str = "",
           lead: Iterable[str] = ()) -> Deadline:
    """One period of ``rule`` from ``start``: its expiry, state and derivation."""
    held = in_custody or rule.custody
    d = Deadline(case=case, route=route, rule=rule.id, name=rule.name, article=rule.article, unit=unit,
                 person=person, person_key=pkey, start=start, due=None, state="unknown", in_custody=held,
                 derivation=list(lead))
    if start is None:
        d.missing = missing or f"{rule.start_label}缺失"
        d.derivation.append(f"无法计算：{d.missing}（{rule.article}：{rule.length.words()}）")
        return d
    length = rule.fast_track.length if fast_track and rule.fast_track else rule.length
    last = length.after(start)
    shift = holiday_shift(last, cal, in_custody=held)
    d.last_day, d.due, d.verified = last, shift.due, shift.verified
    d.derivation.append(f"起算：{rule.start_label} {start}（当日不计）")
    d.derivation.append(f"期间：{length.words()}{'（速裁程序）' if fast_track else ''}（{rule.article}），"
                        f"至 {last}")
    d.derivation.extend(_shift_lines(last, shift.due, shift.custody_kept, shift.verified, cal))
    limit = (rule.fast_track.limit if fast_track and rule.fast_track else rule.limit)
    if limit is not None:
        lshift = holiday_shift(limit.after(start), cal, in_custody=held)
        d.limit = lshift.due
        d.derivation.append(f"至迟：{limit.words()}，{d.limit}")
    if not fast_track:
        total = length
        for ext in rule.extensions:
            total = total.plus(ext.length)
            ext_due = holiday_shift(total.after(start), cal, in_custody=held).due
            d.possible.append({"article": ext.article, "length": ext.length.words(), "when": ext.when,
                               "granted_by": ext.granted_by, "due": ext_due.isoformat()})
            d.derivation.append(f"可延长：{ext.when}，经{ext.granted_by}延长{ext.length.words()}，至 {ext_due}"
                                f"（{ext.article}）")
    if ended is not None:
        d.ended = ended
        d.derivation.append(f"已{rule.end_label}：{ended}")
    d.state, d.days_left = _state(d.due, ended, today, soon_days)
    return d


# -- a case's deadlines ---------------------------------------------------------
def _persons(card: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The person rows of a card (人卡, 被告人: its field with role ``persons``)."""
    card = card or {}
    return [p for k in keys_with(card, Role.PERSONS) for p in card.get(k) or [] if isinstance(p, dict)]


def _judged(cc: CaseCards, person: dict[str, Any]) -> date | None:
    want = person_key(person)
    found = None
    for p in _persons(cc.judgment):
        pj = p.get("pjqk") or {}
        if person_key(p) == want or _name(p) == _name(person):
            return parse_day(pj.get("pjrq"))
        found = found or parse_day(pj.get("pjrq"))
    return None if _persons(cc.judgment) else found


def _decision(cc: CaseCards, person: dict[str, Any]) -> dict[str, Any]:
    """The decision on a requested person: on the 审查逮捕 person card if read back, else as written to the police."""
    own = person.get("pbjd") or {}
    if own.get("jd"):
        return own
    return next(((d.get("pbjd") or {}) for d in cc.decisions
                 if same_person(d, person) and (d.get("pbjd") or {}).get("jd")), {})


def case_deadlines(cc: CaseCards, *, rules: RuleSet, cal: Calendar, today: date,
                   soon_days: int = 3) -> list[Deadline]:
    out: list[Deadline] = []
    common = {"cal": cal, "today": today, "soon_days": soon_days, "case": cc.case}

    # 审查逮捕: per request, per person
    rule = rules["arrest_review"]
    for route, card in cc.arrests:
        start = parse_day(card.get("slrq"))
        for p in _persons(card) or [{}]:
            decision = _decision(cc, p)
            out.append(period(rule, start, in_custody=custodial(p.get("qzcs")),
                              ended=parse_day(decision.get("jdrq")) if decision.get("jd") else None,
                              route=route, unit=unit_name(rule, card), person=mask_name(value_with(p, Role.NAME)),
                              pkey=person_key(p), **common))

    # 侦查羁押: per arrested person, until the case was first transferred
    rule = rules["investigation_custody"]
    transferred = cc.acceptances[0] if cc.acceptances else None
    arrested: dict[str, tuple[dict[str, Any], date | None, str, str]] = {}
    for route, card in cc.arrests:
        for p in _persons(card):
            decision = _decision(cc, p)
            if str(decision.get("jd") or "") in APPROVE_ARREST:
                arrested[person_key(p)] = (p, parse_day(decision.get("jdrq")), route,
                                           "以批准逮捕决定日期为逮捕日期（执行日期不在案卡中）")
    for p in _persons(cc.review):
        if is_arrest(p.get("qzcs")):
            arrested[person_key(p)] = (p, parse_day(p.get("qzcsrq")), cc.review_route, "")
    for pkey, (p, start, route, note) in arrested.items():
        out.append(period(rule, start, in_custody=True, ended=transferred, route=route,
                          unit=unit_name(rule, cc.review, *(c for _, c in cc.arrests)),
                          person=mask_name(value_with(p, Role.NAME)), pkey=pkey, missing="逮捕日期缺失",
                          lead=[note] if note else [], **common))

    # 审查起诉: from the latest acceptance, per person (custody decides the holiday rule)
    if cc.review is not None:
        rule = rules["prosecution_review"]
        lead = [f"第{n}次重新移送审查起诉 {d}：审查起诉期限重新计算（{rule.restart_article}）"
                for n, d in enumerate(cc.acceptances[1:], 1)]
        start = cc.acceptances[-1] if cc.acceptances else None
        ended = parse_day((cc.court or {}).get("sarq"))
        # the procuratorate's record read back as 退回补充侦查: the case is at the police now
        waiting = cc.review.get("zt") == RETURNED and ended is None
        for p in _persons(cc.review) or [{}]:
            d = period(rule, start, in_custody=custodial(p.get("qzcs")), ended=ended, route=cc.review_route,
                       unit=unit_name(rule, cc.review), person=mask_name(value_with(p, Role.NAME)), pkey=person_key(p),
                       lead=lead, **common)
            if waiting:  # returned to the police: this period stopped on a day no card holds
                d.state, d.days_left, d.missing = "unknown", None, "退回补充侦查日期不在案卡中"
                d.derivation.append(f"第{cc.returns_read}次退回补充侦查：本次审查起诉期限止于退回之日；"
                                    f"重新移送后重新计算（{rule.restart_article}）")
            out.append(d)

        # 退回补充侦查: how many times, and whether the case now waits at the police
        rule = rules["supplementary_investigation"]
        retransfers = len(cc.acceptances) - 1 if cc.acceptances else 0
        returns = max(retransfers, cc.returns_read)
        if returns:
            d = Deadline(case=cc.case, route=cc.review_route, rule=rule.id, name=rule.name, article=rule.article,
                         unit=unit_name(rule, cc.review), person="", person_key="", start=None, due=None,
                         state="met")
            d.derivation = [f"第{n}次退回后重新移送：{a}" for n, a in enumerate(cc.acceptances[1:], 1)]
            if rule.max_times is not None and returns > rule.max_times:
                d.state, d.note = "overdue", f"退回{returns}次，超过{rule.max_times}次"
                d.derivation.append(f"已退回补充侦查 {returns} 次，超过{rule.max_times}次之限（{rule.article}）")
            elif waiting:
                d.state, d.missing = "unknown", "退回补充侦查日期不在案卡中"
                d.note = f"第{returns}次退回补充侦查，尚未重新移送"
                d.derivation.append(f"第{returns}次退回补充侦查后尚未重新移送；补充侦查一个月期限无法计算："
                                    f"{d.missing}（{rule.article}）")
            else:
                d.derivation.append(f"共退回 {returns} 次，已重新移送（以{rule.max_times}次为限，{rule.article}）")
            out.append(d)

    # 一审: from the court's 收案日期, per defendant
    if cc.court is not None:
        rule = rules["first_instance"]
        start = parse_day(cc.court.get("sarq"))
        for p in _persons(cc.court) or [{}]:
            held = p.get("jyzt") == "在押" or custodial(p.get("qzcs"))
            out.append(period(rule, start, in_custody=held, ended=_judged(cc, p) if cc.judgment else None,
                              route=cc.court_route, unit=unit_name(rule, cc.court, cc.review),
                              person=mask_name(value_with(p, Role.NAME)), pkey=person_key(p), **common))
    return out


def compute(cases: Iterable[CaseCards], *, today: date, cal: Calendar | None = None, rules: RuleSet | None = None,
            soon_days: int = 3) -> list[Deadline]:
    rules = rules or shipped()
    cal = cal or Calendar.load()
    out: list[Deadline] = []
    for cc in cases:
        out.extend(case_deadlines(cc, rules=rules, cal=cal, today=today, soon_days=soon_days))
    return out


#: ledger states whose card the target holds (or may hold: ``unknown``); a refused card is not the target's
HELD = ("written", "done", "unknown")


def from_ledger(ledger: Any) -> list[CaseCards]:
    """The cases of a ledger: every card a target holds, with its earlier card versions."""
    entries = []
    for item in ledger.items(states=HELD):
        if not item.card:
            continue
        history = [v["card"] for v in ledger.versions(item.id) if isinstance(v.get("card"), dict)]
        entries.append((item.route, item.case_key, item.card, history))
    return gather(entries)
