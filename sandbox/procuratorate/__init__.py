"""检察业务应用系统 (simulated): the procuratorate's case-acceptance system.

A frameset-style shell (left menu, content in the ``main`` iframe); the case
card (案卡) in two tabs, 受理情况 and 犯罪嫌疑人情况; 移送单位 / 移送案由 chosen
in code-picker dialogs; dates in read-only inputs set by a calendar widget;
one person card (人卡) per suspect, entered in a dialog whose form lives in
its own iframe. Saving runs the 案卡质量检查 and lists every failure in a red
message box; success shows ``保存成功`` and the assigned 部门受案号.

部门受案号: ``{procuratorate_short}刑检受[{yyyy}]{dwbm}{serial:05d}号`` where
``procuratorate_short`` and ``dwbm`` come from the units table row of the
card's 移送单位, ``yyyy`` is the year of the 受理日期 (not of the day the
clerk saves), and the serial counts per ``dwbm`` and year.

A clerk corrects a saved card through 修改 on its view page (``/slaj/xg/<id>``):
the same form, case fields and person cards (added, edited in the same dialog,
removed), saved through the same 案卡质量检查; 部门受案号 never changes.
综合查询 searches loosely, as such pages do: 移送案件编号 and 部门受案号 by
substring, and also by a suspect's 证件号码, 移送单位, 移送案由 and a 受理日期
range.

Test routes (sandbox mode only): ``GET/POST /_sandbox/records`` (a record typed by
hand, with any spelling of its 移送案件编号), ``POST /_sandbox/prosecute``,
``POST /_sandbox/edit`` (a clerk changes fields of a saved record),
``POST /_sandbox/return`` (退回补充侦查: the record is sent back to the police),
``POST /_sandbox/delete`` (a record deleted).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Response, abort, g, jsonify, redirect, render_template, request, url_for

from sandbox import codes
from sandbox.common import BadInput, SandboxSystem, json_body
from sandbox.faults import FaultPlan, alter

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bmsah TEXT NOT NULL UNIQUE,
    ysajbh TEXT NOT NULL,
    zt TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT,
    thcs INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS records_ysajbh ON records (ysajbh);
CREATE TABLE IF NOT EXISTS serials (
    dwbm TEXT NOT NULL,
    yyyy TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (dwbm, yyyy)
);
"""

PAGE_SIZE = 20
AJZY_MAX = 1000
STATES = ("已受理", "已起诉", "退回补充侦查", "已判决")
AJLB = ("审查起诉", "审查逮捕", "补充侦查", "刑事申诉")
REJECT_MESSAGE = "案卡质量检查未通过：移送单位与受理单位管辖关系校验失败，请核对移送单位后重新保存"

#: case-card fields: (name, label, required)
CASE_FIELDS = (
    ("ysajbh", "移送案件编号", True),
    ("ajmc", "案件名称", True),
    ("ajlb", "案件类别", True),
    ("ysdw", "移送单位", True),
    ("ysay", "移送案由", True),
    ("slrq", "受理日期", True),
    ("ajzy", "案情摘要", False),
    ("tqpbsh", "提请批准逮捕书文号", False),
)
#: person-card fields: (name, label, required)
PERSON_FIELDS = (
    ("xm", "姓名", True),
    ("bm", "别名", False),
    ("xb", "性别", True),
    ("csrq", "出生日期", True),
    ("zjlx", "证件类型", True),
    ("zjhm", "证件号码", True),
    ("gj", "国籍", True),
    ("mz", "民族", False),
    ("xl", "学历", True),
    ("zy", "职业", False),
    ("hjdqh", "户籍地区划", False),
    ("hjdxz", "户籍地详址", False),
    ("xzz", "现住址", False),
    ("sfwcn", "是否未成年", True),
    ("qzcs", "强制措施", False),
    ("qzcsrq", "强制措施日期", False),
    ("jycs", "羁押场所", False),
    ("ay", "人卡罪名", True),
)
PERSON_KEYS = tuple(f[0] for f in PERSON_FIELDS)
RECORD_KEYS = ("bmsah", "ysajbh", "ajmc", "ajlb", "tqpbsh", "ysdw", "ysay", "slrq", "ajzy", "zt", "qsswh", "qsrq",
               "xyr")
#: the category of a 审查逮捕 card: one record per 提请批准逮捕书 (移送案件编号 + 文书号)
ARREST = "审查逮捕"


#: 批捕决定 codes (decisions.csv procuratorate_code -> name)
DECISIONS = {r["procuratorate_code"]: r["procuratorate_name"] for r in codes.table("decisions")}


def decision_problems(rec: dict[str, Any], decision: dict[str, Any], today: date) -> list[str]:
    """What the 审查逮捕决定 page refuses: a record not 审查逮捕, an unknown decision, a date not a
    date, before 受理日期 or in the future, an empty 决定书文号."""
    out = []
    if (rec.get("ajlb") or "") != ARREST:
        out.append("只有审查逮捕案件可以登记批捕决定")
    if decision.get("jd") not in DECISIONS:
        out.append("决定：请选择批准逮捕或不批准逮捕")
    day = _valid_date(str(decision.get("jdrq") or ""))
    if day is None:
        out.append("决定日期：格式应为YYYY-MM-DD")
    elif day > today:
        out.append("决定日期：不能晚于今天")
    elif rec.get("slrq") and decision["jdrq"] < rec["slrq"]:
        out.append("决定日期：不能早于受理日期")
    if not str(decision.get("jdswh") or "").strip():
        out.append("决定书文号：不能为空")
    return out


#: 主刑 codes (penalties.csv procuratorate_code -> row)
PENALTIES = {r["procuratorate_code"]: r for r in codes.table("penalties")}
JUDGED = "已判决"


