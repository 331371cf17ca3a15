"""The console's token reaches no other local service (issue 26 item 9).

Cookies ignore ports: the console's token cookie, scoped to ``127.0.0.1``, was sent to every other
service on that host the same browser visited. A second HTTP server on another port records what it is
sent after a clerk has used the console in the same Chromium context.
"""

from __future__ import annotations

import http.server
import threading

import pytest
from werkzeug.serving import make_server

from casebot.config import load
from casebot.ledger import open_ledger
from casebot.ops.console import create_app
from tests.e2e.conftest import config_file  # noqa: F401 - fixture
from tests.receivers import answer, serving

TOKEN = "t0ken-of-the-console-0123456789"

pytestmark = pytest.mark.browser


@pytest.fixture
def neighbour():
    """Another local service: it answers every GET and keeps the request line and headers it was sent."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.requestline + "\n" + str(self.headers))
            answer(self, b"<html><body>neighbour</body></html>", "text/html")

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        yield base, seen


@pytest.fixture
def console(config_file):  # noqa: F811 - the fixture
    settings = load(config_file)
    ledger = open_ledger(settings.ledger_url())
    item = ledger.reserve("police-procuratorate", "procuratorate", "A350502000000202611", owner="t", lease_s=30)
    ledger.set_state(item, "failed", error_type="CodeMissing", release=True, error_message="代码表中没有 X")
    ledger.close()
    server = make_server("127.0.0.1", 0, create_app(settings, config_file, token=TOKEN), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", item.id
    server.shutdown()


async def test_no_other_local_service_receives_the_console_token(console, neighbour, page):
    url, item_id = console
    other, seen = neighbour
    assert (await page.goto(f"{url}/")).status == 403
    await page.goto(f"{url}/?token={TOKEN}")
    await page.locator(f"tr[data-id='{item_id}'] a").first.click()
    await page.wait_for_url("**/case/*")
    assert await page.locator("#state").count() == 1, "the clerk moves about the console with the token"
    await page.goto(f"{other}/")
    await page.goto(f"{other}/{TOKEN[:4]}/case/1")
    assert len(seen) >= 2  # the pages (and the favicon)
    for request in seen:
        assert TOKEN not in request, request
    assert not [c for c in await page.context.cookies() if TOKEN in c["value"]], "no cookie holds the token"
    await page.goto(f"{url}/{TOKEN}/")
    assert await page.locator("table#failed tr[data-id]").count() == 1, "the link printed at start works"
