"""``casebot console``: a local page showing what needs a person, with a replay button.

Flask on loopback by default; every request carries the token printed at start, in its path: the
console is served under ``/TOKEN/`` (a link with ``?token=`` is taken too, its page's links lead there),
and no cookie is set, since a browser sends a host's cookies to every port of it, so to every other local
service; the replay form carries the token too. The page reads
the ledger through its public read methods and the last run's record; the
replay button starts ``casebot replay ID`` as its own process in the background, which takes the
run lock like any run (a run in progress: exit 5, said so on the page); the case's page shows the
replay's progress (time taken, the case's state in the ledger), refreshing itself until it ends.
"""

from __future__ import annotations

import hmac
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from flask import Flask, abort, flash, g, redirect, render_template, request, send_file, url_for

from casebot.config import Settings
from casebot.domain.states import LABELS as STATE_LABELS
from casebot.domain.states import REPLAYABLE
from casebot.htmlenv import harden
from casebot.ops import lastrun, reading, snapshot, timefmt
from casebot.ops.advice import advise
from casebot.ops.notify import PAGE_CHANGED_BANNER

#: failures where the target holds what a person typed or changed: listed apart, a clerk compares
CONFLICTS = frozenset({"EditConflict", "AdoptedDiffers", "ProbableMatch"})
REPLAY_TIMEOUT_S = 900
#: seconds between two refreshes of a case's page while its replay runs
REFRESH_S = 2


@dataclass
class Replay:
    """A replay started from the console, running as its own process."""

    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)

    @property
    def seconds(self) -> int:
        return int(time.monotonic() - self.started)

    def code(self) -> int | None:
        """The exit status once it ended (-1 when it ran out of time and was stopped), else None."""
        code = self.process.poll()
        if code is None and self.seconds > REPLAY_TIMEOUT_S:
            self.process.kill()
            self.process.wait()
            return -1
        return code


def replay_message(code: int) -> tuple[str, str]:
    """What a person is told of a replay's end, and the message's kind."""
    if code == 0:
        return "重放成功：已写入并核对。", "ok"
    if code == 5:
        return "另一次运行正在进行，请稍后再点重放。", "warn"
    if code == -1:
        return "重放超时：请查看日志。", "error"
    return f"重放未成功（退出码 {code}：{lastrun.EXIT_TEXT.get(code, '')}），原因见下。", "error"


def create_app(settings: Settings, config_path: Path, *, token: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent.parent / "templates" / "console"))
    app.secret_key = secrets.token_bytes(32)
    app.config["CASEBOT_TOKEN"] = token or secrets.token_urlsafe(24)
    app.wsgi_app = TokenPath(app.wsgi_app, app.config["CASEBOT_TOKEN"])  # type: ignore[method-assign]
    replays: dict[int, Replay] = {}
    replays_lock = threading.Lock()
    harden(app.jinja_env)  # Flask autoescapes only ``*.html``: the console's templates are ``*.html.j2``
    app.jinja_env.globals.update(STATE_LABELS=STATE_LABELS, local=timefmt.local, age=timefmt.age)
    # each route's hop in a clerk's words (``法院宣判 → 检察院判决情况``): a loop case's key does not say it
    app.jinja_env.globals.update(hops={r.name: r.hop(settings) for r in settings.routes})

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"csp_nonce": nonce_of_request()}

    def ok(given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), app.config["CASEBOT_TOKEN"].encode())

    @app.before_request
    def guard() -> Any:
        admitted = request.environ.get(TokenPath.ADMITTED, False)
        if request.method == "POST":
            admitted = admitted and ok(request.form.get("token"))
        if not admitted:
            abort(403)
        return None

    @app.after_request
    def keep(response: Any) -> Any:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = csp(nonce_of_request())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
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
        banners = [page_changed_banner(run) if run and run.get("exit_code") == 7 else None,
                   unreachable_banner(run) if run else None]
        banner = "。".join(b for b in banners if b) or None
        return render_template("index.html.j2", snap=snap, groups=groups, run=run, banner=banner,
                               exit_text=lastrun.EXIT_TEXT, token=app.config["CASEBOT_TOKEN"])

    @app.get("/deadlines")
    def deadlines_page() -> Any:
        from casebot.deadlines.compute import STATES
        from casebot.deadlines.report import html, select
        from casebot.ops.deadlines import report_for

        report = report_for(settings)
        report.deadlines = select(report.deadlines, states=[s for s in STATES if s != "met"])
        return html(report)

    def one(item_id: int) -> tuple[Any, list[dict[str, Any]]]:
        found, attempts = reading.read(
            settings, lambda ledger: (ledger.items(ids=[item_id]), ledger.attempts_of(item_id)), ([], []))
        if not found:
            abort(404)
        return found[0], attempts

    def running(item_id: int) -> Replay | None:
        """The case's replay while it runs; once it ended, its end is flashed (once) and it is forgotten."""
        with replays_lock:
            replay = replays.get(item_id)
            if replay is None:
                return None
            code = replay.code()
            if code is None:
                return replay
            del replays[item_id]
        flash(*replay_message(code))
        return None

    @app.get("/case/<int:item_id>")
    def case(item_id: int) -> Any:
        replay = running(item_id)
        item, attempts = one(item_id)
        files = [(n, Path(p).name, p.endswith(".png")) for n, p in enumerate(item.artifacts)]
        return render_template("case.html.j2", item=item, attempts=attempts, files=files,
                               advice=advise(item.state, item.error_type, item.error_message),
                               token=app.config["CASEBOT_TOKEN"], replay=replay, refresh_s=REFRESH_S,
                               can_replay=item.state in REPLAYABLE and replay is None)

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
        if running(item.id) is None:
            args = replay_command(item.id, config_path, fresh=request.form.get("fresh") == "1")
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            with replays_lock:
                replays[item.id] = Replay(process)
        return redirect(url_for("case", item_id=item.id))

    return app


