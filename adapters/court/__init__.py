"""审判流程管理系统 (the court's case system): a target, and the source of judgments.

The card goes in through the 收案登记 wizard as a clerk enters it: 案件信息
(案由 picked from the autocomplete, 公诉机关, 起诉书文号, 收案日期 typed into the
date mask), then 当事人 (one repeating row per defendant), then 确认提交; the
system answers with a toast carrying the assigned 案号, or with its message
box. Records are found through 案件查询 and read back from their detail page.
The pages, the login, the wizard's steps and forms, the lists and the card are
described in ``form.yaml``; what is this system's own is here: the searches it
offers the matching policy and the reading of the submit's answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from casebot import errors
from casebot.domain.changes import CardDiff
from casebot.domain.keys import same_key, search_terms
from casebot.domain.matching import Candidate, Identity, names_of
from casebot.domain.privacy import mask_names_in
from casebot.kit.base import Listing, RecordRef, Source
from casebot.kit.pageflow import FormTarget

# one evaluate reads the submit's answer: the toast's 案号 and link, or the message box
_READ_ANSWER = r"""([ahSel, linkSel, boxSel, itemSel]) => {
  const text = el => (el ? el.innerText : '').replace(/\s+/g, ' ').trim();
  const ah = document.querySelector(ahSel), link = document.querySelector(linkSel);
  const box = document.querySelector(boxSel);
  return {ah: text(ah), href: link ? link.getAttribute('href') : null, kind: box ? (box.dataset.kind || '') : '',
          text: text(box), items: box ? Array.from(box.querySelectorAll(itemSel)).map(text).filter(Boolean) : []};
}"""


class CourtAdapter(FormTarget):
    name: ClassVar[str] = "court"
    title: ClassVar[str] = "审判流程管理系统"
    key_field: ClassVar[str] = "qsswh"
    form_file = Path(__file__).with_name("form.yaml")

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        #: 案号 -> detail page, from the success toast's link or the search results
        self._detail_urls: dict[str, str] = {}
        #: the page shows a blank wizard nobody has touched yet (just logged in onto it)
        self._blank_wizard = False

    async def landed(self, page: Any) -> None:
        await super().landed(page)
        self._blank_wizard = page.url.split("?")[0].endswith(self.ui["pages"]["new"])

    async def _show(self, page: Any, path: str) -> None:
        self._blank_wizard = False
        await self.go(page, path)

    # -- write -----------------------------------------------------------------------------------
    async def _write(self, card: dict[str, Any]) -> str:
        page = await self.page()
        try:
            if not (self._blank_wizard and page.url.split("?")[0].endswith(self.ui["pages"]["new"])):
                await self._show(page, self.ui["pages"]["new"])
            self._blank_wizard = False
            await self.fill_wizard(page, card)
            return await self._submit(page, card)
        except errors.BusinessError as exc:
            exc.reason = mask_names_in(exc.reason, card)
            raise exc.with_context(case=str(card.get("qsswh") or "")) from None

    async def _update(self, ah: str, card: dict[str, Any], changes: CardDiff) -> str:
        """Apply ``changes`` (towards ``card``) to the case ``ah`` through its 修改 wizard: only the case
        fields named, defendant rows found by 身份证号, else name. The 案号 stays; returns it."""
        d = self.ui["detail"]
        page = await self.page()
        try:
            href = await self._detail_url(ah)
            if href is None:
                raise errors.BusinessError(f"{self.title}中找不到案件 {ah}")
            await self._show(page, href)
            async with page.expect_navigation(wait_until="domcontentloaded"):
                await page.locator(d["edit"]).click()
            await self.check_response(page)
            await page.locator(d["edit_ready"]).wait_for(state="attached")
            await self.fill_wizard(page, card, changes)
            return await self._submit(page, card)
        except errors.BusinessError as exc:
            exc.reason = mask_names_in(exc.reason, card)
            raise exc.with_context(case=str(card.get("qsswh") or "")) from None

    async def _submit(self, page: Any, card: dict[str, Any]) -> str:
        """确认提交, and the answer: the toast's 案号, or the message box's kind and lines."""
        w = self.ui["wizard"]
        await page.locator(w["submit"]).click()
        await page.locator(f"{w['toast_ah']}, {w['message']}").first.wait_for()
        answer = await page.evaluate(_READ_ANSWER, [w["toast_ah"], w["toast_link"], w["message"], w["message_items"]])
        if answer["ah"]:
            if answer["href"]:
                self._detail_urls[answer["ah"]] = answer["href"]
            return answer["ah"]
        kind = answer["kind"]
        text = mask_names_in("；".join(answer["items"]) or answer["text"], card)
        if kind == "expired":
            raise errors.SessionExpired(f"{self.name}: 提交时会话已过期（{text}）")
        if kind == "unknown":
            raise errors.OutcomeUnknown(f"{self.name}: 提交后结果未知（{text}）")
        if kind == "duplicate" or w["duplicate_text"] in text:
            raise errors.AlreadyExists(text)
        raise errors.RejectedError(text)

    # -- 案件查询 ------------------------------------------------------------------------------------
    async def _search(self, **criteria: str) -> list[dict[str, Any]]:
        """案件查询 by ``criteria`` (``search.params``): its rows, each detail link remembered."""
        s = self.ui["search"]
        page = await self.page()
        query = urlencode({s["params"][k]: v for k, v in criteria.items()})
        await self._show(page, f"{self.ui['pages']['search']}?{query}")
        rows = await self.list_rows(page, s)
        for row in rows:
            if row["ah"] and row["href"]:
                self._detail_urls[row["ah"]] = row["href"]
        return rows

    # -- what the matching policy (Target._find_match, SPEC rule 9) may search by ------------------
    def _match_identity(self, card: dict[str, Any]) -> Identity:
        """案件查询 finds by the 起诉书文号's most selective part (the page matches by substring, so
        ``〔2026〕`` finds neither ``[2026]`` nor ``（2026）``), a defendant's 身份证号, or 案由 +
        公诉机关 + a 收案日期 window."""
        return Identity(key=str(card.get(self.key_field) or ""),
                        ids=frozenset(d["sfzh"] for d in card.get("bgr") or [] if d.get("sfzh")),
                        names=names_of("、".join(d.get("xm") or "" for d in card.get("bgr") or [])),
                        charge=card.get("ay") or "", unit=card.get("gsjg") or "", date=card.get("sarq") or "")

    def _first_id(self, card: dict[str, Any]) -> str:
        return next((d["sfzh"] for d in card.get("bgr") or [] if d.get("sfzh")), "")

    async def _search_by_key(self, term: str) -> list[Candidate]:
        return [self._candidate(r, "key") for r in await self._search(qsswh=term)]

    async def _search_by_id(self, number: str) -> list[Candidate]:
        return [self._candidate(r, "id", frozenset({number})) for r in await self._search(sfzh=number)]

    async def _search_by_case(self, ident: Identity, date_from: str, date_to: str) -> list[Candidate]:
        rows = await self._search(ay=ident.charge, gsjg=ident.unit, sarq_from=date_from, sarq_to=date_to)
        return [self._candidate(r, "case") for r in rows]

    # -- looking once per run (Target._listed_match): 案件查询 with no criterion lists the newest cases ------
    #: the most rows 案件查询 shows; a listing that reaches it may be cut short: each card is searched for
    search_cap: ClassVar[int] = 50

    async def _listing(self) -> Listing | None:
        """Every case, when 案件查询 with no criterion shows them all (fewer than :attr:`search_cap`). One
        page: reading it again is the look that brings it up to date (the default ``_fresh_listing``)."""
        rows = await self._search(qsswh="")
        if len(rows) >= self.search_cap:
            return None
        records = {c.record_id: c for c in (self._candidate(r, "key") for r in rows) if c.record_id}
        return Listing(records, complete=len(records) == len(rows))

    @staticmethod
    def _candidate(row: dict[str, Any], by: str, ids: frozenset[str] = frozenset()) -> Candidate:
        return Candidate(record_id=row["ah"], by=by, identity=Identity(
            key=row["qsswh"], ids=ids, names=names_of(row["bgr"]), charge=row["ay"], unit=row["gsjg"],
            date=row["sarq"]))

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        key = str(card.get(self.key_field) or "").strip()
        for term in search_terms(key) if key else ():
            for row in await self._search(qsswh=term):
                if same_key(row["qsswh"], key):
                    return row["ah"]
        return None

    # -- read back -----------------------------------------------------------------------------------
    async def _detail_url(self, ah: str) -> str | None:
        """The detail page of case ``ah`` (searched once, then remembered); None when the search has none."""
        if ah not in self._detail_urls:
            await self._search(ah=ah)
        return self._detail_urls.get(ah)

    async def _read_back(self, ah: str) -> dict[str, Any]:
        href = await self._detail_url(ah)
        if href is None:
            raise errors.VerificationError([("案号", ah, "案件查询中未找到")], case=ah)
        page = await self.page()
        await self._show(page, href)
        return await self.read_view(page, "view")

    async def _open_form(self) -> list[str]:
        page = await self.page()
        await self._show(page, self.ui["pages"]["new"])
        return await self.wizard_missing(page)


class CourtJudgments(CourtAdapter, Source):
    """宣判 (record kind ``judgment``, SPEC 7 hop 5): the court as a source of judgments.

    案件查询 by 状态 已宣判 lists the pronounced cases by 起诉书文号 (the key); a record reads as its
    numbers and, per defendant, the 判决情况 row of its detail page (``pj``: None until judged).
    """

    record_kind: ClassVar[str | None] = "court_judgment"

    async def _list_records(self, zt: str = "已宣判") -> AsyncIterator[RecordRef]:
        for row in await self._search(zt=zt):
            if row["qsswh"]:
                yield RecordRef(key=row["qsswh"])

    async def _read(self, qsswh: str) -> dict[str, Any]:
        rows = [r for r in await self._search(qsswh=qsswh) if same_key(r["qsswh"], qsswh)]
        if len(rows) != 1 or not rows[0]["href"]:
            raise errors.DataError(f"{self.title}中找不到该案件", case=qsswh)
        page = await self.page()
        await self._show(page, rows[0]["href"])
        shown = await self.read_view(page, "judgment")
        bgr = []
        for cell in shown["bgr"]:
            pj = None
            if cell["xprq"]:
                pj = {"xprq": cell["xprq"], "pjzm": [z for z in cell["pjzm"].split("、") if z],
                      **{k: cell[k] for k in ("zx", "xq", "hx", "fj")}}
            bgr.append({"xm": cell["xm"], "sfzh": cell["sfzh"], "pj": pj})
        return {"ah": shown["ah"], "qsswh": shown["qsswh"], "zt": "已宣判" if any(b["pj"] for b in bgr) else "",
                "bgr": bgr}


CourtAdapter.kinds = {"judgment": CourtJudgments}
