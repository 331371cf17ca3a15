"""法院案件管理平台: another vendor's court system, used by some counties' courts (a target).

A layui admin: the 收案登记 form is posted and redirected (post/redirect/get),
its fields found by their labels (ids change with each release), dates typed
as ``yyyy年MM月dd日``. Everything it relies on in the pages, and its card, is in ``form.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import yaml

from casebot.kit.pageflow import FormTarget, field_specs
from casebot.kit.widgets import Form
from casebot.kit.widgets.input_mask import mask_read as parse
from casebot.kit.widgets.outcome import SaveOutcome
from casebot.kit.widgets.tables import form_values, snapshot_tables

FORM_FILE = Path(__file__).with_name("form.yaml")
UI = yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))
DATES = "YYYY年MM月DD日"


class CountyAdapter(FormTarget):
    name: ClassVar[str] = "county"
    title: ClassVar[str] = "法院案件管理平台"
    key_field: ClassVar[str] = "qsswh"
    fields = field_specs(UI["fields"])

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.form = Form.from_yaml(FORM_FILE, "case", system=self.name)
        self.view = Form.from_yaml(FORM_FILE, "view", system=self.name)
        self.outcome = SaveOutcome(**UI["save"]["outcome"], system=self.name)

    async def is_login_page(self, page: Any) -> bool:
        return await page.locator(UI["login"]["form"]).count() > 0

    async def login(self, page: Any) -> None:
        await self.log_in_with_form(page, UI["pages"]["login"], UI["login"])

    async def _open_form(self) -> list[str]:
        page = await self.page()
        await self.go(page, UI["pages"]["new"])
        return [b.label for b in await self.form.missing(page)]

    async def _write(self, card: dict[str, Any]) -> str:
        page = await self.page()
        await self.go(page, UI["pages"]["new"])
        await self.form.fill(page, card)
        await self.post_form(page, UI["save"]["submit"], self.outcome)
        return (await self._view(page))["ah"]

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        row = await self._find(qsswh=card["qsswh"])
        return row["ah"] if row else None

    async def _read_back(self, record_id: str) -> dict[str, Any]:
        row = await self._find(ah=record_id)
        if row is None:
            return {}
        page = await self.page()
        await self.go(page, row["href"])
        return await self._view(page)

    async def _find(self, **query: str) -> dict[str, Any] | None:
        return await self.find_in_list(await self.page(), UI["pages"]["list"], UI["list"], **query)

    async def _view(self, page: Any) -> dict[str, Any]:
        rec = form_values(self.view, await snapshot_tables(page, self.view), system=self.name)
        rec["sarq"] = parse(DATES, rec["sarq"])
        rec["bgr"] = [{**p, "csrq": parse(DATES, p["csrq"])} for p in rec["bgr"]]
        return rec
