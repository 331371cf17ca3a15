"""Where the systems' passwords live: the OS keyring where one works, else a 0600 file.

A clerk's workstation with a desktop has a keyring (Windows Credential Manager,
macOS Keychain, the Secret Service); a server or a bare cron environment has
none, and ``keyring`` then raises ``NoKeyringError``. There the passwords go to
``keyrings.alt``'s file backend, in a file only the user can read
(``~/.config/casebot/secrets.cfg``, or ``CASEBOT_SECRETS_FILE``), which cron,
systemd and Task Scheduler runs read as well.

``CASEBOT_KEYRING`` chooses: ``auto`` (default: the OS keyring when one is
usable, else the file), ``os`` or ``file``. Every failure of a backend is a
:class:`~casebot.errors.SecretError` with the way out, never a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casebot.errors import SecretError

SERVICE = "casebot"
CHOICES = ("auto", "os", "file")


def secrets_file() -> Path:
    env = os.environ.get("CASEBOT_SECRETS_FILE")
    return Path(env).expanduser() if env else Path.home() / ".config" / "casebot" / "secrets.cfg"


def _file_backend() -> Any:
    from keyrings.alt.file import PlaintextKeyring

    path = secrets_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    backend = PlaintextKeyring()
    backend.file_path = str(path)
    return backend


def _usable(backend: Any) -> bool:
    """A real OS keyring: not the ``fail`` or null backend, nor keyrings.alt's own files."""
    from keyring.backends import fail

    if isinstance(backend, fail.Keyring):
        return False
    module = type(backend).__module__
    if module.startswith(("keyrings.alt", "keyring.backends.null")):
        return False
    if module == "keyring.backends.chainer":
        return bool(getattr(backend, "backends", []))
    return float(getattr(backend, "priority", 0)) >= 1


@dataclass
class Store:
    """One password store: ``kind`` is ``os`` or ``file``; ``where`` says which, for the clerk."""

    kind: str
    backend: Any

    @property
    def where(self) -> str:
        if self.kind == "file":
            return f"文件 {self.backend.file_path}（仅当前用户可读）"
        return f"系统钥匙串（{type(self.backend).__name__}）"

    def get(self, system: str) -> str | None:
        return self._call("读取", self.backend.get_password, SERVICE, system)

    def set(self, system: str, password: str) -> None:
        self._call("保存", self.backend.set_password, SERVICE, system, password)
        if self.kind == "file":
            os.chmod(self.backend.file_path, 0o600)

    def delete(self, system: str) -> bool:
        if self.get(system) is None:
            return False
        self._call("删除", self.backend.delete_password, SERVICE, system)
        return True

    def _call(self, verb: str, fn: Any, *args: Any) -> Any:
        from keyring.errors import KeyringError

        try:
            return fn(*args)
        except (KeyringError, OSError) as exc:
            hint = ("设置 CASEBOT_KEYRING=file 改用仅当前用户可读的文件" if self.kind == "os"
                    else f"检查 {self.backend.file_path} 的权限")
            raise SecretError(f"无法{verb}密码（{self.where}）：{type(exc).__name__}: {exc}；{hint}") from exc


def store() -> Store:
    """The store ``CASEBOT_KEYRING`` names (``auto`` by default)."""
    choice = os.environ.get("CASEBOT_KEYRING", "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise SecretError(f"CASEBOT_KEYRING={choice!r}: one of {', '.join(CHOICES)}")
    if choice == "file":
        return Store("file", _file_backend())
    import keyring

    backend = keyring.get_keyring()
    if _usable(backend):
        return Store("os", backend)
    if choice == "os":
        raise SecretError("没有可用的系统钥匙串（本机无桌面密钥服务）：设置 CASEBOT_KEYRING=file "
                          "改用仅当前用户可读的文件，或设置环境变量 CASEBOT_<系统>_PASSWORD")
    return Store("file", _file_backend())


def env_name(system: str) -> str:
    return f"CASEBOT_{system.upper()}_PASSWORD"


def lookup(system: str) -> tuple[str | None, str]:
    """A system's password and where it was found: the environment first, then the store."""
    env = os.environ.get(env_name(system))
    if env:
        return env, f"环境变量 {env_name(system)}"
    s = store()
    value = s.get(system)
    return value, s.where if value is not None else ""


def password_status(settings: Any) -> list[dict[str, object]]:
    """For each system with a username: is its password found, and where (never the password)."""
    rows: list[dict[str, object]] = []
    for name, system in settings.systems.items():
        if not system.username:
            continue
        value, where = lookup(name)
        rows.append({"system": name, "found": value is not None, "where": where})
    return rows
