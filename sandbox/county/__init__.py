"""法院案件管理平台: another vendor's court system, used by some counties' courts (a target).

Built on layui, served from the real package (:mod:`sandbox.uikits`). Its
idioms: selects rendered by ``layui.form`` (the ``<select>`` is hidden behind
layui's own list; 案由 searchable), dates typed into laydate boxes in
``yyyy年MM月dd日``, defendants as rows added by a button, and a plain HTML
form posted and redirected (post/redirect/get): a saved case lands on its
detail page with 保存成功, a refused one comes back with the error under each
field. Element ids are generated per release of the vendor's software (the
``/_sandbox/county/release`` switch moves them); labels stay.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from flask import Response, g, jsonify, redirect, render_template, request, url_for

from sandbox import uikits
from sandbox.casebook import SCHEMA_SQL, file_case, find
from sandbox.codes import table
from sandbox.common import SandboxSystem, json_body
from sandbox.faults import FaultPlan

#: the counties whose courts run this system (units.csv ``region``)
REGIONS = ("350521", "350526")
GENDERS = {"1": "男", "2": "女"}
_CN_DATE = re.compile(r"^(\d{4})年(\d{2})月(\d{2})日$")
_ID18 = re.compile(r"^\d{17}[\dX]$")


def cn_date(iso: str) -> str:
    return f"{iso[:4]}年{iso[5:7]}月{iso[8:10]}日" if iso else ""


def parse_cn_date(text: str) -> str | None:
    m = _CN_DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def create(data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None) -> Any:
    system = SandboxSystem(name="county", title="法院案件管理平台", import_name=__name__,
                           schema_sql=SCHEMA_SQL, data_dir=Path(data_dir), sandbox_mode=sandbox_mode,
                           plan=plan, static_folder=None)
    app = system.app
    app.register_blueprint(uikits.blueprint())
    app.jinja_env.filters["cn_date"] = cn_date
    units = [r for r in table("units") if r["region"] in REGIONS]
    charges = uikits.charges()
    charge_name = {c["id"]: c["text"] for c in charges}
    organ_name = {r["procuratorate_dwbm"]: r["procuratorate_name"] for r in units}
    court_of = {r["procuratorate_name"]: r["court_code"] for r in units}
    state = {"release": 1}

    @system.on_reset
    def _reset() -> None:
        state["release"] = 1

    def fid(name: str) -> str:
        """The element id of field ``name`` in the current release."""
        return f"f{state['release']}_{name}"

    app.jinja_env.globals["fid"] = fid

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("case_list" if g.session else "login"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            if not system.csrf_ok(request.form.get("_csrf")):
                error = "页面已过期，请刷新后重新登录"
            elif not system.check_password(request.form.get("username", "").strip(),
                                           request.form.get("password", "")):
                error = "用户名或密码错误"
            else:
                system.start_session(request.form["username"].strip())
                target = request.args.get("next") or ""
                if not target.startswith("/") or target.startswith(("//", "/login")):
                    target = url_for("case_list")
                return redirect(target)
        return render_template("login.html", error=error)

    @app.get("/logout")
    def logout() -> Response:
        system.end_session()
        return redirect(url_for("login"))

    def ctx(**kw: Any) -> dict[str, Any]:
        return {"user": g.session["username"] if g.session else None, **kw}

    @app.get("/case/list")
    @system.login_required
    def case_list() -> str:
        rows = find(system.store, qsswh=request.args.get("qsswh", ""), ah=request.args.get("ah", ""))
        return render_template("list.html", **ctx(rows=rows, q=request.args))

    @app.get("/case/<int:cid>")
    @system.login_required
    def case_detail(cid: int) -> Any:
        row = system.store.one("SELECT * FROM cases WHERE id = ?", (cid,))
        if row is None:
            return system.error_page(404)
        return render_template("detail.html", **ctx(case=row, bgr=json.loads(row["bgr"]),
                                                    saved=request.args.get("msg") == "saved"))

    def form_page(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
        rows = values.get("bgr") or [{}]
        return render_template("add.html", **ctx(v=values, rows=rows, errors=errors, charges=charges,
                                                 units=units, genders=GENDERS)), status

    @app.get("/case/add")
    @system.login_required
    def case_add() -> Any:
        return form_page({}, {})

    @app.post("/case/add")
    @system.login_required
    def case_save() -> Any:
        f = request.form
        if not system.csrf_ok(f.get("_csrf")):
            return system.error_page(403)
        values: dict[str, Any] = {k: f.get(k, "").strip() for k in ("ay", "gsjg", "qsswh", "sarq")}
        errors: dict[str, str] = {}
        if values["ay"] not in charge_name:
            errors["ay"] = "请选择案由"
        if values["gsjg"] not in organ_name:
            errors["gsjg"] = "请选择公诉机关"
        if not values["qsswh"]:
            errors["qsswh"] = "起诉书文号不能为空"
        sarq = parse_cn_date(values["sarq"])
        if sarq is None:
            errors["sarq"] = "日期格式应为yyyy年MM月dd日"
        bgr = []
        for i in range(int(f.get("bgr_count", "0") or 0)):
            p = {k: f.get(f"bgr{i}_{k}", "").strip() for k in ("xm", "xb", "csrq", "sfzh")}
            bgr.append(p)
            if not p["xm"]:
                errors[f"bgr{i}_xm"] = "姓名不能为空"
            if p["xb"] not in GENDERS:
                errors[f"bgr{i}_xb"] = "请选择性别"
            if parse_cn_date(p["csrq"]) is None:
                errors[f"bgr{i}_csrq"] = "日期格式应为yyyy年MM月dd日"
            if p["sfzh"] and not _ID18.match(p["sfzh"]):
                errors[f"bgr{i}_sfzh"] = "身份证号应为18位"
        if not bgr:
            errors["bgr"] = "至少填写一名被告人"
        values["bgr"] = bgr
        if not errors and system.store.one("SELECT 1 FROM cases WHERE qsswh = ?", (values["qsswh"],)):
            errors["qsswh"] = "该起诉书文号已登记"
        if errors:
            return form_page(values, errors)
        gsjg = organ_name[values["gsjg"]]
        people = [{"xm": p["xm"], "xb": GENDERS[p["xb"]], "csrq": parse_cn_date(p["csrq"]), "sfzh": p["sfzh"]}
                  for p in bgr]
        cid, _ = file_case(system.store, court_code=court_of[gsjg], ay=charge_name[values["ay"]], gsjg=gsjg,
                           qsswh=values["qsswh"], sarq=sarq, bgr=people)  # type: ignore[arg-type]
        return redirect(url_for("case_detail", cid=cid, msg="saved"))

    @app.get("/_sandbox/records")
    def sandbox_records() -> Response:
        rows = system.store.query("SELECT * FROM cases ORDER BY id")
        return jsonify([{"ah": r["ah"], "ay": r["ay"], "gsjg": r["gsjg"], "qsswh": r["qsswh"], "sarq": r["sarq"],
                         "bgr": json.loads(r["bgr"])} for r in rows])

    @app.post("/_sandbox/county/release")
    def sandbox_release() -> Response:
        body = json_body()
        state["release"] = int(body.get("release", 1)) if isinstance(body, dict) else 1
        return jsonify(release=state["release"])

    return system
