"""审判流程管理系统: the simulated court system (a target).

Its idioms (SPEC section 3): a system notice that covers the first page after
login (and any page under the ``notice_rate`` fault) until "我已阅读" is
clicked; 收案登记 as a three-step client-side wizard; 案由 as an autocomplete
fed by ``/api/charges``; dates in ``YYYY/MM/DD`` masked inputs; defendants as
repeating rows rebuilt from JS state on every add; selects whose option values
are internal ids; and a JSON submit (``POST /api/cases``) carrying the CSRF
token of the page's ``<meta name="csrf-token">``, answered with a toast
showing the assigned 案号 ``（{yyyy}）{court_code}刑初{n}号``.

A clerk corrects a case through 修改 on its detail page (``/case/<ajbs>/edit``):
the same wizard, filled with the case, its defendant rows added, edited or
deleted, submitted to ``POST /api/cases/<ajbs>`` through the same checks; the
案号 never changes. 案件查询 searches loosely: 起诉书文号 and 案号 by substring,
and also by a defendant's 身份证号, 案由, 公诉机关 and a 收案日期 range.

Test routes (sandbox mode only): ``GET/POST /_sandbox/records`` (a case typed by
hand, with any spelling of its 起诉书文号), ``POST /_sandbox/edit`` (a clerk's
change to a registered case).
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
from sandbox.common import BadInput, SandboxSystem, json_body
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
    created_at TEXT NOT NULL,
    updated_at TEXT
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

    @staticmethod
    def value(pairs: list[tuple[str, str]], label: str) -> str:
        """The option value showing ``label`` ("" when none does)."""
        for k, v in pairs:
            if v == label:
                return k
        return ""

    def form_values(self, case: dict[str, Any]) -> dict[str, Any]:
        """A stored case as the wizard's inputs hold it (option values, ``YYYY/MM/DD`` dates)."""
        def slash(d: str) -> str:
            return d.replace("-", "/") if d else ""

        bgr = []
        for d in case["bgr"]:
            row = dict(d)
            row.update(csrq=slash(d["csrq"]), jyrq=slash(d["jyrq"]), mz=self.value(self.ethnicities, d["mz"]),
                       whcd=self.value(self.education, d["whcd"]), qzcs=self.value(self.measures, d["qzcs"]),
                       jycs=self.value(self.detention, d["jycs"]),
                       jyzt={v: k for k, v in CUSTODY.items()}.get(d["jyzt"], ""))
            bgr.append(row)
        return {"ay": case["ay"], "gsjg": self.value(self.procuratorates, case["gsjg"]), "qsswh": case["qsswh"],
                "sarq": slash(case["sarq"]), "bgr": bgr}


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
        row = {"ajbs": r["ajbs"], "ah": r["ah"], "ay": r["ay"], "gsjg": r["gsjg"], "qsswh": r["qsswh"],
               "sarq": r["sarq"], "bgr": json.loads(r["bgr"]), "created_at": r["created_at"]}
        if any(d.get("pj") for d in row["bgr"]):
            row["zt"] = JUDGED  # 宣判 given (a record not yet judged shows no 状态)
        return row

    def judge(db: Any, ajbs: str, index: int, pj: dict[str, Any]) -> list[str]:
        r = db.execute("SELECT * FROM cases WHERE ajbs = ?", (ajbs,)).fetchone()
        if r is None:
            return ["案件不存在"]
        case = case_row(r)
        if not 1 <= index <= len(case["bgr"]):
            return ["被告人不存在"]
        problems = judgment_problems(case, pj)
        if problems:
            return problems
        case["bgr"][index - 1]["pj"] = {
            "xprq": pj["xprq"], "pjzm": [z.strip() for z in pj["pjzm"]], "zx": pj["zx"],
            **{k: str(pj.get(k) or "") for k in ("xq", "hx", "fj")}}
        db.execute("UPDATE cases SET bgr = ? WHERE ajbs = ?", (json.dumps(case["bgr"], ensure_ascii=False), ajbs))
        return []

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
        q = {k: request.args.get(k, "").strip() for k in SEARCH_KEYS}
        searched = any(k in request.args for k in SEARCH_KEYS)
        rows: list[dict[str, Any]] = []
        if searched:
            sql = "SELECT * FROM cases WHERE 1=1"
            args: list[str] = []
            for col in ("qsswh", "ah"):
                if q[col]:
                    esc = q[col].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    sql += f" AND {col} LIKE ? ESCAPE '\\'"
                    args.append(f"%{esc}%")
            sql += " ORDER BY created_at DESC, ajbs DESC"
            found = (case_row(r) for r in system.store.query(sql, tuple(args)))
            rows = [r for r in found if _matches(r, q)][:50]
        return page("case_search.html", rows=rows, q=q, qsswh=q["qsswh"], ah=q["ah"], searched=searched,
                    active="search")

    @app.get("/case/<ajbs>")
    @system.login_required
    def case_detail(ajbs: str) -> Any:
        r = system.store.one("SELECT * FROM cases WHERE ajbs = ?", (ajbs,))
        if r is None:
            return Response(render_template("error.html", status=404, message="案件不存在或已被删除"), 404)
        return page("case_detail.html", case=case_row(r), active="search")

    @app.route("/case/<ajbs>/judge/<int:index>", methods=["GET", "POST"])
    @system.login_required
    def case_judge(ajbs: str, index: int) -> Any:
        """宣判: one defendant's judgment (date, charges judged, principal penalty, term, probation, fine)."""
        r = system.store.one("SELECT * FROM cases WHERE ajbs = ?", (ajbs,))
        if r is None:
            return Response(render_template("error.html", status=404, message="案件不存在或已被删除"), 404)
        case = case_row(r)
        errs: list[str] = []
        form = {k: request.form.get(k, "").strip() for k in ("xprq", "pjzm", "zx", "xq", "hx", "fj")}
        if request.method == "POST":
            pj = {**form, "pjzm": [z for z in re.split("[、,，]", form["pjzm"]) if z.strip()]}
            if not system.csrf_ok(request.form.get("csrf_token")):
                errs = ["页面已过期，请刷新后重试"]
            else:
                with system.store.tx() as db:
                    errs = judge(db, ajbs, index, pj)
            if not errs:
                return redirect(url_for("case_detail", ajbs=ajbs))
        return page("case_judge.html", case=case, index=index, form=form, errors=errs, penalties=PENALTIES,
                    active="search")

    @app.get("/case/<ajbs>/edit")
    @system.login_required
    def case_edit(ajbs: str) -> Any:
        r = system.store.one("SELECT * FROM cases WHERE ajbs = ?", (ajbs,))
        if r is None:
            return Response(render_template("error.html", status=404, message="案件不存在或已被删除"), 404)
        case = case_row(r)
        return page("case_new.html", opts=opts, active="search", edit=case, initial=opts.form_values(case),
                    submit_url=url_for("api_update", ajbs=ajbs))

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

    @app.post("/api/cases/<ajbs>")
    @system.login_required
    def api_update(ajbs: str) -> Any:
        """修改: the same checks as 收案登记; the 案号 stays."""
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
            return jsonify(ok=False, errors=[
                "案件质量校验未通过：被告人身份信息与人口信息库比对不一致，请核实后重新提交"]), 422
        with system.store.tx() as db:
            row = db.execute("SELECT ah FROM cases WHERE ajbs = ?", (ajbs,)).fetchone()
            if row is None:
                return jsonify(ok=False, errors=["案件不存在或已被删除"]), 404
            dup = db.execute("SELECT ah FROM cases WHERE qsswh = ? AND ajbs != ?", (record["qsswh"], ajbs)).fetchone()
            if dup is not None:
                return jsonify(ok=False, code="duplicate", errors=[f"该案件已立案，案号：{dup['ah']}"]), 409
            store_update(db, ajbs, record)
        if system.faults.commit_then_error():
            return system.error_page(500)
        return jsonify(ok=True, ah=row["ah"], url=url_for("case_detail", ajbs=ajbs), edited=True)

    def store_update(db: Any, ajbs: str, record: dict[str, Any]) -> None:
        db.execute("UPDATE cases SET ay = ?, gsjg = ?, qsswh = ?, sarq = ?, bgr = ?, updated_at = ? WHERE ajbs = ?",
                   (record["ay"], record["gsjg"], record["qsswh"], record["sarq"],
                    json.dumps(record["bgr"], ensure_ascii=False), time.strftime("%Y-%m-%dT%H:%M:%S"), ajbs))

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
    @app.post("/_sandbox/judge")
    def sandbox_judge() -> Response:
        """A judge pronounces: ``{"qsswh", "index" (1-based defendant), "xprq", "pjzm": [names], "zx",
        "xq", "hx", "fj"}``."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "expected a JSON object")
        index = body.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise BadInput("index", "required, the 1-based position of the defendant")
        with system.store.tx() as db:
            r = db.execute("SELECT ajbs FROM cases WHERE qsswh = ?", (body.get("qsswh"),)).fetchone()
            if r is None:
                raise BadInput("qsswh", "no case with this 起诉书文号")
            problems = judge(db, r["ajbs"], index, body)
            if problems:
                raise BadInput("$", "；".join(problems))
            out = case_row(db.execute("SELECT * FROM cases WHERE ajbs = ?", (r["ajbs"],)).fetchone())
        out.pop("ajbs")
        return jsonify(ok=True, record=out)

    @app.get("/_sandbox/records")
    def sandbox_records() -> Response:
        rows = system.store.query("SELECT * FROM cases ORDER BY created_at, rowid")
        out = []
        for r in rows:
            rec = case_row(r)
            rec.pop("ajbs")
            out.append(rec)
        return jsonify(out)

    @app.post("/_sandbox/records")
    def sandbox_records_add() -> Response:
        """Cases a clerk registered by hand, in the stored format (labels, not option ids); 案号 assigned
        unless given. The 起诉书文号 is taken as typed: only an identical one is refused."""
        body = json_body()
        if not isinstance(body, list):
            raise BadInput("$", "expected a JSON list of cases")
        recs = [stored_case(r, f"[{i}]") for i, r in enumerate(body)]
        out = []
        with system.store.tx() as db:
            for i, rec in enumerate(recs):
                if db.execute("SELECT 1 FROM cases WHERE qsswh = ?", (rec["qsswh"],)).fetchone():
                    raise BadInput(f"[{i}].qsswh", "a case with this qsswh already exists")
                out.append(insert_row(db, rec, rec.pop("ah", "")))
        return jsonify(ok=True, ah=out)

    @app.post("/_sandbox/edit")
    def sandbox_edit() -> Response:
        """A clerk's change to a registered case: ``{"ah": ..., "set": {field: value}, "bgr": {i: {field: value}}}``."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "expected a JSON object")
        unknown = set(body) - {"ah", "set", "bgr"}
        if unknown:
            raise BadInput(sorted(unknown)[0], "unknown key")
        with system.store.tx() as db:
            row = db.execute("SELECT * FROM cases WHERE ah = ?", (body.get("ah"),)).fetchone()
            if row is None:
                raise BadInput("ah", "no case with this ah")
            case = case_row(row)
            changes = body.get("set") or {}
            if not isinstance(changes, dict):
                raise BadInput("set", "expected an object")
            for key, value in changes.items():
                if key not in ("ay", "gsjg", "qsswh", "sarq"):
                    raise BadInput(f"set.{key}", "not an editable case field")
                case[key] = value
            people = body.get("bgr") or {}
            if not isinstance(people, dict):
                raise BadInput("bgr", "expected an object of defendant index -> changes")
            for index, fields in people.items():
                if not str(index).isdigit() or int(index) >= len(case["bgr"]) or not isinstance(fields, dict):
                    raise BadInput(f"bgr.{index}", "no such defendant")
                for key, value in fields.items():
                    if key not in BGR_FIELDS:
                        raise BadInput(f"bgr.{index}.{key}", "unknown field")
                    case["bgr"][int(index)][key] = value
            checked = stored_case({k: case[k] for k in ("ay", "gsjg", "qsswh", "sarq", "bgr")}, "$")
            store_update(db, row["ajbs"], checked)
            out = case_row(db.execute("SELECT * FROM cases WHERE ajbs = ?", (row["ajbs"],)).fetchone())
        out.pop("ajbs")
        return jsonify(ok=True, record=out)

    def insert_row(db: Any, record: dict[str, Any], ah: str) -> str:
        court = opts.court_of[record["gsjg"]]
        year = int(record["sarq"][:4])
        if not ah:
            row = db.execute("SELECT n FROM ah_serials WHERE court_code = ? AND year = ?", (court, year)).fetchone()
            n = (row["n"] if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO ah_serials (court_code, year, n) VALUES (?, ?, ?)", (court, year, n))
            ah = f"（{year}）{court}刑初{n}号"
        elif db.execute("SELECT 1 FROM cases WHERE ah = ?", (ah,)).fetchone():
            raise BadInput("ah", "a case with this ah already exists")
        db.execute("INSERT INTO cases (ajbs, ah, ay, gsjg, qsswh, sarq, bgr, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (f"{court[1:]}{year}{secrets.randbelow(10**8):08d}", ah, record["ay"], record["gsjg"],
                    record["qsswh"], record["sarq"], json.dumps(record["bgr"], ensure_ascii=False),
                    time.strftime("%Y-%m-%dT%H:%M:%S")))
        return ah

    def stored_case(rec: Any, path: str) -> dict[str, Any]:
        """A case in the stored format, checked field by field (BadInput naming the first bad one)."""
        if not isinstance(rec, dict):
            raise BadInput(path, "expected an object")
        for key in rec:
            if key not in ("ah", "ay", "gsjg", "qsswh", "sarq", "bgr"):
                raise BadInput(f"{path}.{key}", "unknown field")

        def text(d: dict[str, Any], key: str, at: str, *, required: bool = False) -> str:
            v = d.get(key, "")
            if v is None:
                v = ""
            if not isinstance(v, str):
                raise BadInput(f"{at}.{key}", "must be a string")
            if required and not v.strip():
                raise BadInput(f"{at}.{key}", "required")
            return v

        out = {k: text(rec, k, path, required=k != "ah") for k in ("ah", "ay", "gsjg", "qsswh", "sarq")}
        if out["ay"] not in opts.charge_names:
            raise BadInput(f"{path}.ay", "not a known charge name")
        if out["gsjg"] not in opts.court_of:
            raise BadInput(f"{path}.gsjg", "not a known procuratorate name")
        if not valid_date(out["sarq"]):
            raise BadInput(f"{path}.sarq", "must be a date YYYY-MM-DD")
        bgr = rec.get("bgr")
        if not isinstance(bgr, list) or not bgr:
            raise BadInput(f"{path}.bgr", "must be a non-empty list of defendants")
        labels = {"mz": opts.ethnicities, "whcd": opts.education, "qzcs": opts.measures, "jycs": opts.detention}
        out["bgr"] = []
        for i, d in enumerate(bgr):
            at = f"{path}.bgr[{i}]"
            if not isinstance(d, dict):
                raise BadInput(at, "expected an object")
            for key in d:
                if key not in BGR_FIELDS:
                    raise BadInput(f"{at}.{key}", "unknown field")
            row = {k: text(d, k, at, required=k in ("xm", "xb", "csrq", "jyzt")) for k in BGR_FIELDS}
            if row["xb"] not in GENDERS:
                raise BadInput(f"{at}.xb", "must be 男 or 女")
            if row["jyzt"] not in CUSTODY.values():
                raise BadInput(f"{at}.jyzt", "must be 在押 or 未羁押")
            for key in ("csrq", "jyrq"):
                if row[key] and not valid_date(row[key]):
                    raise BadInput(f"{at}.{key}", "must be a date YYYY-MM-DD")
            for key, pairs in labels.items():
                if row[key] and not opts.value(pairs, row[key]):
                    raise BadInput(f"{at}.{key}", "not a label of the form's options")
            out["bgr"].append(row)
        if not out["ah"]:
            out.pop("ah")
        return out

    return system


