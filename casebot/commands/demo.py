"""``casebot demo``."""

from __future__ import annotations

from pathlib import Path

import typer

from casebot.commands.common import console, exits


@exits
def demo(cases: int = typer.Option(30, "--cases", help="生成多少件公安案件"),
         seed: int = typer.Option(42, "--seed"),
         workdir: Path = typer.Option(Path("var/demo"), "--workdir", help="台账、日志和报告放在这里"),
         concurrency: int = typer.Option(2, "--concurrency")) -> None:
    """在模拟系统上演示全流程：公安 → 检察院 →（起诉）→ 法院。"""
    from casebot.demo import run_demo

    result = run_demo(cases=cases, seed=seed, workdir=workdir, concurrency=concurrency,
                      echo=lambda s: console.print(s, highlight=False))
    ok = result["first"].count("done") > 0 and result["second"].count("done") > 0
    raise typer.Exit(0 if ok else 1)
