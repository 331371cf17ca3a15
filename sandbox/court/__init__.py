"""审判流程管理系统: the simulated court system (a target).

Its idioms (SPEC section 3): a system notice that covers the first page after
login (and any page under the ``notice_rate`` fault) until "我已阅读" is
clicked; 收案登记 as a three-step client-side wizard; 案由 as an autocomplete
fed by ``/api/charges``; dates in ``YYYY/MM/DD`` masked inputs; defendants as
repeating rows rebuilt from JS state on every add; selects whose option values
are internal ids; and a JSON submit (``POST /api/cases``) carrying the CSRF
token of the page's ``<meta name="csrf-token">``, answered with a toast
showing the assigned 案号 ``（{yyyy}）{court_code}刑初{n}号``.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from datetime import date
from pathlib import Path
from typing import Any

from flask import Response, g, jsonify, redirect, render_template, request, url_for

from sandbox.codes import table
from sandbox.common import SandboxSystem
from sandbox.faults import FaultPlan, alter

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS cases (
    ajbs TEXT PRIMARY KEY,
    ah TEXT NOT NULL UNIQUE,
    ay TEXT NOT NULL,
    gsjg TEXT NOT NULL,
    qsswh TEXT NOT NULL,
    sarq TEXT NOT NULL,
    bgr TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ah_serials (
    court_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (court_code, year)
);
"""

