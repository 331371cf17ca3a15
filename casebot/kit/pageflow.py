"""The form base: a system described by its ``form.yaml``, whose pages are plain navigations.

Most vendors' systems are server-rendered: a login form posted and redirected,
pages opened by URL, a save posted and answered by a redirect (or the form
again, with its errors), sub-forms in wizards or dialogs. :class:`FormPages`
(a source's or a target's base) reads the adapter's form description — the
login, the pages, the system notice, the forms, the card's fields — and
:class:`FormTarget` adds posting a form, a wizard's steps, cards entered in a
dialog, lists and record pages read back. Each step is done the one way that
does not race (each click that navigates is awaited as a navigation; the page
read afterwards is the new one) and what comes back is mapped to casebot's
errors, so that an adapter is its form description plus the few lines saying
which pages to open, the searches it offers and what is its system's own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode, urljoin

import yaml

from casebot import errors
from casebot.domain.changes import CardDiff
from casebot.kit.base import Adapter, FieldSpec, Target
from casebot.kit.widgets import Form
from casebot.kit.widgets.dialog import FrameDialog, messages
from casebot.kit.widgets.outcome import Saved, SaveOutcome
from casebot.kit.widgets.rows import apply_row_changes
from casebot.kit.widgets.tables import form_values, read_grid, snapshot_tables


def field_specs(items: list[dict[str, Any]]) -> tuple[FieldSpec, ...]:
    """FieldSpecs from a form description's ``fields:`` list (``children`` nested the same way)."""
    out = []
    for item in items:
        item = dict(item)
        kids = field_specs(item.pop("children", []))
        out.append(FieldSpec(**item, children=kids))
    return tuple(out)


def described_at(ui: dict[str, Any], where: str) -> Any:
    """The part of a form description at dotted path ``where`` (None when there is none)."""
    part: Any = ui
    for key in where.split("."):
        if not isinstance(part, dict) or key not in part:
            return None
        part = part[key]
    return part


