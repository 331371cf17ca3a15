"""Issue 5's 'done when', with a real Chromium against the sandbox."""

from __future__ import annotations

import copy
import zipfile

from casebot.cli.demo import sandbox_settings
from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_OK, EXIT_RETRY_LATER
from casebot.ledger import open_ledger
from casebot.run import Runner
from casebot.run import worker as worker_module
from casebot.run.worker import Worker
from tests.golden import EXAMPLE, SECOND, THIRD, assert_holds, golden, holdings, prosecute


async def test_every_golden_case_lands_once_in_both_systems_as_written_by_hand(sandbox, settings):
    """The golden set covers every rule of SPEC section 4: each target ends holding the hand-written records."""
    g = golden()
    sandbox.add_cases(g.police)
    first = await Runner(settings, routes=["police-procuratorate"]).run()
    assert first.exit_code == EXIT_CASES_FAILED, "the cases whose data stops them fail"
    failed = {r.case_key: r for r in first.results if r.outcome == "failed"}
    assert sorted(failed) == sorted(g.stops)
    assert all(key in r.error for key, r in failed.items()), "the message names the case"
    assert {r.case_key for r in first.results if r.outcome == "done"} == set(g.written)
    assert_holds(sandbox, "procuratorate", g.procuratorate)

    prosecute(sandbox, g.prosecutions)
    second = await Runner(settings, routes=["procuratorate-court"]).run()
    assert second.exit_code == EXIT_OK, [r.error for r in second.results]
    assert_holds(sandbox, "court", g.court)

    again = await Runner(settings).run()
    assert {r.outcome for r in again.results} <= {"failed"}, "a repeated run writes nothing"
    assert_holds(sandbox, "procuratorate", g.procuratorate_after())
    assert_holds(sandbox, "court", g.court)


async def test_dry_run_writes_nothing(sandbox, settings):
    sandbox.seed(4, seed=9)
    summary = await Runner(settings, dry_run=True, routes=["police-procuratorate"]).run()
    assert summary.results and {r.outcome for r in summary.results} == {"dry-run"}
    assert sandbox.records("procuratorate") == []


async def test_bad_case_stops_alone_and_is_replayed_after_the_fix(sandbox, settings):
    g = golden().only(EXAMPLE, SECOND)
    good = g.police[0]
    bad = copy.deepcopy(good)
    bad["ajbh"] = good["ajbh"][:-4] + "9911"
    bad["ay"] = ["039999"]
    sandbox.add_cases([*g.police, bad])
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    failed = [r for r in summary.results if r.outcome == "failed"]
    assert [r.case_key for r in failed] == [bad["ajbh"]]
    assert "039999" in failed[0].error and bad["ajbh"] in failed[0].error
    assert_holds(sandbox, "procuratorate", g.procuratorate)

    # the police correct the charge; the next run sees the changed source and writes it (another charge
    # than the good case's: the same suspect, charge and unit under another number is a probable duplicate)
    assert good["ay"] == ["032640"]
    bad["ay"] = ["031330"]  # 交通肇事罪: procuratorate code 0206 (charges.csv)
    sandbox.add_cases([bad])
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK
    corrected = copy.deepcopy(g.procuratorate[good["ajbh"]])
    corrected.update(ysajbh=bad["ajbh"], ysay=["0206"])
    for person in corrected["xyr"]:
        person["ay"] = ["0206"]
    assert_holds(sandbox, "procuratorate", {**g.procuratorate, bad["ajbh"]: corrected})


async def test_refused_write_back_replayed_with_frozen_card(sandbox, settings):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", reject_rate=1.0)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    assert {r.error_type for r in summary.results} == {"RejectedError"}
    assert summary.counters.get("retries", 0) == 0, "a business error is not retried"
    assert sandbox.records("procuratorate") == []
    ledger = open_ledger(settings.ledger_url())
    items = ledger.items(states=("failed",))
    audits = [ledger.attempts_of(i.id) for i in items]
    ledger.close()
    assert len(items) == len(g.written) and all(i.card for i in items)
    assert all(any(a.endswith(".png") for a in i.artifacts) and not any(a.endswith(".zip") for a in i.artifacts)
               for i in items), "a refusal on a first attempt keeps a screenshot; traces start on a retry"
    assert all(a and a[-1]["outcome"] == "failed" and a[-1]["error_type"] == "RejectedError"
               and a[-1]["finished_at"] for a in audits), "each refused attempt is closed in the audit"
    assert [len(a) for a in audits] == [1] * len(items), "a refusal is a business error: attempted once"
    assert sandbox.faults("procuratorate")["injected"] == {"reject": len(items)}

    sandbox.set_faults("procuratorate")
    sandbox.set_faults("procuratorate", refuse_duplicates=False)
    summary = await Runner(settings).run(replay=items)
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    summary = await Runner(settings).run(replay=items)
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    assert sandbox.saves("procuratorate") == dict.fromkeys(g.written, 1), "a second replay finds, not writes"


