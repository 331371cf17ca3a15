"""A target whose pages are plain navigations: log in with a form, open a page, post a form.

Most vendors' systems are server-rendered: a login form posted and redirected,
pages opened by URL, a save posted and answered by a redirect (or the form
again, with its errors). :class:`FormTarget` does these steps the one way that
does not race (each click that navigates is awaited as a navigation; the page
read afterwards is the new one) and maps what comes back to casebot's errors,
so that an adapter for such a system is its form description plus the few
lines saying which pages to open.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urljoin

from casebot import errors
from casebot.kit.base import FieldSpec, Target
from casebot.kit.widgets import Form
from casebot.kit.widgets.outcome import Saved, SaveOutcome
from casebot.kit.widgets.tables import read_grid


def field_specs(items: list[dict[str, Any]]) -> tuple[FieldSpec, ...]:
    """FieldSpecs from a form description's ``fields:`` list (``children`` nested the same way)."""
    out = []
    for item in items:
        item = dict(item)
        kids = field_specs(item.pop("children", []))
        out.append(FieldSpec(**item, children=kids))
    return tuple(out)


class FormTarget(Target):
    """Helpers for a target with server-rendered pages; subclasses still say which pages and forms."""

    def drift(self) -> dict[str, tuple[str, str]]:
        """The drift noted by every :class:`~casebot.kit.widgets.Form` the adapter holds."""
        out: dict[str, tuple[str, str]] = {}
        for value in vars(self).values():
            if isinstance(value, Form):
                out.update(value.drift)
        return out

    def url(self, path: str) -> str:
        return urljoin(self.config.base_url.rstrip("/") + "/", path.lstrip("/"))

    async def go(self, page: Any, path: str) -> Any:
        """Open ``path``: ServerError on a 5xx, SessionExpired on the login page."""
        response = await page.goto(self.url(path), wait_until="domcontentloaded")
        await self.check_response(page, response)
        return response

    async def log_in_with_form(self, page: Any, path: str, sel: dict[str, str]) -> None:
        """Open the login page and submit the configured account (``sel``: username, password, submit,
        optional captcha and error); HumanRequired when the login page stays, with its message."""
        response = await page.goto(self.url(path), wait_until="domcontentloaded")
        self.raise_for_status(response)
        if not await self.is_login_page(page):
            return
        response = await self.submit_login_form(page, username=sel["username"], password=sel["password"],
                                                submit=sel["submit"], captcha=sel.get("captcha"))
        self.raise_for_status(response)
        if await self.is_login_page(page):
            shown = page.locator(sel["error"]) if sel.get("error") else None
            message = (await shown.inner_text()).strip() if shown and await shown.count() else "仍停留在登录页"
            raise errors.HumanRequired(self.name, f"登录失败：{message}")

    async def find_in_list(self, page: Any, path: str, table: dict[str, Any], **query: str) -> dict[str, Any] | None:
        """Open list page ``path`` with ``query`` as its parameters; the row whose fields equal the query.

        ``table``: ``{table: selector, columns: [{label, field, value}]}`` (see
        :class:`~casebot.kit.widgets.tables.Grid`).
        """
        await self.go(page, f"{path}?{urlencode(query)}")
        grid = await read_grid(page, table["table"])
        if grid is None:
            raise errors.PageChanged(self.name, table["table"])
        rows = grid.records(table["columns"])
        return next((r for r in rows if all(r.get(k) == v for k, v in query.items())), None)

    async def post_form(self, page: Any, submit: str, outcome: SaveOutcome) -> Saved:
        """Click ``submit`` and read the answer (post/redirect/get). Once the post is sent, a lost
        answer (connection dropped, 5xx) may hide a committed save: OutcomeUnknown."""
        from playwright.async_api import Error as PWError

        try:
            async with page.expect_navigation(wait_until="domcontentloaded") as nav:
                await page.locator(submit).click()
            response = await nav.value
        except PWError as exc:
            if "net::ERR" in str(exc) or "ERR_" in str(exc):
                raise errors.OutcomeUnknown(f"{self.name}: 保存请求已发出，应答丢失") from exc
            raise
        if await self.is_login_page(page):
            self._logged_in = False
        return await outcome.read(page, response)
