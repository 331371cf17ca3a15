"""Fields found by their visible label (label[for], aria, th/td), never typed into when the label is ambiguous."""

from __future__ import annotations

from typing import Any

import pytest

from casebot import errors
from casebot.kit.widgets import Binding, Form

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><meta charset="utf-8"><form>
<label for="x91">姓名</label><input id="x91">
<input aria-label="住址" name="addr">
<table><tr><th>职业</th><td><input name="zy"></td></tr>
<tr><th>备注</th><td><input name="bz1"></td></tr><tr><th>备注</th><td><input name="bz2"></td></tr></table>
<label for="a1">出生日期</label><input id="a1"></form>"""


def form(*bindings: Binding) -> Form:
    return Form("t", list(bindings), system="test")


async def test_found_by_label_aria_and_th_td_and_drift_noted(page: Any) -> None:
    await page.set_content(PAGE)
    f = form(Binding("xm", "姓名", "text"), Binding("zz", "住址", "text"), Binding("zy", "职业", "text"),
             Binding("csrq", "出生日期", "text", "#csrq", {"by_label": True}))
    card = {"xm": "张三", "zz": "惠安县螺城镇", "zy": "务工", "csrq": "1990-03-07"}
    await f.fill(page, card)
    assert await f.read(page) == card
    assert await page.locator("#x91").input_value() == "张三"
    assert await page.locator("td input[name=zy]").input_value() == "务工"
    assert f.drift == {"出生日期": ("#csrq", "#a1")}
    assert await f.missing(page) == []


async def test_ambiguous_label_is_never_typed_into(page: Any) -> None:
    await page.set_content(PAGE)
    f = form(Binding("bz", "备注", "text"))
    with pytest.raises(errors.PageChanged, match="2 个控件"):
        await f.fill(page, {"bz": "x"})
    assert [await page.locator(f"input[name={n}]").input_value() for n in ("bz1", "bz2")] == ["", ""]
    assert [b.label for b in await f.missing(page)] == ["备注"]
    with pytest.raises(errors.PageChanged):
        await form(Binding("no", "不存在", "text")).fill(page, {"no": "x"})
