"""Login attempts capped: after a system refuses the robot's password, it is not tried again until a person acts.

A scheduled run every 15 minutes retrying a wrong password would lock the
robot's own account. So when a login form is submitted and refused (wrong
password, a captcha shown after submitting, any refusal), the system is
marked: a file beside the kept sessions (``<sessions>/<system>.login-refused``,
0600) holding the time, the reason, and a salted PBKDF2 fingerprint of the
account and password that were refused (never the password).

Before the next login form is filled, :meth:`LoginCap.check` refuses to try
(:class:`casebot.errors.LoginBlocked`, a HumanRequired: the system is skipped
and the run says what to do) while the configured secret is the one refused.
The mark is lifted when a person acts:

- ``casebot login SYSTEM`` succeeds (an interactive login), or
- a new secret is set (``casebot secret set SYSTEM``, or a changed
  ``CASEBOT_<SYSTEM>_PASSWORD``): its fingerprint differs, so it is tried once.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from casebot import logs

__all__ = ["LoginCap", "SharedLogins", "capped", "submitting"]

log = logs.get("logins")

_ITERATIONS = 100_000
#: refused secrets after which none is tried until a person logs in by hand (accounts lock at about 5)
MAX_REFUSED = 3


def _fingerprint(username: str, password: str, salt: bytes) -> str:
    return hashlib.pbkdf2_hmac("sha256", f"{username}\0{password}".encode(), salt, _ITERATIONS).hex()


class LoginCap:
    """The refused-login mark of one system, kept in ``path``."""

    def __init__(self, path: Path, system: str) -> None:
        self.path = path
        self.system = system

    def _read(self) -> dict[str, str] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"salt": "", "fingerprint": "", "reason": "unreadable mark"}  # refuse: a person looks
        return data if isinstance(data, dict) else None

    def _refused(self, mark: dict[str, Any]) -> list[dict[str, str]]:
        """Every refused fingerprint since a person last acted (older marks held one)."""
        items = mark.get("refused")
        if isinstance(items, list):
            return [i for i in items if isinstance(i, dict)]
        return [{"salt": str(mark.get("salt", "")), "fingerprint": str(mark.get("fingerprint", ""))}]

    def blocked(self, username: str, password: str) -> str | None:
        """The refusal's reason when these credentials, or :data:`MAX_REFUSED` others, were refused
        and no person has acted since (``casebot login``)."""
        mark = self._read()
        if mark is None:
            return None
        reason = str(mark.get("reason") or "登录被拒绝")
        refused = self._refused(mark)
        if len(refused) >= MAX_REFUSED:
            return reason  # alternating secrets: the account's own lock is near, a person acts
        for item in refused:
            try:
                salt = bytes.fromhex(item.get("salt", ""))
            except ValueError:
                salt = b""
            if not salt or hmac.compare_digest(_fingerprint(username, password, salt), item.get("fingerprint", "")):
                return reason  # refused before (or an unreadable mark: a person looks)
        return None  # a new secret: it may be tried once

    def check(self, username: str, password: str) -> None:
        """LoginBlocked instead of submitting credentials the system already refused."""
        from casebot.errors import LoginBlocked

        reason = self.blocked(username, password)
        if reason is not None:
            log.warning("login.blocked", system=self.system)
            raise LoginBlocked(self.system, reason)

    def refused(self, username: str, password: str, reason: str) -> None:
        """Mark the system: these credentials were refused (kept with every other refused since a
        person acted, so that alternating between two wrong secrets does not defeat the mark)."""
        salt = secrets.token_bytes(16)
        before = self._read()
        refused = self._refused(before) if before is not None else []
        refused = [i for i in refused if i.get("salt")][-(MAX_REFUSED - 1):]
        refused.append({"salt": salt.hex(), "fingerprint": _fingerprint(username, password, salt)})
        mark = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "reason": reason[:200], "refused": refused}
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(mark, fh, ensure_ascii=False)
        os.replace(tmp, self.path)
        log.warning("login.refused_marked", system=self.system)

    def clear(self, why: str) -> None:
        """A person acted (``casebot login``, a new secret): the system may be tried again."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
            log.info("login.unblocked", system=self.system, why=why)


