"""The minimal baseline: a plain Playwright script written for speed, doing the same page work as casebot.

No framework, no ledger, no read-back, no error handling beyond what a script
needs to finish: one browser, one context, one page per system, logged in
once, then for every card the same clicks, fills, pickers, calendars, person
dialogs and wizard steps casebot makes, with direct Playwright calls and
selectors written inline. It lists the source the way casebot does (the
police case list, or the procuratorate's 综合查询), reads each source record's
pages, and writes the card computed up front by casebot's Pipeline.

    python bench/baseline.py --cards 5     # a smoke run against its own sandbox
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.workload import ROUTE_PROC, Job, Prepared

USER, PASSWORD = "casebot", "sandbox"

#: the police list page: the case numbers shown and the next page's link
LIST_JS = """() => ({
  keys: [...document.querySelectorAll('#case-list tbody a.case-link')].map(a => a.textContent.trim()),
  next: (document.querySelector('#pager a.pager-next') || {}).href || null,
})"""

#: the police detail page: every table's cells (what a reader of the page takes in)
DETAIL_JS = """() => [...document.querySelectorAll('#ajjbxx, .tab-panel table')].map(
  t => [...t.querySelectorAll('th, td')].map(c => c.textContent.trim()))"""

#: the procuratorate's search result rows
ROWS_JS = """() => [...document.querySelectorAll('#cxTable tbody tr.cx-row')].map(tr => {
  const r = {};
  tr.querySelectorAll('td[data-col]').forEach(td => { r[td.dataset.col] = td.textContent.trim(); });
  return r;
})"""

#: the procuratorate's view page
VIEW_JS = """() => [...document.querySelectorAll('#ajxx [data-field], #rkxx [data-field]')].map(
  el => [el.dataset.field, el.getAttribute('data-code') || el.textContent.trim()])"""


async def _calendar(scope: Any, selector: str, value: str) -> None:
    await scope.click(selector)
    await scope.select_option("#calPop .cal-y", value[:4])
    await scope.select_option("#calPop .cal-m", str(int(value[5:7])))
    await scope.click(f"#calPop td.cal-d[data-date='{value}']")


async def _picker(scope: Any, name: str, codes: list[str]) -> None:
    await scope.click(f"#{name}_mc")
    for code in codes:  # every code is listed: clicked without searching, as casebot does
        await scope.click(f"#dlg-{name} li[data-code='{code}']")
    await scope.click(f"#dlg-{name} .dm-ok")


class Baseline:
    def __init__(self, urls: dict[str, str], launch: dict[str, Any]) -> None:
        self.urls = urls
        self.launch = launch
        #: seconds per card, in the order written
        self.card_seconds: list[tuple[str, float, int]] = []
        self._front: Any = None

    async def _to_front(self, page: Any) -> None:
        """Bring ``page`` to the front before clicking in it.

        In one context, a click that navigates a page other than the front one
        waits about 2 s (Chromium), so a script written for speed switches tabs.
        """
        if self._front is not page:
            await page.bring_to_front()
            self._front = page

    # -- logins ------------------------------------------------------------------------------
    async def _police(self, ctx: Any) -> Any:
        page = await ctx.new_page()
        await page.goto(self.urls["police"] + "/", wait_until="domcontentloaded")
        await page.fill("#username", USER)
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation(wait_until="domcontentloaded"):
            await page.click("#login-submit")
        return page

    async def _procuratorate(self, ctx: Any) -> tuple[Any, Any]:
        page = await ctx.new_page()
        await page.goto(self.urls["procuratorate"] + "/", wait_until="load")
        await page.fill("#username", USER)
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation(wait_until="load"):
            await page.click("#btnLogin")
        return page, page.frame(name="main")

    async def _court(self, ctx: Any) -> Any:
        page = await ctx.new_page()
        await page.goto(self.urls["court"] + "/case/new", wait_until="domcontentloaded")
        await page.fill("#username", USER)
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation(wait_until="domcontentloaded"):
            await page.click("#login-btn")
        await page.click("#notice-ack")  # the notice covering the first page after login
        return page

    # -- reads ---------------------------------------------------------------------------------
    async def _police_keys(self, page: Any) -> list[str]:
        url: str | None = self.urls["police"] + "/ajgl/ajlb?" + urlencode({"ajzt": "已移送起诉"})
        keys: list[str] = []
        while url:
            await page.goto(url, wait_until="domcontentloaded")
            got = await page.evaluate(LIST_JS)
            keys += got["keys"]
            url = got["next"]
        return keys

    async def _police_read(self, page: Any, key: str) -> Any:
        await page.goto(f"{self.urls['police']}/ajgl/ajxx?ajbh={quote(key, safe='')}", wait_until="domcontentloaded")
        return await page.evaluate(DETAIL_JS)

    async def _proc_keys(self, page: Any, frame: Any) -> list[str]:
        await self._to_front(page)
        async with frame.expect_navigation(wait_until="load"):
            await page.click("#menu-zhcx")
        await frame.select_option("#q_zt", "已起诉")
        async with frame.expect_navigation(wait_until="load"):
            await frame.click("#btnQuery")
        keys = [r["ysajbh"] for r in await frame.evaluate(ROWS_JS)]
        while await frame.locator("#pager a.pg-next").count():
            async with frame.expect_navigation(wait_until="load"):
                await frame.click("#pager a.pg-next")
            keys += [r["ysajbh"] for r in await frame.evaluate(ROWS_JS)]
        return keys

    async def _proc_read(self, page: Any, frame: Any, key: str) -> Any:
        await self._to_front(page)
        async with frame.expect_navigation(wait_until="load"):
            await page.click("#menu-zhcx")
        await frame.fill("#q_ysajbh", key)
        async with frame.expect_navigation(wait_until="load"):
            await frame.click("#btnQuery")
        async with frame.expect_navigation(wait_until="load"):
            await frame.click("#cxTable tbody tr.cx-row a.cx-view")
        return await frame.evaluate(VIEW_JS)

    # -- writes --------------------------------------------------------------------------------
    async def _proc_write(self, page: Any, frame: Any, card: dict[str, Any]) -> str:
        await self._to_front(page)
        async with frame.expect_navigation(wait_until="load"):
            await page.click("#menu-slaj")
        await frame.fill("#ysajbh", card["ysajbh"])
        await frame.fill("#ajmc", card["ajmc"])
        await frame.select_option("#ajlb", card["ajlb"])
        await _picker(frame, "ysdw", [card["ysdw"]])
        await _picker(frame, "ysay", card["ysay"])
        await _calendar(frame, "#slrq", card["slrq"])
        await frame.fill("#ajzy", card["ajzy"])
        await frame.click("#ajTabs .tab[data-pane='pane-xyr']")
        child = await (await frame.query_selector("#rkFrame")).content_frame()
        for p in card["xyr"]:
            async with child.expect_navigation(wait_until="load"):
                await frame.click("#btnAddRk")
            await child.fill("#xm", p["xm"])
            await child.fill("#bm", p["bm"])
            await child.select_option("#xb", p["xb"])
            await _calendar(child, "#csrq", p["csrq"])
            await child.select_option("#zjlx", p["zjlx"])
            await child.fill("#zjhm", p["zjhm"])
            await child.select_option("#gj", p["gj"])
            await child.select_option("#mz", p["mz"])
            await child.select_option("#xl", p["xl"])
            await child.fill("#zy", p["zy"])
            await child.fill("#hjdqh", p["hjdqh"])
            await child.fill("#hjdxz", p["hjdxz"])
            await child.fill("#xzz", p["xzz"])
            await child.check(f"input[name='sfwcn'][value='{p['sfwcn']}']")
            await child.select_option("#qzcs", p["qzcs"])
            if p["qzcsrq"]:
                await _calendar(child, "#qzcsrq", p["qzcsrq"])
            await child.select_option("#jycs", p["jycs"])
            await _picker(child, "ay", p["ay"])
            await child.click("#btnRkOk")
        async with frame.expect_navigation(wait_until="load"):
            await frame.click("#btnSave")
        return (await frame.text_content("#bmsah") or "").strip()

    async def _court_write(self, page: Any, card: dict[str, Any]) -> str:
        await self._to_front(page)
        await page.goto(self.urls["court"] + "/case/new", wait_until="domcontentloaded")
        await page.fill("#ay-input", card["ay"])
        await page.click(f"#ay-suggest[data-state=done] .ac-item[data-name='{card['ay']}']")
        await page.select_option("#gsjg", label=card["gsjg"])
        await page.fill("#qsswh", card["qsswh"])
        await page.locator("#sarq").press_sequentially(card["sarq"].replace("-", ""))
        await page.click("#btn-next-1")
        await page.wait_for_selector("#step-2:not([hidden])")
        for _ in card["bgr"][1:]:
            await page.click("#btn-add-bgr")
        for i, d in enumerate(card["bgr"]):
            row = page.locator("#bgr-rows .bgr-row").nth(i)
            await row.locator("input[name$='.xm']").fill(d["xm"])
            await row.locator(f"input[type=radio][name$='.xb'][value='{d['xb']}']").check()
            await row.locator("input[name$='.csrq']").press_sequentially(d["csrq"].replace("-", ""))
            # rows are blank as added: empty values are left alone
            if d["sfzh"]:
                await row.locator("input[name$='.sfzh']").fill(d["sfzh"])
            for name in ("mz", "whcd"):
                if d[name]:
                    await row.locator(f"select[name$='.{name}']").select_option(label=d[name])
            for name in ("zy", "zz"):
                if d[name]:
                    await row.locator(f"input[name$='.{name}']").fill(d[name])
            await row.locator("select[name$='.jyzt']").select_option(label=d["jyzt"])  # re-renders the rows
            for name in ("qzcs", "jycs"):
                if d[name]:
                    await row.locator(f"select[name$='.{name}']").select_option(label=d[name])
            if d["jyrq"]:
                await row.locator("input[name$='.jyrq']").press_sequentially(d["jyrq"].replace("-", ""))
        await page.click("#btn-next-2")
        await page.click("#btn-submit")
        return (await page.text_content(".toast-success .toast-ah") or "").strip()

    # -- routes --------------------------------------------------------------------------------
    async def run(self, prepared: Prepared) -> float:
        """Carry every card of ``prepared``; the wall time from browser launch to close."""
        from playwright.async_api import async_playwright

        jobs: dict[str, Job] = {j.key: j for j in prepared.jobs}
        t0 = time.perf_counter()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**self.launch)
            ctx = await browser.new_context(locale="zh-CN")
            police = await self._police(ctx)
            proc, frame = await self._procuratorate(ctx)
            if prepared.route == ROUTE_PROC:
                for key in await self._police_keys(police):
                    job = jobs.get(key)
                    if job is None:
                        continue
                    t = time.perf_counter()
                    await self._police_read(police, key)
                    await self._proc_write(proc, frame, job.card)
                    self.card_seconds.append((key, time.perf_counter() - t, job.suspects))
            else:
                court = await self._court(ctx)
                for key in await self._proc_keys(proc, frame):
                    job = jobs.get(key)
                    if job is None:
                        continue
                    t = time.perf_counter()
                    await self._proc_read(proc, frame, key)
                    await self._police_read(police, key)
                    await self._court_write(court, job.card)
                    self.card_seconds.append((key, time.perf_counter() - t, job.suspects))
            await ctx.close()
            await browser.close()
        return time.perf_counter() - t0


def main() -> None:
    from bench.workload import run_standalone

    run_standalone(Baseline, __doc__, default_cards=5)


if __name__ == "__main__":
    main()
