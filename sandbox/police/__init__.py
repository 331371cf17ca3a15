"""公安执法办案系统 (police case system): the source the robot reads cases from (SPEC section 1).

Pages, as a clerk sees them:

``/login``                 login form (CSRF token; a captcha under the ``captcha`` fault)
``/ajgl/ajlb``             案件列表: 20 rows a page ordered by 案件编号, GET filter form
                           (案件编号, 案件状态, 移送起诉日期 from/to), pager 第 N/M 页 with 上一页/下一页;
                           each row shows the case's 修改时间
``/ajgl/ajxx?ajbh=...``    read-only case detail: label/value table 案件基本信息 (with 修改时间 and
                           退回补充侦查次数) and one tab per 犯罪嫌疑人, each with its 强制措施 table

Coded values are shown by name and carry the raw code in ``data-code``.
Cases are kept as JSON in SQLite, one row per case, beside their revision
(``rev``), 修改时间 (``xgsj``, strictly increasing per case, to the second) and the
number of times the procuratorate sent the case back (``thcs``, 退回补充侦查).
A case changes as it would at a police station: ``POST /_sandbox/cases`` with a
known 案件编号 replaces the case as a new revision; ``POST /_sandbox/return``
(the procuratorate sends it back: 侦查中 again, 移送起诉日期 cleared) and
``POST /_sandbox/transfer`` (移送 again, with a new 移送起诉日期) script 退回补充侦查.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Response, g, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from sandbox.codes import table
from sandbox.common import BadInput, SandboxSystem, json_body
from sandbox.faults import FaultPlan
from sandbox.police.records import validate_cases
from sandbox.seed import STATUSES, generate_cases

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    ajbh TEXT PRIMARY KEY,
    ajzt TEXT NOT NULL,
    yssj TEXT,
    json TEXT NOT NULL,
    rev INTEGER NOT NULL DEFAULT 1,
    xgsj TEXT NOT NULL DEFAULT '',
    thcs INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS cases_ajzt_yssj ON cases (ajzt, yssj);
"""

PAGE_SIZE = 20
#: 批捕决定 as the police record it (decisions.csv police_label)
DECISION_LABELS = tuple(r["police_label"] for r in table("decisions"))


class _Refused(Exception):
    """A page's checks refused the change: nothing is stored."""
#: every 案件状态 the list filters by (提请批捕: a request for approval of arrest waits at the procuratorate)
CASE_STATUSES = ("侦查中", "提请批捕", "已移送起诉", "撤案")
#: ways a detail page can come out malformed (``POST /_sandbox/defects``)
PAGE_DEFECTS = ("missing_label", "extra_tab", "empty_table")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _names(name: str, key: str, value: str) -> dict[str, str]:
    return {row[key]: row[value] for row in table(name)}


class CodeNames:
    """code -> name for each police code table (what the pages show)."""

    def __init__(self) -> None:
        self.charges = _names("charges", "police_code", "name")
        self.units = _names("units", "police_unit_code", "police_unit_name")
        self.gender = _names("gender", "code", "name")
        self.id_types = _names("id_types", "code", "name")
        self.countries = _names("countries", "alpha3", "name")
        self.ethnicity = _names("ethnicity", "code", "name")
        self.education = _names("education", "police_code_gb4658_84", "police_name")
        self.measures = _names("measures", "police_code", "police_name")


def _text(value: Any) -> Markup:
    """Autoescaped text that keeps a carriage return (HTML parsing would fold a raw CR into LF)."""
    if value is None:
        return Markup("")
    return Markup(str(escape(str(value))).replace("\r", "&#13;"))


def _stamp(previous: str | None) -> str:
    """修改时间 now, to the second, and always after ``previous`` (two revisions in one second stay apart)."""
    now = datetime.now().replace(microsecond=0)
    if previous:
        last = datetime.fromisoformat(previous)
        if now <= last:
            now = last + timedelta(seconds=1)
    return now.isoformat(sep=" ")


def public(row: Any) -> dict[str, Any]:
    """A stored case with its revision data (what the ``/_sandbox/`` revision routes answer)."""
    return {**json.loads(row["json"]), "rev": row["rev"], "xgsj": row["xgsj"], "thcs": row["thcs"]}