def judgment_problems(rec: dict[str, Any], pj: dict[str, Any], charges: dict[str, str], today: date) -> list[str]:
    """What the 判决情况 page refuses (案卡质量检查): a record not prosecuted, a date not a date, before
    起诉日期 or in the future, no or an unknown charge, an unknown penalty, a term missing for a penalty
    that has one or given for one that has none, numbers that are not whole."""
    out = []
    if rec.get("zt") not in ("已起诉", JUDGED):
        out.append("只有已起诉的案件可以填写判决情况")
    day = _valid_date(str(pj.get("pjrq") or ""))
    if day is None:
        out.append("判决情况：判决日期格式错误")
    elif day > today or (rec.get("qsrq") and pj["pjrq"] < rec["qsrq"]):
        out.append("判决情况：判决日期不能早于起诉日期或晚于今天")
    pjzm = pj.get("pjzm") or []
    if not pjzm or any(c not in charges for c in pjzm):
        out.append("判决情况：判决罪名代码无效")
    penalty = PENALTIES.get(str(pj.get("zx") or ""))
    if penalty is None:
        out.append("判决情况：主刑代码无效")
    else:
        has_term = penalty["has_term"] == "yes"
        if has_term != bool(str(pj.get("xq") or "")):
            out.append("判决情况：刑期" + ("不能为空" if has_term else f"不适用于{penalty['procuratorate_name']}"))
    for key, label in (("xq", "刑期"), ("hx", "缓刑考验期"), ("fj", "罚金")):
        value = str(pj.get(key) or "")
        if value and not value.isdigit():
            out.append(f"判决情况：{label}应为整数")
    return out


def same_card(rec: dict[str, Any], ajlb: str, tqpbsh: str) -> bool:
    """Whether a stored record is the card of this category (and request): a 审查起诉 card per case,
    a 审查逮捕 card per 提请批准逮捕书."""
    if (rec.get("ajlb") or "审查起诉") == ARREST:
        return ajlb == ARREST and (rec.get("tqpbsh") or "").strip() == (tqpbsh or "").strip()
    return ajlb != ARREST

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


# -- code tables, as this system names them ---------------------------------------------------

def _tables() -> dict[str, dict[str, str]]:
    """code -> display name, per picker/select of this system."""
    edu: dict[str, str] = {}
    for r in codes.table("education"):
        edu.setdefault(r["procuratorate_code_gb4658_2006"], r["procuratorate_name"])
    return {
        "units": {r["ysdw_code"]: r["police_unit_name"] for r in codes.table("units")},
        "charges": {r["procuratorate_code"]: r["name"] for r in codes.table("charges")},
        "gender": {r["code"]: r["name"] for r in codes.table("gender")},
        "id_types": {r["code"]: r["name"] for r in codes.table("id_types")},
        "countries": {r["alpha3"]: r["name"] for r in codes.table("countries")},
        "ethnicity": {r["code"]: r["name"] for r in codes.table("ethnicity")},
        "education": edu,
        "measures": {r["procuratorate_code"]: r["procuratorate_name"] for r in codes.table("measures")},
        "detention_houses": {r["procuratorate_code"]: r["name"] for r in codes.table("detention_houses")},
        "decisions": {r["procuratorate_code"]: r["procuratorate_name"] for r in codes.table("decisions")},
        "penalties": {r["procuratorate_code"]: r["procuratorate_name"] for r in codes.table("penalties")},
    }


#: person field -> code table
PERSON_TABLES = {"xb": "gender", "zjlx": "id_types", "gj": "countries", "mz": "ethnicity", "xl": "education",
                 "qzcs": "measures", "jycs": "detention_houses"}