class form_named:
    """A class attribute standing for one form of the class's description: ``case_form = form_named("case")``
    (set on an instance or a class, another form takes its place)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type[FormPages]) -> Form:
        return owner.forms[self.name]


class FormPages(Adapter):
    """A system whose pages, login and card are described in the adapter's ``form.yaml`` (``form_file``).

    From that description the kit logs in (``login:``), builds URLs (``pages:``), opens pages (a 5xx is
    ServerError, the login page SessionExpired, a system notice over the page closed: ``notice:``), holds
    the forms (``forms:``, :attr:`forms`) and the card's fields (``card``: where in the file they are
    listed). A subclass says only what its system does differently.
    """

    #: the adapter's form description; its parsed content is :attr:`ui`
    form_file: ClassVar[Path]
    ui: ClassVar[dict[str, Any]]
    #: where in :attr:`ui` this class's card fields are listed (a dotted path: ``kinds.judgment.fields``)
    card: ClassVar[str] = "fields"

    #: every form of the description, by name (built once for the class)
    forms: ClassVar[dict[str, Form]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "form_file" in cls.__dict__:
            cls.ui = yaml.safe_load(Path(cls.form_file).read_text(encoding="utf-8"))
            cls.forms = {n: Form.from_items(n, items, getattr(cls, "name", ""), str(cls.form_file))
                         for n, items in (cls.ui.get("forms") or {}).items()}
        if "fields" in cls.__dict__ or not hasattr(cls, "ui"):
            return
        if "form_file" in cls.__dict__ or "card" in cls.__dict__:
            described = described_at(cls.ui, cls.card)
            if described is not None:
                cls.fields = field_specs(described)  # type: ignore[attr-defined]

    def drift(self) -> dict[str, tuple[str, str]]:
        """The drift noted by every :class:`~casebot.kit.widgets.Form` the adapter holds."""
        out: dict[str, tuple[str, str]] = {}
        held = [*vars(self).values(), *self.forms.values()]
        for value in held:
            if isinstance(value, Form):
                out.update(value.drift)
        return out

    def url(self, path: str) -> str:
        """``path`` (a path of ``pages:``, or a link read from a page) on the configured system."""
        return urljoin(self.config.base_url.rstrip("/") + "/", path.lstrip("/"))

    def path(self, page_name: str, **params: str) -> str:
        """The path of page ``page_name`` of ``pages:``, its ``{placeholders}`` filled with ``params``
        (quoted)."""
        path = self.ui["pages"][page_name]
        return path.format(**{k: quote(str(v), safe="") for k, v in params.items()})

    async def visit(self, page: Any, path: str, *, wait_until: str = "domcontentloaded") -> Any:
        """Navigate to ``path`` (or a full URL); ServerError on a 5xx. Nothing else is looked at."""
        target = path if "://" in path else self.url(path)
        response = await page.goto(target, wait_until=wait_until)
        self.raise_for_status(response)
        return response

    async def go(self, page: Any, path: str, *, wait_until: str = "domcontentloaded") -> Any:
        """Open ``path``: ServerError on a 5xx, SessionExpired on the login page; a notice closed."""
        response = await self.visit(page, path, wait_until=wait_until)
        await self.check_response(page, response)
        await self.dismiss_notice(page)
        return response

    async def settle(self, scope: Any, response: Any, ready: str | None) -> None:
        """*override*: after a page loaded in ``scope`` (a page or a frame): a 5xx is ServerError, the login
        form SessionExpired, ``ready`` not shown PageChanged; a system notice is closed."""
        self.raise_for_status(response)
        if await scope.locator(self.ui["login"]["form"]).count():
            self._logged_in = False
            raise errors.SessionExpired(f"{self.name}: 会话已过期")
        if ready and not await scope.locator(ready).count():
            raise errors.PageChanged(self.name, ready)
        await self.dismiss_notice(scope)

    async def is_login_page(self, page: Any) -> bool:
        """Whether the page, or one of its frames, shows the login form (``login.form``)."""
        form = self.ui["login"]["form"]
        if await page.locator(form).count():
            return True
        main = getattr(page, "main_frame", None)
        for frame in main.child_frames if main is not None else ():
            if await frame.locator(form).count():
                return True
        return False

    async def login(self, page: Any) -> None:
        """Open the login page (``login.page``, else ``pages.login``) and submit the configured account
        (``login``: username, password, submit, optional captcha and error), awaiting the login's
        navigation; HumanRequired when the login page stays, with its message. Then :meth:`landed`."""
        sel = self.ui["login"]
        wait = sel.get("wait_until", "domcontentloaded")
        await self.visit(page, sel.get("page") or self.ui["pages"]["login"], wait_until=wait)
        if await self.is_login_page(page):
            response = await self.submit_login_form(page, username=sel["username"], password=sel["password"],
                                                    submit=sel["submit"], captcha=sel.get("captcha"),
                                                    wait_until=wait)
            self.raise_for_status(response)
            if await self.is_login_page(page):
                if sel.get("captcha") and await page.locator(sel["captcha"]).count():
                    raise errors.HumanRequired(self.name, "登录页要求输入验证码")
                shown = await messages(page, sel["error"]) if sel.get("error") else []
                raise errors.HumanRequired(self.name, f"登录失败：{'；'.join(shown) or '仍停留在登录页'}")
        await self.landed(page)

    async def landed(self, page: Any) -> None:
        """*override*: what to do on the page a login lands on (by default: close a system notice)."""
        await self.dismiss_notice(page)

    async def dismiss_notice(self, scope: Any) -> None:
        """Close the system notice (``notice: {box, close}``) if the page shows one (no waiting for it)."""
        notice = self.ui.get("notice")
        if not notice:
            return
        close = scope.locator(notice["close"])
        if await close.is_visible():
            await close.click()
            await scope.locator(notice["box"]).first.wait_for(state="hidden")


class FormTarget(FormPages, Target):
    """A target with server-rendered pages: the kit's pages, plus posting forms, wizards and lists."""

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

    async def fill_form(self, form: Form, scope: Any, data: dict[str, Any]) -> None:
        """Fill ``form`` in ``scope`` (a page or a frame); a control waited for in vain that is not on the
        page is PageChanged (naming it), not a timeout."""
        from playwright.async_api import TimeoutError as PWTimeout

        try:
            await form.fill(scope, data)
        except PWTimeout:
            await form.require(scope)
            raise

    async def read_view(self, scope: Any, form: str, *, where: str = "") -> dict[str, Any]:
        """A record's page read through form ``form`` of the description (its label/value and row tables,
        in one round trip; each binding's ``value`` kind says how a cell becomes the card's value)."""
        described = self.forms[form]
        return form_values(described, await snapshot_tables(scope, described), where=where, system=self.name)

    async def list_rows(self, scope: Any, table: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of a list on the page (``table``: ``{table, columns, empty_row}``), read in one round trip;
        PageChanged when the table or one of its columns is gone."""
        grid = await read_grid(scope, table["table"], empty_row=table.get("empty_row", "tr.empty"))
        if grid is None:
            raise errors.PageChanged(self.name, table["table"], label=table.get("label"))
        try:
            return grid.records(table["columns"])
        except KeyError as exc:
            raise errors.PageChanged(self.name, f"{table['table']}的列“{exc.args[0]}”",
                                     label=table.get("label")) from None

    # -- a wizard (``wizard:``): one form per step, each 下一步 showing the next step or the step's errors ------
    async def fill_wizard(self, page: Any, card: dict[str, Any], changes: CardDiff | None = None) -> None:
        """Fill each step of ``wizard.steps`` (``{form, next, shows, errors}``) with the card and go on
        to the next; RejectedError with the step's messages when it refuses to.

        With ``changes`` (an edit of a record): only the changed fields are typed; a ``rows`` field's
        changed rows are removed, edited or added (:func:`~casebot.kit.widgets.rows.apply_row_changes`)."""
        for step in self.ui["wizard"]["steps"]:
            form = self.forms[step["form"]]
            if changes is None:
                await form.fill(page, card)
            else:
                await form.fill(page, {k: card.get(k, "") for k in changes.fields
                                       if k in {b.field for b in form.bindings} and k not in changes.rows})
                for b in form.bindings:
                    if changes.rows.get(b.field):
                        await apply_row_changes(page, form, b, changes.rows[b.field], self.title)
            await self.next_step(page, step)

    async def next_step(self, page: Any, step: dict[str, str]) -> None:
        await page.locator(step["next"]).click()
        await page.locator(f"{step['shows']}, {step['errors']}").first.wait_for()
        problems = page.locator(step["errors"])
        if await problems.count():
            items = [t.strip() for t in await problems.locator(step.get("error_items", "li")).all_inner_texts()]
            raise errors.RejectedError("；".join(items) or (await problems.inner_text()).strip())

    async def wizard_missing(self, page: Any) -> list[str]:
        """Labels of the wizard's fields, buttons and submit not on the page (for ``doctor``)."""
        w = self.ui["wizard"]
        gone = []
        for step in w["steps"]:
            gone += [b.label for b in await self.forms[step["form"]].missing(page)]
        for step in w["steps"]:
            if not await page.locator(step["next"]).count():
                gone.append(step["label"])
        if not await page.locator(w["submit"]).count():
            gone.append(w.get("submit_label", "提交"))
        return gone

    # -- cards entered in a dialog (``cards:``): one per item, the dialog's form in an iframe of its own ------
    def _dialog(self, scope: Any, spec: dict[str, Any], opener: str | None = None) -> FrameDialog:
        return FrameDialog(scope, open=opener or spec["open"], frame=spec["frame"], system=self.name)

    async def _enter_card(self, scope: Any, spec: dict[str, Any], child: Any, opener: str | None,
                          item: dict[str, Any], row: int) -> None:
        response = await self._dialog(scope, spec, opener).show(child)
        await self.settle(child, response, spec["ready"])
        await self.fill_form(self.forms[spec["form"]], child, item)
        await child.locator(spec["ok"]).click()
        if spec.get("layer"):
            await scope.locator(spec["layer"]).wait_for(state="hidden")
        await scope.locator(spec["rows"]).nth(row).wait_for(state="attached")

    async def add_cards(self, scope: Any, name: str, items: list[dict[str, Any]]) -> None:
        """Enter each of ``items`` as a new card of ``cards.<name>`` (``{tab, open, frame, ready, form, ok,
        layer, rows}``): the tab shown, the dialog opened and its frame checked (:meth:`settle`), its form
        filled, OK clicked, the new row awaited in the list of cards."""
        spec = self.ui["cards"][name]
        if spec.get("tab"):
            await scope.locator(spec["tab"]).click()
        child = await self._dialog(scope, spec).frame_of()
        start = await scope.locator(spec["rows"]).count()
        for i, item in enumerate(items):
            await self._enter_card(scope, spec, child, None, item, start + i)

    async def edit_cards(self, scope: Any, name: str, changes: list[Any]) -> None:
        """Apply an edit's row changes to the cards of ``cards.<name>``, each found by its identity (ID
        number, else name) in the data each row holds (``data``: a JSON value): removed ones deleted
        (``delete``), edited ones opened (``edit``) and only their changed fields typed, new ones added."""
        if not changes:
            return
        spec = self.ui["cards"][name]
        fields = {b.field for b in self.forms[spec["form"]].bindings}
        rows = scope.locator(spec["rows"])
        if spec.get("tab"):
            await scope.locator(spec["tab"]).click()
        for ch in (c for c in changes if c.kind == "removed"):
            index = await self._card_of(scope, spec, ch.who)
            count = await rows.count()
            await rows.nth(index).locator(spec["delete"]).click()
            await rows.nth(count - 1).wait_for(state="detached")
        child = await self._dialog(scope, spec).frame_of()
        for ch in (c for c in changes if c.kind != "removed"):
            if ch.kind == "edited":
                index = await self._card_of(scope, spec, ch.who)
                opener = f"{spec['rows']}:nth-child({index + 1}) {spec['edit']}"
                data = {k: ch.row[k] for k in ch.fields if k in fields}
            else:
                index, opener, data = await rows.count(), None, ch.row
            await self._enter_card(scope, spec, child, opener, data, index)

    async def _card_of(self, scope: Any, spec: dict[str, Any], who: str) -> int:
        from casebot.domain.changes import row_identity, shown_path

        held = await scope.locator(f"{spec['rows']} {spec['data']}").evaluate_all(
            "els => els.map(e => JSON.parse(e.value))")
        for i, item in enumerate(held):
            if row_identity(item) == who:
                return i
        shown = shown_path("[" + who + "]")
        raise errors.BusinessError(f"{self.title}的记录中找不到要修改的{spec.get('label', '')}（{shown}）")

    async def cards_missing(self, scope: Any, name: str) -> list[str]:
        """Labels of the dialog's fields not on its page, the dialog opened and cancelled (for ``doctor``)."""
        spec = self.ui["cards"][name]
        if spec.get("tab"):
            await scope.locator(spec["tab"]).click()
        dialog = self._dialog(scope, spec)
        child = await dialog.frame_of()
        await self.settle(child, await dialog.show(child), None)
        missing = [b.label for b in await self.forms[spec["form"]].missing(child)]
        if spec.get("cancel") and await child.locator(spec["cancel"]).count():
            await child.locator(spec["cancel"]).click()
        return missing
