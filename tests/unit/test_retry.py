"""The one retry policy (casebot.run.retry): transient errors are tried again, up to max_attempts, with a fresh
page before each new attempt; a business error, a changed page and an error casebot does not know, once."""

from __future__ import annotations

import pytest

from casebot import errors
from casebot.config import RunSettings
from casebot.run.retry import retrying

FAST = RunSettings(max_attempts=4, backoff_initial_s=0, backoff_max_s=0)


class Script:
    """fn() raising the given errors in turn, then answering "ok"; counts calls and fresh pages."""

    def __init__(self, *raises: BaseException) -> None:
        self.raises = list(raises)
        self.calls = 0
        self.fresh = 0

    async def fn(self) -> str:
        self.calls += 1
        if self.raises:
            raise self.raises.pop(0)
        return "ok"

    async def before_retry(self) -> None:
        self.fresh += 1


async def test_transient_errors_are_retried_with_a_fresh_page_each_time():
    s = Script(errors.ServerError("police: 500"), errors.SessionExpired("police"), errors.PageTimeout("t"))
    assert await retrying(FAST, s.fn, s.before_retry) == "ok"
    assert (s.calls, s.fresh) == (4, 3)


async def test_transient_errors_give_up_after_max_attempts_with_the_last_error():
    s = Script(*[errors.ServerError(f"500 #{i}") for i in range(1, 6)])
    with pytest.raises(errors.ServerError, match="500 #4"):
        await retrying(FAST, s.fn, s.before_retry)
    assert (s.calls, s.fresh) == (4, 3)


async def test_an_unknown_save_outcome_is_transient_too():
    s = Script(errors.OutcomeUnknown("court: 保存后无应答"))
    assert await retrying(FAST, s.fn, s.before_retry) == "ok"
    assert s.calls == 2


@pytest.mark.parametrize("error", [
    errors.DataError("身份证号码校验位错误"),
    errors.RejectedError("必填项为空"),
    errors.OptionMissing("移送案由", "0636"),
    errors.VerificationError([("案由", "0502", "0503")]),
    errors.PageChanged("court", "#gsjg"),
    errors.HumanRequired("court", "登录页要求输入验证码"),
    KeyError("a bug"),
])
async def test_what_retrying_cannot_fix_is_tried_once(error):
    s = Script(error)
    with pytest.raises(type(error)):
        await retrying(FAST, s.fn, s.before_retry)
    assert (s.calls, s.fresh) == (1, 0)


async def test_one_attempt_means_no_retry():
    s = Script(errors.ServerError("500"))
    with pytest.raises(errors.ServerError):
        await retrying(RunSettings(max_attempts=1, backoff_initial_s=0, backoff_max_s=0), s.fn, s.before_retry)
    assert s.calls == 1
