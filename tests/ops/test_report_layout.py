"""The HTML run report laid out for a person (issue 21, item 6): a run that only failed to log in is not
headed "0 节省录入时间"; the result column stays readable beside a long reason and long file names."""

from __future__ import annotations

import time

import pytest

from casebot.run.outcome import CaseResult, RunSummary
from casebot.run.report import render


def test_a_run_that_only_failed_to_log_in_is_not_headed_by_time_saved():
    summary = RunSummary(run_id="r1", started=time.time() - 5, finished=time.time(),
                         system_errors=["检察院系统登录失败：用户名或密码错误，请用 casebot secret set 重设密码"])
    html = render(summary, manual_minutes=6)
    assert "节省录入时间" not in html, "nothing was entered: no time saved to boast of"
    assert "登录失败" in html
    assert "逐案结果" not in html, "no empty table of cases"


@pytest.mark.browser
async def test_the_result_column_is_readable_beside_a_long_reason(page):
    now = time.time()
    long_reason = "案件 A3505020000002026110001：" + "公安系统中的数据有误，" * 30
    shot = "artifacts/" + "police-procuratorate-A3505020000002026110001-" * 3 + "20261203T101010.png"
    summary = RunSummary(run_id="r2", started=now - 30, finished=now, results=[
        CaseResult("police-procuratorate", "A3505020000002026110001", "failed", error=long_reason,
                   error_type="DataError", artifacts=[shot, shot.replace(".png", ".zip")]),
        CaseResult("police-procuratorate", "A3505020000002026110002", "done", record_id="JC2026110002"),
    ])
    await page.set_viewport_size({"width": 1024, "height": 768})
    await page.set_content(render(summary, manual_minutes=6))
    cell = page.locator("td.failed").first
    lines = await cell.evaluate("c => { const r = document.createRange(); r.selectNodeContents(c);"
                                " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }")
    assert await cell.inner_text() == "需人工处理"
    assert lines == 1, f"需人工处理 on one line, not one character a line ({lines} lines)"
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scroll"


def test_a_changed_page_is_named_in_the_report():
    summary = RunSummary(run_id="r3", started=time.time() - 5, finished=time.time(), exit_code=7, page_changed=True,
                         stopped_routes={"police-procuratorate":
                                         "procuratorate: 页面结构已变化，找不到 案卡录入页的 #ajmc（字段“案件名称”）"})
    html = render(summary, manual_minutes=6)
    assert "路线 police-procuratorate 已停止" in html and "案件名称" in html
