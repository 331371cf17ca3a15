"""智慧审判平台: a court system built as a single-page app on ant-design-vue 4 (a target).

One HTML shell serves every path (``/login``, ``/cases``, ``/cases/new``,
``/cases/<id>``); the app (Vue 3 + ant-design-vue, served from the real
packages by :mod:`sandbox.uikits`) draws each view and talks to a JSON API:

- ``POST /api/login`` ``{username, password}``: 200, 401 with its message, or a
  403 page when the request's ``Origin`` is not this server (as Django's CSRF
  check answers) or its CSRF header is wrong;
- ``GET /api/cases?wh=&ah=`` (the list; 起诉书文号 is ``wh`` in the URL),
  ``GET /api/cases/<id>`` (one case), ``POST /api/cases`` (a save: 201
  ``{id, ah}``, 400 ``{error, field}``, 409 when the 起诉书文号 is already
  registered, 401 when the session ended).

Every ``POST`` needs the session's token in ``X-XSRF-TOKEN`` (the app reads it
from ``GET /api/csrf``). The app's own idioms: selects whose dropdown is a
virtual list in a portal on ``<body>``, date pickers, defendants added one by
one through a modal form (validated in the browser before anything is sent),
``-`` for an empty value, and a list that shows no table when nothing matches.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, jsonify, render_template, request

from sandbox import uikits
from sandbox.casebook import SCHEMA_SQL, file_case, find
from sandbox.codes import table
from sandbox.common import SandboxSystem
from sandbox.faults import FaultPlan

GENDERS = ("男", "女")
CUSTODY = ("在押", "未羁押")
_ID18 = re.compile(r"^\d{17}[\dX]$")


def iso(text: Any) -> str | None:
    try:
        return date.fromisoformat(str(text)).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(text)) else None
    except ValueError:
        return None


def create(data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None) -> Any:
    system = SandboxSystem(name="smartcourt", title="智慧审判平台", import_name=__name__,
                           schema_sql=SCHEMA_SQL, data_dir=Path(data_dir), sandbox_mode=sandbox_mode,
                           plan=plan, static_folder=None)
    app = system.app
    app.register_blueprint(uikits.blueprint())
    units = table("units")
    court_of = {r["procuratorate_name"]: r["court_code"] for r in units}
    options = {"charges": [c["text"] for c in uikits.charges()], "units": list(court_of),
               "ethnicities": [r["name"] for r in table("ethnicity")], "genders": list(GENDERS),
               "custody": list(CUSTODY)}

    def same_origin() -> bool:
        """Django's check: a POST's Origin (when sent) names this very host."""
        origin = request.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == request.host

    def forbidden() -> Response:
        return Response("<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>403 Forbidden"
                        "</title></head><body><h1>403 Forbidden</h1><p>CSRF 校验失败，请求已中止。</p></body></html>",
                        403, mimetype="text/html")

    @app.before_request
    def _post_checks() -> Response | None:
        posted = request.method == "POST" and request.path.startswith("/api/")
        if posted and (not same_origin() or not system.csrf_ok(request.headers.get("X-XSRF-TOKEN"))):
            return forbidden()
        return None

    def shell() -> str:
        return render_template("app.html", options=options)

    for rule in ("/", "/login", "/cases", "/cases/new", "/cases/<int:cid>"):
        app.add_url_rule(rule, f"shell_{rule}", lambda **_: shell())

    @app.get("/api/csrf")
    def csrf() -> Response:
        return jsonify(token=system.csrf_token())

    @app.get("/api/me")
    @system.login_required
    def me() -> Response:
        return jsonify(user=g.session["username"])

    @app.post("/api/login")
    def login() -> Any:
        body = request.get_json(silent=True) or {}
        username, password = str(body.get("username", "")).strip(), str(body.get("password", ""))
        if not system.check_password(username, password):
            return jsonify(error="用户名或密码错误"), 401
        system.start_session(username)
        return jsonify(user=username)

    @app.post("/api/logout")
    def logout() -> Response:
        system.end_session()
        return jsonify(ok=True)

    def summary(r: Any) -> dict[str, Any]:
        return {"id": r["id"], "ah": r["ah"], "ay": r["ay"], "gsjg": r["gsjg"], "qsswh": r["qsswh"], "sarq": r["sarq"]}

    @app.get("/api/cases")
    @system.login_required
    def cases() -> Response:
        rows = find(system.store, qsswh=request.args.get("wh", ""), ah=request.args.get("ah", ""))
        return jsonify(items=[summary(r) for r in rows])

    @app.get("/api/cases/<int:cid>")
    @system.login_required
    def case(cid: int) -> Any:
        row = system.store.one("SELECT * FROM cases WHERE id = ?", (cid,))
        if row is None:
            return jsonify(error="案件不存在"), 404
        return jsonify({**summary(row), "bgr": json.loads(row["bgr"])})

    def refuse(field: str, message: str) -> tuple[Response, int]:
        return jsonify(error=message, field=field), 400

    @app.post("/api/cases")
    @system.login_required
    def save() -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return refuse("", "请求格式错误")
        v = {k: str(body.get(k) or "").strip() for k in ("ay", "gsjg", "qsswh", "sarq")}
        if v["ay"] not in options["charges"]:
            return refuse("ay", "请选择案由")
        if v["gsjg"] not in court_of:
            return refuse("gsjg", "请选择公诉机关")
        if not v["qsswh"]:
            return refuse("qsswh", "起诉书文号不能为空")
        if iso(v["sarq"]) is None:
            return refuse("sarq", "收案日期格式错误")
        people = body.get("bgr")
        if not isinstance(people, list) or not people:
            return refuse("bgr", "至少填写一名被告人")
        bgr = []
        for i, p in enumerate(people, 1):
            p = {k: str((p or {}).get(k) or "").strip() for k in ("xm", "xb", "csrq", "sfzh", "mz", "jyzt")}
            if not p["xm"]:
                return refuse("xm", f"第{i}名被告人：姓名不能为空")
            if p["xb"] not in GENDERS or p["jyzt"] not in CUSTODY:
                return refuse("xb", f"第{i}名被告人：请选择性别和羁押状态")
            if iso(p["csrq"]) is None:
                return refuse("csrq", f"第{i}名被告人：出生日期格式错误")
            if p["csrq"] > v["sarq"]:
                return refuse("csrq", f"第{i}名被告人：出生日期不能晚于收案日期")
            if p["sfzh"] and not _ID18.match(p["sfzh"]):
                return refuse("sfzh", f"第{i}名被告人：身份证号应为18位")
            if p["mz"] and p["mz"] not in options["ethnicities"]:
                return refuse("mz", f"第{i}名被告人：民族不在代码表中")
            bgr.append(p)
        if system.faults.reject():
            return refuse("", "系统校验未通过：请核对案件信息")
        if system.store.one("SELECT 1 FROM cases WHERE qsswh = ?", (v["qsswh"],)):
            return jsonify(error=f"起诉书文号{v['qsswh']}已存在，不能重复收案"), 409
        cid, ah = file_case(system.store, court_code=court_of[v["gsjg"]], ay=v["ay"], gsjg=v["gsjg"],
                            qsswh=v["qsswh"], sarq=v["sarq"], bgr=bgr)
        system.count_save(v["qsswh"])
        if system.faults.commit_then_error():
            return system.error_page(500)
        return jsonify(id=cid, ah=ah), 201

    @app.get("/_sandbox/records")
    def sandbox_records() -> Response:
        rows = system.store.query("SELECT * FROM cases ORDER BY id")
        return jsonify([{**summary(r), "bgr": json.loads(r["bgr"])} for r in rows])

    return system
