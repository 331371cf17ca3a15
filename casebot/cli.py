"""The ``casebot`` command."""

from __future__ import annotations

import typer

from casebot import __version__
from casebot.commands import (
    adapters,
    audit,
    console,
    deadlines,
    demo,
    ledger,
    ops,
    proxy,
    reconcile,
    run,
    secret,
    system,
)

app = typer.Typer(name="casebot", no_args_is_help=True, add_completion=False,
                  help="casebot：通过网页把公安系统的案卡录入检察院和法院的系统，每次写入都回读核对。"
                       "运维手册见 docs/ops.md。")

app.command()(run.run)
app.command()(ops.status)
app.add_typer(ops.failures_app, name="failures")
app.command()(ops.metrics)
app.command("console")(console.console_cmd)
app.command()(ops.replay)
app.command()(reconcile.reconcile)
app.command()(deadlines.deadlines)
app.command()(demo.demo)
app.command()(system.sandbox)
app.command()(proxy.proxy)
app.command()(system.login)
app.command()(system.doctor)
app.command()(system.schedule)
app.add_typer(secret.app, name="secret")
app.add_typer(adapters.app, name="adapters")
app.add_typer(audit.app, name="audit")
app.add_typer(ledger.app, name="ledger")


def _mount_mappings() -> None:
    from casebot.commands import mappings, preview

    app.add_typer(mappings.app, name="mappings", help="检查映射文件，导出映射格式的 JSON Schema。")
    app.command("preview")(preview.preview)


_mount_mappings()


@app.command()
def version() -> None:
    """显示 casebot 的版本。"""
    typer.echo(__version__)


# a wrong option or argument exits 4 (nothing ran), as a bad configuration does: click's own 2 would read as
# "transient errors, the next run retries" to whoever watches the exit status
# (typer's UsageError, whether it vendors click or not, is the base of its public BadParameter)
next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError").exit_code = 4


def main() -> None:
    app()