class TokenPath:
    """The console served under ``/TOKEN/``, and nowhere else without the token.

    A request whose path starts with the token, or which carries ``?token=TOKEN``, is admitted (marked
    in its environ) and answered with ``/TOKEN`` as its script root, so every link of its page leads
    under the token. No cookie carries the token: a browser would send it to every service of the host,
    whatever its port."""

    ADMITTED = "casebot.console.admitted"

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token
        self.prefix = "/" + token

    def _same(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.token.encode())

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO") or "/"
        first, _, rest = path.lstrip("/").partition("/")
        admitted = False
        if self._same(first):
            environ["PATH_INFO"] = "/" + rest
            admitted = True
        elif self._same((parse_qs(environ.get("QUERY_STRING", "")).get("token") or [""])[0]):
            admitted = True
        if admitted:
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.prefix
        environ[self.ADMITTED] = admitted
        return self.app(environ, start_response)


def page_changed_banner(run: dict[str, Any]) -> str:
    """The banner of a run a changed page stopped: which system, page and field, by route."""
    from casebot.domain.glossary import SYSTEM_WORDS

    places = []
    for route, why in (run.get("stopped") or {}).items():
        system, sep, rest = str(why).partition(": ")
        where = f"{SYSTEM_WORDS[system]}系统（{system}）：{rest}" if sep and system in SYSTEM_WORDS else str(why)
        places.append(f"路线 {route} 已停止，{where}")
    return PAGE_CHANGED_BANNER + ("。" + "；".join(places) if places else "")


def unreachable_banner(run: dict[str, Any]) -> str | None:
    """The banner of a run that could not reach a system (whatever else it met): which, and that its cases wait."""
    down = run.get("unreachable") or {}
    if not down:
        return None
    names = "、".join(f"{title}（{system}）" for system, title in sorted(down.items()))
    return f"{names}无法连接：该系统的案件在等待，请其管理员或网络管理员恢复服务，恢复后下次运行自动续办"


def replay_command(item_id: int, config_path: Path, *, fresh: bool = False) -> list[str]:
    """``casebot replay ID`` as its own process, in an isolated interpreter (``-I``: the working
    directory is not put first on the import path, no PYTHON* variable is read), so that it runs the
    installed casebot and its mappings package, as ``casebot run`` does, with the console's config."""
    args = [sys.executable, "-I", "-m", "casebot", "replay", str(item_id), "--config", str(config_path.resolve())]
    return [*args, "--fresh"] if fresh else args


def nonce_of_request() -> str:
    """A fresh nonce per response: the only inline style (and script) the page may run carries it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def csp(nonce: str) -> str:
    """A strict Content-Security-Policy: nothing but the console's own images, forms and nonce'd blocks;
    no inline handler (``onload=``), no ``javascript:`` URL, no other origin, no framing."""
    return (f"default-src 'none'; img-src 'self'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def serve(app: Flask, host: str, port: int) -> None:
    from werkzeug.serving import make_server

    make_server(host, port, app, threaded=True).serve_forever()
