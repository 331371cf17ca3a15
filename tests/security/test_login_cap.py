"""Login attempts capped: after a refused password a system is not tried again until a person acts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.police import PoliceAdapter
from casebot import errors
from casebot.kit.base import Credentials, SystemConfig
from casebot.kit.logins import LoginCap


def _adapter(context: Any, urls: dict[str, str], password: str, cap: Path) -> PoliceAdapter:
    return PoliceAdapter(context, SystemConfig("police", urls["police"], Credentials("casebot", password),
                                               timeout_ms=10_000, login_cap=cap))


async def test_refused_password_is_not_tried_again_until_a_person_acts(context: Any, urls: dict[str, str],
                                                                       tmp_path: Path) -> None:
    cap = tmp_path / "sessions" / "police.login-refused"
    posts: list[str] = []
    context.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "login" in r.url else None)

    with pytest.raises(errors.HumanRequired) as first:
        await _adapter(context, urls, "wrong", cap).page()
    assert not isinstance(first.value, errors.LoginBlocked) and "用户名或密码错误" in str(first.value)
    assert cap.exists() and len(posts) == 1
    assert "wrong" not in cap.read_text(encoding="utf-8"), "the mark holds a fingerprint, not the password"
    assert oct(cap.stat().st_mode & 0o777) == "0o600"

    for _ in range(3):  # a schedule retrying every 15 minutes
        with pytest.raises(errors.LoginBlocked) as again:
            await _adapter(context, urls, "wrong", cap).page()
    assert len(posts) == 1, "no further attempt reached the system"
    assert "casebot secret set police" in str(again.value)  # a refused password: a credential to renew

    # a person logs in by hand (casebot login clears the mark): the robot may try again
    LoginCap(cap, "police").clear("casebot login")
    with pytest.raises(errors.HumanRequired):
        await _adapter(context, urls, "wrong", cap).page()
    assert len(posts) == 2 and cap.exists()

    # a new secret: tried once, and when it works the mark is gone
    page = await _adapter(context, urls, "sandbox", cap).page()
    assert len(posts) == 3 and not cap.exists()
    assert not await page.locator("input[type=password]").count()


async def test_captcha_before_submitting_does_not_mark(context: Any, urls: dict[str, str], sandbox: Any,
                                                      tmp_path: Path) -> None:
    cap = tmp_path / "police.login-refused"
    sandbox.set_faults("police", captcha=True)
    with pytest.raises(errors.HumanRequired, match="验证码"):
        await _adapter(context, urls, "sandbox", cap).page()
    assert not cap.exists(), "nothing was refused: the form was never submitted"


async def test_alternating_wrong_passwords_do_not_defeat_the_cap(context: Any, urls: dict[str, str],
                                                                 tmp_path: Path) -> None:
    """Issue 26: the mark kept only the last refused fingerprint, so wrong1, wrong2, wrong1, wrong2 were
    all submitted (four steps towards the account's lock)."""
    cap = tmp_path / "police.login-refused"
    posts: list[str] = []
    context.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "login" in r.url else None)
    for password in ("wrong1", "wrong2", "wrong1", "wrong2", "wrong3", "wrong4"):
        with pytest.raises(errors.HumanRequired):
            await _adapter(context, urls, password, cap).page()
    assert len(posts) == 3, "each wrong secret tried once, and none after the third until a person acts"
    LoginCap(cap, "police").clear("casebot login")
    await _adapter(context, urls, "sandbox", cap).page()
    assert len(posts) == 4 and not cap.exists()
