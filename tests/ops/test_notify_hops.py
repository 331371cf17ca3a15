"""A case of the loop's further hops that needs a person is announced with its hop in a clerk's words
(``法院宣判 → 检察院判决情况``), not the route's name alone: a judgment's key is a 起诉书文号, a decision's
``{案件编号}#{文书号}#{人卡序号}``, which say nothing of the step they stopped at."""

from __future__ import annotations

from casebot.cli.demo import sandbox_settings
from casebot.ledger import open_ledger
from casebot.ops import notify


def test_a_loop_case_is_announced_with_its_hop(webhook_server, tmp_path):
    urls = {name: f"http://127.0.0.1:9/{name}" for name in ("police", "procuratorate", "court")}
    settings = sandbox_settings(urls, tmp_path, loop=True,
                                notify={"webhooks": [{"url": f"{webhook_server.base}/json"}]})
    ledger = open_ledger(settings.ledger_url())
    try:
        for route, target, key, why in (
                ("court-procuratorate-judgment", "procuratorate", "泉丰检刑诉〔2026〕88号", "被告人2 与人卡对不上"),
                ("procuratorate-police-decision", "police", "A3505020000002026110001#泉鲤公提捕〔2026〕5号#1",
                 "决定日期不能早于提请日期")):
            item = ledger.reserve(route, target, key, owner="t", lease_s=60)
            ledger.set_state(item, "failed", error_type="DataError", error_message=why, release=True)
    finally:
        ledger.close()

    sent = notify.after_run(settings, exit_code=1, system_errors=[])
    assert set(sent.values()) == {1}
    [body] = webhook_server.bodies("/json")
    assert {f["route"]: f["hop"] for f in body["failures"]} == {
        "court-procuratorate-judgment": "法院宣判 → 检察院判决情况",
        "procuratorate-police-decision": "检察院批捕决定 → 公安决定登记"}
    lines = "\n".join(body["lines"])
    assert "court-procuratorate-judgment（法院宣判 → 检察院判决情况） 泉丰检刑诉〔2026〕88号 需人工处理" in lines, lines