SEARCH_KEYS = ("qsswh", "ah", "sfzh", "ay", "gsjg", "sarq_from", "sarq_to", "zt")
#: principal penalties the court's 宣判 page offers (the table's, and 单处罚金, which it lacks)
PENALTIES = (*(r["court_label"] for r in table("penalties")), "单处罚金")
JUDGED = "已宣判"


def judgment_problems(case: dict[str, Any], pj: dict[str, Any]) -> list[str]:
    """What the 宣判 page refuses: a date that is not one or before 收案日期, no charge judged, a penalty
    the page does not offer, a term, probation or fine that is not a whole number."""
    out = []
    if not valid_date(str(pj.get("xprq") or "")):
        out.append("宣判日期：格式应为YYYY-MM-DD")
    elif pj["xprq"] < case["sarq"]:
        out.append("宣判日期：不能早于收案日期")
    pjzm = pj.get("pjzm")
    if not isinstance(pjzm, list) or not pjzm or not all(isinstance(z, str) and z.strip() for z in pjzm):
        out.append("判决罪名：至少一项")
    if pj.get("zx") not in PENALTIES:
        out.append("主刑：请选择")
    for key, label in (("xq", "刑期"), ("hx", "缓刑"), ("fj", "罚金")):
        value = str(pj.get(key) or "")
        if value and not value.isdigit():
            out.append(f"{label}：应为整数")
    return out


def _matches(case: dict[str, Any], q: dict[str, str]) -> bool:
    """The 案件查询 criteria no SQL column holds: a defendant's 身份证号, 案由, 公诉机关, 收案日期 range, 状态."""
    if q["zt"] and case.get("zt", "") != q["zt"]:
        return False
    if q["sfzh"] and not any(d.get("sfzh", "").upper() == q["sfzh"].upper() for d in case["bgr"]):
        return False
    if q["ay"] and case["ay"] != q["ay"]:
        return False
    if q["gsjg"] and q["gsjg"] not in case["gsjg"]:
        return False
    if q["sarq_from"] and case["sarq"] < q["sarq_from"].replace("/", "-"):
        return False
    return not (q["sarq_to"] and case["sarq"] > q["sarq_to"].replace("/", "-"))


def valid_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
