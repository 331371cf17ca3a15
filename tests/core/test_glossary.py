"""One word per state: the run's outcomes are ledger states, and every place shows them from one glossary."""

from __future__ import annotations

from casebot.domain.states import LABELS as STATE_LABELS
from casebot.domain.states import label
from casebot.ledger import STATES
from casebot.run import report
from casebot.run.outcome import OUTCOMES, CaseResult, RunSummary


def test_every_state_and_outcome_has_one_chinese_word():
    assert set(STATES) | set(OUTCOMES) <= set(STATE_LABELS)
    assert set(OUTCOMES) - {"dry-run"} <= set(STATES), "an outcome is the ledger state the case was left in"
    assert len(set(STATE_LABELS.values())) == len(STATE_LABELS), "no word for two states"


def test_the_report_uses_the_glossary():
    summary = RunSummary(run_id="r1", started=0, finished=1)
    summary.results += [CaseResult("r", "A1", "unknown"), CaseResult("r", "A2", "retry")]
    html = report.render(summary, manual_minutes=6)
    assert label("unknown") in html and label("retry") in html and "下次重试" not in html


def test_a_failure_reported_before_is_not_news():
    summary = RunSummary(run_id="r2", started=0, finished=1)
    summary.results += [CaseResult("r", "A1", "failed", error="移送案由缺少代码 0206"),
                        CaseResult("r", "A2", "failed", error="已报告的原因", known=True),
                        CaseResult("r", "A3", "done")]
    assert summary.did_something() and summary.exit_status() == 1, "a known failure still needs a clerk"
    html = report.render(summary, manual_minutes=6)
    news, waiting = html.split('id="waiting"')
    assert "A1" in news and "A2" not in news and "A2" in waiting and "已报告的原因" in waiting
    assert "<b>1</b>" + label("failed") in news, "counted once, as news only"
    assert summary.as_json()["by_route"] == {"r": {"failed": 1, "done": 1}}
    assert summary.as_json()["waiting"] == {"r": 1}
    only_known = RunSummary(run_id="r3", started=0, finished=1)
    only_known.results.append(CaseResult("r", "A2", "failed", known=True))
    assert not only_known.did_something(), "nothing new: no report"


def test_the_console_uses_the_glossary():
    from casebot.ops import console

    assert console.STATE_LABELS is STATE_LABELS, "one glossary, not a copy that can drift"
