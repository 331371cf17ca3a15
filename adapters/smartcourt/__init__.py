"""智慧审判平台 (a court system built as a single-page app on ant-design-vue 4): a target.

Its views are drawn by script and its saves posted as JSON: :class:`~casebot.kit.spa.AppTarget` logs in
through the login request, follows each save's request to its answer and reads lists and records once
their data is drawn. Everything it relies on in the pages, and its card, is in ``form.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casebot.kit.spa import AppTarget


class SmartcourtAdapter(AppTarget):
    name = "smartcourt"
    title = "智慧审判平台"
    key_field = "qsswh"
    form_file = Path(__file__).with_name("form.yaml")

    def __init__(self, context: Any, config: Any) -> None:
        super().__init__(context, config)
        self.form, self.view = self.forms["case"], self.forms["view"]

    async def _open_form(self) -> list[str]:
        await self.open(page := await self.page(), self.ui["pages"]["new"], self.ui["pages"]["form"])
        return [b.label for b in await self.form.missing(page)]

    async def _write(self, card: dict[str, Any]) -> str:
        await self.open(page := await self.page(), self.ui["pages"]["new"], self.ui["pages"]["form"])
        await self.form.fill(page, card)
        return (await self.send(page, card))["ah"]

    async def _find_existing(self, card: dict[str, Any]) -> str | None:
        row = await self.find_in_app(qsswh=card["qsswh"])
        return row["ah"] if row else None

    async def _read_back(self, record_id: str) -> dict[str, Any]:
        row = await self.find_in_app(ah=record_id)
        return await self.read_in_app(row["href"], self.view) if row else {}
