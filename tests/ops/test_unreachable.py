"""A system unreachable (its server down) has its own exit status, alert and gauge, whatever else waits (issue 21,
item 3: "A target down: raw English `Page.goto: net::ERR_CONNECTION_REFUSED at …` ... the run exits 1 (not 2)
because cases still waiting from earlier mask it; no alert")."""

from __future__ import annotations

import time

import pytest

from casebot.cli.demo import sandbox_settings
from casebot.cli.run import execute
from casebot.config import load
from casebot.domain.exits import EXIT_CASES_FAILED, EXIT_UNREACHABLE
from casebot.ops import lastrun, notify
from casebot.ops.console import create_app
from casebot.ops.reading import read_state
from casebot.run.outcome import RunSummary
from tests.golden import golden
from tests.ops.test_metrics_idiom import families
from tests.receivers import free_port

pytestmark = pytest.mark.browser


def test_a_system_down_exits_alerts_and_gauges_once_then_resolves(sandbox, tmp_path, webhook_server):
    g = golden()
    bad = next(iter(g.stops))
    good = [c["ajbh"] for c in g.police if c["ajbh"] not in g.stops][:2]
    settings = sandbox_settings(sandbox.urls, tmp_path, run={"backoff_initial_s": 0.05, "backoff_max_s": 0.2},
                                notify={"webhooks": [{"url": f"{webhook_server.base}/json"}]})
    route = ["police-procuratorate"]
    sandbox.add_cases(g.only(bad, good[0]).police)
    first = execute(settings, routes=route, progress=False)
    assert first.exit_code == EXIT_CASES_FAILED  # the bad case waits for a clerk from now on

    sandbox.add_cases(g.only(good[1]).police)  # a new case to write while the procuratorate is down
    up_url = settings.systems["procuratorate"].url
    settings.systems["procuratorate"].url = f"http://127.0.0.1:{free_port()}"
    down = execute(settings, routes=route, progress=False)
    assert down.exit_code == EXIT_UNREACHABLE, "a waiting failed case does not mask a system down"
    [stuck] = [r for r in down.results if r.case_key == good[1]]
    assert stuck.outcome == "retry" and stuck.error_type == "SystemUnreachable"
    assert "net::" not in stuck.error and "无法连接" in stuck.error and "检察" in stuck.error, stuck.error
    assert not [a for a in stuck.artifacts if a.endswith(".png")], "no screenshot of the browser's own error page"
    alerts = [b for b in webhook_server.bodies("/json") if b["kind"] == "unreachable"]
    assert len(alerts) == 1 and "检察业务应用系统" in alerts[0]["title"], webhook_server.received
    up = {s.labels["system"]: s.value for s in families(settings)["casebot_system_up"].samples}
    assert up["procuratorate"] == 0 and up["police"] == 1

    told = read_state(notify.state_file(settings))["webhook0:json"]
    again = notify.alerts(exit_code=EXIT_UNREACHABLE, system_errors=down.system_errors, failures=[], told=told,
                          down=down.unreachable, reached=down.reached)
    assert again == [], "a run that finds it still down says nothing new"

    settings.systems["procuratorate"].url = up_url
    back = execute(settings, routes=route, progress=False)
    assert back.exit_code == EXIT_CASES_FAILED
    resolved = [b for b in webhook_server.bodies("/json") if b["kind"] == "resolved"]
    assert len(resolved) == 1 and "检察业务应用系统" in resolved[0]["title"], resolved
    up = {s.labels["system"]: s.value for s in families(settings)["casebot_system_up"].samples}
    assert up["procuratorate"] == 1


def test_the_console_banner_names_the_system_down(config_file):
    """What a person opening the console sees after a run that could not reach a system (whatever else it met)."""
    settings = load(config_file)
    summary = RunSummary(run_id="r11", started=time.time() - 3, finished=time.time(), exit_code=3,
                         blocked={"police": "police: 登录页要求输入验证码"},
                         unreachable={"procuratorate": "检察业务应用系统"})
    lastrun.record_end(settings, summary)
    page = create_app(settings, config_file, token="tk").test_client().get("/?token=tk").get_data(as_text=True)
    banner = page.split('id="banner">', 1)[1].split("</p>", 1)[0]
    assert "检察业务应用系统（procuratorate）无法连接" in banner and "自动续办" in banner, banner
