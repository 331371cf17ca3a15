"""The ledger: what was written where, so that nothing is written twice and nothing is lost.

The runner and the commands only call :func:`open_ledger` and talk to the
:class:`Ledger` protocol; the backend is chosen by the ``[ledger] url`` setting:

- ``sqlite:///var/ledger.sqlite3`` (the default; ``sqlite:////abs/path`` for an absolute
  path; a plain path is accepted too): :class:`~casebot.ledger.sqlite.SQLiteLedger`,
  one file on this workstation;
- ``postgresql://…``: a ledger shared by several workstations (``casebot.ledger.postgres``,
  imported only when asked for, so its driver is needed only there).

May import: the domain and ``casebot.errors``.
"""

from __future__ import annotations

from pathlib import Path

from casebot.errors import ConfigError
from casebot.ledger.base import STATES, UNCERTAIN, Item, Ledger, Migration, now

__all__ = ["STATES", "UNCERTAIN", "Item", "Ledger", "Migration", "now", "open_ledger", "sqlite_path"]

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def sqlite_path(url_or_path: str | Path) -> Path | None:
    """The file of a SQLite ledger URL or plain path; ``None`` for another backend."""
    text = str(url_or_path)
    if text.startswith(SQLITE_PREFIX):
        return Path(text[len(SQLITE_PREFIX):])
    if "://" in text:
        return None
    return Path(text)


def open_ledger(url_or_path: str | Path, *, create: bool = True) -> Ledger:
    """The ledger at ``url_or_path``, opened (and migrated); ``create=False`` refuses to make a new one."""
    text = str(url_or_path)
    if text.startswith(POSTGRES_PREFIXES):
        try:
            from casebot.ledger.postgres import PostgresLedger  # type: ignore[import-not-found]
        except ModuleNotFoundError as exc:
            if exc.name != "casebot.ledger.postgres":
                raise
            raise ConfigError("ledger.url: this casebot has no PostgreSQL ledger backend") from None
        return PostgresLedger(text, create=create)  # type: ignore[no-any-return]
    path = sqlite_path(text)
    if path is None:
        raise ConfigError(f"ledger.url: unknown ledger backend in {text.split('://', 1)[0]!r} "
                          "(sqlite:///path or postgresql://...)")
    from casebot.ledger.sqlite import SQLiteLedger

    return SQLiteLedger(path, create=create)
