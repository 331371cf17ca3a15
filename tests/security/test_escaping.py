"""Hostile text never becomes markup: every HTML template escapes what it renders, the console runs no
script a case brought (checked in Chromium, under a strict CSP), and the chat robots' markdown is escaped.

Found by adversarial testing: a police charge code ``<svg/onload=document.title=1>`` came back in a
CodeMissing message and ran in the console (its templates, ``*.html.j2``, were not autoescaped by Flask),
and went raw into WeCom and DingTalk markdown.
"""

from __future__ import annotations

import threading
from pathlib import Path

import jinja2
import pytest
from werkzeug.serving import make_server

from casebot.cli.demo import sandbox_settings
from casebot.config import load
from casebot.ledger import open_ledger
from casebot.ops.console import create_app
from casebot.ops.notify import Alert, Failure, webhook_body
from tests.e2e.conftest import config_file  # noqa: F401 - fixture

HOSTILE = "<svg/onload=document.title=1>\"'<script>document.title=2</script>&"
TEMPLATES = Path(__file__).resolve().parents[2] / "casebot" / "templates"


class Hostile(jinja2.Undefined):
    """Whatever a template asks of its context: hostile text when printed, two of itself when iterated."""

    def __str__(self) -> str:
        return HOSTILE

    def __iter__(self):
        return iter([Hostile(name="a"), Hostile(name="b")])

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return Hostile(name=name)

    def __getitem__(self, key):
        return Hostile(name=str(key))

    def __call__(self, *args, **kwargs):
        return Hostile(name="call")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __truediv__ = __call__

    def __float__(self) -> float:
        return 1.0

    def __int__(self) -> int:
        return 1

    def __lt__(self, other):
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __eq__(self, other):
        return False

    __hash__ = object.__hash__


#: values whose shape a template unpacks (a Hostile iterates as pairs)
SHAPED = {"case.html.j2": {"files": [(0, HOSTILE, True), (1, HOSTILE, False)]}}


def test_every_html_template_escapes_hostile_values(tmp_path):
    from casebot.htmlenv import html_environment

    urls = {name: f"http://127.0.0.1:9/{name}" for name in ("police", "procuratorate", "court")}
    app = create_app(sandbox_settings(urls, tmp_path), tmp_path / "casebot.toml", token="t")
    templates = sorted(p for p in TEMPLATES.rglob("*.html*") if "scaffold" not in p.parts)
    assert len(templates) >= 5
    for path in templates:
        rel = path.relative_to(TEMPLATES)
        if rel.parts[0] == "console":  # rendered by Flask, inside a request
            with app.test_request_context("/"):
                env = app.jinja_env.overlay(undefined=Hostile)
                # what these globals give the page (labels, flashed messages, times) made hostile too
                for name in ("STATE_LABELS", "get_flashed_messages", "local", "age"):
                    env.globals.pop(name, None)
                out = env.get_template(rel.name).render(**SHAPED.get(rel.name, {}))
        else:  # the run report and the reconcile report
            out = html_environment().overlay(undefined=Hostile).get_template(str(rel)).render()
        assert HOSTILE not in out, rel
        for raw in ("<svg", "<script>", "\"'"):
            assert raw not in out, (rel, raw)
        assert "&lt;svg/onload=document.title=1&gt;" in out, rel


@pytest.fixture
def hostile_console(tmp_path, config_file):  # noqa: F811 - the fixture
    settings = load(config_file)
    ledger = open_ledger(settings.ledger_url())
    item = ledger.reserve("police-procuratorate", "procuratorate", "A<svg/onload=document.title=3>", owner="t",
                          lease_s=30)
    ledger.set_state(item, "failed", error_type="CodeMissing", release=True,
                     error_message="代码表 charges.csv 中没有 <svg/onload=document.title=1>；羁押场所 <img src=x "
                                   "onerror=document.title=2>")
    ledger.close()
    app = create_app(settings, config_file, token="t0ken-for-test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", item.id
    server.shutdown()


@pytest.mark.browser
async def test_console_runs_no_script_from_a_case(hostile_console, page):
    url, item_id = hostile_console
    answer = await page.goto(f"{url}/?token=t0ken-for-test")
    csp = answer.headers.get("content-security-policy", "")
    assert "default-src 'none'" in csp and "script-src" in csp and "unsafe-inline" not in csp
    for path in ("/", f"/case/{item_id}"):
        await page.goto(f"{url}/t0ken-for-test{path}")
        await page.wait_for_timeout(200)
        assert await page.title() not in ("1", "2", "3"), "no handler ran"
        assert await page.locator("svg, img[src=x]").count() == 0
        assert "<svg/onload=document.title=1>" in await page.locator("body").inner_text(), "shown as text"


def test_chat_markdown_escapes_markup():
    f = Failure(1, "r", "A1", "failed", "CodeMissing", "没有 <svg/onload=x> **粗** [链](http://x) \n# 标题")
    alert = Alert("new_failures", "casebot：1 个案件需要人工处理", [f"#1 r A1：{f.reason}"], 1, [f])
    for fmt in ("wecom", "dingtalk"):
        body = webhook_body(fmt, alert)
        text = body["markdown"].get("content") or body["markdown"]["text"]
        assert "<svg" not in text and "&lt;svg" in text, fmt
        assert "**粗**" not in text and "[链](" not in text, fmt
        assert "\n# 标题" not in text, fmt


def test_replay_runs_in_an_isolated_interpreter(tmp_path):
    """Issue 26: the console's replay ran ``python -m casebot``, which puts the working directory first
    on the import path: a ``mappings/__init__.py`` there was executed."""
    import subprocess

    from casebot.ops.console import replay_command

    marker = tmp_path / "ran"
    for package in ("mappings", "casebot"):  # what `casebot run` would never import from there
        (tmp_path / package).mkdir()
        for module in ("__init__.py", "__main__.py"):
            (tmp_path / package / module).write_text(f"open({str(marker)!r}, 'w').write('1')\nCODES_DIR = '.'\n")
    cmd = replay_command(1, tmp_path / "missing.toml")
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(tmp_path)})
    assert done.returncode == 4, done.stderr[-1000:]
    assert not marker.exists(), "a mappings package in the working directory was imported"


def test_every_html_environment_is_hardened():
    """A new page cannot forget escaping: every Jinja environment of casebot rendering HTML is made or
    configured by casebot.htmlenv (the mapping sandbox and the code scaffold render no HTML)."""
    root = TEMPLATES.parent
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "mapping" or rel.name in ("htmlenv.py", "adapters.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if "Environment(" in text or "Flask(" in text:
            assert "harden(" in text or "html_environment(" in text, rel
