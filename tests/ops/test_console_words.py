"""The console's words for a clerk: advice right for every state, the history in Chinese, a case stopped by a
changed page not said to be submitted (issue 21, item 7)."""

from __future__ import annotations

from casebot.config import load
from casebot.domain.states import ALL, LABELS
from casebot.ledger import open_ledger
from casebot.ops.advice import advise
from casebot.ops.console import create_app


def test_every_state_has_advice_a_person_can_follow():
    for state in set(ALL) - {"failed"}:  # a failure of no known kind is said to be unknown, never guessed
        advice = advise(state, None, None)
        assert advice.where != "未识别", state
    assert "无需处理" in advise("done", None, None).where


def test_a_case_stopped_by_a_changed_page_is_not_said_to_be_submitted():
    message = "案件 A1：检察院系统 的 案卡 页面变了：找不到字段 案件名称"
    for state in ("unknown", "retry", "failed"):
        advice = advise(state, "PageChanged", message)
        assert "已提交" not in advice.what, state
        assert "页面" in advice.what


def test_the_history_shows_states_in_chinese(config_file):
    settings = load(config_file)
    ledger = open_ledger(settings.ledger_url())
    item = ledger.reserve("police-procuratorate", "procuratorate", "A3505020000002026110001", owner="t", lease_s=30)
    run_id = ledger.start_run()
    first = ledger.begin_write(item, {"ajmc": "x"}, "h1", run_id)
    ledger.set_state(item, "failed", error_type="RejectedError", error_message="被拒绝", attempt_id=first)
    second = ledger.begin_write(item, {"ajmc": "x"}, "h1", run_id)
    ledger.set_state(item, "done", record_id="R1", attempt_id=second, release=True)
    ledger.close()
    client = create_app(settings, config_file, token="tk").test_client()
    page = client.get(f"/case/{item.id}?token=tk").get_data(as_text=True)
    history = page.split('id="history"', 1)[1]
    assert LABELS["failed"] in history and LABELS["done"] in history
    assert ">done<" not in history and ">failed<" not in history
    assert "未识别" not in page, "a finished case is not advised as an unknown error"


def test_the_page_changed_banner_says_which_system_page_and_field(config_file):
    import time

    from casebot.ops import lastrun
    from casebot.run.outcome import RunSummary

    settings = load(config_file)
    summary = RunSummary(run_id="r7", started=time.time() - 3, finished=time.time(), exit_code=7, page_changed=True,
                         stopped_routes={"police-procuratorate":
                                         "procuratorate: 页面结构已变化，找不到 案卡录入页的 #ajmc（字段“案件名称”）"})
    lastrun.record_end(settings, summary)
    page = create_app(settings, config_file, token="tk").test_client().get("/?token=tk").get_data(as_text=True)
    banner = page.split('id="banner">', 1)[1].split("</p>", 1)[0]
    assert "检察院" in banner and "#ajmc" in banner and "案件名称" in banner, banner
