"""Every failure tells who must do what: a refused password is a credential problem (`casebot secret set`), a
captcha a login to do by hand (`casebot login`); the alert says the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casebot import errors
from casebot.ops import notify
from tests.security.test_login_cap import _adapter


async def test_a_refused_password_says_secret_set_not_login(context: Any, urls: dict[str, str],
                                                            tmp_path: Path) -> None:
    cap = tmp_path / "police.login-refused"
    with pytest.raises(errors.HumanRequired) as first:
        await _adapter(context, urls, "wrong", cap).page()
    with pytest.raises(errors.LoginBlocked) as again:
        await _adapter(context, urls, "wrong", cap).page()
    for said in (str(first.value), str(again.value)):
        assert "casebot secret set police" in said and "casebot login" not in said, said
    assert isinstance(first.value, errors.PasswordRefused) and "用户名或密码错误" in str(first.value)

    [alert] = notify.alerts(exit_code=3, system_errors=[str(first.value)], failures=[], told={})
    assert "密码" in alert.title and "人工登录" not in alert.title
    assert any("casebot secret set" in ln for ln in alert.lines)
    assert not any("casebot login" in ln for ln in alert.lines)


async def test_a_captcha_still_says_login(context: Any, urls: dict[str, str], sandbox: Any, tmp_path: Path) -> None:
    sandbox.set_faults("police", captcha=True)
    with pytest.raises(errors.HumanRequired) as info:
        await _adapter(context, urls, "sandbox", tmp_path / "police.login-refused").page()
    assert not isinstance(info.value, errors.PasswordRefused) and "casebot login police" in str(info.value)
    [alert] = notify.alerts(exit_code=3, system_errors=[str(info.value)], failures=[], told={})
    assert "登录" in alert.title and any("casebot login" in ln for ln in alert.lines)
