"""Where the browser comes from: an installed Chromium, or a channel (Edge, Chrome).

casebot never downloads a browser. On a clerk's Windows workstation the usual
choice is ``channel = "msedge"``; on Linux, the distribution's Chromium found on
``PATH`` (or named by ``executable_path`` / ``CASEBOT_CHROMIUM``). Headless, the
distribution's ``chromium-headless-shell`` is preferred when installed: it is the
build Playwright itself runs headless (no GPU process, no browser UI renderer),
and costs about 40 % less CPU per page than the full browser in headless mode.
"""

from __future__ import annotations

import os
import shutil
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