# -- the adapter base's hooks -------------------------------------------------------

_submitted: contextvars.ContextVar[bool] = contextvars.ContextVar("casebot_login_submitted", default=False)


def _cap(config: Any) -> LoginCap | None:
    path = getattr(config, "login_cap", None)
    return LoginCap(Path(path), config.name) if path is not None and config.credentials is not None else None


def submitting(config: Any) -> None:
    """Called by the adapter base just before it fills in the login form: refuses credentials
    the system refused before (LoginBlocked), and notes that a form is being submitted."""
    cap = _cap(config)
    if cap is not None:
        cap.check(config.credentials.username, config.credentials.password)
    _submitted.set(True)


@contextlib.asynccontextmanager
async def capped(config: Any) -> AsyncIterator[None]:
    """Around an adapter's login: a HumanRequired raised after the form was submitted marks the
    system refused (the password, or whatever the system said instead of letting the robot in)."""
    from casebot.errors import HumanRequired, LoginBlocked, PasswordRefused

    token = _submitted.set(False)
    try:
        yield
        cap = _cap(config)
        if cap is not None and _submitted.get():
            cap.clear("logged in")  # the secret worked: the refused ones no longer count
    except HumanRequired as exc:
        cap = _cap(config)
        submitted = _submitted.get()
        if cap is not None and submitted and not isinstance(exc, LoginBlocked):
            cap.refused(config.credentials.username, config.credentials.password, exc.reason)
        if submitted and type(exc) is HumanRequired and "验证码" not in exc.reason:
            # the form went in and the system said no, not for a captcha: the account or password
            raise PasswordRefused(exc.system, exc.reason) from exc
        raise
    finally:
        _submitted.reset(token)


# -- one login per system and run, shared by the run's browser contexts --------------------


class SharedLogins:
    """The session cookies a login set, handed to the run's other browser contexts (each worker has its own).

    Without it every context logs in to every system on its own: one login form, one new server
    session, per context and system. With it, the first context to log in to a system keeps the
    cookies that login set (only those: a context's other sessions are its own), and a context that
    has not logged in there yet takes them before its own login, which then finds the session
    already open (an adapter's ``login`` opens its landing page and submits the form only when the
    page asks for it). Logins of one system are taken one at a time, so that a second context
    waits for the first's session instead of opening its own.

    A shared session that expires is noticed by whichever context meets the login page: it logs
    in again (the adapter's ordinary recovery) and that new session is the one shared from then on.
    """

    def __init__(self) -> None:
        import asyncio
        import weakref

        self._locks: dict[str, asyncio.Lock] = {}
        #: system -> (generation, cookies set by its latest login)
        self._kept: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        #: context -> {system: the generation it holds}
        self._held: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()

    def lock(self, system: str) -> Any:
        import asyncio

        return self._locks.setdefault(system, asyncio.Lock())

    async def offer(self, context: Any, system: str) -> bool:
        """Give ``context`` the session another context opened on ``system``, if it has not got it yet."""
        kept = self._kept.get(system)
        held = self._held.setdefault(context, {})
        if kept is None or held.get(system) == kept[0]:
            return False
        await context.add_cookies(kept[1])
        held[system] = kept[0]
        log.info("login.shared", system=system)
        return True

    def keep(self, context: Any, system: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        """After ``context`` logged in to ``system``: the cookies that login set (``after`` less ``before``)."""
        old = {_cookie_id(c): c.get("value") for c in before}
        new = [c for c in after if old.get(_cookie_id(c)) != c.get("value")]
        if not new:
            return  # the session was already open: nothing new to share
        generation = self._kept.get(system, (0, []))[0] + 1
        self._kept[system] = (generation, new)
        self._held.setdefault(context, {})[system] = generation


def _cookie_id(cookie: dict[str, Any]) -> tuple[str, str, str]:
    return (str(cookie.get("name")), str(cookie.get("domain")), str(cookie.get("path")))
