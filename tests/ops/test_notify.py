"""Notifications reach a real local SMTP server and HTTP receiver, once per failure, with masked data only."""

from __future__ import annotations

import json

from casebot.config import EmailSettings, WebhookSettings
from casebot.ops import notify

ID = "350502199003072415"


def failure(i: int, reason: str = "检察院系统拒绝：案由代码不存在", state: str = "failed") -> notify.Failure:
    return notify.Failure(i, "police-procuratorate", f"A35050220260{i:04d}", state, "RejectedError", reason)


def channels(smtp, hooks) -> list[notify.Channel]:
    email = notify.EmailChannel(EmailSettings(host=smtp.host, port=smtp.port, sender="casebot@example.org",
                                              to=["ops@example.org"]), None)
    return [email, *(notify.WebhookChannel(WebhookSettings(url=f"{hooks.base}/{fmt}", format=fmt), i)
                     for i, fmt in enumerate(("json", "wecom", "dingtalk")))]


def test_each_failure_is_announced_once_on_every_channel(smtp_server, webhook_server, tmp_path):
    chans, state = channels(smtp_server, webhook_server), tmp_path / "notified.json"
    first = [failure(1), failure(2, f"嫌疑人1 张* 身份证号 {ID} 校验位错误")]
    sent = notify.notify(chans, state, exit_code=1, system_errors=[], failures=first)
    assert set(sent.values()) == {1}
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "casebot：2 个案件需要人工处理" and mail["To"] == "ops@example.org"
    text = mail.get_content()
    assert "#1 police-procuratorate A350502202600001 需人工处理：检察院系统拒绝：案由代码不存在" in text
    assert ID not in text and "350502********15" in text

    [body] = webhook_server.bodies("/json")
    assert body["schema"] == "casebot.notification/1" and body["kind"] == "new_failures"
    assert [f["id"] for f in body["failures"]] == [1, 2]
    [wecom] = webhook_server.bodies("/wecom")
    assert wecom["msgtype"] == "markdown" and wecom["markdown"]["content"].startswith("**casebot：2 个案件")
    [ding] = webhook_server.bodies("/dingtalk")
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == "casebot：2 个案件需要人工处理"
    assert ID not in json.dumps(webhook_server.received, ensure_ascii=False)

    again = notify.notify(chans, state, exit_code=1, system_errors=[], failures=first)
    assert set(again.values()) == {0}, "the next run tells nobody the same failures again"
    assert len(smtp_server.messages) == 1 and len(webhook_server.received) == 3

    notify.notify(chans, state, exit_code=1, system_errors=[], failures=[*first, failure(3)])
    assert "1 个案件" in smtp_server.messages[1]["Subject"]
    assert [f["id"] for f in webhook_server.bodies("/json")[1]["failures"]] == [3]


def test_login_and_changed_pages_are_told_once_until_they_clear(smtp_server, webhook_server, tmp_path):
    chans, state = channels(smtp_server, webhook_server)[:1], tmp_path / "notified.json"
    login = ["procuratorate 需要人工登录：运行 casebot login procuratorate"]
    notify.notify(chans, state, exit_code=3, system_errors=login, failures=[])
    notify.notify(chans, state, exit_code=3, system_errors=login, failures=[])
    assert [m["X-Casebot-Kind"] for m in smtp_server.messages] == ["login_required"]
    assert "casebot login procuratorate" in smtp_server.messages[0].get_content()
    notify.notify(chans, state, exit_code=7, system_errors=["court: 找不到字段“案由”"], failures=[])
    assert "页面已变化，请运行 casebot doctor" in smtp_server.messages[1]["Subject"]
    notify.notify(chans, state, exit_code=0, system_errors=[], failures=[])
    notify.notify(chans, state, exit_code=3, system_errors=login, failures=[])
    assert [m["X-Casebot-Kind"] for m in smtp_server.messages] == ["login_required", "pages_changed", "resolved",
                                                                     "login_required"]
    assert "页面变化已解决" in smtp_server.messages[2]["Subject"]


def test_a_channel_that_fails_is_logged_and_tried_after_the_next_run(smtp_server, webhook_server, tmp_path):
    state = tmp_path / "notified.json"
    refusing = notify.WebhookChannel(WebhookSettings(url=f"{webhook_server.base}/refuse", format="dingtalk"), 0)
    smtp_port = smtp_server.port
    down = notify.EmailChannel(EmailSettings(host="127.0.0.1", port=1, sender="a@b.c", to=["d@e.f"], timeout_s=2),
                               None)
    sent = notify.notify([refusing, down], state, exit_code=1, system_errors=[], failures=[failure(1)])
    assert sent == {"webhook0:dingtalk": 0, "email": 0}
    assert len(webhook_server.bodies("/refuse")) == 1
    up = notify.EmailChannel(EmailSettings(host="127.0.0.1", port=smtp_port, sender="a@b.c", to=["d@e.f"]), None)
    assert notify.notify([up], state, exit_code=1, system_errors=[], failures=[failure(1)]) == {"email": 1}
    assert len(smtp_server.messages) == 1


def test_a_fixed_case_that_fails_again_is_announced_again(smtp_server, webhook_server, tmp_path):
    chans, state = channels(smtp_server, webhook_server)[:1], tmp_path / "notified.json"
    notify.notify(chans, state, exit_code=1, system_errors=[], failures=[failure(5)])
    notify.notify(chans, state, exit_code=0, system_errors=[], failures=[])
    notify.notify(chans, state, exit_code=1, system_errors=[], failures=[failure(5)])
    assert len(smtp_server.messages) == 2
