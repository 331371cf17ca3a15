"""公安执法办案系统 (police case system): the source of case cards.

The adapter reads what a clerk reads: the 案件列表 (a GET filter form, 20 rows
a page, followed page by page through 下一页) and each case's read-only detail
page (the label/value table 案件基本信息 and one 犯罪嫌疑人 tab per suspect, each
with its 强制措施 table). Where things are on those pages is data, in
``form.yaml`` beside this file.

A case is returned in the police system's native record format (SPEC section
1): coded values as their codes (taken from the ``data-code`` the page carries
beside each name), lists for 案由, 犯罪嫌疑人 and 强制措施, ``""`` for empty text
and ``None`` for an empty 移送起诉日期. A detail page is read in one navigation
and one DOM walk.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from casebot import errors
from casebot.domain.changes import CardDiff
from casebot.domain.keys import normalise_key, same_key
from casebot.domain.model import as_requested, request_key, split_request_key
from casebot.kit.base import RecordRef, Source
from casebot.kit.pageflow import FormPages, FormTarget
from casebot.kit.widgets.outcome import SaveOutcome
from casebot.kit.widgets.tables import JS_HELPERS, Grid, form_values, table_specs

__all__ = ["ArrestRequests", "DecisionEntry", "PoliceAdapter"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


#: the whole list page in one call: table, pager, messages
_LIST_JS = JS_HELPERS + r"""
const text = s => { const e = document.querySelector(s); return e ? e.textContent.trim() : null; };
const next = document.querySelector(arg.next);
return {
  grid: readRowTable(document.querySelector(arg.table), 'data-code', 'tr.empty'),
  page: text(arg.page_no), pages: text(arg.page_count), total: text(arg.total),
  next: next ? next.href : null, error: text(arg.error),
  notice: !!document.querySelector(arg.notice), login: !!document.querySelector(arg.login),
  serverError: !!document.querySelector(arg.serverError),
};
"""

#: the whole detail page in one call: 案件基本信息, every tab and its panel's tables
_DETAIL_JS = JS_HELPERS + r"""
const tabs = Array.from(document.querySelectorAll(arg.tabs)).map(t => {
  const id = t.getAttribute(arg.panelAttr);
  const panel = id ? document.getElementById(id.replace(/^#/, '')) : null;
  return {text: t.textContent.trim(), panel: id, tables: panel ? snapshotTables(panel, arg.suspect) : null};
});
return {
  tables: snapshotTables(document, arg.case), tabs: tabs,
  notFound: !!document.querySelector(arg.notFound), notice: !!document.querySelector(arg.notice),
  login: !!document.querySelector(arg.login), serverError: !!document.querySelector(arg.serverError),
};
"""


def _iso(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        date.fromisoformat(text)
    except ValueError:
        raise errors.ConfigError(f"police: 过滤条件 {name} 应为日期 YYYY-MM-DD（现为 {value!r}）") from None
    return text


class PoliceAdapter(FormPages, Source):
    """Reads cases from 公安执法办案系统 through its list and detail pages."""

    name: ClassVar[str] = "police"
    title: ClassVar[str] = "公安执法办案系统"
    key_field: ClassVar[str] = "ajbh"
    record_kind: ClassVar[str | None] = "police_case"
    #: whether the list is read for its 提请批准逮捕 requests (the arrest_request kind)
    lists_requests: ClassVar[bool] = False
    form_file = Path(__file__).with_name("form.yaml")

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.case_form, self.suspect_form = self.forms["case"], self.forms["suspect"]

    def _common_arg(self) -> dict[str, Any]:
        return {"notice": self.ui["notice"]["box"], "login": self.ui["login"]["form"],
                "serverError": self.ui["server_error"]}

    async def _snapshot(self, page: Any, response: Any, body: str, arg: dict[str, Any]) -> dict[str, Any]:
        """Walk the page once; the login form and the error page are looked for in the same walk."""
        self.raise_for_status(response)
        snap = await page.evaluate(f"(arg) => {{ {body} }}", arg)
        if snap["serverError"]:
            raise errors.ServerError(f"{self.name}: 系统显示错误页")
        if snap["login"]:
            raise errors.SessionExpired(f"{self.name}: 会话已过期")
        return snap

    # -- list ------------------------------------------------------------------
    def list_url(self, status: str | None = "已移送起诉", yssj_from: Any = None, yssj_to: Any = None) -> str:
        """The 案件列表 URL the filter form (a GET form) submits for these filters."""
        names = self.ui["list_page"]["params"]
        params = {}
        if status:
            params[names["ajzt"]] = status
        lo, hi = _iso(yssj_from, "yssj_from"), _iso(yssj_to, "yssj_to")
        if lo:
            params[names["yssj_from"]] = lo
        if hi:
            params[names["yssj_to"]] = hi
        query = urlencode(params)
        return self.url(self.ui["pages"]["list"]) + (f"?{query}" if query else "")

    async def _list_records(self, status: str | None = "已移送起诉", yssj_from: Any = None,
                           yssj_to: Any = None) -> AsyncIterator[RecordRef]:
        """Every case the list shows for these filters (``status=None``: all), following 下一页."""
        url: str | None = self.list_url(status, yssj_from, yssj_to)
        seen: set[str] = set()
        expected = 1
        while url:
            rows, url, page_no = await self._list_page(url, expected)
            expected = page_no + 1
            for row in rows:
                key = row.pop("ajbh")
                if key in seen:
                    continue
                seen.add(key)
                for ref in self._refs(key, row):
                    yield ref

    def _refs(self, ajbh: str, row: dict[str, Any]) -> list[RecordRef]:
        """The records a list row stands for: the case."""
        return [RecordRef(key=ajbh, version=row.get("xgsj") or None)]

    async def _list_page(self, url: str, expected: int) -> tuple[list[dict[str, Any]], str | None, int]:
        sel = self.ui["list_page"]
        page = await self.page()
        response = await self.visit(page, url)
        snap = await self._snapshot(page, response, _LIST_JS, {**sel, **self._common_arg()})
        if snap["notice"]:
            await self.dismiss_notice(page)
        if snap["error"]:
            raise errors.PageChanged(self.name, f"案件列表的查询结果（系统提示：{snap['error']}）")
        if snap["grid"] is None:
            raise errors.PageChanged(self.name, f"案件列表（{sel['table']}）")
        if snap["page"] is None or snap["pages"] is None:
            raise errors.PageChanged(self.name, f"案件列表的页码（{sel['page_no']}）")
        try:
            page_no, pages = int(snap["page"]), int(snap["pages"])
        except ValueError:
            raise errors.PageChanged(self.name, f"案件列表的页码（“{snap['page']}/{snap['pages']}”）") from None
        if page_no != expected:
            raise errors.PageChanged(self.name, f"案件列表第 {expected} 页（打开的是第 {page_no} 页）")
        grid = Grid(headers=snap["grid"]["headers"], rows=snap["grid"]["rows"])
        try:
            rows = grid.records(sel["columns"] + (sel.get("request_columns", []) if self.lists_requests else []))
        except KeyError as exc:
            raise errors.PageChanged(self.name, f"案件列表的列“{exc.args[0]}”") from None
        except ValueError as exc:
            raise errors.PageChanged(self.name, f"案件列表的内容（{exc}）") from None
        next_url = snap["next"]
        if page_no < pages and not next_url:
            raise errors.PageChanged(self.name, f"案件列表的“下一页”链接（{sel['next']}）")
        return rows, (next_url if page_no < pages else None), page_no

    # -- detail ----------------------------------------------------------------
    def detail_url(self, ajbh: str) -> str:
        return self.url(self.path("detail", ajbh=ajbh))

    async def _read(self, ajbh: str) -> dict[str, Any]:
        # a later hop asks by the key its own system holds, maybe typed by hand (full width, lower case,
        # spaces: SPEC rule 9); the police's own 案件编号 is that key normalised
        ajbh = normalise_key(ajbh)
        page = await self.page()
        response = await self.visit(page, self.detail_url(ajbh))
        snap = await self._snapshot(page, response, _DETAIL_JS, self._detail_arg())
        if snap["notice"]:
            await self.dismiss_notice(page)
        if snap["notFound"]:
            raise errors.DataError("公安系统中找不到该案件", case=ajbh)
        record = self.parse_detail(snap)
        if record["ajbh"] != ajbh:
            raise errors.PageChanged(self.name, f"案件 {ajbh} 的详情页（打开的是 {record['ajbh']}）")
        return record

    def _detail_arg(self) -> dict[str, Any]:
        sel = self.ui["detail_page"]
        return {"tabs": sel["tabs"], "panelAttr": sel["tab_panel_attr"], "notFound": sel["not_found"],
                "case": table_specs(self.case_form), "suspect": table_specs(self.suspect_form),
                **self._common_arg()}

    def parse_detail(self, snap: dict[str, Any]) -> dict[str, Any]:
        """The native record from a detail-page snapshot; PageChanged naming whatever is missing."""
        record = form_values(self.case_form, snap["tables"], system=self.name)
        tabs = snap["tabs"]
        if not tabs:
            raise errors.PageChanged(self.name, f"犯罪嫌疑人页签（{self.ui['detail_page']['tabs']}）")
        suspects = []
        for n, tab in enumerate(tabs, 1):
            title = tab["text"] or f"犯罪嫌疑人{n}"
            if tab["tables"] is None:
                raise errors.PageChanged(self.name, f"“{title}”页签的信息面板（#{tab['panel'] or '?'}）")
            suspects.append(form_values(self.suspect_form, tab["tables"], where=f"“{title}”的", system=self.name))
        record["xyr"] = suspects
        return record



class ArrestRequests(PoliceAdapter):
    """The police system's 提请批准逮捕 requests (record kind ``arrest_request``, SPEC 7 hop 3).

    Each request of a case is one record, keyed ``{ajbh}#{wsh}`` (:func:`casebot.domain.model.request_key`):
    the 案件列表 (filtered by 案件状态 提请批捕) shows each case's request documents, latest first;
    a request reads as its case seen from the request (:func:`casebot.domain.model.as_requested`).
    """

    record_kind: ClassVar[str | None] = "arrest_request"
    lists_requests: ClassVar[bool] = True

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.request_form = self.forms["requests"]

    def list_url(self, status: str | None = "提请批捕", yssj_from: Any = None, yssj_to: Any = None) -> str:
        return super().list_url(status, yssj_from, yssj_to)

    async def _list_records(self, status: str | None = "提请批捕", yssj_from: Any = None,
                            yssj_to: Any = None) -> AsyncIterator[RecordRef]:
        async for ref in super()._list_records(status, yssj_from, yssj_to):
            yield ref

    def _refs(self, ajbh: str, row: dict[str, Any]) -> list[RecordRef]:
        """One record per request the row shows (latest first), each at the case's 修改时间."""
        return [RecordRef(key=request_key(ajbh, wsh), version=row.get("xgsj") or None)
                for wsh in row.get("tqpb") or []]

    def _detail_arg(self) -> dict[str, Any]:
        arg = super()._detail_arg()
        return {**arg, "case": arg["case"] + table_specs(self.request_form)}

    def parse_detail(self, snap: dict[str, Any]) -> dict[str, Any]:
        record = super().parse_detail(snap)
        record.update(form_values(self.request_form, snap["tables"], system=self.name))
        return record

    async def _read(self, key: str) -> dict[str, Any]:
        try:
            ajbh, wsh = split_request_key(key)
        except ValueError:
            raise errors.DataError("不是提请批准逮捕的记录编号", case=key) from None
        record = await super()._read(ajbh)
        requested = as_requested(record, wsh)
        if requested is None:
            raise errors.DataError(f"公安系统中该案件没有提请批准逮捕书 {wsh}", case=ajbh)
        return requested


class DecisionEntry(PoliceAdapter, FormTarget):
    """决定登记: the procuratorate's decision entered on the police suspect (record kind
    ``arrest_decision``, SPEC 7 hop 4): the police system as a target.

    The card: ``{ajbh, rybh, jd, jdrq, jdswh}``; the record: ``{ajbh}#{rybh}``. A suspect already holding
    this decision document (typed by a police clerk) is that record; one holding another decision is
    for a clerk to look at, never overwritten by a first write.
    """

    card = "decision.fields"
    key_field: ClassVar[str] = "jdswh"

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.decision_form, self.decision_view = self.forms["decision"], self.forms["decision_view"]
        self.outcome = SaveOutcome(**self.ui["decision"]["outcome"], system=self.name)

    def _detail_arg(self) -> dict[str, Any]:
        arg = super()._detail_arg()
        return {**arg, "suspect": arg["suspect"] + table_specs(self.decision_view)}

    def parse_detail(self, snap: dict[str, Any]) -> dict[str, Any]:
        record = super().parse_detail(snap)
        for suspect, tab in zip(record["xyr"], snap["tabs"], strict=True):
            shown = tab["tables"].get(self.decision_view.bindings[0].selector)
            decision = form_values(self.decision_view, tab["tables"], system=self.name) if shown else None
            suspect["pbjd"] = decision if decision and decision.get("jdswh") else None
        return record

    async def _decision(self, record_id: str) -> tuple[str, str, dict[str, Any] | None]:
        ajbh, _, rybh = record_id.partition("#")
        case = await PoliceAdapter._read(self, ajbh)
        suspect = next((p for p in case["xyr"] if p.get("rybh") == rybh), None)
        if suspect is None:
            raise errors.BusinessError(f"{self.title}的案件 {ajbh} 中没有人员编号为 {rybh} 的犯罪嫌疑人", case=ajbh)
        return ajbh, rybh, suspect.get("pbjd")

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        record_id = f"{card['ajbh']}#{card['rybh']}"
        _, _, held = await self._decision(record_id)
        return record_id if held and same_key(held.get("jdswh"), card.get("jdswh")) else None

    entries = True

    def _entry_key(self, card: dict[str, Any]) -> str:
        return str(card.get("jdswh") or "")

    async def _entry_held(self, card: dict[str, Any]) -> tuple[str, str] | None:
        record_id = f"{card['ajbh']}#{card['rybh']}"
        _, _, held = await self._decision(record_id)
        return (record_id, str(held.get("jdswh") or "")) if held else None

    async def _write(self, card: dict[str, Any]) -> str:
        page = await self.page()
        await self.go(page, self.path("decision", ajbh=card["ajbh"], rybh=card["rybh"]))
        await self.decision_form.fill(page, {k: card[k] for k in ("jd", "jdrq", "jdswh")})
        await self.post_form(page, self.ui["decision"]["submit"], self.outcome)
        return f"{card['ajbh']}#{card['rybh']}"

    async def _update(self, record_id: str, card: dict[str, Any], changes: CardDiff) -> str:
        """A decision changed (复议): the same page, the suspect's decision entered anew."""
        return await self._write(card)

    async def _open_form(self) -> list[str]:
        """For doctor: the 决定登记 page of the suspect of the card written last (:attr:`form_card`),
        not saved; the labels of the controls not found."""
        card = self.form_card or {}
        page = await self.page()
        await self.go(page, self.path("decision", ajbh=str(card.get("ajbh", "")), rybh=str(card.get("rybh", ""))))
        missing = [b.label for b in await self.decision_form.missing(page)]
        if not await page.locator(self.ui["decision"]["submit"]).count():
            missing.append("保存")
        return missing

    async def _read_back(self, record_id: str) -> dict[str, Any]:
        ajbh, rybh, held = await self._decision(record_id)
        return {"ajbh": ajbh, "rybh": rybh, **{k: (held or {}).get(k, "") for k in ("jd", "jdrq", "jdswh")}}


PoliceAdapter.kinds = {"arrest_request": ArrestRequests, "arrest_decision": DecisionEntry}
