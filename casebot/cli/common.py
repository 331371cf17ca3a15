"""What the commands share: loading settings, the console, errors turned into exit statuses."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import table as rich_table
from rich.console import Console, ConsoleDimensions

from casebot import errors
from casebot.domain import exits as exit_table

if TYPE_CHECKING:
    from casebot import config


class _Console(Console):
    """A console 80 columns wide when its stream is not a terminal (a file, a pipe, the scheduled log), even
    when the person who started the command sits at a wider terminal; ``COLUMNS`` still says otherwise."""

    def _dimensions(self) -> ConsoleDimensions:
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if self._width is None and not self.is_terminal and "COLUMNS" not in self._environ:
            return ConsoleDimensions(80, size.height)
        return size

    size = property(_dimensions, Console.size.fset)  # type: ignore[assignment,attr-defined]


class Table(rich_table.Table):
    """A table whose cells wrap (folding a word longer than its column) and never end in an ellipsis."""

    def add_column(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("overflow", "fold")
        super().add_column(*args, **kwargs)


console = _Console()
err_console = _Console(stderr=True)

ConfigOption = typer.Option(None, "--config", "-c", envvar="CASEBOT_CONFIG",
                            help="配置文件（默认当前目录的 casebot.toml）")
JsonOption = typer.Option(False, "--json", help="输出 JSON（格式见 docs/json.md）而不是表格")


def load_settings(path: Path | None) -> config.Settings:
    from casebot import config  # not at import: a command's help and its parsing start without pydantic

    return config.load(path)


#: casebot's errors met outside a run's cases: (error type, exit status, the word that starts the message)
_STATUSES = exit_table.ERROR_EXITS


def exit_status(exc: BaseException) -> int | None:
    """The documented exit status of one of casebot's errors; None for what is not recognised."""
    return exit_table.error_exit(exc)


def exits(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn casebot's errors into a clear message and a documented exit status; others are re-raised."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except errors.CasebotError as exc:
            for kind, code, word in _STATUSES:
                if isinstance(exc, kind):
                    style = "yellow" if code == exit_table.EXIT_LOCKED else "red"
                    text = f"[{style}]{word}[/{style}] {exc}" if word else f"[{style}]{exc}[/{style}]"
                    err_console.print(text, highlight=False)
                    raise typer.Exit(code) from exc
            raise

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
