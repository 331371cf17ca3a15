"""``casebot console``: the local ops page (see casebot.ops.console)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import typer

from casebot import errors
from casebot.cli.common import ConfigOption, console, exits, load_settings


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@exits
def console_cmd(config: Path = ConfigOption,
                host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只在本机）"),
                port: int = typer.Option(8765, "--port", help="端口"),
                allow_remote: bool = typer.Option(False, "--allow-remote",
                                                  help="允许监听非本机地址（仍需令牌；请只在内网使用）")) -> None:
    """打开本机运维台（网页）。

    需要人工处理的案件、原因和在哪里改、截图和追踪、重放按钮。Ctrl-C 停止。
    """
    from casebot.ops.console import create_app, serve

    if not _loopback(host) and not allow_remote:
        raise errors.UsageError(f"console --host {host}: 不是本机地址；确需如此请加 --allow-remote")
    cfg = Path(config or os.environ.get("CASEBOT_CONFIG") or "casebot.toml").expanduser().resolve()
    settings = load_settings(cfg)
    app = create_app(settings, cfg)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"运维台：http://{shown}:{port}/{app.config['CASEBOT_TOKEN']}/", highlight=False,
                  soft_wrap=True)
    console.print("（链接中的令牌每次启动都不同；Ctrl-C 停止）")
    serve(app, host, port)
