"""``casebot proxy UPSTREAM``: the fault proxy in front of a system, from the command line."""

from __future__ import annotations

import signal
import threading
from typing import Any

import typer

from casebot.cli.common import console, exits
from casebot.errors import UsageError


@exits
def proxy(upstream: str = typer.Argument(..., help="被代理系统的地址，如 http://127.0.0.1:8105"),
          port: int = typer.Option(8200, "--port", help="代理监听的端口（0：任选空闲端口）"),
          host: str = typer.Option("127.0.0.1", "--host"),
          fault: list[str] = typer.Option([], "--fault", help="一个故障，按给出的顺序依次生效："
                                          "'KIND [METHOD] [/PATH] [times=N|all] [status=N] [seconds=S]'，"
                                          "如 'commit_then_drop POST /api/cases'")) -> None:
    """在系统前启动故障代理：把适配器指向代理的地址，请求按故障依次失败。Ctrl-C 停止。

    故障种类：server_error、drop_session、commit_then_error、commit_then_drop、commit_then_truncate、latency。
    系统看到的 Host 与 Origin 是它自己的（CSRF 校验可通过）。
    """
    from casebot.testing.faultproxy import FaultProxy, parse_fault

    try:
        faults = [parse_fault(f) for f in fault]
    except ValueError as exc:
        raise UsageError(f"proxy --fault: {exc}") from None
    server = FaultProxy(upstream, host=host, port=port)
    server.inject(*faults)
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    server.start()
    print(f"故障代理 {upstream} -> {server.url}", flush=True)
    for f in faults:
        times = "每次" if f.times is None else f"{f.times} 次"
        console.print(f"  {f.kind} {f.method or '任何方法'} {f.path or '/'} {times}", highlight=False)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        console.print(f"已停止；故障计数：{ {k: v for k, v in server.counts.items() if v} }", highlight=False)
