"""An AJAX save's answer cut off mid-body, or not JSON, is an unknown outcome (looked for before writing again),
in the kit (json_answer) and in the adapter `casebot adapters new --save ajax` writes; it ended runs as a bug."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from typer.testing import CliRunner

from casebot import errors
from casebot.cli.main import app
from casebot.kit.base import SystemConfig
from casebot.kit.widgets.outcome import json_answer

pytestmark = pytest.mark.browser

PAGE = b"""<!doctype html><meta charset="utf-8"><button id="save"
 onclick="fetch('/api/cases', {method: 'POST', body: '{}'}).then(r => r.text()).catch(() => 0)">save</button>"""

ANSWERS = {
    "truncated": (200, "application/json", b'{"ok": true, "id": "R-00', 200),  # promises 200 bytes, sends 24
    "html": (200, "text/html", b"<html><body>\xcf\xb5\xcd\xb3\xc3\xa6</body></html>", None),  # a proxy's page, GBK
    "ok": (200, "application/json", b'{"ok": true, "id": "R-0001"}', None),
}


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {"answer": "ok"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, kind, body, length = ANSWERS[state["answer"]]
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(length or len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield state
    httpd.shutdown()


async def answer_to_click(page: Any, server: dict[str, Any], answer: str) -> Any:
    server["answer"] = answer
    await page.goto(server["url"])
    async with page.expect_response(lambda r: "/api/cases" in r.url) as info:
        await page.locator("#save").click()
    return await info.value


@pytest.mark.parametrize("answer", ["truncated", "html"])
async def test_kit_reads_a_broken_answer_as_unknown_outcome(page: Any, server: dict[str, Any], answer: str) -> None:
    response = await answer_to_click(page, server, answer)
    with pytest.raises(errors.OutcomeUnknown, match="无法确认是否已保存"):
        await json_answer(response, "registry2")
    assert await json_answer(await answer_to_click(page, server, "ok"), "registry2") == {"ok": True,
                                                                                        "id": "R-0001"}


async def test_scaffolded_ajax_adapter_reads_a_cut_off_answer_as_unknown_outcome(page: Any, server: dict[str, Any],
                                                                                  tmp_path: Any) -> None:
    result = CliRunner().invoke(app, ["adapters", "new", "registry3", "--save", "ajax", "--in-tree",
                                      "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    spec = importlib.util.spec_from_file_location("scaffolded_registry3",
                                                  tmp_path / "adapters" / "registry3" / "__init__.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    adapter = module.Registry3Adapter(page.context, SystemConfig(name="registry3", base_url=server["url"]))
    server["answer"] = "truncated"
    await page.goto(server["url"])
    with pytest.raises(errors.OutcomeUnknown):
        await adapter._save_ajax(page, {"ajbh": "A1"})
    server["answer"] = "ok"
    await page.goto(server["url"])
    assert await adapter._save_ajax(page, {"ajbh": "A1"}) == "R-0001"
