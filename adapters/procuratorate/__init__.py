"""检察业务应用系统 (the procuratorate's system): a target for police cases, a source of 起诉 facts.

Everything goes through the system's pages, as a clerk works:

- the shell (left menu, every page in the ``main`` iframe): 案件受理 opens the
  case card (案卡); 综合查询 searches records by 移送案件编号 / 部门受案号 / 状态;
- the case card: tab 受理情况 (移送单位 / 移送案由 in code-picker dialogs, dates
  through the calendar popup), tab 犯罪嫌疑人情况 (one person card per suspect,
  entered in a dialog whose form lives in its own iframe), then 保存: a red box
  lists every failure of the 案卡质量检查, or ``保存成功`` shows the 部门受案号;
- a record's view page shows every field, codes in ``data-code`` attributes.

The card (what :meth:`write` takes and :meth:`read_back` returns)::

    {ysajbh, ajmc, ajlb, ysdw, ysay: [codes], slrq, ajzy,
     xyr: [{xm, bm, xb, csrq, zjlx, zjhm, gj, mz, xl, zy, hjdqh, hjdxz, xzz,
            sfwcn, qzcs, qzcsrq, jycs, ay: [codes]}]}

:meth:`read` (as a source) returns the stored record: the card plus
``bmsah``, ``zt``, ``qsswh``, ``qsrq``. Where the controls are is in
``form.yaml`` beside this module.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from casebot import errors
from casebot.domain.changes import CardDiff
from casebot.domain.keys import same_key, search_term, search_terms
from casebot.domain.matching import Candidate, Identity, match_person, names_of
from casebot.domain.privacy import mask_names_in
from casebot.kit.base import Listing, RecordRef, Source, merged_listing
from casebot.kit.pageflow import FormTarget, form_named
from casebot.kit.widgets import css_string
from casebot.kit.widgets.dialog import messages

CASE_KEYS = ("ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "xyr")
RECORD_KEYS = ("bmsah", "ysajbh", "ajmc", "ajlb", "ysdw", "ysay", "slrq", "ajzy", "zt", "qsswh", "qsrq", "xyr")
PERSON_KEYS = ("xm", "bm", "xb", "csrq", "zjlx", "zjhm", "gj", "mz", "xl", "zy", "hjdqh", "hjdxz", "xzz",
               "sfwcn", "qzcs", "qzcsrq", "jycs", "ay")
LIST_FILTERS = ("zt", "ysajbh", "bmsah")
#: the search criteria beyond the key (see :meth:`ProcuratorateAdapter.find_match`)
SECOND_IDENTITY = ("zjhm", "ysdw", "ysay", "slrq_from", "slrq_to")
DUPLICATE = "该案件已受理"

#: what a document in the shell or its iframes shows: the login form, the error page,
#: a notice over the page, the expected page (``ok``) or something else (``missing``)
_STATE_JS = """([ready, login, error, notice]) => {
  if (document.querySelector(login)) return 'login';
  if (document.querySelector(error)) return 'error';
  if (ready && !document.querySelector(ready)) return 'missing';
  return document.querySelector(notice) ? 'notice' : 'ok';
}"""

#: the view page, parsed in one go: data-field cells; codes in data-code, lists in data-list
_VIEW_JS = """([caseSel, personSel]) => {
  const val = (el) => {
    if (el.hasAttribute('data-list')) {
      return [...el.querySelectorAll('[data-code]')].map(s => s.getAttribute('data-code'));
    }
    if (el.hasAttribute('data-code')) return el.getAttribute('data-code');
    return el.textContent.trim();
  };
  const rec = {};
  document.querySelectorAll(caseSel).forEach(el => { rec[el.dataset.field] = val(el); });
  rec.xyr = [...document.querySelectorAll(personSel)].map(card => {
    const p = {};
    card.querySelectorAll('[data-field]').forEach(el => { p[el.dataset.field] = val(el); });
    return p;
  });
  return rec;
}"""

#: the search result rows, in one go
_ROWS_JS = """([rowSel, cellSel]) => [...document.querySelectorAll(rowSel)].map(tr => {
  const r = {};
  tr.querySelectorAll(cellSel).forEach(td => {
    r[td.dataset.col] = td.hasAttribute('data-code') ? td.getAttribute('data-code') : td.textContent.trim();
  });
  return r;
})"""


@functools.cache
def _units() -> dict[str, dict[str, str]]:
    from casebot.domain.codes import CodeTables
    from mappings import MAPPINGS_DIR

    return CodeTables.load(MAPPINGS_DIR / "codes")["units"].index("ysdw_code")


def _identity(card: dict[str, Any]) -> Identity:
    """What identifies the card's case: key, suspects' ID numbers and names, main charge, unit, 受理日期."""
    persons = card.get("xyr") or []
    return Identity(key=str(card.get("ysajbh") or ""),
                    ids=frozenset(p["zjhm"] for p in persons if p.get("zjlx") == "111" and p.get("zjhm")),
                    names=names_of("、".join(p.get("xm") or "" for p in persons)),
                    charge=(card.get("ysay") or [""])[0], unit=card.get("ysdw") or "", date=card.get("slrq") or "")


def _candidate(row: dict[str, Any], by: str, ids: frozenset[str] = frozenset()) -> Candidate:
    """A 综合查询 row as a match candidate."""
    return Candidate(record_id=row.get("bmsah") or "", by=by, identity=Identity(
        key=row.get("ysajbh") or "", ids=ids, names=names_of(row.get("xyr") or ""),
        charge=(row.get("ysay") or "").split(",")[0], unit=row.get("ysdw") or "", date=row.get("slrq") or ""))


def _same_row(held: Candidate | None, row: dict[str, Any]) -> bool:
    """Whether a 综合查询 row is the record a run's listing holds, as it holds it (ID numbers aside)."""
    if held is None:
        return False
    shown = _candidate(row, "key").identity
    return replace(held.identity, ids=frozenset()) == shown


