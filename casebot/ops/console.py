"""``casebot console``: a local page showing what needs a person, with a replay button.

Flask on loopback by default; every request carries the token printed at start
(``?token=`` once, then a cookie; the replay form carries it too). The page reads
the ledger through its public read methods and the last run's record; the
replay button runs ``casebot replay ID`` as its own process, which takes the run
lock like any run (a run in progress: exit 5, said so on the page).
"""

from __future__ import annotations

import hmac
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, send_file, url_for

from casebot.config import Settings
from casebot.glossary import STATE_LABELS
from casebot.ops import lastrun, reading, snapshot, timefmt
from casebot.ops.advice import advise
from casebot.ops.notify import PAGE_CHANGED_BANNER
from casebot.states import REPLAYABLE

COOKIE = "casebot_console"
#: failures where the target holds what a person typed or changed: listed apart, a clerk compares
CONFLICTS = frozenset({"EditConflict", "AdoptedDiffers", "ProbableMatch"})
REPLAY_TIMEOUT_S = 900


def create_app(settings: Settings, config_path: Path, *, token: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent.parent / "templates" / "console"))
    app.secret_key = secrets.token_bytes(32)
    app.config["CASEBOT_TOKEN"] = token or secrets.token_urlsafe(24)
    app.jinja_env.globals.update(STATE_LABELS=STATE_LABELS, local=timefmt.local, age=timefmt.age)

    def ok(given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), app.config["CASEBOT_TOKEN"].encode())

    @app.before_request
    def guard() -> Any:
        given = request.args.get("token") or request.cookies.get(COOKIE)
        if request.method == "POST":
            given = request.form.get("token")
        if not ok(given):
            abort(403)
        return None

    @app.after_request
    def keep(response: Any) -> Any:
        if request.args.get("token") and ok(request.args.get("token")):
            response.set_cookie(COOKIE, app.config["CASEBOT_TOKEN"], httponly=True, samesite="Strict")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.errorhandler(403)
    def forbidden(_: Any) -> Any:
        return "需要令牌：请使用 casebot console 启动时打印的链接。", 403

    def ledger_items(**kw: Any) -> list[Any]:
        return reading.read(settings, lambda ledger: ledger.items(**kw), [])

    @app.get("/")
    def index() -> Any:
        snap = snapshot.take(settings)
        items = ledger_items(states=REPLAYABLE)

        def group(i: Any) -> str:
            return "conflict" if i.state == "failed" and i.error_type in CONFLICTS else i.state

        groups = {s: [(i, advise(i.state, i.error_type, i.error_message)) for i in items if group(i) == s]
                  for s in ("conflict", "failed", "unknown", "written", "retry")}
        run = snap.last_run
        banner = PAGE_CHANGED_BANNER if run and run.get("exit_code") == 7 else None
        return render_template("index.html.j2", snap=snap, groups=groups, run=run, banner=banner,
                               exit_text=lastrun.EXIT_TEXT, token=app.config["CASEBOT_TOKEN"])

    @app.get("/deadlines")
    def deadlines_page() -> Any:
        from casebot.deadlines import report_for
        from casebot.deadlines.compute import STATES
        from casebot.deadlines.report import html, select

        report = report_for(settings)
        report.deadlines = select(report.deadlines, states=[s for s in STATES if s != "met"])
        return html(report)

    def one(item_id: int) -> tuple[Any, list[dict[str, Any]]]:
        found, attempts = reading.read(
            settings, lambda ledger: (ledger.items(ids=[item_id]), ledger.attempts_of(item_id)), ([], []))
        if not found:
            abort(404)
        return found[0], attempts

    @app.get("/case/<int:item_id>")
    def case(item_id: int) -> Any:
        item, attempts = one(item_id)
        files = [(n, Path(p).name, p.endswith(".png")) for n, p in enumerate(item.artifacts)]
        return render_template("case.html.j2", item=item, attempts=attempts, files=files,
                               advice=advise(item.state, item.error_type, item.error_message),
                               token=app.config["CASEBOT_TOKEN"],
                               can_replay=item.state in REPLAYABLE)

    @app.get("/case/<int:item_id>/file/<int:n>")
    def artifact(item_id: int, n: int) -> Any:
        item, _ = one(item_id)
        if n >= len(item.artifacts):
            abort(404)
        path = Path(item.artifacts[n]).resolve()
        root = settings.path(settings.artifacts.dir).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            abort(404)
        return send_file(path, as_attachment=not path.name.endswith(".png"))

    @app.post("/case/<int:item_id>/replay")
    def replay(item_id: int) -> Any:
        item, _ = one(item_id)
        args = [sys.executable, "-m", "casebot", "replay", str(item.id), "--config", str(config_path)]
        if request.form.get("fresh") == "1":
            args.append("--fresh")
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=REPLAY_TIMEOUT_S)
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
        if code == 0:
            flash("重放成功：已写入并核对。", "ok")
        elif code == 5:
            flash("另一次运行正在进行，请稍后再点重放。", "warn")
        elif code == -1:
            flash("重放超时：请查看日志。", "error")
        else:
            flash(f"重放未成功（退出码 {code}：{lastrun.EXIT_TEXT.get(code, '')}），原因见下。", "error")
        return redirect(url_for("case", item_id=item.id))

    return app


def serve(app: Flask, host: str, port: int) -> None:
    from werkzeug.serving import make_server

    make_server(host, port, app, threaded=True).serve_forever()
