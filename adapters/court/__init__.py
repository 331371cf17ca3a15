"""审判流程管理系统 (the court's case system): a target.

The card goes in through the 收案登记 wizard as a clerk enters it: 案件信息
(案由 picked from the autocomplete, 公诉机关, 起诉书文号, 收案日期 typed into the
date mask), then 当事人 (one repeating row per defendant), then 确认提交; the
system answers with a toast carrying the assigned 案号, or with its message
box. Records are found through 案件查询 (by 起诉书文号 or 案号) and read back
from their detail page. What the adapter relies on in the pages is in
``form.yaml`` beside this file.

Card (all values strings)::

    {ay, gsjg, qsswh, sarq: "YYYY-MM-DD",
     bgr: [{xm, xb: "男"/"女", csrq, sfzh, mz, whcd, zy, zz, jyzt: "在押"/"未羁押", qzcs, jycs, jyrq}]}
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin

import yaml

from casebot import errors
from casebot.domain.changes import CardDiff, RowChange, row_identity, shown_path
from casebot.domain.keys import same_key, search_terms
from casebot.domain.matching import Candidate, Identity, names_of
from casebot.domain.privacy import mask_names_in
from casebot.domain.verify import normalise
from casebot.kit.base import FieldSpec, RecordRef, Source, Target
from casebot.kit.widgets import Form, widget
from casebot.kit.widgets.rows import children

FORM_FILE = Path(__file__).with_name("form.yaml")

BGR_FIELDS = (
    FieldSpec("xm", "姓名", "text", required=True, role="name"),
    FieldSpec("xb", "性别", "choice", required=True, code_table="gender.court_label"),
    FieldSpec("csrq", "出生日期", "date", required=True, role="birth_date"),
    FieldSpec("sfzh", "身份证号", "text", max_length=18, role="id_number"),
    FieldSpec("mz", "民族", "code", code_table="ethnicity.name"),
    FieldSpec("whcd", "文化程度", "code", code_table="education.court_label"),
    FieldSpec("zy", "职业", "text"),
    FieldSpec("zz", "住址", "text", role="address"),
    FieldSpec("jyzt", "羁押状态", "choice", required=True),
    FieldSpec("qzcs", "强制措施", "code", code_table="measures.court_label"),
    FieldSpec("jycs", "羁押场所", "code", code_table="detention_houses.court_label"),
    FieldSpec("jyrq", "羁押日期", "date"),
)

# one evaluate reads a label/value table and a header/rows table
_READ_TABLES = """([infoSel, rowsSel]) => {
  const text = el => (el ? el.innerText : '').replace(/\\s+/g, ' ').trim();
  const info = {};
  const it = infoSel ? document.querySelector(infoSel) : null;
  if (infoSel && !it) return null;
  if (it) it.querySelectorAll('th').forEach(th => {
    const td = th.nextElementSibling;
    if (td && td.tagName === 'TD') info[text(th)] = text(td);
  });
  const table = document.querySelector(rowsSel);
  if (!table) return null;
  const heads = Array.from(table.querySelectorAll('thead th')).map(text);
  const rows = Array.from(table.querySelectorAll('tbody tr')).filter(tr => tr.children.length === heads.length)
    .map(tr => {
      const row = {}, links = {};
      Array.from(tr.children).forEach((td, i) => {
        row[heads[i]] = text(td);
        const a = td.querySelector('a[href]');
        if (a) links[heads[i]] = a.getAttribute('href');
      });
      return {cells: row, links: links};
    });
  return {info: info, rows: rows};
}"""


# one evaluate reads the submit's answer: the toast's 案号 and link, or the message box
_READ_ANSWER = r"""([ahSel, linkSel, boxSel, itemSel]) => {
  const text = el => (el ? el.innerText : '').replace(/\s+/g, ' ').trim();
  const ah = document.querySelector(ahSel), link = document.querySelector(linkSel);
  const box = document.querySelector(boxSel);
  return {ah: text(ah), href: link ? link.getAttribute('href') : null, kind: box ? (box.dataset.kind || '') : '',
          text: text(box), items: box ? Array.from(box.querySelectorAll(itemSel)).map(text).filter(Boolean) : []};
}"""


class CourtAdapter(Target):
    name: ClassVar[str] = "court"
    title: ClassVar[str] = "审判流程管理系统"
    key_field: ClassVar[str] = "qsswh"
    fields: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec("ay", "案由", "code", required=True, code_table="charges.name"),
        FieldSpec("gsjg", "公诉机关", "code", required=True, code_table="units.procuratorate_name"),
        FieldSpec("qsswh", "起诉书文号", "text", required=True, max_length=60),
        FieldSpec("sarq", "收案日期", "date", required=True),
        FieldSpec("bgr", "被告人", "list", required=True, children=BGR_FIELDS, role="persons"),
        FieldSpec("ah", "案号", "text", assigned=True),
    )

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.ui = yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))
        self.case_form = Form.from_yaml(FORM_FILE, "case", system=self.name)
        self.parties_form = Form.from_yaml(FORM_FILE, "parties", system=self.name)
        #: 案号 -> detail page path, from the success toast's link or the search results
        self._detail_urls: dict[str, str] = {}
        #: the page shows a blank wizard nobody has touched yet (just logged in onto it)
        self._blank_wizard = False

    # -- session -------------------------------------------------------------
    def _url(self, path: str) -> str:
        return urljoin(self.config.base_url.rstrip("/") + "/", path.lstrip("/"))

    async def is_login_page(self, page: Any) -> bool:
        return await page.locator(self.ui["login"]["form"]).count() > 0

    async def login(self, page: Any) -> None:
        sel = self.ui["login"]
        self._blank_wizard = False
        response = await page.goto(self._url(self.ui["pages"]["login_landing"]), wait_until="domcontentloaded")
        self.raise_for_status(response)
        if await self.is_login_page(page):
            response = await self.submit_login_form(
                page, username=sel["username"], password=sel["password"], submit=sel["submit"],
                captcha=sel["captcha"], wait_until="domcontentloaded")
            self.raise_for_status(response)
            if await self.is_login_page(page):
                if await page.locator(sel["captcha"]).count():
                    raise errors.HumanRequired(self.name, "登录页要求输入验证码")
                shown = page.locator(sel["error"])
                message = (await shown.inner_text()).strip() if await shown.count() else "仍停留在登录页"
                raise errors.HumanRequired(self.name, f"登录失败：{message}")
        await self._dismiss_notices(page)
        self._blank_wizard = page.url.split("?")[0].endswith(self.ui["pages"]["new"])

    async def _dismiss_notices(self, page: Any) -> None:
        """The system notice is part of the page as served: close it if it is there (no waiting)."""
        close = page.locator(self.ui["notice"]["close"])
        if await close.is_visible():
            await close.click()
            await page.locator(self.ui["notice"]["dialog"]).wait_for(state="hidden")

    async def _open(self, page: Any, path: str) -> None:
        self._blank_wizard = False
        response = await page.goto(self._url(path), wait_until="domcontentloaded")
        await self.check_response(page, response)
        await self._dismiss_notices(page)

    # -- write ---------------------------------------------------------------
    async def _write(self, card: dict[str, Any]) -> str:
        key = str(card.get("qsswh") or "")
        page = await self.page()
        try:
            if not (self._blank_wizard and page.url.split("?")[0].endswith(self.ui["pages"]["new"])):
                await self._open(page, self.ui["pages"]["new"])
            self._blank_wizard = False
            steps = self.ui["wizard"]["steps"]
            await self.case_form.fill(page, {b.field: card.get(b.field, "") for b in self.case_form.bindings})
            await self._next_step(page, steps[0], card)
            await self.parties_form.fill(page, {"bgr": card.get("bgr") or []})
            await self._next_step(page, steps[1], card)
            return await self._submit(page, card)
        except errors.BusinessError as exc:
            exc.reason = mask_names_in(exc.reason, card)
            raise exc.with_context(case=key) from None

    async def _next_step(self, page: Any, step: dict[str, str], card: dict[str, Any]) -> None:
        await page.locator(step["next"]).click()
        await page.locator(f"{step['shows']}, {step['errors']}").first.wait_for()
        problems = page.locator(step["errors"])
        if await problems.count():
            items = [t.strip() for t in await problems.locator("li").all_inner_texts()]
            text = "；".join(items) or (await problems.inner_text()).strip()
            raise errors.RejectedError(text)

    async def _submit(self, page: Any, card: dict[str, Any]) -> str:
        w = self.ui["wizard"]
        await page.locator(w["submit"]).click()
        await page.locator(f"{w['toast_ah']}, {w['message']}").first.wait_for()
        answer = await page.evaluate(_READ_ANSWER, [w["toast_ah"], w["toast_link"], w["message"], w["message_items"]])
        if answer["ah"]:
            ah = answer["ah"]
            if answer["href"]:
                self._detail_urls[ah] = answer["href"]
            return ah
        kind = answer["kind"]
        text = mask_names_in("；".join(answer["items"]) or answer["text"], card)
        if kind == "expired":
            raise errors.SessionExpired(f"{self.name}: 提交时会话已过期（{text}）")
        if kind == "unknown":
            raise errors.OutcomeUnknown(f"{self.name}: 提交后结果未知（{text}）")
        if kind == "duplicate" or w["duplicate_text"] in text:
            raise errors.AlreadyExists(text)
        raise errors.RejectedError(text)

    # -- search and read back ----------------------------------------------------
    async def _search(self, page: Any, **params: str) -> list[dict[str, Any]]:
        s = self.ui["search"]
        query = urlencode({s[f"{k}_param"]: v for k, v in params.items()})
        await self._open(page, f"{self.ui['pages']['search']}?{query}")
        data = await page.evaluate(_READ_TABLES, [None, s["table"]])
        if data is None:
            raise errors.PageChanged(self.name, s["table"], label="案件查询结果")
        return data["rows"]

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
        return [self._candidate(r, "key") for r in await self._search(await self.page(), qsswh=term)]

    async def _search_by_id(self, number: str) -> list[Candidate]:
        rows = await self._search(await self.page(), sfzh=number)
        return [self._candidate(r, "id", frozenset({number})) for r in rows]

    async def _search_by_case(self, ident: Identity, date_from: str, date_to: str) -> list[Candidate]:
        rows = await self._search(await self.page(), ay=ident.charge, gsjg=ident.unit, sarq_from=date_from,
                                  sarq_to=date_to)
        return [self._candidate(r, "case") for r in rows]

    def _candidate(self, row: dict[str, Any], by: str, ids: frozenset[str] = frozenset()) -> Candidate:
        """A 案件查询 row as a match candidate (its detail link kept for the read-back)."""
        s = self.ui["search"]
        cells = {k: (v or "").strip() for k, v in row["cells"].items()}
        cols = s["columns"]
        ah = cells.get(s["id_column"], "")
        if row["links"].get(s["id_column"]):
            self._detail_urls[ah] = row["links"][s["id_column"]]
        sarq = cells.get(cols["sarq"], "")
        return Candidate(record_id=ah, by=by, identity=Identity(
            key=cells.get(s["key_column"], ""), ids=ids, names=names_of(cells.get(cols["bgr"], "")),
            charge=cells.get(cols["ay"], ""), unit=cells.get(cols["gsjg"], ""),
            date=normalise(sarq) if sarq else ""))

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        s = self.ui["search"]
        key = str(card.get(self.key_field) or "").strip()
        if not key:
            return None
        page = await self.page()
        for term in search_terms(key):
            for row in await self._search(page, qsswh=term):
                cells = row["cells"]
                if same_key(cells.get(s["key_column"], ""), key):
                    ah = cells.get(s["id_column"], "").strip()
                    if row["links"].get(s["id_column"]):
                        self._detail_urls[ah] = row["links"][s["id_column"]]
                    return ah
        return None

    async def _update(self, ah: str, card: dict[str, Any], changes: CardDiff) -> str:
        """Apply ``changes`` (towards ``card``) to the case ``record_id`` (案号) through its 修改 wizard.

        Step 1: only the case fields named. Step 2: defendant rows found by 身份证号, else
        name: removed ones deleted, edited ones changed field by field, new ones added at
        the end. The 案号 stays; returns it.
        """
        key = str(card.get("qsswh") or "")
        d = self.ui["detail"]
        page = await self.page()
        try:
            href = await self._detail_url(page, ah)
            if href is None:
                raise errors.BusinessError(f"{self.title}中找不到案件 {ah}")
            await self._open(page, href)
            async with page.expect_navigation(wait_until="domcontentloaded"):
                await page.locator(d["edit"]).click()
            await self.check_response(page)
            await page.locator(d["edit_ready"]).wait_for(state="attached")
            steps = self.ui["wizard"]["steps"]
            fields = {k: card.get(k, "") for k in changes.fields if k in {b.field for b in self.case_form.bindings}}
            await self.case_form.fill(page, fields)
            await self._next_step(page, steps[0], card)
            await self._update_rows(page, changes.rows.get("bgr") or [])
            await self._next_step(page, steps[1], card)
            return await self._submit(page, card)
        except errors.BusinessError as exc:
            exc.reason = self._mask(exc.reason, card)
            raise exc.with_context(case=key) from None

    async def _update_rows(self, page: Any, rows: list[RowChange]) -> None:
        binding = self.parties_form.bindings[0]
        kids = {c.field: c for c in children(binding)}
        locs = page.locator(binding.selector)
        for ch in (c for c in rows if c.kind == "removed"):
            index = await self._row_of(page, ch.who)
            count = await locs.count()
            await locs.nth(index).locator(binding.options["remove"]).click()
            await locs.nth(count - 1).wait_for(state="detached")
        for ch in (c for c in rows if c.kind != "removed"):
            assert ch.row is not None
            if ch.kind == "edited":
                index = await self._row_of(page, ch.who)
                data = {f: ch.row.get(f, "") for f in ch.fields if f in kids}
            else:
                index = await locs.count()
                await page.locator(binding.options["add"]).click()
                await locs.nth(index).wait_for(state="attached")
                data = {f: v for f, v in ch.row.items() if f in kids and v not in (None, "")}
            for f, value in data.items():
                await widget(kids[f].widget).fill(locs.nth(index), kids[f], value)

    async def _row_of(self, page: Any, who: str) -> int:
        """The position in the 当事人 step of the defendant whose identity is ``who``."""
        binding = self.parties_form.bindings[0]
        rows = await self.parties_form.read(page)
        for i, row in enumerate(rows[binding.field]):
            if row_identity(row) == who:
                return i
        raise errors.BusinessError(f"{self.title}的案件中找不到要修改的被告人（{shown_path('[' + who + ']')}）")

    async def _detail_url(self, page: Any, ah: str) -> str | None:
        """The detail page of case ``ah`` (searched once, then remembered); None when the search has none."""
        s = self.ui["search"]
        href = self._detail_urls.get(ah)
        if href is None:
            for row in await self._search(page, ah=ah):
                if row["cells"].get(s["id_column"], "").strip() == ah and row["links"].get(s["id_column"]):
                    href = self._detail_urls[ah] = row["links"][s["id_column"]]
                    break
        return href

    async def _read_back(self, ah: str) -> dict[str, Any]:
        d = self.ui["detail"]
        page = await self.page()
        href = await self._detail_url(page, ah)
        if href is None:
            raise errors.VerificationError([("案号", ah, "案件查询中未找到")], case=ah)
        await self._open(page, href)
        data = await page.evaluate(_READ_TABLES, [d["info_table"], d["defendants_table"]])
        if data is None:
            raise errors.PageChanged(self.name, f"{d['info_table']} / {d['defendants_table']}", label="案件详情")
        dates = set(d["dates"])

        def value(field: str, text: str | None) -> str:
            text = (text or "").strip()
            return normalise(text) if field in dates and text else text

        info = data["info"]
        record: dict[str, Any] = {f: value(f, info.get(label)) for f, label in d["info"].items()}
        record["bgr"] = [{f: value(f, row["cells"].get(label)) for f, label in d["columns"].items()}
                         for row in data["rows"]]
        return record

    # -- doctor ----------------------------------------------------------------
    async def _open_form(self) -> list[str]:
        page = await self.page()
        await self._open(page, self.ui["pages"]["new"])
        gone = [b.label for b in await self.case_form.missing(page)]
        gone += [b.label for b in await self.parties_form.missing(page)]
        w = self.ui["wizard"]
        for step in w["steps"]:
            if not await page.locator(step["next"]).count():
                gone.append(step["label"])
        if not await page.locator(w["submit"]).count():
            gone.append("确认提交")
        return gone


class CourtJudgments(CourtAdapter, Source):
    """宣判 (record kind ``judgment``, SPEC 7 hop 5): the court as a source of judgments.

    案件查询 by 状态 已宣判 lists the pronounced cases by 起诉书文号 (the key); a record reads as its
    numbers and, per defendant, the 判决情况 row of its detail page (``pj``: None until judged).
    """

    record_kind: ClassVar[str | None] = "court_judgment"

    async def _list_records(self, zt: str = "已宣判") -> AsyncIterator[RecordRef]:
        page = await self.page()
        key = self.ui["search"]["key_column"]
        for row in await self._search(page, zt=zt):
            qsswh = (row["cells"].get(key) or "").strip()
            if qsswh:
                yield RecordRef(key=qsswh)

    async def _read(self, qsswh: str) -> dict[str, Any]:
        s, d, j = self.ui["search"], self.ui["detail"], self.ui["judgment"]
        page = await self.page()
        rows = [r for r in await self._search(page, qsswh=qsswh) if same_key(r["cells"].get(s["key_column"]), qsswh)]
        if len(rows) != 1 or not rows[0]["links"].get(s["id_column"]):
            raise errors.DataError(f"{self.title}中找不到该案件", case=qsswh)
        await self._open(page, rows[0]["links"][s["id_column"]])
        data = await page.evaluate(_READ_TABLES, [d["info_table"], j["table"]])
        if data is None:
            raise errors.PageChanged(self.name, f"{d['info_table']} / {j['table']}", label="案件详情的判决情况")
        info = data["info"]
        bgr = []
        for row in data["rows"]:
            cell = {f: (row["cells"].get(label) or "").strip() for f, label in j["columns"].items()}
            pj = None
            if cell["xprq"]:
                pj = {"xprq": normalise(cell["xprq"]), "pjzm": [z for z in cell["pjzm"].split("、") if z],
                      **{k: cell[k] for k in ("zx", "xq", "hx", "fj")}}
            bgr.append({"xm": cell["xm"], "sfzh": cell["sfzh"], "pj": pj})
        return {"ah": (info.get(d["info"]["ah"]) or "").strip(), "qsswh": (info.get(d["info"]["qsswh"]) or "").strip(),
                "zt": "已宣判" if any(b["pj"] for b in bgr) else "", "bgr": bgr}


CourtAdapter.kinds = {"judgment": CourtJudgments}