class ProcuratorateAdapter(FormTarget, Source):
    """检察业务应用系统: writes case cards (案卡 + 人卡), reads records and their 起诉 facts."""

    name = "procuratorate"
    title = "检察业务应用系统"
    key_field = "ysajbh"
    record_kind = "procuratorate_record"
    lists_regions = True
    form_file = Path(__file__).with_name("form.yaml")

    #: the 案件类别 of the cards this class writes and reads (each kind searches its own)
    category: ClassVar[str] = "审查起诉"
    case_keys: ClassVar[tuple[str, ...]] = CASE_KEYS
    record_keys: ClassVar[tuple[str, ...]] = RECORD_KEYS

    case_form = form_named("case")

    # -- pages -------------------------------------------------------------------------
    def _content(self, page: Any) -> Any:
        """The shell's content iframe (a Playwright Frame, the same across its navigations)."""
        name = self.ui["shell"]["content_frame"]
        frame = page.frame(name=name)
        if frame is None:
            raise errors.PageChanged(self.name, f"iframe[name={name}]")
        return frame

    async def _state(self, scope: Any, ready: str | None) -> str:
        ui = self.ui
        return await scope.evaluate(_STATE_JS, [ready, ui["login"]["form"], ui["error_page"], ui["notice"]["box"]])

    async def settle(self, scope: Any, response: Any, ready: str | None) -> None:
        """After a page loaded in ``scope``: 500 / login page / missing element -> errors; close a notice."""
        self.raise_for_status(response)
        state = await self._state(scope, ready)
        if state == "login":
            raise errors.SessionExpired(f"{self.name}: 会话已过期")
        if state == "error":
            raise errors.ServerError(f"{self.name}: 系统异常页面")
        if state == "missing":
            raise errors.PageChanged(self.name, ready or "")
        if state == "notice":
            await self.dismiss_notice(scope)

    async def _navigate(self, frame: Any, trigger: Callable[[], Awaitable[Any]], ready: str | None) -> Any:
        """Run ``trigger`` (a click) and wait for ``frame``'s new page; check it."""
        async with frame.expect_navigation(wait_until="load") as nav:
            await trigger()
        await self.settle(frame, await nav.value, ready)
        return frame

    async def landed(self, page: Any) -> None:
        await self.settle(page, None, self.ui["shell"]["ready"])  # the shell, a notice closed

    async def _shell(self) -> tuple[Any, Any]:
        """The logged-in page showing the shell, and its content frame."""
        page = await self.page()
        if page.url.rstrip("/") != self.url(self.ui["shell"]["path"]).rstrip("/"):
            response = await self.visit(page, self.ui["shell"]["path"], wait_until="load")
            await self.settle(page, response, self.ui["shell"]["ready"])
        return page, self._content(page)

    async def _menu(self, page: Any, menu: str, ready: str) -> Any:
        frame = self._content(page)
        return await self._navigate(frame, lambda: page.locator(menu).click(), ready)

    # -- Target ------------------------------------------------------------------------
    async def _write(self, card: dict[str, Any]) -> str:
        page, _ = await self._shell()
        frame = await self._menu(page, self.ui["shell"]["menu_case"], self.ui["case"]["form"])
        await self.fill_form(self.case_form, frame, {k: card[k] for k in self.case_keys if k in card and k != "xyr"})
        await self.add_cards(frame, "xyr", card.get("xyr") or [])
        return await self._save(frame, card)

    async def _save(self, frame: Any, card: dict[str, Any]) -> str:
        ui = self.ui["case"]
        key = card.get(self.key_field)
        try:
            async with frame.expect_navigation(wait_until="load") as nav:
                await frame.locator(ui["save"]).click()
            response = await nav.value
        except errors.CasebotError:
            raise
        except Exception as exc:
            raise errors.OutcomeUnknown(f"{self.name}: 保存后未收到系统应答（{type(exc).__name__}）") from exc
        status = getattr(response, "status", None)
        if status is not None and status >= 500:
            raise errors.OutcomeUnknown(f"{self.name}: 保存时系统返回 {status}，无法确认是否已保存")
        state = await self._state(frame, None)
        if state == "login":
            raise errors.SessionExpired(f"{self.name}: 会话已过期，案卡未保存")
        if state == "error":
            raise errors.OutcomeUnknown(f"{self.name}: 保存时系统异常，无法确认是否已保存")
        saved = frame.locator(ui["saved_id"])
        if await saved.count():
            return (await saved.inner_text()).strip()
        failures = await messages(frame, ui["errors"])
        if not failures:
            raise errors.OutcomeUnknown(f"{self.name}: 保存后的页面既无“保存成功”也无错误提示")
        reason = mask_names_in("；".join(failures), card)
        if any(f.startswith(DUPLICATE) for f in failures):
            raise errors.AlreadyExists(reason, case=key)
        raise errors.RejectedError(reason, case=key)

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        key = str(card[self.key_field])
        for term in search_terms(key):
            _, rows = await self._search(ysajbh=term)
            for row in rows:
                if same_key(row.get("ysajbh"), key):
                    return row.get("bmsah") or None
        return None

    # -- what the matching policy (Target._find_match, SPEC rule 9) may search by ------------------
    def _match_identity(self, card: dict[str, Any]) -> Identity:
        """综合查询 finds by 移送案件编号 (its most selective part, matched loosely by the page), a
        suspect's 证件号码, or 移送单位 + 移送案由 + a 受理日期 window. See :mod:`casebot.domain.matching`."""
        return _identity(card)

    def _first_id(self, card: dict[str, Any]) -> str:
        return next((p["zjhm"] for p in card.get("xyr") or [] if p.get("zjlx") == "111" and p.get("zjhm")), "")

    async def _search_by_key(self, term: str) -> list[Candidate]:
        return [_candidate(r, "key") for r in (await self._search(ysajbh=term))[1]]

    async def _search_by_id(self, number: str) -> list[Candidate]:
        rows = (await self._search(zjhm=number))[1]
        return [_candidate(r, "id", ids=frozenset({number})) for r in rows]

    async def _search_by_case(self, ident: Identity, date_from: str, date_to: str) -> list[Candidate]:
        rows = (await self._search(ysdw=ident.unit, ysay=ident.charge, slrq_from=date_from, slrq_to=date_to))[1]
        return [_candidate(r, "case") for r in rows]

    # -- looking once per run (Target._listed_match): the kind's 综合查询, read once, matched in memory -----
    #: beyond this many pages of 综合查询 the run does not list the records: each card is searched for
    listing_max_pages: ClassVar[int] = 10

    async def _listing(self) -> Listing | None:
        """Every record of the kind, every page of 综合查询 read (at most :attr:`listing_max_pages`)."""
        if self.category != ProcuratorateAdapter.category:
            return None  # 审查逮捕 cards are known by two numbers: searched for card by card
        ui = self.ui["search"]
        frame, total, rows = await self._listing_page(1)
        size = max(1, len(rows))
        if total > len(rows) and -(-total // size) > self.listing_max_pages:
            return None
        out = list(rows)
        while await frame.locator(ui["next"]).count():
            await self._navigate(frame, lambda: frame.locator(ui["next"]).click(), ui["form"])
            out += await frame.evaluate(_ROWS_JS, [ui["rows"], ui["cell"]])
        records = {r["bmsah"]: _candidate(r, "key") for r in out if r.get("bmsah")}
        # a list that changed while its pages were read is read again on the first look
        return Listing(records, complete=len(records) == total)

    async def _listing_page(self, number: int) -> tuple[Any, int, list[dict[str, Any]]]:
        """Page ``number`` of 综合查询 for the kind, opened directly: its frame, the total found, its rows."""
        ui = self.ui["search"]
        _, frame = await self._shell()
        response = await self.visit(frame, ui["path"] + "?" + urlencode({"ajlb": self.category, "page": number}),
                                    wait_until="load")
        await self.settle(frame, response, ui["form"])
        total = frame.locator(ui["total"])
        if not await total.count():
            raise errors.PageChanged(self.name, ui["total"])
        count = int((await total.inner_text()).strip() or 0)
        return frame, count, await frame.evaluate(_ROWS_JS, [ui["rows"], ui["cell"]])

    async def _fresh_listing(self, listing: Listing) -> Listing:
        """The listing as it is, when 综合查询 shows as many records as it holds and its first and last
        pages only records it holds, as it holds them (records are listed in the order they were
        entered: one typed since is on the last page, even if another was deleted; one edited since on
        those pages differs); else read again."""
        _, total, rows = await self._listing_page(1)
        known = len(listing.records)
        if total == known:
            # page 1 is a full page whenever there are more
            last = -(-total // len(rows)) if total > len(rows) > 0 else 1
            if last > 1:
                _, total, rows = await self._listing_page(last)
            if total == known and all(_same_row(listing.records.get(r.get("bmsah") or ""), r) for r in rows):
                return listing
        return merged_listing(listing, await self._listing())

    async def _update(self, record_id: str, card: dict[str, Any], changes: CardDiff) -> str:
        """Apply ``changes`` (towards ``card``) to the record through its 修改 page; the 部门受案号.

        Only what changed is touched: the case fields named, then the person cards
        (found on the page by ID number, else name): removed ones deleted, edited ones
        changed in the person dialog (only their changed fields), new ones added at the end.
        """
        frame = await self._open_view("bmsah", record_id)
        await self._navigate(frame, lambda: frame.locator(self.ui["view"]["edit"]).click(), self.ui["case"]["form"])
        fields = {k: card[k] for k in changes.fields if k in self.case_keys and k != "xyr"}
        await self.fill_form(self.case_form, frame, fields)
        await self.edit_cards(frame, "xyr", changes.rows.get("xyr") or [])
        return await self._save(frame, card)

    async def _read_back(self, record_id: str) -> dict[str, Any]:
        record = await self._open_record("bmsah", record_id)
        card = {k: record.get(k, "") for k in self.case_keys}
        card["xyr"] = [{k: p.get(k, "") for k in PERSON_KEYS} for p in record.get("xyr") or []]
        return card

    async def _open_form(self) -> list[str]:
        ui = self.ui["case"]
        page, _ = await self._shell()
        frame = await self._menu(page, self.ui["shell"]["menu_case"], ui["form"])
        missing = [b.label for b in await self.case_form.missing(frame)]
        for label, sel in (("犯罪嫌疑人情况", ui["tab_persons"]), ("新增嫌疑人", ui["add_person"]),
                           ("保存", ui["save"])):
            if not await frame.locator(sel).count():
                missing.append(label)
        if "犯罪嫌疑人情况" in missing or "新增嫌疑人" in missing:
            return missing
        return missing + await self.cards_missing(frame, "xyr")

    # -- Source ------------------------------------------------------------------------
    async def _list_records(self, **filters: Any) -> AsyncIterator[RecordRef]:
        """Every record matching ``zt`` / ``ysajbh`` / ``bmsah``, all pages read before the first is yielded."""
        unknown = set(filters) - set(LIST_FILTERS)
        if unknown:
            raise errors.ConfigError(f"{self.name}: 未知的筛选条件 {', '.join(sorted(unknown))}"
                                     f"（可用：{', '.join(LIST_FILTERS)}）")
        rows = await self._list_all(filters)
        for row in rows:
            for ref in self._refs(row):
                yield ref

    def _refs(self, row: dict[str, Any]) -> list[RecordRef]:
        """The records a 综合查询 row stands for: the card, by its 移送案件编号."""
        unit = _units().get(row.get("ysdw") or "")  # the 移送单位 (data-code) -> its region
        return [RecordRef(key=row["ysajbh"], region=unit["region"] if unit else None)]

    def _row_key(self, row: dict[str, Any]) -> str:
        return row["ysajbh"]

    async def _list_all(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        frame, rows = await self._search(**{k: str(v) for k, v in filters.items() if v not in (None, "")})
        seen = {self._row_key(r) for r in rows}
        out = list(rows)
        ui = self.ui["search"]
        while await frame.locator(ui["next"]).count():
            await self._navigate(frame, lambda: frame.locator(ui["next"]).click(), ui["form"])
            for row in await frame.evaluate(_ROWS_JS, [ui["rows"], ui["cell"]]):
                if self._row_key(row) not in seen:
                    seen.add(self._row_key(row))
                    out.append(row)
        return out

    async def _read(self, key: str) -> dict[str, Any]:
        return await self._open_record("ysajbh", key)

    # -- search and view pages ---------------------------------------------------------
    async def _search(self, **criteria: str) -> tuple[Any, list[dict[str, Any]]]:
        """综合查询 with ``criteria`` (ysajbh / bmsah / zt): the content frame and the first page's rows."""
        ui = self.ui["search"]
        page, _ = await self._shell()
        frame = await self._menu(page, self.ui["shell"]["menu_search"], ui["form"])
        for name in ("ysajbh", "bmsah", "tqpbsh", "qsswh", *SECOND_IDENTITY):
            if criteria.get(name):
                await frame.locator(ui[name]).fill(criteria[name])
        if criteria.get("zt"):
            await frame.locator(ui["zt"]).select_option(criteria["zt"])
        await frame.locator(ui["ajlb"]).select_option(self.category)
        await self._navigate(frame, lambda: frame.locator(ui["submit"]).click(), ui["form"])
        return frame, await frame.evaluate(_ROWS_JS, [ui["rows"], ui["cell"]])

    async def _open_record(self, by: str, value: str) -> dict[str, Any]:
        """Open the view page of the record whose ``by`` field is ``value``; parse it."""
        view = self.ui["view"]
        frame = await self._open_view(by, value)
        record = await frame.evaluate(_VIEW_JS, [view["case"], view["person"]])
        out = {k: record.get(k, [] if k in ("ysay", "xyr") else "") for k in self.record_keys}
        out["xyr"] = [{k: p.get(k, [] if k == "ay" else "") for k in PERSON_KEYS} for p in record.get("xyr") or []]
        return out

    async def _open_view(self, by: str, value: str) -> Any:
        """Open the view page of the record whose ``by`` field is ``value``; the content frame showing it."""
        view = self.ui["view"]
        frame = None
        if by == "bmsah":
            # right after a save the result page links to the record
            _, frame = await self._shell()
            saved = frame.locator(f"{self.ui['case']['saved']}[data-bmsah={css_string(value)}]")
            if await saved.count():
                link = saved.locator(self.ui["case"]["view_link"])
                await self._navigate(frame, lambda: link.click(), view["ready"])
            else:
                frame = None
        if frame is None:
            frame, rows = await self._search(**{by: value})
            index = next((i for i, r in enumerate(rows) if r.get(by) == value), None)
            if index is None:
                raise errors.BusinessError(f"{self.title}中找不到该案件（{by}={value}）",
                                           case=value if by == "ysajbh" else None)
            link = frame.locator(self.ui["search"]["rows"]).nth(index).locator(self.ui["search"]["view_link"])
            await self._navigate(frame, lambda: link.click(), view["ready"])
        return frame


class ArrestReviewAdapter(ProcuratorateAdapter):
    """The 审查逮捕 case card (record kind ``arrest_review``, SPEC 7 hop 3): one per 提请批准逮捕书.

    The same 案卡 pages as the 审查起诉 card, with 案件类别 审查逮捕 and the 提请批准逮捕书文号;
    a record is known by its 移送案件编号 *and* that document number (both normalised), searched
    among 审查逮捕 records only.
    """

    category: ClassVar[str] = "审查逮捕"
    record_kind = "arrest_review"
    #: the card fields that together name its record (spelt loosely by a clerk: compared normalised)
    key_fields: ClassVar[tuple[str, ...]] = ("ysajbh", "tqpbsh")
    case_keys: ClassVar[tuple[str, ...]] = (*CASE_KEYS[:3], "tqpbsh", *CASE_KEYS[3:])
    record_keys: ClassVar[tuple[str, ...]] = (*RECORD_KEYS[:4], "tqpbsh", *RECORD_KEYS[4:])
    card = "kinds.arrest_review.fields"

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        key = arrest_key(card)
        _, rows = await self._search(ysajbh=search_term(card.get("ysajbh")), tqpbsh=search_term(card.get("tqpbsh")))
        for row in rows:
            if same_key(arrest_key(row), key):
                return row.get("bmsah") or None
        return None

    def _match_identity(self, card: dict[str, Any]) -> Identity:
        """As the 审查起诉 card's, the key being the 移送案件编号 and the 提请批准逮捕书文号 together."""
        return replace(_identity(card), key=arrest_key(card))

    def _key_terms(self, key: str) -> list[str]:
        return search_terms(key.partition("#")[0])  # by the 移送案件编号 (the page lists the case's requests)

    async def _search_by_key(self, term: str) -> list[Candidate]:
        rows = (await self._search(ysajbh=term))[1]
        return [_arrest_candidate(r, "key") for r in rows]

    async def _search_by_id(self, number: str) -> list[Candidate]:
        rows = (await self._search(zjhm=number))[1]
        return [_arrest_candidate(r, "id", ids=frozenset({number})) for r in rows]

    async def _search_by_case(self, ident: Identity, date_from: str, date_to: str) -> list[Candidate]:
        rows = (await self._search(ysdw=ident.unit, ysay=ident.charge, slrq_from=date_from, slrq_to=date_to))[1]
        return [_arrest_candidate(r, "case") for r in rows]

    async def _read(self, key: str) -> dict[str, Any]:
        return await self._open_record("bmsah", key)

    def _row_key(self, row: dict[str, Any]) -> str:
        return arrest_key(row)

    async def _open_arrest(self, ysajbh: str, tqpbsh: str) -> dict[str, Any]:
        """The view page of the 审查逮捕 card of this request, parsed whole (decisions included)."""
        frame, rows = await self._search(ysajbh=search_term(ysajbh), tqpbsh=search_term(tqpbsh))
        key = f"{ysajbh}#{tqpbsh}"
        index = next((i for i, r in enumerate(rows) if same_key(arrest_key(r), key)), None)
        if index is None:
            raise errors.BusinessError(f"{self.title}中找不到该审查逮捕案件（{tqpbsh}）", case=ysajbh)
        link = frame.locator(self.ui["search"]["rows"]).nth(index).locator(self.ui["search"]["view_link"])
        await self._navigate(frame, lambda: link.click(), self.ui["view"]["ready"])
        view = self.ui["view"]
        return await frame.evaluate(_VIEW_JS, [view["case"], view["person"]])


class ArrestDecisions(ArrestReviewAdapter):
    """The prosecutor's decisions on 审查逮捕 cards (record kind ``arrest_decision``, SPEC 7 hop 4).

    One record per person card decided on, keyed ``{ysajbh}#{tqpbsh}#{n}`` (n: the card's position):
    综合查询 of 审查逮捕 cards lists the decided positions with each decision (its version: a decision
    changed on 复议 is a change to follow); a record reads as the card's numbers and that person card.
    """

    record_kind = "arrest_decision"

    def _refs(self, row: dict[str, Any]) -> list[RecordRef]:
        unit = _units().get(row.get("ysdw") or "")
        region = unit["region"] if unit else None
        try:
            decided = json.loads(row.get("pbjd") or "[]")
        except ValueError:
            raise errors.PageChanged(self.name, "综合查询的“批捕决定”列") from None
        return [RecordRef(key=f"{arrest_key(row)}#{d['n']}", region=region,
                          version=f"{d.get('jd')} {d.get('jdrq')} {d.get('jdswh')}") for d in decided]

    async def _read(self, key: str) -> dict[str, Any]:
        request, _, n = key.rpartition("#")
        ysajbh, _, tqpbsh = request.partition("#")
        if not (ysajbh and tqpbsh and n.isdigit()):
            raise errors.DataError("不是批捕决定的记录编号", case=key)
        record = await self._open_arrest(ysajbh, tqpbsh)
        persons = record.get("xyr") or []
        if not 1 <= int(n) <= len(persons):
            raise errors.DataError(f"{self.title}的审查逮捕案卡中没有第{n}张人卡", case=ysajbh)
        p = persons[int(n) - 1]
        decision = None
        if p.get("pbjd_jd"):
            decision = {"jd": p["pbjd_jd"], "jdrq": p.get("pbjd_jdrq", ""), "jdswh": p.get("pbjd_jdswh", "")}
        return {"bmsah": record.get("bmsah", ""), "ysajbh": record.get("ysajbh", ""),
                "tqpbsh": record.get("tqpbsh", ""), "index": n,
                "person": {"xm": p.get("xm", ""), "zjlx": p.get("zjlx", ""), "zjhm": p.get("zjhm", ""),
                           "pbjd": decision}}


def arrest_key(card: dict[str, Any]) -> str:
    """What names a 审查逮捕 card: its 移送案件编号 and 提请批准逮捕书文号 (compared normalised)."""
    return f"{card.get('ysajbh') or ''}#{card.get('tqpbsh') or ''}"


def _arrest_candidate(row: dict[str, Any], by: str, ids: frozenset[str] = frozenset()) -> Candidate:
    cand = _candidate(row, by, ids)
    return replace(cand, identity=replace(cand.identity, key=arrest_key(row)))


JUDGMENT_KEYS = ("xm", "sfzh", "pjrq", "pjzm", "zx", "xq", "hx", "fj")


class JudgmentEntry(ProcuratorateAdapter):
    """判决情况 of a 审查起诉 card (record kind ``judgment``, SPEC 7 hop 5): the procuratorate as the
    target of the court's judgments.

    The card: ``{qsswh, pjqk: [{xm, sfzh, pjrq, pjzm: [codes], zx, xq, hx, fj}]}``, one row per judged
    defendant; each row goes to the person card matched by ID number, else name (a defendant matching
    none stops the case before anything is entered), through that card's 判决情况 page. The record is
    the card's 部门受案号; a person card already holding a 判决情况 (typed by a clerk) is adopted.
    """

    key_field = "qsswh"
    card = "kinds.judgment.fields"

    async def _prosecuted(self, qsswh: str) -> tuple[Any, dict[str, Any]]:
        """The view page of the 审查起诉 card with this 起诉书文号, and the card parsed whole."""
        frame, rows = await self._search(qsswh=search_term(qsswh))
        index = next((i for i, r in enumerate(rows) if same_key(r.get("qsswh"), qsswh)), None)
        if index is None:
            raise errors.DataError(f"{self.title}中找不到起诉书文号为 {qsswh} 的审查起诉案件", case=qsswh)
        link = frame.locator(self.ui["search"]["rows"]).nth(index).locator(self.ui["search"]["view_link"])
        await self._navigate(frame, lambda: link.click(), self.ui["view"]["ready"])
        view = self.ui["view"]
        return frame, await frame.evaluate(_VIEW_JS, [view["case"], view["person"]])

    @staticmethod
    def _matched(card: dict[str, Any], record: dict[str, Any]) -> list[int]:
        """The person card (position) each judged defendant is; DataError naming one that matches none."""
        people = [(p.get("zjhm") if p.get("zjlx") == "111" else "", p.get("xm") or "") for p in record["xyr"]]
        out = []
        for n, row in enumerate(card.get("pjqk") or [], 1):
            index = match_person(people, row.get("sfzh"), row.get("xm"))
            if index is None:
                raise errors.DataError("被告人与检察院案卡的人卡都对不上（证件号码、姓名均不同）",
                                       case=str(card.get("qsswh")), suspect=f"被告人{n}", field="人卡")
            out.append(index)
        return out

    entries = True

    def _match_identity(self, card: dict[str, Any]) -> None:
        return None

    def _entry_key(self, card: dict[str, Any]) -> str:
        return str(card["qsswh"])

    async def _entry_held(self, card: dict[str, Any]) -> tuple[str, str] | None:
        """The judgment already entered on the card's person cards (a judgment is entered once)."""
        _, record = await self._prosecuted(str(card["qsswh"]))
        matched = self._matched(card, record)
        if any(record["xyr"][i].get("pjqk_pjrq") for i in matched):
            return str(record.get("bmsah")), self._entry_key(card)
        return None

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        """The card's record once every judged defendant's 判决情况 is entered; None while one is not (a
        save whose answer was lost after the first of several rows: :meth:`_write` enters the rest)."""
        _, record = await self._prosecuted(str(card["qsswh"]))
        matched = self._matched(card, record)
        if matched and all(record["xyr"][i].get("pjqk_pjrq") for i in matched):
            return str(record.get("bmsah"))
        return None

    @staticmethod
    def _same(person: dict[str, Any], row: dict[str, Any]) -> bool:
        """Whether the person card already holds this row's 判决情况 (entered, its answer lost)."""
        return bool(person.get("pjqk_pjrq")) and all(
            person.get(f"pjqk_{k}", [] if k == "pjzm" else "") == row.get(k, [] if k == "pjzm" else "")
            for k in JUDGMENT_KEYS[2:])

    async def _write(self, card: dict[str, Any]) -> str:
        ui = self.ui["judgment"]
        frame, record = await self._prosecuted(str(card["qsswh"]))
        for row, index in zip(card.get("pjqk") or [], self._matched(card, record), strict=True):
            if self._same(record["xyr"][index], row):
                continue  # entered by a save whose answer was lost: found, not entered again
            link = frame.locator(ui["link"]).nth(index)
            await self._navigate(frame, lambda link=link: link.click(), ui["form"])
            entered = {**{k: row[k] for k in ("pjrq", "zx", "xq", "hx", "fj")}, "pjzm": ",".join(row["pjzm"])}
            await self.fill_form(self.forms["judgment"], frame, entered)
            await self._navigate(frame, lambda: frame.locator(ui["save"]).click(), None)
            failures = await messages(frame, ui["errors"])
            if failures:
                raise errors.RejectedError(mask_names_in("；".join(failures), card), case=str(card["qsswh"]))
            await frame.locator(self.ui["view"]["ready"]).wait_for()
        return str(record.get("bmsah"))

    async def _update(self, record_id: str, card: dict[str, Any], changes: CardDiff) -> str:
        return await self._write(card)

    async def _open_form(self) -> list[str]:
        """For doctor: the 判决情况 page of the first person card of the card written last
        (:attr:`form_card`), not saved; the labels of the controls not found."""
        ui = self.ui["judgment"]
        frame, _ = await self._prosecuted(str((self.form_card or {}).get("qsswh", "")))
        link = frame.locator(ui["link"]).first
        if not await link.count():
            return ["判决情况"]
        await self._navigate(frame, lambda: link.click(), None)
        missing = [b.label for b in await self.forms["judgment"].missing(frame)]
        if not await frame.locator(ui["save"]).count():
            missing.append("保存")
        return missing

    async def _read_back(self, record_id: str) -> dict[str, Any]:
        frame = await self._open_view("bmsah", record_id)
        view = self.ui["view"]
        record = await frame.evaluate(_VIEW_JS, [view["case"], view["person"]])
        rows = [{"xm": p.get("xm", ""), "sfzh": p.get("zjhm", "") if p.get("zjlx") == "111" else "",
                 **{k: p.get(f"pjqk_{k}", [] if k == "pjzm" else "") for k in JUDGMENT_KEYS[2:]}}
                for p in record.get("xyr") or [] if p.get("pjqk_pjrq")]
        return {"qsswh": record.get("qsswh", ""), "pjqk": rows}


ProcuratorateAdapter.kinds = {"arrest_review": ArrestReviewAdapter, "arrest_decision": ArrestDecisions,
                              "judgment": JudgmentEntry}
