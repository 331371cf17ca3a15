"""法院案件管理平台: another vendor's court system, used by some counties' courts (a target).

A layui admin: the 收案登记 form is posted and redirected (post/redirect/get),
its fields found by their labels (ids change with each release), dates typed
as ``yyyy年MM月dd日``. Everything it relies on in the pages, and its card, is in ``form.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from casebot.kit.pageflow import FormTarget
from casebot.kit.widgets.outcome import SaveOutcome


class CountyAdapter(FormTarget):
    name: ClassVar[str] = "county"
    title: ClassVar[str] = "法院案件管理平台"
    key_field: ClassVar[str] = "qsswh"
    form_file = Path(__file__).with_name("form.yaml")

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.form = self.forms["case"]
        self.outcome = SaveOutcome(**self.ui["save"]["outcome"], system=self.name)

    async def _open_form(self) -> list[str]:
        page = await self.page()
        await self.go(page, self.ui["pages"]["new"])
        return [b.label for b in await self.form.missing(page)]

    async def _write(self, card: dict[str, Any]) -> str:
        page = await self.page()
        await self.go(page, self.ui["pages"]["new"])
        await self.form.fill(page, card)
        await self.post_form(page, self.ui["save"]["submit"], self.outcome)
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
        return await self.find_in_list(await self.page(), self.ui["pages"]["list"], self.ui["list"], **query)

    async def _view(self, page: Any) -> dict[str, Any]:
        return await self.read_view(page, "view")  # dates shown as yyyy年MM月dd日 read as shown_date