def create(data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None) -> SandboxSystem:
    system = SandboxSystem(name="police", title="公安执法办案系统", import_name=__name__, schema_sql=SCHEMA,
                           data_dir=data_dir, sandbox_mode=sandbox_mode, plan=plan)
    app = system.app
    # static files are cached by the browser, as an intranet server would configure them
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    names = CodeNames()
    app.jinja_env.filters["t"] = _text
    app.jinja_env.globals["codes"] = names
    defects: dict[str, str] = {}

    @system.on_reset
    def _forget_defects() -> None:
        defects.clear()

    # -- storage -----------------------------------------------------------
    def store_cases(records: list[dict[str, Any]]) -> None:
        """Add the cases; a known 案件编号 is replaced by a new revision (退回补充侦查 count kept)."""
        with system.store.tx() as db:
            for rec in records:
                old = db.execute("SELECT rev, xgsj FROM cases WHERE ajbh = ?", (rec["ajbh"],)).fetchone()
                if old is None:
                    db.execute("INSERT INTO cases (ajbh, ajzt, yssj, json, rev, xgsj) VALUES (?, ?, ?, ?, 1, ?)",
                               (rec["ajbh"], rec["ajzt"], rec["yssj"], json.dumps(rec, ensure_ascii=False),
                                _stamp(None)))
                else:
                    db.execute("UPDATE cases SET ajzt = ?, yssj = ?, json = ?, rev = rev + 1, xgsj = ? "
                               "WHERE ajbh = ?", (rec["ajzt"], rec["yssj"], json.dumps(rec, ensure_ascii=False),
                                                  _stamp(old["xgsj"]), rec["ajbh"]))

    def revise(ajbh: Any, change: Any) -> dict[str, Any]:
        """Apply ``change(case, row)`` to one stored case as a new revision; the case as it now stands."""
        if not isinstance(ajbh, str):
            raise BadInput("ajbh", "required, a 案件编号")
        with system.store.tx() as db:
            row = db.execute("SELECT * FROM cases WHERE ajbh = ?", (ajbh,)).fetchone()
            if row is None:
                raise BadInput("ajbh", "no such case")
            case = json.loads(row["json"])
            thcs = change(case, row)
            db.execute("UPDATE cases SET ajzt = ?, yssj = ?, json = ?, rev = rev + 1, xgsj = ?, thcs = ? "
                       "WHERE ajbh = ?", (case["ajzt"], case["yssj"], json.dumps(case, ensure_ascii=False),
                                          _stamp(row["xgsj"]), thcs, ajbh))
        return public(system.store.one("SELECT * FROM cases WHERE ajbh = ?", (ajbh,)))

    # -- login -------------------------------------------------------------
    def render_login(error: str = "", status: int = 200, username: str = "") -> tuple[str, int]:
        captcha = system.faults.plan.captcha
        nxt = request.values.get("next", "")
        return render_template("login.html", error=error, captcha=captcha, next=nxt, username=username), status

    @app.get("/")
    def home() -> Response:
        if g.session is None:
            return redirect(url_for("login"))
        return redirect(url_for("case_list"))

    @app.get("/login")
    def login() -> Any:
        if g.session is not None:
            return redirect(url_for("case_list"))
        return render_login()

    @app.post("/login")
    def login_post() -> Any:
        form = request.form
        username = form.get("username", "").strip()
        if not system.csrf_ok(form.get("csrf_token")):
            return render_login("页面已过期或请求无效，请刷新页面后重新登录", 400, username)
        if system.faults.plan.captcha and not system.captcha_ok(form.get("captcha")):
            return render_login("验证码错误", 200, username)
        if not system.check_password(username, form.get("password", "")):
            return render_login("用户名或密码错误", 200, username)
        system.start_session(username)
        nxt = form.get("next", "")
        if not nxt.startswith("/") or nxt.startswith("//") or nxt.startswith("/login"):
            nxt = url_for("case_list")
        return redirect(nxt)

    system.add_captcha("/login/captcha.svg", background="#e8eef7", ink="#1a3d7c")

    @app.post("/logout")
    def logout() -> Any:
        if g.session is not None and system.csrf_ok(request.form.get("csrf_token")):
            system.end_session()
        return redirect(url_for("login"))

    # -- case list ---------------------------------------------------------
    @app.get("/ajgl/ajlb")
    @system.login_required
    def case_list() -> Any:
        args = request.args
        f = {
            "ajbh": args.get("ajbh", "").strip(),
            "ajzt": args.get("ajzt", "").strip(),
            "yssj_from": args.get("yssj_from", "").strip(),
            "yssj_to": args.get("yssj_to", "").strip(),
        }
        error = ""
        where, params = [], []
        if f["ajbh"]:
            where.append("ajbh LIKE ?")
            params.append("%" + f["ajbh"].replace("%", "").replace("_", "") + "%")
        if f["ajzt"]:
            if f["ajzt"] not in CASE_STATUSES:
                error = "案件状态不正确"
            where.append("ajzt = ?")
            params.append(f["ajzt"])
        for key, op in (("yssj_from", ">="), ("yssj_to", "<=")):
            if f[key]:
                if not _DATE.match(f[key]):
                    error = "移送起诉日期格式应为 YYYY-MM-DD"
                where.append(f"yssj IS NOT NULL AND yssj {op} ?")
                params.append(f[key])
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        rows: list[dict[str, Any]] = []
        total = 0
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        pages = 1
        if not error:
            total = system.store.one(f"SELECT COUNT(*) AS n FROM cases{sql_where}", tuple(params))["n"]
            pages = max(1, math.ceil(total / PAGE_SIZE))
            page = min(page, pages)
            found = system.store.query(f"SELECT * FROM cases{sql_where} ORDER BY ajbh LIMIT ? OFFSET ?",
                                       (*params, PAGE_SIZE, (page - 1) * PAGE_SIZE))
            rows = [{**json.loads(r["json"]), "xgsj": r["xgsj"]} for r in found]

        def page_url(n: int) -> str:
            return url_for("case_list", **{k: v for k, v in f.items() if v}, page=n)

        return render_template("case_list.html", rows=rows, f=f, error=error, page=page, pages=pages,
                               total=total, offset=(page - 1) * PAGE_SIZE, statuses=CASE_STATUSES,
                               prev_url=page_url(page - 1) if page > 1 else None,
                               next_url=page_url(page + 1) if page < pages else None)

    # -- case detail -------------------------------------------------------
    @app.get("/ajgl/ajxx")
    @system.login_required
    def case_detail() -> Any:
        ajbh = request.args.get("ajbh", "").strip()
        row = system.store.one("SELECT * FROM cases WHERE ajbh = ?", (ajbh,)) if ajbh else None
        if row is None:
            return render_template("not_found.html", ajbh=ajbh), 404
        case = json.loads(row["json"])
        saved = "决定已登记" if request.args.get("saved") == "jddj" else ""
        return render_template("case_detail.html", case=case, defect=defects.get(ajbh, ""), xgsj=row["xgsj"],
                               thcs=row["thcs"], saved=saved,
                               requested={b for r in case.get("tqpb") or [] for b in r["rybh"]})

    # -- 决定登记: the procuratorate's decision on a suspect's arrest, entered by the police ----------
    def register(case: dict[str, Any], rybh: str, form: dict[str, str]) -> list[str]:
        """Check and enter a decision on suspect ``rybh``; the problems the page shows (none: entered)."""
        suspect = next((p for p in case["xyr"] if p.get("rybh") == rybh), None)
        requests = [r for r in case.get("tqpb") or [] if rybh in r["rybh"]]
        if suspect is None:
            return ["该犯罪嫌疑人不存在"]
        if not requests:
            return ["该犯罪嫌疑人未提请批准逮捕，不能登记批捕决定"]
        errs = []
        if form["jd"] not in DECISION_LABELS:
            errs.append("决定：请选择批准逮捕或不批准逮捕")
        if not _DATE.match(form["jdrq"]):
            errs.append("决定日期：格式应为YYYY-MM-DD")
        elif form["jdrq"] < min(r["tqrq"] for r in requests):
            errs.append("决定日期：不能早于提请日期")
        elif form["jdrq"] > datetime.now().strftime("%Y-%m-%d"):
            errs.append("决定日期：不能晚于今天")
        if not form["jdswh"].strip():
            errs.append("决定书文号：不能为空")
        if errs:
            return errs
        decision = {"jd": form["jd"], "jdrq": form["jdrq"], "jdswh": form["jdswh"].strip()}
        if suspect.get("pbjd") == decision:
            return ["该决定已登记"]
        suspect["pbjd"] = decision
        waiting = {b for r in case.get("tqpb") or [] for b in r["rybh"]} - {
            p.get("rybh") for p in case["xyr"] if p.get("pbjd")}
        if case["ajzt"] == "提请批捕" and not waiting:
            case["ajzt"] = "侦查中"  # every requested suspect decided on: the investigation goes on
        return []

    @app.route("/ajgl/jddj", methods=["GET", "POST"])
    @system.login_required
    def decision_entry() -> Any:
        """决定登记: one suspect's 批准逮捕 / 不批准逮捕 decision, its date and document number."""
        ajbh = request.values.get("ajbh", "").strip()
        rybh = request.values.get("rybh", "").strip()
        row = system.store.one("SELECT * FROM cases WHERE ajbh = ?", (ajbh,)) if ajbh else None
        if row is None:
            return render_template("not_found.html", ajbh=ajbh), 404
        case = json.loads(row["json"])
        suspect = next((p for p in case["xyr"] if p.get("rybh") == rybh), None)
        form = {k: request.form.get(k, "").strip() for k in ("jd", "jdrq", "jdswh")}
        errs: list[str] = []
        if request.method == "POST":
            if not system.csrf_ok(request.form.get("csrf_token")):
                errs = ["页面已过期，请重新打开后再保存"]
            else:
                problems: list[str] = []

                def enter(stored: dict[str, Any], _row: Any) -> int:
                    problems.extend(register(stored, rybh, form))
                    if problems:
                        raise _Refused
                    return int(_row["thcs"])

                try:
                    revise(ajbh, enter)
                except _Refused:
                    errs = problems
            if not errs:
                return redirect(url_for("case_detail", ajbh=ajbh, saved="jddj", rybh=rybh))
        elif suspect is not None and suspect.get("pbjd"):
            form = dict(suspect["pbjd"])
        return render_template("decision_entry.html", case=case, suspect=suspect, rybh=rybh, form=form,
                               errors=errs, labels=DECISION_LABELS)

    # -- /_sandbox/ ----------------------------------------------------------
    @app.post("/_sandbox/cases")
    def sandbox_add_cases() -> Response:
        records = validate_cases(json_body(), names.units)
        store_cases(records)
        return jsonify(ok=True, count=len(records))

    @app.post("/_sandbox/defects")
    def sandbox_defects() -> Response:
        """Make one case's detail page malformed, as a half-upgraded system might render it."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", 'body must be a JSON object like {"ajbh": ..., "kind": "missing_label"}')
        ajbh = body.get("ajbh")
        if not isinstance(ajbh, str) or system.store.one("SELECT 1 FROM cases WHERE ajbh = ?", (ajbh,)) is None:
            raise BadInput("ajbh", "no such case")
        kind = body.get("kind")
        if kind not in PAGE_DEFECTS and kind is not None:
            raise BadInput("kind", f"kind must be one of {', '.join(PAGE_DEFECTS)} (or null to clear)")
        if kind is None:
            defects.pop(ajbh, None)
        else:
            defects[ajbh] = kind
        return jsonify(ok=True, defects=defects)

    @app.get("/_sandbox/cases")
    def sandbox_list_cases() -> Response:
        rows = system.store.query("SELECT json FROM cases ORDER BY ajbh")
        return jsonify([json.loads(r["json"]) for r in rows])

    @app.get("/_sandbox/revisions")
    def sandbox_revisions() -> Response:
        """Each case's revision, 修改时间 and 退回补充侦查 count, by 案件编号."""
        rows = system.store.query("SELECT ajbh, rev, xgsj, thcs FROM cases ORDER BY ajbh")
        return jsonify({r["ajbh"]: {"rev": r["rev"], "xgsj": r["xgsj"], "thcs": r["thcs"]} for r in rows})

    @app.post("/_sandbox/return")
    def sandbox_return() -> Response:
        """退回补充侦查: the procuratorate sends the case back; it is under investigation again."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", 'body must be a JSON object like {"ajbh": ...}')

        def back(case: dict[str, Any], row: Any) -> int:
            if case["ajzt"] != "已移送起诉":
                raise BadInput("ajbh", "only a case transferred for prosecution (已移送起诉) can be sent back")
            case.update(ajzt="侦查中", yssj=None)
            return int(row["thcs"]) + 1

        return jsonify(ok=True, case=revise(body.get("ajbh"), back))

    @app.post("/_sandbox/transfer")
    def sandbox_transfer() -> Response:
        """移送审查起诉 (again, after 补充侦查): a new 移送起诉日期."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", 'body must be a JSON object like {"ajbh": ..., "yssj": "YYYY-MM-DD"}')
        yssj = body.get("yssj")
        if not isinstance(yssj, str) or not _DATE.match(yssj):
            raise BadInput("yssj", "required, a date YYYY-MM-DD")

        def forward(case: dict[str, Any], row: Any) -> int:
            if case["ajzt"] != "侦查中":
                raise BadInput("ajbh", "only a case under investigation (侦查中) can be transferred")
            if yssj < case["lasj"]:
                raise BadInput("yssj", "移送起诉日期 cannot be before 立案日期")
            case.update(ajzt="已移送起诉", yssj=yssj)
            return int(row["thcs"])

        return jsonify(ok=True, case=revise(body.get("ajbh"), forward))

    @app.post("/_sandbox/request")
    def sandbox_request() -> Response:
        """提请批准逮捕: ``{"ajbh", "wsh", "tqrq", "rybh": [...]}``; the case waits (提请批捕)."""
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", 'body must be a JSON object like {"ajbh": ..., "wsh": ..., "tqrq": ..., "rybh": [...]}')
        unknown = set(body) - {"ajbh", "wsh", "tqrq", "rybh"}
        if unknown:
            raise BadInput(sorted(unknown)[0], "unknown key")

        def ask(case: dict[str, Any], row: Any) -> int:
            if case["ajzt"] not in ("侦查中", "提请批捕"):
                raise BadInput("ajbh", "only a case under investigation (侦查中) can ask for an arrest")
            case["tqpb"] = [*case.get("tqpb", []), {k: body.get(k) for k in ("wsh", "tqrq", "rybh")}]
            case["ajzt"] = "提请批捕"
            checked = validate_cases([case], names.units)[0]  # the record's checks: dates, suspects, one wsh once
            case.clear()
            case.update(checked)
            return int(row["thcs"])

        return jsonify(ok=True, case=revise(body.get("ajbh"), ask))

    @app.post("/_sandbox/seed")
    def sandbox_seed() -> Response:
        body = json_body()
        if not isinstance(body, dict):
            raise BadInput("$", "body must be a JSON object like {\"n\": 50, \"seed\": 42}")
        unknown = set(body) - {"n", "seed", "status", "month"}
        if unknown:
            raise BadInput(sorted(unknown)[0], "unknown key")
        n = body.get("n", 50)
        seed = body.get("seed", 42)
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 5000:
            raise BadInput("n", "n must be an integer between 0 and 5000")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise BadInput("seed", "seed must be an integer")
        opts: dict[str, Any] = {}
        if body.get("status") is not None:
            if body["status"] not in STATUSES:
                raise BadInput("status", f"status must be one of {', '.join(STATUSES)}")
            opts["status"] = body["status"]
        if body.get("month") is not None:
            month = str(body["month"])
            if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", month):
                raise BadInput("month", "month must be yyyymm")
            opts["month"] = month
        records = validate_cases(generate_cases(n, seed, **opts), names.units)
        store_cases(records)
        return jsonify(ok=True, count=len(records), keys=[r["ajbh"] for r in records])

    return system