def _valid_date(text: str) -> date | None:
    if not isinstance(text, str) or not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _id_check_char(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# -- checks (案卡质量检查) ---------------------------------------------------------------------

def quality_check(card: dict[str, Any], tables: dict[str, dict[str, str]], today: date) -> list[str]:
    """Every failure of the card, as the red message box lists them."""
    out: list[str] = []
    for name, label, required in CASE_FIELDS:
        value = card.get(name)
        if required and (not value or (isinstance(value, str) and not value.strip())):
            out.append(f"受理情况：{label}不能为空")
    if card.get("ysdw") and card["ysdw"] not in tables["units"]:
        out.append("受理情况：移送单位代码无效")
    for code in card.get("ysay") or []:
        if code not in tables["charges"]:
            out.append(f"受理情况：移送案由代码{code}无效")
    slrq = None
    if card.get("slrq"):
        slrq = _valid_date(card["slrq"])
        if slrq is None:
            out.append("受理情况：受理日期格式错误")
    ajzy = card.get("ajzy") or ""
    if len(ajzy) > AJZY_MAX:
        out.append(f"受理情况：案情摘要不能超过{AJZY_MAX}字（现为{len(ajzy)}字）")
    if card.get("ajlb") and card["ajlb"] not in AJLB:
        out.append("受理情况：案件类别无效")
    if card.get("ajlb") == ARREST and not (card.get("tqpbsh") or "").strip():
        out.append("受理情况：审查逮捕案件的提请批准逮捕书文号不能为空")
    if card.get("ajlb") != ARREST and (card.get("tqpbsh") or "").strip():
        out.append("受理情况：只有审查逮捕案件填写提请批准逮捕书文号")
    persons = card.get("xyr") or []
    if not persons:
        out.append("犯罪嫌疑人情况：至少需要录入一名犯罪嫌疑人")
    for i, p in enumerate(persons, 1):
        out.extend(_person_check(p, i, tables, today, slrq))
    return out


def _person_check(p: dict[str, Any], index: int, tables: dict[str, dict[str, str]], today: date,
                  slrq: date | None) -> list[str]:
    who = f"犯罪嫌疑人[{p.get('xm') or f'第{index}人'}]"
    out: list[str] = []
    for name, label, required in PERSON_FIELDS:
        if required and not p.get(name):
            out.append(f"{who}：{label}不能为空")
    if p.get("gj") == "CHN" and not p.get("mz"):
        out.append(f"{who}：国籍为中国的，民族不能为空")
    for name, table in PERSON_TABLES.items():
        value = p.get(name)
        if value and value not in tables[table]:
            label = dict((f[0], f[1]) for f in PERSON_FIELDS)[name]
            out.append(f"{who}：{label}代码{value}无效")
    for code in p.get("ay") or []:
        if code not in tables["charges"]:
            out.append(f"{who}：人卡罪名代码{code}无效")
    if p.get("sfwcn") and p["sfwcn"] not in ("是", "否"):
        out.append(f"{who}：是否未成年只能为“是”或“否”")
    if p.get("hjdqh") and not re.fullmatch(r"\d{6}", p["hjdqh"]):
        out.append(f"{who}：户籍地区划应为6位行政区划代码")
    csrq = None
    if p.get("csrq"):
        csrq = _valid_date(p["csrq"])
        if csrq is None:
            out.append(f"{who}：出生日期格式错误")
        elif csrq > today:
            out.append(f"{who}：出生日期不能晚于当前日期")
    zjhm = p.get("zjhm") or ""
    if p.get("zjlx") == "111" and zjhm:
        if not re.fullmatch(r"\d{17}[\dX]", zjhm):
            out.append(f"{who}：证件号码格式错误，居民身份证号码应为18位")
        elif _id_check_char(zjhm[:17]) != zjhm[17]:
            out.append(f"{who}：证件号码校验位错误")
        else:
            id_birth = f"{zjhm[6:10]}-{zjhm[10:12]}-{zjhm[12:14]}"
            if csrq is not None and p["csrq"] != id_birth:
                out.append(f"{who}：出生日期与证件号码不一致")
            id_sex = "1" if int(zjhm[16]) % 2 else "2"
            if p.get("xb") and p["xb"] != id_sex:
                out.append(f"{who}：性别与证件号码不一致")
    if p.get("qzcs") and not p.get("qzcsrq"):
        out.append(f"{who}：已选择强制措施，强制措施日期不能为空")
    if p.get("qzcsrq") and not p.get("qzcs"):
        out.append(f"{who}：已填写强制措施日期，强制措施不能为空")
    if p.get("qzcsrq"):
        qd = _valid_date(p["qzcsrq"])
        if qd is None:
            out.append(f"{who}：强制措施日期格式错误")
        elif slrq is not None and qd > slrq:
            out.append(f"{who}：强制措施日期不能晚于受理日期")
    return out


# -- form <-> card --------------------------------------------------------------------------

def _split_codes(text: str | None) -> list[str]:
    return [c for c in (text or "").split(",") if c.strip()]


def _clean(text: Any) -> str:
    return str(text if text is not None else "").replace("\r\n", "\n").strip()


def card_from_form(form: Any) -> tuple[dict[str, Any], list[str]]:
    """The card as posted by the 案卡 page (persons come as JSON in hidden inputs)."""
    card: dict[str, Any] = {k: _clean(form.get(k)) for k, _, _ in CASE_FIELDS if k != "ysay"}
    card["ysay"] = _split_codes(form.get("ysay"))
    persons: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, raw in enumerate(form.getlist("xyr"), 1):
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            problems.append(f"犯罪嫌疑人情况：第{i}张人卡数据损坏，请删除后重新录入")
            continue
        p = {k: _clean(data.get(k)) for k in PERSON_KEYS if k != "ay"}
        ay = data.get("ay")
        p["ay"] = [str(c) for c in ay] if isinstance(ay, list) else _split_codes(str(ay or ""))
        persons.append(p)
    card["xyr"] = persons
    return card, problems


# -- the system ----------------------------------------------------------------------------

def create(data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None) -> SandboxSystem:
    system = SandboxSystem(name="procuratorate", title="检察业务应用系统", import_name=__name__,
                           schema_sql=SCHEMA, data_dir=Path(data_dir), sandbox_mode=sandbox_mode, plan=plan)
    app = system.app
    tables = _tables()
    units = {r["ysdw_code"]: r for r in codes.table("units")}
    login_required = system.login_required

    @app.context_processor
    def _ctx() -> dict[str, Any]:
        plan = system.faults.plan
        hidden = set(plan.hidden_codes)
        shown = {name: {c: n for c, n in table.items() if c not in hidden}
                 for name, table in tables.items()} if hidden else tables
        user = (g.session or {}).get("username") if g.get("session") else None
        return {"tables": shown, "ambiguous": plan.ambiguous, "user": user}

    # -- storage helpers --------------------------------------------------------------
    def assign_bmsah(db: Any, ysdw: str, slrq: str, ajlb: str = "审查起诉") -> str:
        unit = units[ysdw]
        dwbm, short, yyyy = unit["procuratorate_dwbm"], unit["procuratorate_short"], slrq[:4]
        while True:
            row = db.execute("SELECT n FROM serials WHERE dwbm = ? AND yyyy = ?", (dwbm, yyyy)).fetchone()
            n = (row["n"] if row else 0) + 1
            db.execute("INSERT INTO serials (dwbm, yyyy, n) VALUES (?, ?, ?) "
                       "ON CONFLICT (dwbm, yyyy) DO UPDATE SET n = excluded.n", (dwbm, yyyy, n))
            word = "捕受" if ajlb == ARREST else "刑检受"
            bmsah = f"{short}{word}[{yyyy}]{dwbm}{n:05d}号"
            if db.execute("SELECT 1 FROM records WHERE bmsah = ?", (bmsah,)).fetchone() is None:
                return bmsah

    def insert(db: Any, rec: dict[str, Any]) -> int:
        created = rec.pop("created_at", None) or datetime.now().isoformat(timespec="seconds")
        cur = db.execute("INSERT INTO records (bmsah, ysajbh, zt, data, created_at) VALUES (?, ?, ?, ?, ?)",
                         (rec["bmsah"], rec["ysajbh"], rec["zt"], json.dumps(rec, ensure_ascii=False), created))
        return int(cur.lastrowid)

    def load(row: Any) -> dict[str, Any]:
        rec = json.loads(row["data"])
        # a 审查起诉 card has no 提请批准逮捕书文号: left out of what it shows
        out = {k: rec.get(k) for k in RECORD_KEYS if k != "tqpbsh" or rec.get("ajlb") == ARREST}
        out["created_at"] = row["created_at"]
        out["thcs"] = row["thcs"]
        return out

    def update(db: Any, rid: int, rec: dict[str, Any]) -> None:
        db.execute("UPDATE records SET ysajbh = ?, zt = ?, data = ?, updated_at = ? WHERE id = ?",
                   (rec["ysajbh"], rec["zt"], json.dumps(rec, ensure_ascii=False),
                    datetime.now().isoformat(timespec="seconds"), rid))

    def find_row(db: Any, ysajbh: Any, tqpbsh: Any = None, *, exclude: int | None = None) -> Any:
        """The stored row of the 审查起诉 card of ``ysajbh`` (``tqpbsh`` None) or of its 审查逮捕 card
        for that request."""
        ajlb = ARREST if tqpbsh else "审查起诉"
        for row in db.execute("SELECT * FROM records WHERE ysajbh = ? ORDER BY id", (ysajbh,)).fetchall():
            if row["id"] != exclude and same_card(json.loads(row["data"]), ajlb, tqpbsh or ""):
                return row
        return None

    def show(rec: dict[str, Any], table: str, code: str) -> str:
        return tables[table].get(code, code) if code else ""

    app.jinja_env.globals["show"] = show

    def decided(rec: dict[str, Any]) -> list[dict[str, Any]]:
        """The person cards of a record decided on, by position: what the 综合查询 row lists."""
        return [{"n": n, **p["pbjd"]} for n, p in enumerate(rec.get("xyr") or [], 1) if p.get("pbjd")]

    app.jinja_env.globals["decided"] = decided
    app.jinja_env.globals["decisions"] = DECISIONS

    # -- login -------------------------------------------------------------------------
    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if g.session is not None and request.method == "GET":
            return redirect(url_for("shell"))
        captcha = system.faults.plan.captcha
        error = None
        username = ""
        if request.method == "POST":
            username = request.form.get("username", "").strip()
            if not system.csrf_ok(request.form.get("csrf_token")):
                error = "页面已过期，请刷新后重新登录"
            elif captcha and not system.captcha_ok(request.form.get("captcha")):
                error = "验证码错误"
            elif not system.check_password(username, request.form.get("password", "")):
                error = "用户名或密码错误"
            else:
                system.start_session(username)
                return redirect(url_for("shell"))
        timeout = bool(request.args.get("next")) and request.method == "GET"
        return render_template("login.html", error=error, captcha=captcha, username=username, timeout=timeout)

    system.add_captcha("/captcha.svg", background="#e8eef7", ink="#1f3a6e")

    @app.get("/logout")
    def logout() -> Any:
        system.end_session()
        return redirect(url_for("login"))

    # -- shell and menu pages ------------------------------------------------------------
    @app.get("/")
    @login_required
    def shell() -> str:
        return render_template("shell.html")

    @app.get("/welcome")
    @login_required
    def welcome() -> str:
        counts = {zt: system.store.one("SELECT COUNT(*) AS n FROM records WHERE zt = ?", (zt,))["n"]
                  for zt in STATES}
        return render_template("welcome.html", counts=counts)

    @app.get("/slaj/new")
    @login_required
    def case_new() -> str:
        return render_template("case_form.html", card={"ajlb": "审查起诉", "ysay": [], "xyr": []}, errors=[])

    @app.get("/slaj/rk")
    @login_required
    def person_form() -> str:
        return render_template("person_form.html")

    @app.post("/slaj/save")
    @login_required
    def case_save() -> Any:
        card, problems = card_from_form(request.form)
        if not system.csrf_ok(request.form.get("csrf_token")):
            problems.insert(0, "页面令牌已失效，请关闭案卡后重新打开")
        errs = problems + quality_check(card, tables, date.today())
        refuse_duplicates = system.faults.plan.refuse_duplicates
        existing = None
        if card.get("ysajbh") and refuse_duplicates:
            with system.store.tx() as db:
                existing = find_row(db, card["ysajbh"], card.get("tqpbsh") if card.get("ajlb") == ARREST else None)
            if existing is not None:
                errs.insert(0, f"该案件已受理，部门受案号：{existing['bmsah']}")
        if not errs and system.faults.reject():
            errs = [REJECT_MESSAGE]
        if errs:
            return render_template("case_form.html", card=card, errors=errs)
        alteration = system.faults.alteration()
        with system.store.tx() as db:
            if refuse_duplicates and find_row(db, card["ysajbh"],
                                              card.get("tqpbsh") if card.get("ajlb") == ARREST else None):
                dup = True
            else:
                dup = False
                bmsah = assign_bmsah(db, card["ysdw"], card["slrq"], card["ajlb"])
                rec = {"bmsah": bmsah, **{k: card[k] for k, _, _ in CASE_FIELDS}, "zt": "已受理",
                       "qsswh": "", "qsrq": "", "xyr": card["xyr"]}
                if alteration:
                    rec = alter(rec, alteration, persons="xyr", date_field="slrq")
                if rec["ajzy"] and system.faults.alter_text():
                    rec["ajzy"] = rec["ajzy"][:-1] + "＊"
                rid = insert(db, rec)
        if dup:
            return render_template("case_form.html", card=card, errors=["该案件已受理"])
        system.count_save(card["ysajbh"])
        if system.faults.commit_then_error():
            return system.error_page(500)
        return render_template("saved.html", bmsah=bmsah, rid=rid, ysajbh=card["ysajbh"])

    @app.get("/slaj/ck/<int:rid>")
    @login_required
    def case_view(rid: int) -> str:
        row = system.store.one("SELECT * FROM records WHERE id = ?", (rid,))
        if row is None:
            abort(404)
        return render_template("case_view.html", rec=load(row), rid=rid)

    @app.get("/slaj/xg/<int:rid>")
    @login_required
    def case_edit(rid: int) -> str:
        row = system.store.one("SELECT * FROM records WHERE id = ?", (rid,))
        if row is None:
            abort(404)
        return render_template("case_form.html", card=load(row), errors=[], rid=rid)

    @app.post("/slaj/xg/<int:rid>")
    @login_required
    def case_update(rid: int) -> Any:
        """修改: the card as edited, through the same checks as on entry; 部门受案号 and 状态 stay."""
        card, problems = card_from_form(request.form)
        if not system.csrf_ok(request.form.get("csrf_token")):
            problems.insert(0, "页面令牌已失效，请关闭案卡后重新打开")
        errs = problems + quality_check(card, tables, date.today())
        if card.get("ysajbh"):
            with system.store.tx() as db:
                other = find_row(db, card["ysajbh"], card.get("tqpbsh") if card.get("ajlb") == ARREST else None,
                                 exclude=rid)
            if other is not None:
                errs.insert(0, f"该案件已受理，部门受案号：{other['bmsah']}")
        if not errs and system.faults.reject():
            errs = [REJECT_MESSAGE]
        if errs:
            return render_template("case_form.html", card=card, errors=errs, rid=rid)
        with system.store.tx() as db:
            row = db.execute("SELECT * FROM records WHERE id = ?", (rid,)).fetchone()
            if row is None:
                abort(404)
            rec = json.loads(row["data"])
            if rec["zt"] == "退回补充侦查" and card["slrq"] != rec["slrq"]:
                rec["zt"] = "已受理"  # 重新移送: accepted again on the new 受理日期
            for part in ("pbjd", "pjqk"):
                # a decision, a judgment: not the 案卡's to change; the 修改 page keeps them
                held = {p.get("zjhm"): p[part] for p in rec.get("xyr") or [] if p.get(part)}
                for p in card["xyr"]:
                    if p.get("zjhm") in held:
                        p[part] = held[p["zjhm"]]
            rec.update({k: card[k] for k, _, _ in CASE_FIELDS}, xyr=card["xyr"])
            update(db, rid, rec)
        if system.faults.commit_then_error():
            return system.error_page(500)
        return render_template("saved.html", bmsah=rec["bmsah"], rid=rid, ysajbh=card["ysajbh"], edited=True)

    # -- 审查逮捕决定: per person card ------------------------------------------------------
    def decide(db: Any, row: Any, index: int, decision: dict[str, Any]) -> list[str]:
        rec = json.loads(row["data"])
        persons = rec.get("xyr") or []
        if not 1 <= index <= len(persons):
            return ["该人卡不存在"]
        problems = decision_problems(rec, decision, date.today())
        if problems:
            return problems
        persons[index - 1]["pbjd"] = {k: str(decision[k]).strip() for k in ("jd", "jdrq", "jdswh")}
        update(db, row["id"], rec)
        return []

    @app.route("/scdb/jd/<int:rid>/<int:index>", methods=["GET", "POST"])
    @login_required
    def decision_page(rid: int, index: int) -> Any:
        """审查逮捕决定 for one person card: 批准逮捕 / 不批准逮捕, 决定日期, 决定书文号."""
        row = system.store.one("SELECT * FROM records WHERE id = ?", (rid,))
        if row is None:
            abort(404)
        rec = load(row)
        errs: list[str] = []
        form = {k: request.form.get(k, "") for k in ("jd", "jdrq", "jdswh")}
        if request.method == "POST":
            if not system.csrf_ok(request.form.get("csrf_token")):
                errs = ["页面令牌已失效，请重新打开"]
            else:
                with system.store.tx() as db:
                    errs = decide(db, db.execute("SELECT * FROM records WHERE id = ?", (rid,)).fetchone(),
                                  index, form)
            if not errs:
                return redirect(url_for("case_view", rid=rid))
        elif 1 <= index <= len(rec["xyr"]):
            form = {**form, **(rec["xyr"][index - 1].get("pbjd") or {})}
        return render_template("decision.html", rec=rec, rid=rid, index=index, form=form, errors=errs,
                               decisions=DECISIONS)

    # -- 判决情况: per person card of a prosecuted 审查起诉 card --------------------------------
    def enter_judgment(db: Any, row: Any, index: int, pj: dict[str, Any]) -> list[str]:
        rec = json.loads(row["data"])
        persons = rec.get("xyr") or []
        if not 1 <= index <= len(persons):
            return ["该人卡不存在"]
        problems = judgment_problems(rec, pj, tables["charges"], date.today())
        if problems:
            return problems
        persons[index - 1]["pjqk"] = {"pjrq": pj["pjrq"], "pjzm": list(pj["pjzm"]), "zx": pj["zx"],
                                      **{k: str(pj.get(k) or "") for k in ("xq", "hx", "fj")}}
        if all(p.get("pjqk") for p in persons):
            rec["zt"] = JUDGED
        update(db, row["id"], rec)
        return []

    @app.route("/slaj/pj/<int:rid>/<int:index>", methods=["GET", "POST"])
    @login_required
    def judgment_page(rid: int, index: int) -> Any:
        row = system.store.one("SELECT * FROM records WHERE id = ?", (rid,))
        if row is None:
            abort(404)
        rec = load(row)
        errs: list[str] = []
        form = {k: request.form.get(k, "").strip() for k in ("pjrq", "pjzm", "zx", "xq", "hx", "fj")}
        if request.method == "POST":
            pj = {**form, "pjzm": _split_codes(form["pjzm"])}
            if not system.csrf_ok(request.form.get("csrf_token")):
                errs = ["页面令牌已失效，请重新打开"]
            else:
                with system.store.tx() as db:
                    errs = enter_judgment(db, db.execute("SELECT * FROM records WHERE id = ?", (rid,)).fetchone(),
                                          index, pj)
            if not errs:
                return redirect(url_for("case_view", rid=rid))
        elif 1 <= index <= len(rec["xyr"]) and rec["xyr"][index - 1].get("pjqk"):
            held = rec["xyr"][index - 1]["pjqk"]
            form = {**held, "pjzm": ",".join(held["pjzm"])}
        return render_template("judgment.html", rec=rec, rid=rid, index=index, form=form, errors=errs,
                               penalties={c: r["procuratorate_name"] for c, r in PENALTIES.items()})

    @app.get("/zhcx")
    @login_required
    def search() -> str:
        q = {k: request.args.get(k, "").strip() for k in SEARCH_KEYS}
        where, args = [], []
        for key, col in (("ysajbh", "ysajbh"), ("bmsah", "bmsah")):
            if q[key]:
                esc = q[key].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                where.append(f"{col} LIKE ? ESCAPE '\\'")
                args.append(f"%{esc}%")
        if q["zt"]:
            where.append("zt = ?")
            args.append(q["zt"])
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        found = [(r["id"], load(r)) for r in system.store.query(f"SELECT * FROM records{clause} ORDER BY id",
                                                                tuple(args))]
        found = [(rid, r) for rid, r in found if _matches(r, q)]
        total = len(found)
        pages = max(1, -(-total // PAGE_SIZE))
        try:
            page = min(max(1, int(request.args.get("page", "1"))), pages)
        except ValueError:
            page = 1
        rows = found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        return render_template("search.html", q=q, rows=rows, total=total, page=page, pages=pages, states=STATES)

    @app.errorhandler(404)
    def not_found(_exc: Any) -> Any:
        if request.path.startswith("/_sandbox/"):
            return Response("Not Found", 404)
        return render_template("error.html", status=404), 404

    # -- /_sandbox/ ----------------------------------------------------------------------
    @app.get("/_sandbox/records")
    def sandbox_records() -> Response:
        return jsonify([load(r) for r in system.store.query("SELECT * FROM records ORDER BY id")])

    @app.post("/_sandbox/records")
    def sandbox_records_add() -> Any:
        body = json_body()
        if not isinstance(body, list):
            raise BadInput("$", "expected a JSON list of records")
        recs = [validate_record(r, f"[{i}]", tables) for i, r in enumerate(body)]
        seen: set[tuple[str, str]] = set()
        for i, r in enumerate(recs):
            key = (r["ysajbh"], r["tqpbsh"] if r["ajlb"] == ARREST else "")
            if key in seen:
                raise BadInput(f"[{i}].ysajbh", "duplicate ysajbh (and tqpbsh) in the request")
            seen.add(key)
        with system.store.tx() as db:
            for i, r in enumerate(recs):
                if find_row(db, r["ysajbh"], r["tqpbsh"] if r["ajlb"] == ARREST else None) is not None:
                    raise BadInput(f"[{i}].ysajbh", "a record with this ysajbh (and tqpbsh) already exists")
                if r.get("bmsah"):
                    if db.execute("SELECT 1 FROM records WHERE bmsah = ?", (r["bmsah"],)).fetchone():
                        raise BadInput(f"[{i}].bmsah", "a record with this bmsah already exists")
                else:
                    r["bmsah"] = assign_bmsah(db, r["ysdw"], r["slrq"], r["ajlb"])
                insert(db, r)
        return jsonify(ok=True, bmsah=[r["bmsah"] for r in recs])

    @app.post("/_sandbox/prosecute")
    def sandbox_prosecute() -> Any:
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "expected a JSON object")
        for key in ("ysajbh", "qsswh", "qsrq"):
            if not isinstance(body.get(key), str) or not body[key].strip():
                raise BadInput(key, "required, a non-empty string")
        if _valid_date(body["qsrq"]) is None:
            raise BadInput("qsrq", "must be a date YYYY-MM-DD")
        with system.store.tx() as db:
            row = find_row(db, body["ysajbh"])
            if row is None:
                raise BadInput("ysajbh", "no record with this ysajbh")
            rec = json.loads(row["data"])
            rec.update(zt="已起诉", qsswh=body["qsswh"].strip(), qsrq=body["qsrq"])
            db.execute("UPDATE records SET zt = ?, data = ? WHERE id = ?",
                       ("已起诉", json.dumps(rec, ensure_ascii=False), row["id"]))
        return jsonify(ok=True, record=load(system.store.one("SELECT * FROM records WHERE id = ?", (row["id"],))))

    @app.post("/_sandbox/decide")
    def sandbox_decide() -> Any:
        """A prosecutor decides: ``{"ysajbh", "tqpbsh", "index" (1-based person card), "jd", "jdrq", "jdswh"}``."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "expected a JSON object")
        index = body.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise BadInput("index", "required, the 1-based position of the person card")
        with system.store.tx() as db:
            row = find_row(db, body.get("ysajbh"), body.get("tqpbsh") or None)
            if row is None or not body.get("tqpbsh"):
                raise BadInput("tqpbsh", "no 审查逮捕 record with this ysajbh and tqpbsh")
            problems = decide(db, row, index, body)
            if problems:
                raise BadInput("$", "；".join(problems))
            out = load(db.execute("SELECT * FROM records WHERE id = ?", (row["id"],)).fetchone())
        return jsonify(ok=True, record=out)

    @app.post("/_sandbox/edit")
    def sandbox_edit() -> Any:
        """A clerk edits a saved record: ``{"ysajbh": ..., "set": {field: value}, "xyr": {index: {field: value}}}``.

        Nothing is checked beyond the record's format: a clerk's edit goes through the 修改 page;
        this route stands for one that already happened.
        """
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "expected a JSON object")
        unknown = set(body) - {"ysajbh", "tqpbsh", "set", "xyr"}
        if unknown:
            raise BadInput(sorted(unknown)[0], "unknown key")
        with system.store.tx() as db:
            row = find_row(db, body.get("ysajbh"), body.get("tqpbsh"))
            if row is None:
                raise BadInput("ysajbh", "no record with this ysajbh")
            rec = json.loads(row["data"])
            changes = body.get("set") or {}
            if not isinstance(changes, dict):
                raise BadInput("set", "expected an object")
            for key, value in changes.items():
                if key not in {k for k, _, _ in CASE_FIELDS}:
                    raise BadInput(f"set.{key}", "not an editable case field")
                rec[key] = value
            people = body.get("xyr") or {}
            if not isinstance(people, dict):
                raise BadInput("xyr", "expected an object of person index -> changes")
            for index, fields in people.items():
                if not str(index).isdigit() or int(index) >= len(rec["xyr"]) or not isinstance(fields, dict):
                    raise BadInput(f"xyr.{index}", "no such person card")
                for key, value in fields.items():
                    if key not in PERSON_KEYS:
                        raise BadInput(f"xyr.{index}.{key}", "unknown field")
                    rec["xyr"][int(index)][key] = value
            checked = validate_record({k: rec.get(k) for k in RECORD_KEYS}, "$", tables)
            rec.update({k: checked[k] for k in RECORD_KEYS if k in checked and k != "bmsah"})
            update(db, row["id"], rec)
            out = load(db.execute("SELECT * FROM records WHERE id = ?", (row["id"],)).fetchone())
        return jsonify(ok=True, record=out)

    @app.post("/_sandbox/delete")
    def sandbox_delete() -> Any:
        """A record deleted (a clerk's mistake undone by hand, a database cleanup)."""
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("ysajbh"), str):
            raise BadInput("ysajbh", "required, a string")
        with system.store.tx() as db:
            row = find_row(db, body["ysajbh"], body.get("tqpbsh"))
            if row is None:
                raise BadInput("ysajbh", "no record with this ysajbh")
            db.execute("DELETE FROM records WHERE id = ?", (row["id"],))
        return jsonify(ok=True)

    @app.post("/_sandbox/return")
    def sandbox_return() -> Any:
        """退回补充侦查: the record goes back to the police; its count of returns goes up."""
        body = json_body()
        if not isinstance(body, dict) or not isinstance(body.get("ysajbh"), str):
            raise BadInput("ysajbh", "required, a string")
        with system.store.tx() as db:
            row = find_row(db, body["ysajbh"])
            if row is None:
                raise BadInput("ysajbh", "no record with this ysajbh")
            rec = json.loads(row["data"])
            if rec["zt"] != "已受理":
                raise BadInput("ysajbh", "only an accepted record (已受理) can be sent back")
            rec["zt"] = "退回补充侦查"
            update(db, row["id"], rec)
            db.execute("UPDATE records SET thcs = thcs + 1 WHERE id = ?", (row["id"],))
            out = load(db.execute("SELECT * FROM records WHERE id = ?", (row["id"],)).fetchone())
        return jsonify(ok=True, record=out)

    return system


SEARCH_KEYS = ("ysajbh", "bmsah", "zt", "ajlb", "tqpbsh", "qsswh", "zjhm", "ysdw", "ysay", "slrq_from", "slrq_to")


def _matches(rec: dict[str, Any], q: dict[str, str]) -> bool:
    """The 综合查询 criteria a SQL column does not hold: a suspect's 证件号码, 单位, 案由, 受理日期 range."""
    if q["zjhm"] and not any(p.get("zjhm", "").upper() == q["zjhm"].upper() for p in rec.get("xyr") or []):
        return False
    if q["ajlb"] and (rec.get("ajlb") or "审查起诉") != q["ajlb"]:
        return False
    if q["qsswh"] and q["qsswh"] not in (rec.get("qsswh") or ""):
        return False
    if q["tqpbsh"] and q["tqpbsh"] not in (rec.get("tqpbsh") or ""):
        return False
    if q["ysdw"] and rec.get("ysdw") != q["ysdw"]:
        return False
    if q["ysay"] and q["ysay"] not in (rec.get("ysay") or []):
        return False
    if q["slrq_from"] and (rec.get("slrq") or "") < q["slrq_from"]:
        return False
    return not (q["slrq_to"] and (rec.get("slrq") or "9999") > q["slrq_to"])


def validate_record(rec: Any, path: str, tables: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A stored-format record from ``POST /_sandbox/records``, checked field by field."""
    if not isinstance(rec, dict):
        raise BadInput(path, "expected an object")
    allowed = set(RECORD_KEYS) | {"created_at"}
    for key in rec:
        if key not in allowed:
            raise BadInput(f"{path}.{key}", "unknown field")

    def text(key: str, *, required: bool = False, where: dict[str, Any] = rec, at: str = path) -> str:
        value = where.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise BadInput(f"{at}.{key}", "must be a string")
        if required and not value.strip():
            raise BadInput(f"{at}.{key}", "required")
        return value

    def code_list(key: str, *, where: dict[str, Any] = rec, at: str = path) -> list[str]:
        value = where.get(key)
        if not isinstance(value, list) or not value:
            raise BadInput(f"{at}.{key}", "must be a non-empty list of charge codes")
        for j, c in enumerate(value):
            if not isinstance(c, str) or c not in tables["charges"]:
                raise BadInput(f"{at}.{key}[{j}]", "unknown charge code")
        return list(value)

    out: dict[str, Any] = {
        "bmsah": text("bmsah"),
        "ysajbh": text("ysajbh", required=True),
        "ajmc": text("ajmc", required=True),
        "ajlb": text("ajlb") or "审查起诉",
        "tqpbsh": text("tqpbsh"),
        "ysdw": text("ysdw", required=True),
        "ysay": code_list("ysay"),
        "slrq": text("slrq", required=True),
        "ajzy": text("ajzy"),
        "zt": text("zt") or "已受理",
        "qsswh": text("qsswh"),
        "qsrq": text("qsrq"),
    }
    if out["ysdw"] not in tables["units"]:
        raise BadInput(f"{path}.ysdw", "unknown unit code")
    if _valid_date(out["slrq"]) is None:
        raise BadInput(f"{path}.slrq", "must be a date YYYY-MM-DD")
    if len(out["ajzy"]) > AJZY_MAX:
        raise BadInput(f"{path}.ajzy", f"at most {AJZY_MAX} characters")
    if out["ajlb"] not in AJLB:
        raise BadInput(f"{path}.ajlb", "unknown case category")
    if (out["ajlb"] == ARREST) != bool(out["tqpbsh"].strip()):
        raise BadInput(f"{path}.tqpbsh", "required for a 审查逮捕 record, and for it only")
    if out["zt"] not in STATES:
        raise BadInput(f"{path}.zt", f"must be one of {', '.join(STATES)}")
    if out["zt"] in ("已起诉", JUDGED):
        if not out["qsswh"].strip():
            raise BadInput(f"{path}.qsswh", "required when zt is 已起诉")
        if _valid_date(out["qsrq"]) is None:
            raise BadInput(f"{path}.qsrq", "must be a date YYYY-MM-DD when zt is 已起诉")
    elif out["qsswh"] or out["qsrq"]:
        raise BadInput(f"{path}.qsswh", "only a prosecuted record (zt 已起诉) has qsswh / qsrq")
    created = rec.get("created_at")
    if created is not None:
        if not isinstance(created, str):
            raise BadInput(f"{path}.created_at", "must be a string")
        out["created_at"] = created
    persons = rec.get("xyr")
    if not isinstance(persons, list) or not persons:
        raise BadInput(f"{path}.xyr", "must be a non-empty list of person cards")
    xyr = []
    for i, p in enumerate(persons):
        at = f"{path}.xyr[{i}]"
        if not isinstance(p, dict):
            raise BadInput(at, "expected an object")
        for key in p:
            if key not in PERSON_KEYS and key not in ("pbjd", "pjqk"):
                raise BadInput(f"{at}.{key}", "unknown field")
        person: dict[str, Any] = {}
        for key, _label, required in PERSON_FIELDS:
            if key == "ay":
                person["ay"] = code_list("ay", where=p, at=at)
            else:
                person[key] = text(key, required=required, where=p, at=at)
        for key, table in PERSON_TABLES.items():
            if person[key] and person[key] not in tables[table]:
                raise BadInput(f"{at}.{key}", f"unknown code in {table}")
        for key in ("csrq", "qzcsrq"):
            if person[key] and _valid_date(person[key]) is None:
                raise BadInput(f"{at}.{key}", "must be a date YYYY-MM-DD")
        if p.get("pjqk") is not None:
            if judgment_problems({**out, "zt": "已起诉"}, p["pjqk"], tables["charges"], date.today()):
                raise BadInput(f"{at}.pjqk", "a judgment is {pjrq, pjzm: [codes], zx, xq, hx, fj}, as the page checks")
            person["pjqk"] = dict(p["pjqk"])
        if p.get("pbjd") is not None:
            pbjd = p["pbjd"]
            if not isinstance(pbjd, dict) or set(pbjd) != {"jd", "jdrq", "jdswh"} or pbjd["jd"] not in DECISIONS:
                raise BadInput(f"{at}.pbjd", "a decision is {jd: decisions.csv code, jdrq, jdswh}")
            person["pbjd"] = dict(pbjd)
        if person["sfwcn"] not in ("是", "否"):
            raise BadInput(f"{at}.sfwcn", "must be 是 or 否")
        if person["zjlx"] == "111" and (not re.fullmatch(r"\d{17}[\dX]", person["zjhm"])
                                        or _id_check_char(person["zjhm"][:17]) != person["zjhm"][17]):
            raise BadInput(f"{at}.zjhm", "not a valid 18-digit ID number")
        xyr.append(person)
    out["xyr"] = xyr
    return out
