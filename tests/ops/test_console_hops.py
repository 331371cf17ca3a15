"""The console names each route's hop in a clerk's words (``法院宣判 → 检察院判决情况``) in its counts, its
lists of cases and a case's page: a case of the loop's further hops is keyed by a 起诉书文号 or
``{案件编号}#{文书号}#{人卡序号}``, which do not say the step it stopped at."""

from __future__ import annotations

from casebot.cli.demo import sandbox_settings
from casebot.ledger import open_ledger
from casebot.ops.console import create_app


def test_the_console_names_each_hop(tmp_path):
    urls = {name: f"http://127.0.0.1:9/{name}" for name in ("police", "procuratorate", "court")}
    settings = sandbox_settings(urls, tmp_path, loop=True)
    ledger = open_ledger(settings.ledger_url())
    try:
        item = ledger.reserve("court-procuratorate-judgment", "procuratorate", "泉丰检刑诉〔2026〕88号", owner="t",
                              lease_s=30)
        ledger.set_state(item, "failed", error_type="DataError", error_message="被告人2 与人卡对不上", release=True)
    finally:
        ledger.close()
    client = create_app(settings, tmp_path / "casebot.toml", token="tk").test_client()
    index = client.get("/?token=tk").get_data(as_text=True)
    counts = index.split('id="counts"', 1)[1].split("</table>", 1)[0]
    assert "法院宣判 → 检察院判决情况" in counts, counts
    failed = index.split('id="failed"', 1)[1].split("</table>", 1)[0]
    assert "法院宣判 → 检察院判决情况" in failed and "泉丰检刑诉〔2026〕88号" in failed, failed
    page = client.get(f"/case/{item.id}?token=tk").get_data(as_text=True)
    assert "法院宣判 → 检察院判决情况" in page