async def test_lost_answer_after_commit_is_found_not_rewritten(sandbox, settings):
    """Without the target's duplicate refusal: only the robot's own lookup keeps the second save away."""
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", commit_then_error_rate=1.0, refuse_duplicates=False)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert sandbox.saves("procuratorate") == dict.fromkeys(g.written, 1)
    assert_holds(sandbox, "procuratorate", g.procuratorate)


async def test_read_back_mismatch_is_reported_kept_in_the_ledger_and_not_written_again(sandbox, settings):
    """The target stores something else than was sent (a sandbox fault): the read-back check notices."""
    g = golden().only(EXAMPLE, SECOND)
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", alter_rate=1.0, seed=2, refuse_duplicates=False)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_CASES_FAILED
    assert {r.case_key: (r.outcome, r.error_type) for r in summary.results} == dict.fromkeys(
        g.written, ("failed", "VerificationError"))
    assert all(r.record_id for r in summary.results), "the record written is named for the clerk"
    altered = sandbox.faults("procuratorate")["injected"]
    assert altered["alter"] == len(g.written), "a read-back mismatch is a business error: not retried"
    assert summary.counters.get("retries", 0) == 0
    ledger = open_ledger(settings.ledger_url())
    items = {i.case_key: i for i in ledger.items()}
    ledger.close()
    assert {k: (i.state, i.error_type) for k, i in items.items()} == dict.fromkeys(
        g.written, ("failed", "VerificationError"))

    sandbox.set_faults("procuratorate", refuse_duplicates=False)
    again = await Runner(settings, routes=["police-procuratorate"]).run()
    assert {r.outcome for r in again.results} == {"failed"}
    assert sandbox.saves("procuratorate") == dict.fromkeys(g.written, 1), "a mismatch is never written again"
    assert holdings(sandbox, "procuratorate") != g.procuratorate


async def test_a_case_is_traced_from_its_first_retry_and_the_trace_kept_if_it_fails(sandbox, settings):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    sandbox.set_faults("procuratorate", error_rate=1.0)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_RETRY_LATER
    # the search for a record typed by hand fails before any save is sent: nothing uncertain, retry next run
    assert {r.outcome for r in summary.results} == {"retry"}
    assert summary.counters["retries"] == (settings.run.max_attempts - 1) * len(g.written), \
        "a transient error is tried max_attempts times, then left for the next run"
    for r in summary.results:
        traces = [a for a in r.artifacts if a.endswith(".trace.zip")]
        assert len(traces) == 1, r
        with zipfile.ZipFile(traces[0]) as z:
            events = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".trace"))
        assert f"{r.case_key} (retry)" in events, "the trace starts with the case's first retry"

    # the next run traces these unfinished cases from their start, and keeps nothing when they succeed
    sandbox.set_faults("procuratorate")
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK
    assert all(r.outcome == "done" and r.artifacts == [] for r in summary.results)
    assert_holds(sandbox, "procuratorate", g.procuratorate)


async def test_a_worker_reopens_its_pages_every_n_cases(sandbox, tmp_path, monkeypatch):
    """Playwright keeps a page's requests until it closes: long runs reopen pages to stay flat in memory."""
    monkeypatch.setattr(worker_module, "RECYCLE_PAGES_EVERY", 2)
    seen: list = []
    finished_case = Worker.finished_case

    async def noting_the_page(worker: Worker) -> None:
        seen.append(worker.page_of("procuratorate"))
        await finished_case(worker)

    monkeypatch.setattr(Worker, "finished_case", noting_the_page)
    g = golden().only(EXAMPLE, SECOND, THIRD)
    sandbox.add_cases(g.police)
    settings = sandbox_settings(sandbox.urls, tmp_path, browser={"concurrency": 1})
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert len(seen) == 3 and seen[0] is seen[1], "one page for the first two cases"
    assert seen[1].is_closed() and seen[2] is not seen[1], "then closed, and the third case had a new one"
    assert_holds(sandbox, "procuratorate", g.procuratorate)
