"""The ``casebot`` command."""

from __future__ import annotations

import typer

from casebot import __version__
from casebot.cli import (
    adapters,
    audit,
    console,
    deadlines,
    demo,
    ledger,
    notify,
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
app.add_typer(notify.app, name="notify")


def _mount_mappings() -> None:
    from casebot.cli import mappings, preview

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


def _chinese_help_chrome() -> None:
    """The words typer and click put around every help page (panel titles, defaults, the --help option), in
    Chinese like the rest; command and option names stay as they are."""
    from typer import rich_utils

    for name, text in (("OPTIONS_PANEL_TITLE", "选项"), ("ARGUMENTS_PANEL_TITLE", "参数"),
                       ("COMMANDS_PANEL_TITLE", "命令"), ("ERRORS_PANEL_TITLE", "错误"), ("ABORTED_TEXT", "已取消。"),
                       ("DEFAULT_STRING", "[默认：{}]"), ("ENVVAR_STRING", "[环境变量：{}]"),
                       ("REQUIRED_LONG_STRING", "[必填]"),
                       ("RICH_HELP", "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。")):
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    base = next((c for c in typer.core.TyperCommand.__mro__ if "get_help_option" in vars(c)), None)
    if base is None:
        return
    original = base.get_help_option

    def get_help_option(self: object, ctx: object) -> object:
        opt = original(self, ctx)
        if opt is not None:
            opt.help = "显示此帮助并退出。"
        return opt

    base.get_help_option = get_help_option


_chinese_help_chrome()


def main() -> None:
    app()
