"""Work that is the same for every card is done once per run: the login of each system, shared by the
run's browser contexts (and kept working when that shared session expires)."""

from __future__ import annotations

from collections import Counter

from casebot.domain.exits import EXIT_OK
from casebot.kit.base import Adapter
from casebot.run import Runner
from tests.golden import EXAMPLE, SECOND, THIRD, assert_holds, golden


def _count_login_forms(monkeypatch) -> Counter:
    """How many times each system's login form is submitted (the real submission runs)."""
    submitted: Counter = Counter()
    submit = Adapter.submit_login_form

    async def counted(self, page, **kw):
        submitted[self.name] += 1
        return await submit(self, page, **kw)

    monkeypatch.setattr(Adapter, "submit_login_form", counted)
    return submitted


def _count_contexts(monkeypatch) -> list[int]:
    """The browser contexts each run opens (one entry a context)."""
    opened: list[int] = []
    new_context = Runner._new_context

    async def counted(self, browser):
        opened.append(1)
        return await new_context(self, browser)

    monkeypatch.setattr(Runner, "_new_context", counted)
    return opened


async def test_the_run_s_contexts_share_one_login_per_system(sandbox, settings, monkeypatch):
    assert settings.browser.concurrency == 2
    submitted = _count_login_forms(monkeypatch)
    opened = _count_contexts(monkeypatch)
    g = golden().only(EXAMPLE, SECOND, THIRD)
    sandbox.add_cases(g.police)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    # two contexts at work, each in both systems: one login each, not one per context
    assert len(opened) == 2
    assert submitted == {"police": 1, "procuratorate": 1}


async def test_a_run_opens_no_more_browser_contexts_than_it_has_cases(sandbox, settings, monkeypatch):
    opened = _count_contexts(monkeypatch)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()  # nothing to do
    assert summary.exit_code == EXIT_OK and len(opened) == 1, "one context lists the source"
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    assert len(opened) == 2, "one case: one context, not the configured two"


async def test_a_shared_session_that_expires_is_opened_again_and_the_run_recovers(sandbox, settings, monkeypatch):
    submitted = _count_login_forms(monkeypatch)
    g = golden().only(EXAMPLE, SECOND, THIRD)
    sandbox.add_cases(g.police)
    # the session ends once in the middle of the run (after its tenth request), whatever a card costs: with a
    # budget renewed at every login, two contexts sharing it could use it up before either card is saved
    sandbox.set_faults("procuratorate", session_max_requests=10, session_expiries=1)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    assert_holds(sandbox, "procuratorate", g.procuratorate)
    assert sandbox.faults("procuratorate")["injected"].get("session_expired", 0) >= 1
    assert submitted["procuratorate"] >= 2, "the expired session was replaced by a new login"
    assert summary.counters.get("retries", 0) >= 1


async def test_a_record_typed_by_hand_after_the_run_listed_the_target_is_adopted_not_doubled(
        sandbox, tmp_path, monkeypatch):
    """The run reads the procuratorate's list once and matches cards against it in memory. A clerk types
    a later case by hand after that (and deletes another record, so that the number of records is
    unchanged): the case is adopted, not written a second time."""
    from adapters.procuratorate import ProcuratorateAdapter
    from casebot.cli.demo import sandbox_settings
    from casebot.kit.base import Target
    from tests.e2e.test_hand_typed import stored

    settings = sandbox_settings(sandbox.urls, tmp_path, browser={"concurrency": 1},
                                run={"backoff_initial_s": 0.05, "backoff_max_s": 0.3})
    g = golden().only(EXAMPLE, SECOND, THIRD)
    sandbox.add_cases(g.police)
    cards = g.procuratorate
    # a record of another case, there before the run (a clerk's, deleted during the run)
    other = stored(cards[EXAMPLE], ysajbh="A3505990000002026010001", ysay=["0701"])
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [other])

    searches: Counter = Counter()
    for name in ("_search_by_key", "_search_by_id", "_search_by_case"):
        def spy(name=name, real=getattr(ProcuratorateAdapter, name)):
            async def counted(self, *a, **kw):
                searches[name] += 1
                return await real(self, *a, **kw)
            return counted
        monkeypatch.setattr(ProcuratorateAdapter, name, spy())

    typed: dict = {}
    write = Target.write

    async def then_a_clerk_types_one(self, card):
        record_id = await write(self, card)
        if not typed:
            typed["searches_before"] = sum(searches.values())
            later = next(k for k in (EXAMPLE, SECOND, THIRD) if k != card["ysajbh"])
            sandbox.call("procuratorate", "POST", "/_sandbox/delete", {"ysajbh": other["ysajbh"]})
            typed["key"] = later
            typed["bmsah"] = sandbox.call("procuratorate", "POST", "/_sandbox/records",
                                          [stored(cards[later], ysajbh=later.lower() + " ")])["bmsah"][0]
        return record_id

    monkeypatch.setattr(Target, "write", then_a_clerk_types_one)
    summary = await Runner(settings, routes=["police-procuratorate"]).run()
    assert summary.exit_code == EXIT_OK, [r.error for r in summary.results]
    got = {r.case_key: r for r in summary.results}
    assert got[typed["key"]].record_id == typed["bmsah"], "the record typed by hand is the case's"
    held = sandbox.records("procuratorate")
    assert len(held) == 3, "one record per case: none written twice"
    assert typed["bmsah"] in {r["bmsah"] for r in held}
    assert typed["searches_before"] == 0, "the first case was looked for in the run's list, not searched"
