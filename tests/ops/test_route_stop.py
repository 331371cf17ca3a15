"""A changed page stops its route for the run at the first PageChanged: the other cases do not each wait out
their own timeout; the report carries the banner 页面已变化，请运行 casebot doctor."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.procuratorate import ProcuratorateAdapter
from casebot.cli.run import execute
from casebot.kit.widgets import Binding, Form
from tests.golden import copies

pytestmark = pytest.mark.browser


def test_a_changed_page_stops_its_route(sandbox, settings, monkeypatch):
    g = copies(16)
    g = g.only(*g.written)  # ten cases that pass the clerk's rules: each would reach the page
    sandbox.add_cases(g.police)
    cases = len(g.police)
    assert cases >= 5
    settings.systems["procuratorate"].timeout_ms = 2000
    form = ProcuratorateAdapter.case_form
    # the upgraded page renamed the 案件名称 box: the adapter's selector no longer matches
    monkeypatch.setattr(ProcuratorateAdapter, "case_form",
                        Form("case", [*form.bindings[:1], Binding("ajmc", "案件名称", "text", "#ajmc_v2")],
                             "procuratorate"))
    summary = execute(settings, routes=["police-procuratorate"], progress=False)
    assert summary.exit_code == 7
    met = [r for r in summary.results if r.error_type == "PageChanged" and "已停止" not in (r.error or "")]
    stopped = [r for r in summary.results if "已停止" in (r.error or "")]
    assert 1 <= len(met) <= settings.browser.concurrency, "only the cases already on the page meet it"
    assert len(met) + len(stopped) == cases
    assert all("casebot doctor" in r.error for r in stopped)
    assert sandbox.records("procuratorate") == []
    report = Path(summary.report_path).read_text(encoding="utf-8")
    assert "页面已变化，请运行 casebot doctor" in report
