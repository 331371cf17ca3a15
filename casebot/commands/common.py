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
                            help="casebot.toml to use (default: ./casebot.toml)")
JsonOption = typer.Option(False, "--json", help="print JSON instead of a table")


def load_settings(path: Path | None) -> config.Settings:
    return config.load(path)


def exits(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn casebot's errors into a clear message and a documented exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (errors.ConfigError, errors.MappingError) as exc:
            err_console.print(f"[red]配置错误[/red] {exc}", highlight=False)
            raise typer.Exit(outcome.EXIT_CONFIG) from exc
        except errors.RunLocked as exc:
            err_console.print(f"[yellow]{exc}[/yellow]", highlight=False)
            raise typer.Exit(outcome.EXIT_LOCKED) from exc
        except errors.LedgerError as exc:
            err_console.print(f"[red]台账错误[/red] {exc}", highlight=False)
            raise typer.Exit(outcome.EXIT_LEDGER) from exc
        except errors.HumanRequired as exc:
            err_console.print(f"[red]{exc}[/red]", highlight=False)
            raise typer.Exit(outcome.EXIT_HUMAN_REQUIRED) from exc

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
