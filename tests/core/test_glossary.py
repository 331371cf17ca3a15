"""One word per state: the run's outcomes are ledger states, and every place shows them from one glossary."""

from __future__ import annotations

from casebot import report
from casebot.glossary import STATE_LABELS, label
from casebot.ledger import STATES
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
