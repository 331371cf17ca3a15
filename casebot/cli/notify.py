"""``casebot notify test``: one test message through every configured alert channel."""

from __future__ import annotations

from pathlib import Path

import typer

from casebot.cli.common import ConfigOption, JsonOption, console, exits, load_settings, print_json

app = typer.Typer(help="告警：检查 [notify] 配置的邮件和群机器人能否收到消息。", no_args_is_help=True)


@app.command("test")
@exits
def notify_test(config: Path = ConfigOption, json_out: bool = JsonOption) -> None:
    """向每个告警渠道发送一条测试消息。

    退出码：0 全部送达；1 有渠道未送达（原因逐条列出）；4 没有配置任何告警渠道。
    """
    from casebot.errors import ConfigError
    from casebot.ops.notify import test_all

    settings = load_settings(config)
    results = test_all(settings)
    if not results:
        raise ConfigError("casebot.toml 中没有配置告警渠道（[notify.email] 或 [[notify.webhooks]]）")
    if json_out:
        print_json({"schema": "casebot.notify-test/1",
                    "channels": [{"channel": name, "ok": err is None, "error": err} for name, err in results.items()]})
    else:
        for name, err in results.items():
            line = f"[green]已送达[/green] {name}" if err is None else f"[red]未送达[/red] {name}：{err}"
            console.print(line, highlight=False, soft_wrap=True)
    raise typer.Exit(0 if all(err is None for err in results.values()) else 1)
