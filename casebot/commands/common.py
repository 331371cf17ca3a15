"""What the commands share: loading settings, the console, errors turned into exit statuses."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from casebot import config, errors
from casebot.run import outcome

console = Console()
err_console = Console(stderr=True)

ConfigOption = typer.Option(None, "--config", "-c", envvar="CASEBOT_CONFIG",
                            help="配置文件（默认当前目录的 casebot.toml）")
JsonOption = typer.Option(False, "--json", help="输出 JSON（格式见 docs/json.md）而不是表格")


def load_settings(path: Path | None) -> config.Settings:
    return config.load(path)


#: casebot's errors met outside a run's cases: (error type, exit status, the word that starts the message)
_STATUSES = outcome.ERROR_EXITS


def exit_status(exc: BaseException) -> int | None:
    """The documented exit status of one of casebot's errors; None for what is not recognised."""
    return outcome.error_exit(exc)


def exits(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn casebot's errors into a clear message and a documented exit status; others are re-raised."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except errors.CasebotError as exc:
            for kind, code, word in _STATUSES:
                if isinstance(exc, kind):
                    style = "yellow" if code == outcome.EXIT_LOCKED else "red"
                    text = f"[{style}]{word}[/{style}] {exc}" if word else f"[{style}]{exc}[/{style}]"
                    err_console.print(text, highlight=False)
                    raise typer.Exit(code) from exc
            raise

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
