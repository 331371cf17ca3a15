"""The ``casebot`` command."""

from __future__ import annotations

import typer

from casebot import __version__
from casebot.commands import adapters, demo, ops, reconcile, run, system

app = typer.Typer(name="casebot", no_args_is_help=True, add_completion=False,
                  help="casebot: carries case cards (案卡) from the police system into the procuratorate's and the "
                       "court's systems through their web pages, checking every write.")

app.command()(run.run)
app.command()(ops.status)
app.command()(ops.failures)
app.command()(ops.replay)
app.command()(reconcile.reconcile)
app.command()(demo.demo)
app.command()(system.sandbox)
app.command()(system.login)
app.command()(system.doctor)
app.command()(system.schedule)
app.add_typer(system.secret_app, name="secret")
app.add_typer(adapters.app, name="adapters")


def _mount_mappings() -> None:
    from casebot.commands import mappings, preview

    app.add_typer(mappings.app, name="mappings", help="Check mapping files, export their JSON Schema.")
    app.command("preview")(preview.preview)


_mount_mappings()


@app.command()
def version() -> None:
    """Print casebot's version."""
    typer.echo(__version__)


def main() -> None:
    app()
