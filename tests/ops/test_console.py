"""The ops console in a real Chromium: a failed case with its reason and where to fix it, its screenshot and
history, the token, and the replay button succeeding once the cause is fixed."""

from __future__ import annotations

import os
import threading
import time

import pytest
from werkzeug.serving import make_server

from casebot.config import load
from casebot.ledger import open_ledger
from casebot.ops.console import create_app
from tests.ops.conftest import casebot

pytestmark = pytest.mark.browser


@pytest.fixture
def console_url(config_file):
    app = create_app(load(config_file), config_file, token="t0ken-for-test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


async def test_console_shows_the_failure_and_replays_it_after_the_fix(sandbox, config_file, console_url, page):
    sandbox.seed(1, seed=81)
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    ran = casebot("run", "--route", "police-procuratorate", "--config", str(config_file), env=dict(os.environ),
                  timeout=240)
    assert ran.returncode == 1, ran.stderr[-2000:]
    # a change the follow held for a clerk (tests/e2e/test_follow.py makes one for real), as the ledger keeps it
    ledger = open_ledger(load(config_file).ledger_url())
    held = ledger.reserve("police-procuratorate", "procuratorate", "A3505020000002026119999", owner="t", lease_s=30)
    ledger.set_state(held, "failed", error_type="EditConflict", release=True,
                     error_message="检察院系统中的记录 X1 已被人修改，公安系统的变更未覆盖：ajmc：系统中为“张*案”")
    ledger.close()

    denied = await page.goto(f"{console_url}/")
    assert denied.status == 403
    await page.goto(f"{console_url}/?token=t0ken-for-test")
    rows = page.locator("table#failed tr[data-id]")
    assert await rows.count() >= 1
    first = rows.first
    assert "目标系统" in await first.locator("td.where").inner_text()
    assert (await first.locator("td").nth(4).inner_text()).strip(), "the reason is shown"
    conflict = page.locator("table#conflict tr[data-id]")
    assert await conflict.count() == 1 and await rows.count() == 1, "a held change is listed apart"
    assert "已被人修改" in await conflict.first.inner_text()
    assert "on_conflict" in await conflict.first.inner_text(), "with what to do about it"
    assert await page.locator("#banner").count() == 0
    assert "退出码 1" in await page.locator("#last-run").inner_text()

    await first.locator("a").click()
    await page.wait_for_url("**/case/*")
    img = page.locator("img.shot").first
    await img.wait_for()
    assert await img.evaluate("i => i.complete && i.naturalWidth > 0"), "the failure screenshot loads"
    assert await page.locator("table#history tr").count() >= 2, "each attempt is listed"
    assert await page.locator("#state").inner_text() == "需人工处理"

    sandbox.set_faults("procuratorate")  # the cause is fixed
    started = time.monotonic()
    await page.locator("form#replay button").click()
    await page.locator("#progress").wait_for(timeout=10_000)
    assert time.monotonic() - started < 5, "the replay runs in the background: the page does not wait for it"
    assert "重放进行中" in await page.locator("#progress").inner_text()
    assert await page.locator("form#replay").count() == 0, "no second replay of the same case meanwhile"
    await page.wait_for_selector("p[role=status]", timeout=240_000)
    assert await page.locator("p.flash-ok").count() == 1, await page.locator("p[role=status]").inner_text()
    assert await page.locator("#state").inner_text() == "已完成"
    assert len(sandbox.records("procuratorate")) == 1
    assert await page.locator("#progress").count() == 0
    assert "已完成" in await page.locator("table#history").inner_text(), "the history in the clerk's words"


async def test_replay_without_the_token_is_refused(config_file, console_url, page):
    response = await page.request.post(f"{console_url}/case/1/replay", form={"token": "wrong"})
    assert response.status == 403
