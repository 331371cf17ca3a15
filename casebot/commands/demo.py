"""``casebot demo``."""

from __future__ import annotations

from pathlib import Path

import typer

from casebot.commands.common import console, exits


@exits
def demo(cases: int = typer.Option(30, "--cases", help="police cases to seed"),
         seed: int = typer.Option(42, "--seed"),
         workdir: Path = typer.Option(Path("var/demo"), "--workdir", help="ledger, logs and report go here"),
         concurrency: int = typer.Option(2, "--concurrency")) -> None:
    """The whole chain on the sandbox: police → procuratorate → (prosecution) → court."""
    from casebot.demo import run_demo

    result = run_demo(cases=cases, seed=seed, workdir=workdir, concurrency=concurrency,
                      echo=lambda s: console.print(s, highlight=False))
    ok = result["first"].count("done") > 0 and result["second"].count("done") > 0
    raise typer.Exit(0 if ok else 1)