BGR_FIELDS = ("xm", "xb", "csrq", "sfzh", "mz", "whcd", "zy", "zz", "jyzt", "qzcs", "jycs", "jyrq")
GENDERS = ("男", "女")
CUSTODY = {"1": "在押", "0": "未羁押"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID18 = re.compile(r"^\d{17}[\dX]$")


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return seen


class Options:
    """The select options of the 收案登记 form: internal ids -> labels, as the court system keeps them."""

    def __init__(self) -> None:
        self.charges = [(r["name"], r["article"]) for r in table("charges")]
        self.charge_names = {name for name, _ in self.charges}
        units = table("units")
        # 公诉机关: option value is the court system's own organ id, text is the name
        self.procuratorates = [(f"J{r['procuratorate_dwbm']}", r["procuratorate_name"]) for r in units]
        self.court_of = {r["procuratorate_name"]: r["court_code"] for r in units}
        self.ethnicities = [(f"e{int(r['code'])}", r["name"]) for r in table("ethnicity")]
        self.education = [(f"x{i}", label) for i, label in
                          enumerate(_unique([r["court_label"] for r in table("education")]), 1)]
        self.measures = [(f"q{i}", label) for i, label in
                         enumerate(_unique([r["court_label"] for r in table("measures")]), 1)]
        self.detention = [(f"k{i}", label) for i, label in
                          enumerate(_unique([r["court_label"] for r in table("detention_houses")]), 1)]

    @staticmethod
    def label(pairs: list[tuple[str, str]], value: str) -> str | None:
        for k, v in pairs:
            if k == value:
                return v
        return None


def create(data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None) -> SandboxSystem:
    system = SandboxSystem(name="court", title="审判流程管理系统", import_name=__name__,
                           schema_sql=SCHEMA_SQL, data_dir=Path(data_dir), sandbox_mode=sandbox_mode,
                           plan=plan)
    app = system.app
    opts = Options()

    # -- helpers -------------------------------------------------------------
    def page(template: str, **ctx: Any) -> str:
        """Render a page; the first page after login always carries the system notice."""
        data = g.session["data"] if g.session else None
        if data and data.get("notice_pending"):
            data = dict(data)
            data.pop("notice_pending")
            system.save_session_data(data)
            g.notice = True
        return render_template(template, user=g.session["username"] if g.session else None, **ctx)

    def case_row(r: Any) -> dict[str, Any]:
        return {"ajbs": r["ajbs"], "ah": r["ah"], "ay": r["ay"], "gsjg": r["gsjg"], "qsswh": r["qsswh"],
                "sarq": r["sarq"], "bgr": json.loads(r["bgr"]), "created_at": r["created_at"]}

    def slash(d: str) -> str:
        return d.replace("-", "/") if d else ""

    app.jinja_env.filters["slash"] = slash

    # -- login -------------------------------------------------------------
    @app.get("/")
    def index() -> Response:
        if g.session is None:
            return redirect(url_for("login"))
        return redirect(url_for("home"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        captcha = system.faults.plan.captcha
        error = None
        username = ""
        if request.method == "POST":
            username = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            if not system.csrf_ok(request.form.get("csrf_token")):
                error = "页面已过期，请刷新后重新登录"
            elif captcha and not system.captcha_ok(request.form.get("captcha")):
                error = "验证码错误"
            elif not username or not password:
                error = "请输入用户名和密码"
            elif not system.check_password(username, password):
                error = "用户名或密码错误"
            else:
                system.start_session(username)
                sid = g.new_sid
                with system.store.tx() as db:
                    db.execute("UPDATE _sessions SET data = ? WHERE sid = ?",
                               (json.dumps({"notice_pending": True}), sid))
                target = request.args.get("next") or ""
                if not target.startswith("/") or target.startswith("//") or target.startswith("/login"):
                    target = url_for("home")
                return redirect(target)
        elif g.session is not None:
            return redirect(url_for("home"))
        return render_template("login.html", error=error, captcha=captcha, username=username,
                               next=request.args.get("next", ""))

    system.add_captcha("/captcha.svg", background="#f3ead8", ink="#5a2a1a")

    @app.get("/logout")
    def logout() -> Response:
        system.end_session()
        return redirect(url_for("login"))

    # -- pages -------------------------------------------------------------
    @app.get("/home")
    @system.login_required
    def home() -> str:
        n = system.store.one("SELECT COUNT(*) AS n FROM cases")["n"]
        return page("home.html", total=n, active="home")

    @app.get("/case/new")
    @system.login_required
    def case_new() -> str:
        return page("case_new.html", opts=opts, active="new")

    @app.get("/case/search")
    @system.login_required
    def case_search() -> str:
        qsswh = request.args.get("qsswh", "").strip()
        ah = request.args.get("ah", "").strip()
        searched = "qsswh" in request.args or "ah" in request.args
        rows: list[dict[str, Any]] = []
        if searched:
            sql = "SELECT * FROM cases WHERE 1=1"
            args: list[str] = []
            for col, val in (("qsswh", qsswh), ("ah", ah)):
                if val:
                    esc = val.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    sql += f" AND {col} LIKE ? ESCAPE '\\'"
                    args.append(f"%{esc}%")
            sql += " ORDER BY created_at DESC, ajbs DESC LIMIT 50"
            rows = [case_row(r) for r in system.store.query(sql, tuple(args))]
        return page("case_search.html", rows=rows, qsswh=qsswh, ah=ah, searched=searched, active="search")

    @app.get("/case/<ajbs>")
    @system.login_required
    def case_detail(ajbs: str) -> Any:
        r = system.store.one("SELECT * FROM cases WHERE ajbs = ?", (ajbs,))
        if r is None:
            return Response(render_template("error.html", status=404, message="案件不存在或已被删除"), 404)
        return page("case_detail.html", case=case_row(r), active="search")

    # -- AJAX ----------------------------------------------------------------
    @app.get("/api/charges")
    @system.login_required
    def api_charges() -> Response:
        q = request.args.get("q", "").strip()
        if not q:
            return jsonify(ok=True, items=[])
        items = [{"name": n, "article": a} for n, a in opts.charges if q in n]
        items.sort(key=lambda it: (not it["name"].startswith(q), len(it["name"])))
        return jsonify(ok=True, items=items[:10])

    @app.post("/api/cases")
    @system.login_required
    def api_submit() -> Any:
        if not system.csrf_ok(request.headers.get("X-CSRF-Token")):
            return jsonify(ok=False, errors=["页面已失效（安全令牌校验失败），请刷新页面后重新提交"]), 403
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(ok=False, errors=["提交的数据格式不正确"]), 400
        record, problems = validate_submit(body)
        if problems:
            return jsonify(ok=False, errors=problems), 422
        assert record is not None
        if system.faults.reject():
            first = record["bgr"][0]["xm"]
            return jsonify(ok=False, errors=[
                f"案件质量校验未通过：被告人“{first}”的身份信息与人口信息库比对不一致，请核实后重新提交"]), 422
        saved = insert_case(record)
        if "duplicate_of" in saved:
            return jsonify(ok=False, code="duplicate", errors=[f"该案件已立案，案号：{saved['duplicate_of']}"]), 409
        if system.faults.commit_then_error():
            return system.error_page(500)
        return jsonify(ok=True, ah=saved["ah"], url=url_for("case_detail", ajbs=saved["ajbs"]))

    def validate_submit(body: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
        problems: list[str] = []

        def text(d: dict[str, Any], key: str) -> str:
            v = d.get(key)
            return v.strip() if isinstance(v, str) else ""

        ay = text(body, "ay")
        if not ay:
            problems.append("案由不能为空，请从下拉列表中选择")
        elif ay not in opts.charge_names:
            problems.append(f"案由“{ay}”不是有效的罪名，请从下拉列表中选择")
        gsjg_id = text(body, "gsjg")
        gsjg = opts.label(opts.procuratorates, gsjg_id)
        if not gsjg_id:
            problems.append("公诉机关不能为空")
        elif gsjg is None:
            problems.append("公诉机关选项无效")
        qsswh = text(body, "qsswh")
        if not qsswh:
            problems.append("起诉书文号不能为空")
        sarq = text(body, "sarq")
        if not sarq:
            problems.append("收案日期不能为空")
        elif not valid_date(sarq):
            problems.append("收案日期格式不正确")
        raw_bgr = body.get("bgr")
        if not isinstance(raw_bgr, list) or not raw_bgr:
            problems.append("至少需要录入一名被告人")
            raw_bgr = []
        bgr = []
        for i, item in enumerate(raw_bgr, 1):
            if not isinstance(item, dict):
                problems.append(f"第{i}名被告人数据格式不正确")
                continue
            xm = text(item, "xm")
            who = f"被告人“{xm}”" if xm else f"第{i}名被告人"
            if not xm:
                problems.append(f"{who}：姓名不能为空")
            xb = text(item, "xb")
            if not xb:
                problems.append(f"{who}：性别不能为空")
            elif xb not in GENDERS:
                problems.append(f"{who}：性别选项无效")
            csrq = text(item, "csrq")
            if not csrq:
                problems.append(f"{who}：出生日期不能为空")
            elif not valid_date(csrq):
                problems.append(f"{who}：出生日期格式不正确")
            elif csrq > date.today().isoformat():
                problems.append(f"{who}：出生日期不能晚于当前日期")
            sfzh = text(item, "sfzh").upper()
            if sfzh and not _ID18.match(sfzh):
                problems.append(f"{who}：身份证号码应为18位")
            out = {"xm": xm, "xb": xb, "csrq": csrq, "sfzh": sfzh, "zy": text(item, "zy"),
                   "zz": text(item, "zz")}
            for key, pairs, name in (("mz", opts.ethnicities, "民族"), ("whcd", opts.education, "文化程度"),
                                     ("qzcs", opts.measures, "强制措施"), ("jycs", opts.detention, "羁押场所")):
                v = text(item, key)
                label = opts.label(pairs, v) if v else ""
                if label is None:
                    problems.append(f"{who}：{name}选项无效")
                out[key] = label or ""
            jyzt = text(item, "jyzt")
            if not jyzt:
                problems.append(f"{who}：羁押状态不能为空")
            elif jyzt not in CUSTODY:
                problems.append(f"{who}：羁押状态选项无效")
            out["jyzt"] = CUSTODY.get(jyzt, "")
            jyrq = text(item, "jyrq")
            if jyrq and not valid_date(jyrq):
                problems.append(f"{who}：羁押日期格式不正确")
            out["jyrq"] = jyrq
            bgr.append({k: out[k] for k in BGR_FIELDS})
        if problems:
            return None, problems
        return {"ay": ay, "gsjg": gsjg, "qsswh": qsswh, "sarq": sarq, "bgr": bgr}, []

    def insert_case(record: dict[str, Any]) -> dict[str, Any]:
        court = opts.court_of[record["gsjg"]]
        year = int(record["sarq"][:4])
        with system.store.tx() as db:
            # the 起诉书文号 check and the insert in one transaction: two submits cannot both pass
            dup = db.execute("SELECT ah FROM cases WHERE qsswh = ?", (record["qsswh"],)).fetchone()
            if dup is not None and system.faults.plan.refuse_duplicates:
                return {"duplicate_of": dup["ah"]}
            alteration = system.faults.alteration()
            if alteration:
                record = alter(record, alteration, persons="bgr", date_field="sarq")
            row = db.execute("SELECT n FROM ah_serials WHERE court_code = ? AND year = ?", (court, year)).fetchone()
            n = (row["n"] if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO ah_serials (court_code, year, n) VALUES (?, ?, ?)", (court, year, n))
            ah = f"（{year}）{court}刑初{n}号"
            ajbs = f"{court[1:]}{year}{secrets.randbelow(10**8):08d}"
            created = time.strftime("%Y-%m-%dT%H:%M:%S")
            db.execute("INSERT INTO cases (ajbs, ah, ay, gsjg, qsswh, sarq, bgr, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (ajbs, ah, record["ay"], record["gsjg"], record["qsswh"], record["sarq"],
                        json.dumps(record["bgr"], ensure_ascii=False), created))
        system.count_save(record["qsswh"])
        return {**record, "ah": ah, "ajbs": ajbs}

    # -- /_sandbox/ ----------------------------------------------------------
    @app.get("/_sandbox/records")
    def sandbox_records() -> Response:
        rows = system.store.query("SELECT * FROM cases ORDER BY created_at, rowid")
        out = []
        for r in rows:
            rec = case_row(r)
            rec.pop("ajbs")
            out.append(rec)
        return jsonify(out)

    return system


def valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
