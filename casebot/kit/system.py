"""What an adapter is told about its system: where it is and who logs in (from casebot.toml).

Small on purpose: the configuration imports it without loading the adapter base and its page machinery,
so that a command that only reads the ledger (``casebot status``) starts quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass
class SystemConfig:
    """What an adapter needs to know about its system (from casebot.toml)."""

    name: str
    base_url: str
    credentials: Credentials | None = None
    #: timeout for one awaited thing on a page, in milliseconds
    timeout_ms: int = 15_000
    options: dict[str, Any] = field(default_factory=dict)
    #: where a refused login is remembered (casebot.kit.logins); None: not capped
    login_cap: Path | None = None
