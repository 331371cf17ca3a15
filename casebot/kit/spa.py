"""A target that is a single-page app: its pages drawn by script, its data and saves sent as JSON.

Beside :class:`~casebot.kit.pageflow.FormTarget` (pages that navigate), :class:`AppTarget` does what
such an app needs, the one way that does not race:

- **login** (:meth:`AppTarget.log_in_with_api`): the app draws its login form or its own view only
  once its script ran, so the page is read when one of the two is shown, never before. The
  account is typed and the login's *request* is followed to its answer, without waiting for a
  navigation (there is none). A 2xx answer logs in once the form is gone; any other answer (a
  refused password, a 403 page, the form still there) is a refusal: HumanRequired with the app's
  message, and the login cap applies (the password is not tried again until a person acts);
- **opening a view** (:meth:`AppTarget.open`): a 5xx is ServerError, the login form SessionExpired.
  An app that routes with the History API (``routing: history`` in its form description) is moved
  between its views as its own links move it (``pushState`` and ``popstate``) once this adapter has
  opened a view in the page: loading the app again costs its whole script (0.8 CPU-seconds a view for
  an app on ant-design-vue, against 0.06 for a move inside it). After any failure the next view is
  loaded afresh;
- **saves** (:meth:`AppTarget.send`): the click's request is followed to its answer. No request
  because the form's own validation held it is a refusal (RejectedError with the messages shown);
  a request whose answer is lost, cut short or unreadable, or a 5xx, is OutcomeUnknown (the save may
  have been committed); 401 SessionExpired; 409 (or a message with ``duplicate``) AlreadyExists;
  another 4xx RejectedError with the system's message, naming the field by its label;
- **lists and records** (:meth:`AppTarget.find_in_app`, :meth:`AppTarget.read_in_app`): the view is
  opened, the answer to the request for its data awaited and drawn, and only then read. A list that
  draws no table has no hits; ``-`` (``blank``) is an empty value.

What the adapter relies on is data in its ``form.yaml`` (``login``, ``save``, ``list``, ``record``),
described in docs/adding-an-adapter.md.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from casebot import errors
from casebot.domain.privacy import mask_names_in
from casebot.kit import logins
from casebot.kit.pageflow import FormTarget
from casebot.kit.widgets import Form
from casebot.kit.widgets.dialog_rows import INVALID, NOT_DATA
from casebot.kit.widgets.tables import form_values, read_grid, snapshot_tables

#: two animation frames: what a script set after an answer is drawn by then
_DRAWN = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
#: a move inside an app that routes with the History API, as its links make it; resolved once drawn
_ROUTE = ("path => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate', {state: null}));"
          f" return ({_DRAWN})(); }}")


def _path_is(path: str) -> Any:
    return lambda url: urlsplit(url).path.rstrip("/") == path.rstrip("/")


class AppTarget(FormTarget):
    """Helpers for a target that is a single-page app; subclasses still say which views and forms.

    ``ui`` is the adapter's form description (``login``, ``save``, ``list``, ``record`` sections).
    """

    ui: dict[str, Any]

    async def is_login_page(self, page: Any) -> bool:
        return await page.locator(self.ui["login"]["form"]).is_visible()

    async def _first(self, page: Any, *waits: Any) -> int:
        """Index of the first of ``waits`` (locators awaited visible, or futures) to come; PageTimeout."""
        tasks = [asyncio.ensure_future(w.wait_for(state="visible") if hasattr(w, "wait_for") else w) for w in waits]
        try:
            done, _ = await asyncio.wait(tasks, timeout=self.config.timeout_ms / 1000,
                                         return_when=asyncio.FIRST_COMPLETED)
            for i, t in enumerate(tasks):
                if t in done and not t.exception():
                    return i
            if done:
                raise next(iter(done)).exception()  # type: ignore[misc]
            raise errors.PageTimeout(f"{self.name}: 页面在 {self.config.timeout_ms} 毫秒内没有显示")
        finally:
            for t in tasks:
                if not t.done():
                    t.cancel()

    def _watch(self, page: Any, event: str, test: Any) -> asyncio.Future[Any]:
        """A future set by the first ``event`` (request, response) that passes ``test``."""
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def on(item: Any) -> None:
            if not fut.done() and test(item):
                fut.set_result(item)

        page.on(event, on)
        fut.add_done_callback(lambda _: page.remove_listener(event, on))
        return fut

    async def open(self, page: Any, path: str, ready: str, *, data: str | None = None) -> Any:
        """Open view ``path`` and wait until it shows ``ready`` (or, with ``data``, until the answer
        to that GET is drawn); returns that answer. ServerError on a 5xx, SessionExpired on the login form."""
        answer = self._watch(page, "response", lambda r: r.request.method == "GET" and _path_is(data)(r.url)) \
            if data else None
        inside, self._app_page = self._app_page is page and self._same_app(page), None
        try:
            if inside:
                await page.evaluate(_ROUTE, urlsplit(self.url(path))._replace(scheme="", netloc="").geturl())
            else:
                response = await page.goto(self.url(path), wait_until="domcontentloaded")
                self.raise_for_status(response)
            login = page.locator(self.ui["login"]["form"])
            if await self._first(page, login, answer or page.locator(ready)) == 0:
                self._logged_in = False
                raise errors.SessionExpired(f"{self.name}: 会话已过期")
        finally:
            if answer is not None and not answer.done():
                answer.cancel()
        if answer is None:
            self._routed(page)
            return None
        got = answer.result()
        self.raise_for_status(got)
        await got.finished()
        await page.evaluate(_DRAWN)
        if got.status in (401, 419) or await self.is_login_page(page):
            self._logged_in = False
            raise errors.SessionExpired(f"{self.name}: 会话已过期")
        self._routed(page)
        return got

    #: the page in which this adapter last opened a view of the app without a failure
    _app_page: Any = None

    def _routed(self, page: Any) -> None:
        """``page`` shows the app, opened by this adapter: with ``routing: history``, the next view is
        reached inside it."""
        if self.ui.get("routing") == "history":
            self._app_page = page

    def _same_app(self, page: Any) -> bool:
        here, base = urlsplit(page.url), urlsplit(self.config.base_url)
        return (here.scheme, here.netloc) == (base.scheme, base.netloc)

    async def login(self, page: Any) -> None:
        await self.log_in_with_api(page)

    async def log_in_with_api(self, page: Any) -> None:
        sel = self.ui["login"]
        response = await page.goto(self.url(sel["page"]), wait_until="domcontentloaded")
        self.raise_for_status(response)
        form = page.locator(sel["form"])
        if await self._first(page, form, page.locator(sel["ready"])) == 1:
            return  # the session is still alive: the app went straight to its view
        creds = self.config.credentials
        if creds is None:
            raise errors.HumanRequired(self.name, "未配置登录账号")
        if sel.get("captcha") and await page.locator(sel["captcha"]).count():
            raise errors.HumanRequired(self.name, "登录页要求输入验证码")
        logins.submitting(self.config)  # LoginBlocked if these credentials were refused before
        await page.locator(sel["username"]).fill(creds.username)
        await page.locator(sel["password"]).fill(creds.password)
        status, _body = await self._exchange(page, sel["submit"], sel["api"], login=True)
        if 200 <= status < 300 and await self._first(page, page.locator(sel["ready"]),
                                                     page.locator(sel["error"])) == 0:
            return
        shown = page.locator(sel["error"])
        message = (await shown.first.inner_text()).strip() if await shown.count() else ""
        raise errors.HumanRequired(self.name, f"登录失败：{message or f'系统应答 {status}'}")

    async def _exchange(self, page: Any, submit: str, api: str, *, invalid: str | None = None,
                        login: bool = False, card: dict[str, Any] | None = None) -> tuple[int, Any]:
        """Click ``submit`` and follow its POST to ``api`` to the answer: (status, JSON body or None)."""
        def ours(r: Any) -> bool:
            return r.method in ("POST", "PUT") and _path_is(api)(r.url)

        # watched before the click: the answer may be read whole before the request is even looked at
        sent, ended, failed = (self._watch(page, e, ours) for e in ("request", "requestfinished", "requestfailed"))
        try:
            return await self._exchanged(page, submit, sent, ended, failed, invalid, login, card)
        finally:
            for f in (sent, ended, failed):
                if not f.done():
                    f.cancel()

    async def _exchanged(self, page: Any, submit: str, sent: Any, ended: Any, failed: Any, invalid: str | None,
                         login: bool, card: dict[str, Any] | None) -> tuple[int, Any]:
        await page.locator(submit).click()
        held = [page.locator(invalid).locator("visible=true").first] if invalid else []
        if await self._first(page, sent, *held) == 1:
            problems = [t.strip() for t in await page.locator(invalid).locator("visible=true").all_inner_texts()]
            raise errors.RejectedError("表单校验未通过：" + "；".join(mask_names_in(p, card or {}) for p in problems))
        request = sent.result()
        lost = f"{self.name}: {'登录' if login else '保存'}请求已发出，应答丢失或不完整"
        # the request's end, as the browser saw it: finished (answer read whole) or failed (cut, truncated)
        try:
            outcome = await self._first(page, ended, failed)
        except errors.PageTimeout:
            outcome = 1
        response = await request.response() if outcome == 0 else None
        if response is None:
            if login:
                raise errors.ServerError(lost)
            raise errors.OutcomeUnknown(lost)
        try:
            body = json.loads(await response.body())
        except Exception:
            body = None
        if response.status >= 500:
            if login:
                raise errors.ServerError(f"{self.name}: 系统返回 {response.status}")
            raise errors.OutcomeUnknown(f"{self.name}: 保存后系统返回 {response.status}，无法确认是否已保存")
        if not login and 200 <= response.status < 300 and not isinstance(body, dict):
            raise errors.OutcomeUnknown(f"{self.name}: 保存后的应答无法读取，无法确认是否已保存")
        return response.status, body

    async def send(self, page: Any, card: dict[str, Any]) -> dict[str, Any]:
        """Click the save button (``save.submit``) and read the answer of its POST to ``save.api``;
        the answer's JSON on a 2xx, else the error it means (see the module)."""
        ui = self.ui["save"]
        status, body = await self._exchange(page, ui["submit"], ui["api"], invalid=ui.get("invalid", INVALID),
                                            card=card)
        if 200 <= status < 300:
            return body
        if status in (401, 419):
            self._logged_in = False
            raise errors.SessionExpired(f"{self.name}: 会话已过期")
        body = body if isinstance(body, dict) else {}
        reason = mask_names_in(str(body.get(ui.get("message", "error")) or f"系统拒绝保存（{status}）"), card)
        if status == 409 or (ui.get("duplicate") and ui["duplicate"] in reason):
            raise errors.AlreadyExists(reason)
        if status == 403:
            raise errors.HumanRequired(self.name, f"系统拒绝了保存请求（403）：{reason}")
        label = self._label(str(body.get(ui.get("field", "field")) or ""))
        raise errors.RejectedError(reason, field=label)

    def _label(self, name: str) -> str | None:
        def walk(specs: Any) -> str | None:
            for s in specs:
                if s.name == name:
                    return s.label
                found = walk(s.children)
                if found:
                    return found
            return None

        return walk(self.fields) if name else None

    async def find_in_app(self, **query: str) -> dict[str, Any] | None:
        """The list view searched by ``query`` (card fields; ``list.query`` names their URL parameters),
        read once its data is drawn: the row whose fields equal the query; None when no row does."""
        ui = self.ui["list"]
        page = await self.page()
        params = {ui.get("query", {}).get(k, k): v for k, v in query.items()}
        await self.open(page, f"{ui['path']}?{urlencode(params)}", ui["table"], data=ui["api"])
        grid = await read_grid(page, ui["table"], empty_row=ui.get("empty_row", NOT_DATA))
        if grid is None:
            return None  # no table: nothing matched
        blank = ui.get("blank")
        rows = [{k: "" if v == blank else v for k, v in r.items()} for r in grid.records(ui["columns"])]
        return next((r for r in rows if all(r.get(k) == v for k, v in query.items())), None)

    async def read_in_app(self, path: str, form: Form) -> dict[str, Any]:
        """A record's view ``path``, read (through ``form``'s tables) once its data is drawn."""
        ui = self.ui["record"]
        page = await self.page()
        view = urlsplit(path).path  # a link read from a list is absolute
        await self.open(page, view, ui["ready"], data=ui["api"].format(path=view, id=view.rsplit("/", 1)[-1]))
        rec = form_values(form, await snapshot_tables(page, form), system=self.name)
        blank = ui.get("blank")

        def clean(v: Any) -> Any:
            if isinstance(v, list):
                return [{k: clean(x) for k, x in item.items()} for item in v]
            return "" if v == blank else v

        return {k: clean(v) for k, v in rec.items()}
