"""Widgets for single-page apps' kits, against the real libraries: select2 4.0 as well as 4.1, ant-design-vue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casebot import errors
from casebot.kit.widgets import Binding, widget

pytestmark = pytest.mark.browser


def b(field: str, label: str, kind: str, selector: str, **options: Any) -> Binding:
    return Binding(field=field, label=label, widget=kind, selector=selector, options=options)


@pytest.mark.parametrize("kit", ["select2-4.0", "select2"])
async def test_select2_40_and_41(page: Any, urls: dict[str, str], kit: str) -> None:
    """Django admin ships select2 4.0.13, whose results carry no ``--selectable`` class."""
    await page.goto(f"{urls['county']}/_sandbox/kits/{kit}")
    await page.locator(".select2-container").first.wait_for()
    ay = b("ay", "案由", "select2", "#s-ay")
    await widget("select2").fill(page, ay, "诈骗罪")
    await widget("select2").fill(page, b("gsjg", "公诉机关", "select2", "#s-gsjg"), "德化县人民检察院")
    assert json.loads(await page.locator("#model").inner_text()) == {"ay": "0503", "gsjg": "J350526"}
    assert await widget("select2").read(page, ay) == "诈骗罪"
    with pytest.raises(errors.OptionMissing, match="'案由'中没有选项 不存在罪"):
        await widget("select2").fill(page, ay, "不存在罪")


async def test_ant_select_searched_scrolled_and_date(page: Any, urls: dict[str, str]) -> None:
    """On 智慧审判平台's own form: a searchable select, one that must be scrolled, a read-only date picker."""
    base = urls["smartcourt"]
    await page.goto(f"{base}/cases/new")
    await page.locator("#login-username").fill("casebot")
    await page.locator("#login-password").fill("sandbox")
    await page.locator("#login-submit").click()
    await page.locator("#app .ant-layout").wait_for()
    await page.goto(f"{base}/cases/new")
    await page.locator("#case-form").wait_for()
    ay, gsjg = b("ay", "案由", "ant_select", "#f-ay"), b("gsjg", "公诉机关", "ant_select", "#f-gsjg")
    sarq = b("sarq", "收案日期", "ant_date", "#f-sarq")
    scrolled = b("ay", "案由", "ant_select", "#f-ay", search=False)
    await widget("ant_select").fill(page, scrolled, "容留他人吸毒罪")  # the last of 25, drawn eight at a time
    assert await widget("ant_select").read(page, ay) == "容留他人吸毒罪"
    await widget("ant_select").fill(page, ay, "非法拘禁罪")  # typed into the search
    await widget("ant_select").fill(page, gsjg, "德化县人民检察院")
    await widget("ant_date").fill(page, sarq, "2026-12-01")
    assert [await widget("ant_select").read(page, ay), await widget("ant_select").read(page, gsjg),
            await widget("ant_date").read(page, sarq)] == ["非法拘禁罪", "德化县人民检察院", "2026-12-01"]
    with pytest.raises(errors.OptionMissing, match="公诉机关"):
        await widget("ant_select").fill(page, gsjg, "火星人民检察院")
    assert await widget("ant_select").read(page, gsjg) == "德化县人民检察院"
