"""One case's journey against the sandbox: what it costs the ledger, and how a changed page or a
value the target lacks ends it (neither is retried)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_OK, EXIT_PAGE_CHANGED
from casebot.ledger import open_ledger
from casebot.run import Runner
from tests.golden import EXAMPLE, assert_holds, golden

ROUTE = "police-procuratorate"


class CountingLedger:
    """The real ledger, with every call written down (each call is one round trip)."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.ledger, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attr(*args, **kwargs)

        return counted


async def test_a_normal_case_costs_four_ledger_round_trips(sandbox, settings):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    ledger = CountingLedger(open_ledger(settings.ledger_url()))
    try:
        summary = await Runner(settings, ledger=ledger, routes=[ROUTE]).run()
    finally:
        ledger.ledger.close()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert [r.outcome for r in summary.results] == ["done"]
    # once per run, once per route's listing, or once every lease_s / 3 for all the cases in flight
    # (the listing reads the route's done cases' versions and its failures already reported)
    run_level = {"start_run", "finish_run", "case_versions", "items", "heartbeat"}
    assert [c for c in ledger.calls if c not in run_level] == ["reserve", "begin_write", "set_state", "set_state"]
    assert ledger.calls.count("case_versions") == 1, "the route's done cases are read once, not case by case"
    assert ledger.calls.count("items") == 1, "and its reported failures once"
    assert_holds(sandbox, "procuratorate", g.procuratorate)


async def test_a_selector_matching_two_elements_stops_the_case_without_retrying(sandbox, settings):
    sandbox.seed(1, seed=32, status="已移送起诉")
    sandbox.set_faults("procuratorate", ambiguous=True)
    summary = await Runner(settings, routes=[ROUTE]).run()
    assert summary.exit_code == EXIT_PAGE_CHANGED
    [result] = summary.results
    # the page changed mid-form, after the intent was recorded: the next run asks the target first
    assert (result.outcome, result.error_type) == ("unknown", "PageChanged")
    assert "2 个元素" in result.error
    assert summary.counters.get("retries", 0) == 0, "a changed page is not retried"
    assert sandbox.records("procuratorate") == []


async def test_a_code_the_target_does_not_offer_fails_the_case_after_one_attempt(sandbox, settings):
    sandbox.seed(1, seed=33, status="已移送起诉")
    table = Path(__file__).parents[2] / "mappings" / "codes" / "charges.csv"
    with table.open(encoding="utf-8") as f:
        codes = [row["procuratorate_code"] for row in csv.DictReader(f)]
    sandbox.set_faults("procuratorate", hidden_codes=codes)   # the target lacks every charge of the table
    summary = await Runner(settings, routes=[ROUTE]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    [result] = summary.results
    assert (result.outcome, result.error_type) == ("failed", "OptionMissing")
    assert "检察业务应用系统'移送案由'中没有选项 " in result.error and result.case_key in result.error
    assert summary.counters.get("retries", 0) == 0 and result.attempts == 1
    ledger = open_ledger(settings.ledger_url())
    item = ledger.get(ROUTE, result.case_key)
    assert item.state == "failed" and len(ledger.attempts_of(item.id)) == 1
    ledger.close()
    assert sandbox.records("procuratorate") == []
