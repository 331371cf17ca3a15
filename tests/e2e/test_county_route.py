"""`casebot run` routes the court hop by region: two counties' cases go into the county system, the rest to court."""

from __future__ import annotations

from collections import Counter

from casebot.commands.demo import prosecute_some, sandbox_settings
from casebot.commands.reconcile import _run as reconcile_routes
from casebot.ledger import open_ledger
from casebot.pipeline import Pipeline
from casebot.run import EXIT_OK, Runner
from casebot.verify import differences
from sandbox.county import REGIONS

PIPELINE = Pipeline()


async def test_court_hop_routed_by_region(sandbox, tmp_path, monkeypatch) -> None:
    # the county system under a name of the config's own: mappings name adapters and kinds of record
    monkeypatch.setenv("CASEBOT_HUIAN_DEHUA_PASSWORD", "sandbox")
    settings = sandbox_settings(
        sandbox.urls, tmp_path, browser={"concurrency": 2},
        systems={"huian_dehua": {"url": sandbox.urls["county"], "username": "casebot", "adapter": "county"}},
        run={"backoff_initial_s": 0.05, "backoff_max_s": 0.3, "max_attempts": 5},
        routes=[{"name": "police-procuratorate", "source": "police", "target": "procuratorate",
                 "filters": {"status": "已移送起诉"}},
                {"name": "procuratorate-court", "source": "procuratorate", "target": "court",
                 "case_source": "police", "filters": {"zt": "已起诉"}, "skip_regions": list(REGIONS)},
                {"name": "procuratorate-county", "source": "procuratorate", "target": "huian_dehua",
                 "case_source": "police", "filters": {"zt": "已起诉"}, "regions": list(REGIONS)}])
    sandbox.seed(4, seed=14)  # two eligible cases: one of 德化县 (county system), one of 石狮市 (court)
    first = await Runner(settings, routes=["police-procuratorate"]).run()
    assert first.exit_code == EXIT_OK, [r.error for r in first.results]
    assert prosecute_some(sandbox, fraction=1.0) > 0
    second = await Runner(settings).run()
    assert second.exit_code == EXIT_OK, [r.error for r in second.results]

    units = {u["ysdw_code"]: u["region"] for u in PIPELINE.codes["units"].rows}
    prosecuted = {r["qsswh"]: r for r in sandbox.records("procuratorate") if r.get("zt") == "已起诉"}
    county_keys = {k for k, r in prosecuted.items() if units[r["ysdw"]] in REGIONS}
    court, county = sandbox.records("court"), sandbox.records("county")
    assert county_keys and county_keys != set(prosecuted), "the seed gives both kinds of county"
    assert Counter(r["qsswh"] for r in county) == Counter(county_keys), "each county case once, in county"
    assert Counter(r["qsswh"] for r in court) == Counter(set(prosecuted) - county_keys)
    cases = {c["ajbh"]: c for c in sandbox.police_cases()}
    for rec in county:
        proc = prosecuted[rec["qsswh"]]
        card = PIPELINE.target_card("county", PIPELINE.case_card(cases[proc["ysajbh"]]), procuratorate=proc)
        assert differences(card, rec) == [], rec["qsswh"]
    again = await Runner(settings).run()
    assert again.results == [], "a repeated run finds everything done"

    # reconcile builds the card the run built (one record -> card path): every linked record in step,
    # the county one under the config's own name included
    ledger = open_ledger(settings.ledger_url())
    try:
        report = await reconcile_routes(settings, ledger, None, None)
    finally:
        ledger.close()
    assert report.problems == [] and report.counts()["in-step"] == len(report.findings) > len(county_keys)
    assert {f.route for f in report.findings} >= {"procuratorate-county", "procuratorate-court"}
