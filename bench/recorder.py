"""The recorder-style script: automation the way it is usually written from a recorder (codegen).

Each card replays a recorded session from the start: a fresh browser context,
a full login to every system, every page reached by a full navigation, and
after every step ``wait_for_load_state("networkidle")`` plus a fixed
``wait_for_timeout(500)`` after each click ("to let the page settle"). Controls
are found as the recorder writes them (``frame_locator`` into the iframes,
``fill`` for what was typed). Nothing is reused from one card to the next.
It writes the same cards as casebot and the baseline.

    python bench/recorder.py --cards 2     # a smoke run against its own sandbox
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workload import ROUTE_PROC, Prepared

USER, PASSWORD = "casebot", "sandbox"
SETTLE_MS = 500


class Recorder:
    def __init__(self, urls: dict[str, str], launch: dict[str, Any]) -> None:
        self.urls = urls
        self.launch = launch
        self.card_seconds: list[tuple[str, float, int]] = []

    # -- what a recorded step looks like -------------------------------------------------------
    async def _idle(self, page: Any) -> None:
        await page.wait_for_load_state("networkidle")

    async def click(self, page: Any, loc: Any) -> None:
        await loc.click()
        await self._idle(page)
        await page.wait_for_timeout(SETTLE_MS)

    async def fill(self, page: Any, loc: Any, value: str) -> None:
        await loc.fill(value)
        await self._idle(page)

    async def select(self, page: Any, loc: Any, **how: str) -> None:
        await loc.select_option(**how)
        await self._idle(page)

    async def goto(self, page: Any, url: str) -> None:
        await page.goto(url)
        await self._idle(page)

    async def login(self, page: Any, url: str, submit: str) -> None:
        await self.goto(page, url)
        await self.fill(page, page.locator("#username"), USER)
        await self.fill(page, page.locator("#password"), PASSWORD)
        await self.click(page, page.locator(submit))

    # -- recorded flows ------------------------------------------------------------------------
    async def police_read(self, page: Any, key: str) -> None:
        await self.login(page, self.urls["police"] + "/", "#login-submit")
        await self.goto(page, f"{self.urls['police']}/ajgl/ajxx?ajbh={quote(key, safe='')}")
        await page.locator("#ajjbxx").inner_text()
        tabs = page.locator("#xyr-tabs [role=tab]")
        for i in range(await tabs.count()):
            await self.click(page, tabs.nth(i))
            await page.locator(".tab-panel").nth(i).inner_text()

    async def calendar(self, page: Any, scope: Any, selector: str, value: str) -> None:
        await self.click(page, scope.locator(selector))
        await self.select(page, scope.locator("#calPop .cal-y"), value=value[:4])
        await self.select(page, scope.locator("#calPop .cal-m"), value=str(int(value[5:7])))
        await self.click(page, scope.locator(f"#calPop td.cal-d[data-date='{value}']"))

    async def picker(self, page: Any, scope: Any, name: str, codes: list[str]) -> None:
        await self.click(page, scope.locator(f"#{name}_mc"))
        for code in codes:
            await self.click(page, scope.locator(f"#dlg-{name} li[data-code='{code}']"))
        await self.click(page, scope.locator(f"#dlg-{name} .dm-ok"))

    async def proc_write(self, page: Any, card: dict[str, Any]) -> None:
        await self.login(page, self.urls["procuratorate"] + "/", "#btnLogin")
        await self.click(page, page.locator("#menu-slaj"))
        main = page.frame_locator("#mainFrame")
        await self.fill(page, main.locator("#ysajbh"), card["ysajbh"])
        await self.fill(page, main.locator("#ajmc"), card["ajmc"])
        await self.select(page, main.locator("#ajlb"), value=card["ajlb"])
        await self.picker(page, main, "ysdw", [card["ysdw"]])
        await self.picker(page, main, "ysay", card["ysay"])
        await self.calendar(page, main, "#slrq", card["slrq"])
        await self.fill(page, main.locator("#ajzy"), card["ajzy"])
        await self.click(page, main.locator("#ajTabs .tab[data-pane='pane-xyr']"))
        rk = main.frame_locator("#rkFrame")
        for p in card["xyr"]:
            await self.click(page, main.locator("#btnAddRk"))
            await self.fill(page, rk.locator("#xm"), p["xm"])
            await self.fill(page, rk.locator("#bm"), p["bm"])
            await self.select(page, rk.locator("#xb"), value=p["xb"])
            await self.calendar(page, rk, "#csrq", p["csrq"])
            await self.select(page, rk.locator("#zjlx"), value=p["zjlx"])
            await self.fill(page, rk.locator("#zjhm"), p["zjhm"])
            await self.select(page, rk.locator("#gj"), value=p["gj"])
            await self.select(page, rk.locator("#mz"), value=p["mz"])
            await self.select(page, rk.locator("#xl"), value=p["xl"])
            await self.fill(page, rk.locator("#zy"), p["zy"])
            await self.fill(page, rk.locator("#hjdqh"), p["hjdqh"])
            await self.fill(page, rk.locator("#hjdxz"), p["hjdxz"])
            await self.fill(page, rk.locator("#xzz"), p["xzz"])
            await self.click(page, rk.locator(f"input[name='sfwcn'][value='{p['sfwcn']}']"))
            await self.select(page, rk.locator("#qzcs"), value=p["qzcs"])
            if p["qzcsrq"]:
                await self.calendar(page, rk, "#qzcsrq", p["qzcsrq"])
            await self.select(page, rk.locator("#jycs"), value=p["jycs"])
            await self.picker(page, rk, "ay", p["ay"])
            await self.click(page, rk.locator("#btnRkOk"))
        await self.click(page, main.locator("#btnSave"))
        await main.locator("#bmsah").inner_text()

    async def proc_read(self, page: Any, key: str) -> None:
        await self.login(page, self.urls["procuratorate"] + "/", "#btnLogin")
        await self.click(page, page.locator("#menu-zhcx"))
        main = page.frame_locator("#mainFrame")
        await self.fill(page, main.locator("#q_ysajbh"), key)
        await self.click(page, main.locator("#btnQuery"))
        await self.click(page, main.locator("#cxTable a.cx-view").first)
        await main.locator("#ajxx").inner_text()
        await main.locator("#rkxx").inner_text()

    async def court_write(self, page: Any, card: dict[str, Any]) -> None:
        await self.login(page, self.urls["court"] + "/case/new", "#login-btn")
        await self.click(page, page.locator("#notice-ack"))
        await self.fill(page, page.locator("#ay-input"), card["ay"])
        await self.click(page, page.locator(f"#ay-suggest .ac-item[data-name='{card['ay']}']"))
        await self.select(page, page.locator("#gsjg"), label=card["gsjg"])
        await self.fill(page, page.locator("#qsswh"), card["qsswh"])
        await self.fill(page, page.locator("#sarq"), card["sarq"].replace("-", ""))
        await self.click(page, page.locator("#btn-next-1"))
        for _ in card["bgr"][1:]:
            await self.click(page, page.locator("#btn-add-bgr"))
        for i, d in enumerate(card["bgr"]):
            row = page.locator("#bgr-rows .bgr-row").nth(i)
            await self.fill(page, row.locator("input[name$='.xm']"), d["xm"])
            await self.click(page, row.locator(f"input[type=radio][name$='.xb'][value='{d['xb']}']"))
            await self.fill(page, row.locator("input[name$='.csrq']"), d["csrq"].replace("-", ""))
            await self.fill(page, row.locator("input[name$='.sfzh']"), d["sfzh"])
            for name in ("mz", "whcd"):
                if d[name]:
                    await self.select(page, row.locator(f"select[name$='.{name}']"), label=d[name])
            await self.fill(page, row.locator("input[name$='.zy']"), d["zy"])
            await self.fill(page, row.locator("input[name$='.zz']"), d["zz"])
            await self.select(page, row.locator("select[name$='.jyzt']"), label=d["jyzt"])
            for name in ("qzcs", "jycs"):
                if d[name]:
                    await self.select(page, row.locator(f"select[name$='.{name}']"), label=d[name])
            if d["jyrq"]:
                await self.fill(page, row.locator("input[name$='.jyrq']"), d["jyrq"].replace("-", ""))
        await self.click(page, page.locator("#btn-next-2"))
        await self.click(page, page.locator("#btn-submit"))
        await page.locator(".toast-success .toast-ah").inner_text()

    async def run(self, prepared: Prepared) -> float:
        """Every card of ``prepared``, each from a fresh context; wall time from launch to close."""
        from playwright.async_api import async_playwright

        t0 = time.perf_counter()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**self.launch)
            for job in prepared.jobs:
                t = time.perf_counter()
                ctx = await browser.new_context(locale="zh-CN")
                page = await ctx.new_page()
                if prepared.route == ROUTE_PROC:
                    await self.police_read(page, job.key)
                    await self.proc_write(page, job.card)
                else:
                    await self.proc_read(page, job.key)
                    await self.police_read(page, job.key)
                    await self.court_write(page, job.card)
                await ctx.close()
                self.card_seconds.append((job.key, time.perf_counter() - t, job.suspects))
            await browser.close()
        return time.perf_counter() - t0


def main() -> None:
    from bench.workload import run_standalone

    run_standalone(Recorder, __doc__, default_cards=2)


if __name__ == "__main__":
    main()
