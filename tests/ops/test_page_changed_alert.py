"""A changed page is one alert per incident, naming the system, the page and the field (issue 21, item 3:
"two alerts for one incident; neither names the system, page or field")."""

from __future__ import annotations

from casebot.ops.notify import Failure, alerts, told_after

REASON = "案件 A3505020000002026110001：procuratorate: 页面结构已变化，找不到 案卡录入页的 #ajmc（字段“案件名称”）"


def stopped(case_id: int, key: str, state: str = "unknown") -> Failure:
    reason = REASON.replace("A3505020000002026110001", key)
    return Failure(case_id, "police-procuratorate", key, state, "PageChanged", reason)


def test_one_alert_names_the_system_page_and_field():
    failures = [stopped(1, "A3505020000002026110001"), stopped(2, "A3505020000002026110002", "retry")]
    sent = alerts(exit_code=7, system_errors=[], failures=failures, told={})
    assert [a.kind for a in sent] == ["pages_changed"], [a.title for a in sent]
    text = "\n".join(sent[0].lines)
    assert "检察院" in text and "#ajmc" in text and "案件名称" in text, text
    assert text.count("案件名称") == 1, "one line per changed place, not one per case"
    again = alerts(exit_code=7, system_errors=[], failures=failures, told=told_after(failures, 7))
    assert again == [], "the same incident is not alerted twice"
