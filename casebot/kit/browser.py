"""Where the browser comes from: an installed Chromium, or a channel (Edge, Chrome).

casebot never downloads a browser. On a clerk's Windows workstation the usual
choice is ``channel = "msedge"``; on Linux, the distribution's Chromium found on
``PATH`` (or named by ``executable_path`` / ``CASEBOT_CHROMIUM``). Headless, the
distribution's ``chromium-headless-shell`` is preferred when installed: it is the
build Playwright itself runs headless (no GPU process, no browser UI renderer),
and costs about 40 % less CPU per page than the full browser in headless mode.

Every command that drives pages (a run, a replay, doctor, reconcile, login)
launches its browser through :func:`launched`: one way to start and close it.
Playwright's driver (a Node.js process, about 0.7 CPU-seconds to start) is
started per use, unless the process keeps one for the event loop
(:func:`kept_driver`): a process that runs many runs in a row (a service
embedding casebot, the test suite) then pays for it once. Such a process may
keep a browser too (:func:`kept_browser`): each launch with the same options
then uses it and closes only the browser contexts it opened (a run's
contexts are its own: cookies, storage and pages are not shared), instead of
starting and stopping a Chromium of its own (about 0.35 CPU-seconds each).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from casebot.errors import ConfigError

#: flags that keep Chromium from calling home on a closed network
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
)

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
#: lighter builds for headless runs, tried first when no window is wanted
_HEADLESS_CANDIDATES = ("chromium-headless-shell", "chrome-headless-shell")


def find_chromium(headless: bool = False) -> str | None:
    """An installed Chromium-family browser (its headless shell first when ``headless``), or None."""
    env = os.environ.get("CASEBOT_CHROMIUM")
    if env:
        return env
    for name in (*_HEADLESS_CANDIDATES, *_CANDIDATES) if headless else _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _secret_name(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("CASEBOT_") and upper.endswith(("_PASSWORD", "_SECRET", "_TOKEN"))


def browser_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Chromium is launched with: the robot's, without its secrets (``CASEBOT_*_PASSWORD``)."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if not _secret_name(k)}


@dataclass
class BrowserOptions:
    executable_path: str | None = None
    channel: str | None = None
    headless: bool = True
    extra_args: list[str] = field(default_factory=list)

    def launch_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``playwright.chromium.launch``."""
        kwargs: dict[str, Any] = {"headless": self.headless, "args": [*QUIET_ARGS, *self.extra_args],
                                  "env": browser_env()}
        if self.channel:
            kwargs["channel"] = self.channel
            return kwargs
        path = self.executable_path or find_chromium(self.headless)
        if not path:
            raise ConfigError(
                "browser: no Chromium found; set browser.executable_path or browser.channel "
                "(e.g. \"msedge\") in casebot.toml, or install chromium"
            )
        if not os.path.exists(path):
            raise ConfigError(f"browser.executable_path: {path} does not exist")
        kwargs["executable_path"] = path
        if os.geteuid() == 0 if hasattr(os, "geteuid") else False:
            kwargs["chromium_sandbox"] = False
        return kwargs


#: drivers kept for an event loop by :func:`kept_driver` (the loop's id -> its Playwright)
_KEPT: dict[int, Any] = {}


@contextlib.asynccontextmanager
async def _driver() -> AsyncIterator[Any]:
    """The Playwright driver kept for this event loop, or one started (and stopped) for this use."""
    kept = _KEPT.get(id(asyncio.get_running_loop()))
    if kept is not None:
        yield kept
        return
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        yield pw


@contextlib.asynccontextmanager
async def kept_driver() -> AsyncIterator[Any]:
    """Keep one Playwright driver for the running event loop while inside: every :func:`launched` in between
    shares it instead of starting its own. Nested uses keep the outer one."""
    key = id(asyncio.get_running_loop())
    async with _driver() as pw:
        outer = key in _KEPT
        _KEPT[key] = pw
        try:
            yield pw
        finally:
            if not outer:
                del _KEPT[key]


@dataclass
class _KeptBrowser:
    kwargs: dict[str, Any]
    browser: Any

    def serves(self, kwargs: dict[str, Any]) -> bool:
        """Whether a launch with ``kwargs`` may use this browser: the same launch but for the environment
        (a kept browser keeps the one it was started with; it holds no secret, :func:`browser_env`)."""
        return _but_env(kwargs) == _but_env(self.kwargs)


#: browsers kept for an event loop by :func:`kept_browser` (the loop's id -> the browser and its launch)
_KEPT_BROWSERS: dict[int, _KeptBrowser] = {}


def _but_env(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k != "env"}


@contextlib.asynccontextmanager
async def kept_browser(options: BrowserOptions) -> AsyncIterator[Any]:
    """Keep one Chromium launched with ``options`` for the running event loop while inside: every
    :func:`launched` with the same options in between uses it, closing only the contexts it opened. A
    kept browser found disconnected (crashed, or closed by someone) is launched again at the next use.
    Nested uses keep the outer one."""
    loop = id(asyncio.get_running_loop())
    outer = _KEPT_BROWSERS.get(loop)
    if outer is not None:
        yield outer.browser
        return
    kwargs = options.launch_kwargs()
    async with _driver() as pw:
        kept = _KEPT_BROWSERS[loop] = _KeptBrowser(kwargs, await pw.chromium.launch(**kwargs))
        try:
            yield kept.browser
        finally:
            del _KEPT_BROWSERS[loop]
            await kept.browser.close()


@contextlib.asynccontextmanager
async def _borrowed(kept: _KeptBrowser) -> AsyncIterator[Any]:
    """The kept browser (launched again if it went away), and on the way out the contexts opened in
    between closed, whatever happened inside."""
    if not kept.browser.is_connected():
        kept.browser = await kept.browser.browser_type.launch(**kept.kwargs)
    browser = kept.browser
    before = set(map(id, browser.contexts))
    try:
        yield browser
    finally:
        for context in browser.contexts:
            if id(context) not in before:
                with contextlib.suppress(Exception):  # closed already, or the browser went away
                    await context.close()


@contextlib.asynccontextmanager
async def launched(options: BrowserOptions) -> AsyncIterator[Any]:
    """A Chromium launched with ``options`` (its flags, its executable or channel), closed on the way out;
    or, inside :func:`kept_browser` with the same options, the kept one (its new contexts closed)."""
    kwargs = options.launch_kwargs()  # a configuration error before a process starts
    kept = _KEPT_BROWSERS.get(id(asyncio.get_running_loop()))
    if kept is not None and kept.serves(kwargs):
        async with _borrowed(kept) as browser:
            yield browser
        return
    async with _driver() as pw:
        browser = await pw.chromium.launch(**kwargs)
        try:
            yield browser
        finally:
            await browser.close()
