"""Widgets for third-party UI kits, each against a page that uses the real library (served by the sandbox)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from casebot import errors
from casebot.kit.widgets import Binding, widget
from casebot.kit.widgets.element import confirm_dialog
from casebot.kit.widgets.layui import confirm_layer

pytestmark = pytest.mark.browser


async def model(page: Any) -> dict[str, Any]:
    """What the page's own script reports of its form (the library's state, not the widget's reading)."""
    return json.loads(await page.locator("#model").inner_text())


async def open_kit(page: Any, urls: dict[str, str], kit: str) -> None:
    await page.goto(f"{urls['county']}/_sandbox/kits/{kit}")
    ready = {"layui": ".layui-form-select", "select2": ".select2-container", "element": ".el-select"}[kit]
    await page.locator(ready).first.wait_for()


def b(field: str, label: str, kind: str, selector: str, **options: Any) -> Binding:
    return Binding(field=field, label=label, widget=kind, selector=selector, options=options)


async def test_layui_select_searchable_and_plain(page: Any, urls: dict[str, str]) -> None:
    await open_kit(page, urls, "layui")
    ay, mz = b("ay", "案由", "layui_select", "#f-ay"), b("mz", "民族", "layui_select", "#f-mz")
    await widget("layui_select").fill(page, ay, "盗窃罪")
    await widget("layui_select").fill(page, mz, "回族")
    assert await model(page) == {"mz": "03", "ay": "0502", "sarq": ""}
    assert await widget("layui_select").read(page, ay) == "盗窃罪"
    assert await page.locator("#f-ay + .layui-form-select .layui-select-title input").input_value() == "盗窃罪"
    with pytest.raises(errors.OptionMissing, match="'案由'中没有选项 偷窃罪"):
        await widget("layui_select").fill(page, ay, "偷窃罪")
    assert (await model(page))["ay"] == "0502", "a value not offered leaves the select as it was"


async def test_laydate_typed_in_display_format_and_layer_confirm(page: Any, urls: dict[str, str]) -> None:
    await open_kit(page, urls, "layui")
    sarq = b("sarq", "收案日期", "typed_date", "#f-sarq", format="yyyy年MM月dd日", popup=".layui-laydate")
    await widget("typed_date").fill(page, sarq, "2026-03-01")
    assert (await model(page))["sarq"] == "2026年03月01日"
    assert await widget("typed_date").read(page, sarq) == "2026-03-01"
    await page.locator("#btn-save").click()
    await confirm_layer(page, "确认保存本案")
    assert await page.locator("#saved").inner_text() == "已保存"


async def test_select2_ajax_search_and_plain(page: Any, urls: dict[str, str]) -> None:
    await open_kit(page, urls, "select2")
    ay = b("ay", "案由", "select2", "#s-ay")
    await widget("select2").fill(page, ay, "诈骗罪")  # the search also offers 信用卡诈骗罪, 合同诈骗罪
    await widget("select2").fill(page, b("gsjg", "公诉机关", "select2", "#s-gsjg"), "德化县人民检察院")
    assert await model(page) == {"ay": "0503", "gsjg": "J350526"}
    assert await widget("select2").read(page, ay) == "诈骗罪"
    with pytest.raises(errors.OptionMissing, match="'案由'中没有选项 不存在罪"):
        await widget("select2").fill(page, ay, "不存在罪")
    assert (await model(page))["ay"] == "0503"


async def test_element_remote_select_date_picker_and_dialog(page: Any, urls: dict[str, str]) -> None:
    await open_kit(page, urls, "element")
    ay = b("ay", "案由", "el_select", "#e-ay", answer="/kits/api/charges")
    xb = b("xb", "性别", "el_select", "#e-xb")
    sarq = b("sarq", "收案日期", "typed_date", "#e-sarq", format="YYYY年MM月DD日", commit="Enter",
             popup=".el-picker__popper")
    await widget("el_select").fill(page, ay, "抢劫罪")
    await widget("el_select").fill(page, xb, "女性")
    await widget("typed_date").fill(page, sarq, "2026-12-01")
    assert await model(page) == {"ay": "0501", "xb": "2", "sarq": "2026-12-01"}
    assert [await widget("el_select").read(page, ay), await widget("typed_date").read(page, sarq)] == \
        ["抢劫罪", "2026-12-01"]
    with pytest.raises(errors.OptionMissing):
        await widget("el_select").fill(page, ay, "不存在罪")
    await page.locator("#btn-save").click()
    await confirm_dialog(page, "提示")
    assert await page.locator("#saved").inner_text() == "已保存"
