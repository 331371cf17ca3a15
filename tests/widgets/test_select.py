"""Selects: an option the control does not offer is bad data at once; a field whose selector matches two
controls is refused with the field's name, by the run's fill as by doctor; and neither check costs the
happy path more than one call to the browser."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from casebot import errors
from casebot.kit.widgets import Binding, Form, offers
from casebot.testing.calls import PlaywrightCalls

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><meta charset="utf-8"><form>
<select id="ay"><option value=""></option><option value="0631">盗窃罪</option>
<option value='a"b\\c'>引号</option></select>
<select id="lb"><option value="">请选择</option><option value="17">  刑事  </option></select>
<input id="ajmc"></form>"""


def form(*bindings: Binding) -> Form:
    return Form("t", list(bindings), system="test")


async def test_an_offered_option_costs_one_call_and_a_missing_one_is_said_at_once(page: Any) -> None:
    await page.set_content(PAGE)
    with PlaywrightCalls() as calls:
        assert await offers(page.locator("#ay"), value="0631")
        assert await offers(page.locator("#ay"), value='a"b\\c')
        assert await offers(page.locator("#lb"), text="刑事")
    assert calls.methods == Counter({"queryCount": 3}), "one count each, no element handle to wait for and free"
    with PlaywrightCalls() as calls:
        assert not await offers(page.locator("#ay"), value="9999")
        assert not await offers(page.locator("#lb"), text="民事")
    # the select (on the page) is read once, never chosen from: select_option would wait for the option
    assert calls.methods["evaluateExpression"] == 2 and "selectOption" not in calls.methods, calls.methods
    f = form(Binding("ysay", "移送案由", "select", "#ay"), Binding("ajlb", "案件类别", "select_label", "#lb"))
    with pytest.raises(errors.OptionMissing) as info:
        await f.fill(page, {"ysay": "9999"})
    assert (info.value.label, info.value.value) == ("移送案由", "9999")
    await f.fill(page, {"ysay": "0631", "ajlb": "刑事"})
    assert await f.read(page) == {"ysay": "0631", "ajlb": "刑事"}


async def test_a_select_not_yet_on_the_page_is_waited_for_not_taken_for_one_without_the_option(page: Any) -> None:
    await page.set_content('<!doctype html><div id="slot"></div><script>setTimeout(() => { document.getElementById('
                           '"slot").innerHTML = \'<select id="late"><option value="7">七</option></select>\' }, 400)'
                           '</script>')
    assert await offers(page.locator("#late"), value="7")
    await form(Binding("x", "迟到的选择框", "select", "#late")).fill(page, {"x": "7"})
    assert await page.locator("#late").input_value() == "7"


async def test_a_field_matching_two_controls_is_refused_by_name_and_nothing_is_typed(page: Any) -> None:
    """The run fills without counting each field first (Playwright's strict locator refuses two controls);
    what it then says is what doctor says: the field, its selector and how many controls it matched."""
    await page.set_content(PAGE + '<input id="ajmc">')
    f = form(Binding("ajmc", "案件名称", "text", "#ajmc"))
    with PlaywrightCalls() as calls:
        await form(Binding("ysay", "移送案由", "select", "#ay")).fill(page, {"ysay": "0631"})
    # the option's count and the choice; no count of the select, no handle waited for and freed
    assert calls.methods["queryCount"] == 1 and calls.methods["selectOption"] == 1, calls.methods
    assert not {"waitForSelector", "evaluateExpression", "dispose"} & set(calls.methods), calls.methods
    with pytest.raises(errors.PageChanged) as run:
        await f.fill(page, {"ajmc": "张某盗窃案"})
    assert run.value.label == "案件名称" and "#ajmc" in run.value.what and "2 个元素" in run.value.what
    assert [await e.input_value() for e in await page.locator("#ajmc").all()] == ["", ""]
    with pytest.raises(errors.PageChanged) as read:
        await f.read(page)
    assert read.value.label == "案件名称"
    doctor = await f.missing(page)
    assert [b.label for b in doctor] == ["案件名称"]
