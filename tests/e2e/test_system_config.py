"""A system's missing password is that system's configuration problem, never a bug."""

from __future__ import annotations

from casebot.cli.demo import sandbox_settings
from casebot.domain.exits import EXIT_CONFIG
from casebot.run import Runner
from sandbox.county import REGIONS
from tests.e2e.test_hand_typed import stored
from tests.golden import EXAMPLE, golden


async def test_a_missing_county_password_stops_its_route_as_a_configuration_error(sandbox, tmp_path, monkeypatch):
    g = golden().only(EXAMPLE)
    sandbox.add_cases(g.police)
    # a prosecuted procuratorate record of 惠安县, whose court is on the county system
    sandbox.call("procuratorate", "POST", "/_sandbox/records", [stored(g.procuratorate[EXAMPLE], ysdw="Y350521")])
    sandbox.prosecute(EXAMPLE, "惠检刑诉〔2026〕1号", "2026-12-01")
    settings = sandbox_settings(
        sandbox.urls, tmp_path, run={"backoff_initial_s": 0.05, "backoff_max_s": 0.3},
        routes=[{"name": "procuratorate-county", "source": "procuratorate", "target": "county",
                 "case_source": "police", "filters": {"zt": "已起诉"}, "regions": list(REGIONS)}])
    monkeypatch.delenv("CASEBOT_COUNTY_PASSWORD", raising=False)
    monkeypatch.setenv("CASEBOT_KEYRING", "file")  # an empty store of its own: no password anywhere
    monkeypatch.setenv("CASEBOT_SECRETS_FILE", str(tmp_path / "secrets.cfg"))

    summary = await Runner(settings).run()
    assert summary.exit_code == EXIT_CONFIG, summary.as_json()
    assert not summary.bug
    assert [e for e in summary.system_errors if "systems.county：缺少密码" in e], summary.system_errors
    assert all("程序错误" not in (r.error or "") for r in summary.results)
    assert sandbox.records("county") == []
