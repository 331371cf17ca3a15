"""Where the test suite's time goes, in CPU-seconds: a pytest plugin.

    .venv/bin/python -m pytest -p bench.suite_cpu -n 2 ...      # writes bench/results/suite-cpu-<worker>.jsonl
    .venv/bin/python bench/suite_cpu.py                           # sums them: per test, per file, in all

Wall-clock durations depend on what else the machine runs; CPU-seconds do not
(much). For each test this reads, from /proc, the CPU used by the worker's whole
process tree (the worker, the sandbox threads in it, Playwright's driver, every
Chromium process, every ``casebot`` subprocess) before and after, and records the
difference beside the wall time. A process killed outside the tree (a crash
test's SIGKILLed robot) is counted up to its last reading only.

The trees do not see everything: on a full run they held about half of what the
machine's CPU did in the same time (``/proc/stat``). What escapes is CPU of
processes that leave the tree or end unreaped by it (the PostgreSQL server the
shared-ledger tests start detaches; Chromium's helpers; the subprocesses of
killed robots). So the session's machine total is recorded too
(``suite-cpu-session.json``, written by the controlling process): per test, the
figures rank tests; the session total says what the suite costs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

#: where the figures go (``CASEBOT_SUITE_CPU_DIR`` elsewhere: a run measured inside another one keeps apart)
RESULTS = Path(os.environ.get("CASEBOT_SUITE_CPU_DIR") or Path(__file__).resolve().parent / "results")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2:].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / _TICK


def tree_cpu(root: int) -> float:
    """CPU seconds used so far by ``root`` and every live process under it (and what they reaped)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            got = _stat(int(entry.name))
            if got:
                parents[int(entry.name)], cpu[int(entry.name)] = got
    total = 0.0
    for pid, seconds in cpu.items():
        p = pid
        for _ in range(64):
            if p == root:
                total += seconds
                break
            p = parents.get(p, 0)
            if p <= 1:
                break
    return total


class _Recorder:
    """One JSON line per test, appended as it ends (a run stopped half way still tells where its time went)."""

    def __init__(self) -> None:
        RESULTS.mkdir(exist_ok=True)
        self.out = RESULTS / f"suite-cpu-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl"
        self.out.write_text("")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> Any:
        cpu0, t0 = tree_cpu(os.getpid()), time.monotonic()
        yield
        row = {"test": item.nodeid, "cpu": round(tree_cpu(os.getpid()) - cpu0, 2),
               "wall": round(time.monotonic() - t0, 2)}
        with self.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def machine_busy() -> float:
    """CPU-seconds the whole machine spent busy since boot (every process, the kernel's work included)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields) - idle) / _TICK


class _Session:
    """The machine's busy CPU and the wall time over the whole session (in the controlling process)."""

    def __init__(self) -> None:
        self.cpu0, self.t0 = machine_busy(), time.monotonic()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        row = {"machine_cpu": round(machine_busy() - self.cpu0, 1), "wall": round(time.monotonic() - self.t0, 1),
               "cores": os.cpu_count()}
        (RESULTS / "suite-cpu-session.json").write_text(json.dumps(row) + "\n", encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    worker = "PYTEST_XDIST_WORKER" in os.environ
    if worker or not getattr(config.option, "numprocesses", None):  # the process that runs tests
        config.pluginmanager.register(_Recorder(), "suite_cpu_recorder")
    if not worker:
        config.pluginmanager.register(_Session(), "suite_cpu_session")


def summary(top: int = 40) -> str:
    rows = [json.loads(line) for f in sorted(RESULTS.glob("suite-cpu-*.jsonl"))
            for line in f.read_text().splitlines() if line.strip()]
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for r in rows:
        acc = by_file[r["test"].split("::")[0]]
        acc[0] += r["cpu"]
        acc[1] += r["wall"]
        acc[2] += 1
    lines = [f"tests {len(rows)}, CPU {sum(r['cpu'] for r in rows):.0f} s, "
             f"wall summed over workers {sum(r['wall'] for r in rows):.0f} s"]
    session = RESULTS / "suite-cpu-session.json"
    if session.is_file():
        s = json.loads(session.read_text(encoding="utf-8"))
        lines.append(f"session: {s['wall']:.0f} s wall, the machine busy {s['machine_cpu']:.0f} CPU-s of "
                     f"{s['wall'] * s['cores']:.0f} ({s['cores']} cores)")
    lines += ["", "by file (CPU s, wall s, tests):"]
    for name, (c, w, n) in sorted(by_file.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"{c:8.1f} {w:8.1f} {n:4d}  {name}")
    lines += ["", "by test (CPU s, wall s):"]
    for r in sorted(rows, key=lambda r: -r["cpu"])[:top]:
        lines.append(f"{r['cpu']:8.1f} {r['wall']:8.1f}  {r['test']}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
