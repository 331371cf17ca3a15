"""What the three simulated systems share: sessions, CSRF, faults and the ``/_sandbox/`` routes.

Each system builds a :class:`SandboxSystem` and adds its own pages; this
module gives it server-side sessions kept in the system's SQLite file, CSRF
tokens, the fault plan applied to every page request, and the test routes
(``reset``, ``faults``, and ``saves``: how many records each case key got
through the system's own pages), refused with 404 unless ``sandbox_mode`` is on.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask import session as flask_session
from pydantic import ValidationError

from sandbox.faults import FaultPlan, Faults
from sandbox.store import Store

#: what a captcha is made of (no 0/O, 1/I)
CAPTCHA_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

#: the one user of every sandbox system
SANDBOX_USERS = {"casebot": os.environ.get("SANDBOX_PASSWORD", "sandbox")}


class BadInput(Exception):
    """A ``/_sandbox/`` request whose body breaks the format: answered 400, nothing changed."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class SandboxSystem:
    """One simulated system: a Flask app with its store, sessions and faults."""

    def __init__(self, *, name: str, title: str, import_name: str, schema_sql: str,
                 data_dir: Path, sandbox_mode: bool = True, plan: FaultPlan | None = None,
                 template_folder: str = "templates", static_folder: str | None = "static") -> None:
        self.name = name
        self.title = title
        self.sandbox_mode = sandbox_mode
        self.app = Flask(import_name, template_folder=template_folder, static_folder=static_folder,
                         static_url_path="/static")
        self.app.config["JSON_AS_ASCII"] = False
        self.app.json.ensure_ascii = False  # type: ignore[attr-defined]
        self.app.secret_key = secrets.token_hex(16)
        self.cookie_name = f"{name.upper()}_SID"
        self.store = Store(Path(data_dir) / f"{name}.sqlite3", schema_sql)
        self.faults = Faults(plan)
        self._reset_hooks: list[Callable[[], None]] = []
        self._saves: dict[str, int] = {}
        self._saves_lock = threading.Lock()
        self._captchas: dict[str, str] = {}
        self.app.before_request(self._before)
        self.app.after_request(self._after)
        self.app.errorhandler(BadInput)(self._bad_input)
        self.app.context_processor(lambda: {"system": self, "notice": getattr(g, "notice", False),
                                            "csrf_token": self.csrf_token})
        self._add_sandbox_routes()

    # -- request cycle ---------------------------------------------------
    def _is_sandbox_route(self) -> bool:
        return request.path.startswith("/_sandbox/")

    def _before(self) -> Response | None:
        g.session = None
        g.new_sid = None
        g.clear_sid = False
        g.notice = False
        if self._is_sandbox_route():
            if not self.sandbox_mode:
                return Response("Not Found", 404)
            return None
        if request.path.startswith("/static/"):
            return None
        delay = self.faults.latency()
        if delay:
            time.sleep(delay)
        if self.faults.error():
            return self.error_page(500)
        sid = request.cookies.get(self.cookie_name)
        if sid:
            self._load_session(sid)
        if request.method == "GET" and g.session is not None and self.faults.notice():
            g.notice = True
        return None

    def _load_session(self, sid: str) -> None:
        row = self.store.one("SELECT * FROM _sessions WHERE sid = ?", (sid,))
        if row is None:
            g.clear_sid = True
            return
        count = row["requests"] + 1
        if self.faults.session_ends(count):
            with self.store.tx() as db:
                db.execute("DELETE FROM _sessions WHERE sid = ?", (sid,))
            g.clear_sid = True
            return
        with self.store.tx() as db:
            db.execute("UPDATE _sessions SET requests = ? WHERE sid = ?", (count, sid))
        g.session = {"sid": sid, "username": row["username"], "csrf": row["csrf"],
                     "data": json.loads(row["data"])}

    def _after(self, response: Response) -> Response:
        if g.get("new_sid"):
            response.set_cookie(self.cookie_name, g.new_sid, httponly=True, samesite="Lax")
        elif g.get("clear_sid"):
            response.delete_cookie(self.cookie_name)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    # -- sessions and CSRF -------------------------------------------------
    def check_password(self, username: str, password: str) -> bool:
        expected = SANDBOX_USERS.get(username)
        return expected is not None and secrets.compare_digest(expected, password)

    def start_session(self, username: str) -> None:
        sid = secrets.token_urlsafe(24)
        with self.store.tx() as db:
            db.execute("INSERT INTO _sessions (sid, username, csrf, requests, data, created) "
                       "VALUES (?, ?, ?, 0, '{}', ?)", (sid, username, secrets.token_hex(16), time.time()))
        g.new_sid = sid

    def end_session(self) -> None:
        if g.session is not None:
            with self.store.tx() as db:
                db.execute("DELETE FROM _sessions WHERE sid = ?", (g.session["sid"],))
        g.session = None
        g.clear_sid = True

    def save_session_data(self, data: dict[str, Any]) -> None:
        if g.session is None:
            return
        g.session["data"] = data
        with self.store.tx() as db:
            db.execute("UPDATE _sessions SET data = ? WHERE sid = ?",
                       (json.dumps(data, ensure_ascii=False), g.session["sid"]))

    def csrf_token(self) -> str:
        """The session's CSRF token; before login, one kept in a signed pre-login cookie."""
        if g.get("session"):
            return g.session["csrf"]
        from flask import session as flask_session

        token = flask_session.get("prelogin_csrf")
        if not token:
            token = secrets.token_hex(16)
            flask_session["prelogin_csrf"] = token
        return token

    def csrf_ok(self, token: str | None) -> bool:
        expected = self.csrf_token()
        return bool(token) and secrets.compare_digest(expected, token or "")

    # -- captcha (the ``captcha`` fault) ------------------------------------------
    def add_captcha(self, path: str, *, background: str, ink: str) -> None:
        """Serve a fresh captcha image at ``path`` (endpoint ``captcha_image``), in the system's colours.

        Its answer is kept on the server, keyed by an id in the browser's cookie.
        """

        def captcha_image() -> Response:
            text = "".join(secrets.choice(CAPTCHA_CHARS) for _ in range(4))
            cid = secrets.token_hex(8)
            self._captchas[cid] = text
            flask_session["captcha_id"] = cid
            return Response(captcha_svg(text, background, ink), mimetype="image/svg+xml")

        self.app.add_url_rule(path, "captcha_image", captcha_image)

    def captcha_ok(self, typed: str | None) -> bool:
        """Whether ``typed`` answers the last captcha this browser was shown (each answer serves once)."""
        cid = flask_session.pop("captcha_id", None)
        answer = self._captchas.pop(cid, None) if cid else None
        return bool(answer) and (typed or "").strip().upper() == answer

    def login_required(self, view: Callable[..., Any]) -> Callable[..., Any]:
        """Pages need a live session: otherwise the login page (or a 401 for AJAX)."""

        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.session is None:
                if request.is_json or request.headers.get("X-Requested-With") == "XMLHttpRequest":
                    return jsonify(ok=False, error="会话已过期，请重新登录", login=url_for("login")), 401
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            return view(*args, **kwargs)

        return wrapper

    # -- errors ------------------------------------------------------------
    def error_page(self, status: int) -> Response:
        html = render_template("error.html", status=status) if self._has_template("error.html") else (
            f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{status} 服务器错误"
            f"</title></head><body><h1>{status} Internal Server Error</h1>"
            f"<p>系统繁忙，请稍后再试。</p></body></html>")
        return Response(html, status=status, mimetype="text/html")

    def _has_template(self, name: str) -> bool:
        try:
            self.app.jinja_env.get_template(name)
            return True
        except Exception:
            return False

    @staticmethod
    def _bad_input(exc: BadInput) -> tuple[Response, int]:
        return jsonify(ok=False, error=exc.message, field=exc.field), 400

    # -- /_sandbox/ --------------------------------------------------------
    def on_reset(self, fn: Callable[[], None]) -> Callable[[], None]:
        self._reset_hooks.append(fn)
        return fn

    def count_save(self, key: str) -> None:
        """A record stored through the system's own pages (``GET /_sandbox/saves`` reads the counts)."""
        with self._saves_lock:
            self._saves[key] = self._saves.get(key, 0) + 1

    def reset(self) -> None:
        self.store.reset()
        self._captchas.clear()
        with self._saves_lock:
            self._saves.clear()
        for hook in self._reset_hooks:
            hook()

    def _add_sandbox_routes(self) -> None:
        app = self.app

        @app.post("/_sandbox/reset")
        def sandbox_reset() -> Response:
            self.reset()
            self.faults.set(FaultPlan())
            return jsonify(ok=True)

        @app.get("/_sandbox/saves")
        def sandbox_saves() -> Response:
            with self._saves_lock:
                return jsonify(saves=dict(self._saves))

        @app.get("/_sandbox/captchas")
        def sandbox_captchas() -> Response:
            """The answers of the captchas shown and not yet tried (what a person reads off the image)."""
            return jsonify(answers=list(self._captchas.values()))

        @app.get("/_sandbox/faults")
        def sandbox_faults_get() -> Response:
            return jsonify(self.faults.as_json())

        @app.post("/_sandbox/faults")
        def sandbox_faults_set() -> Response:
            body = json_body()
            if not isinstance(body, dict):
                raise BadInput("$", "fault plan must be a JSON object")
            try:
                plan = FaultPlan.model_validate(body)
            except ValidationError as exc:
                err = exc.errors()[0]
                raise BadInput(".".join(str(p) for p in err["loc"]) or "$", err["msg"]) from exc
            self.faults.set(plan)
            return jsonify(self.faults.as_json())


def captcha_svg(text: str, background: str, ink: str) -> str:
    """A small distorted-text image, as login pages show them."""
    glyphs = "".join(
        f'<text x="{12 + i * 22}" y="{26 + (i % 2) * 4}" transform="rotate({(-1) ** i * 12} {18 + i * 22} 22)">'
        f"{ch}</text>" for i, ch in enumerate(text))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="36">'
            f'<rect width="100" height="36" fill="{background}"/>'
            f'<path d="M0 20 Q25 5 50 20 T100 18" stroke="{ink}" stroke-opacity="0.6" fill="none"/>'
            f'<g font-family="monospace" font-size="20" fill="{ink}">{glyphs}</g></svg>')


def json_body() -> Any:
    """The request's JSON body, or a 400 naming what is wrong."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadInput("$", "request body must be JSON")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise BadInput("$", f"invalid JSON: {exc}") from exc
