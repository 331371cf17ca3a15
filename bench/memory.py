"""Memory of the robot and of its browser, read from ``/proc`` (Linux), sampled in a thread.

The robot is this Python process (RSS). The browser is every Chromium process
descending from it (through Playwright's driver): the sum of their RSS, and
of their PSS where ``smaps_rollup`` is readable (RSS counts shared pages once
per process; PSS shares them out, so it is the truer total). The driver
(Playwright's node process) is reported on its own.

    sampler = Sampler(interval=1.0); sampler.start(); ...; sampler.stop()
    growth(sampler.samples, "browser_rss_mb")
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

PROC = Path("/proc")
BROWSER_NAMES = ("chromium", "chrome", "headless_shell", "msedge")


def available() -> bool:
    return (PROC / "self" / "status").exists()


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _pss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children() -> dict[int, list[int]]:
    """ppid -> pids, for every process visible."""
    out: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        rest = stat[stat.rfind(")") + 2:].split()
        out.setdefault(int(rest[1]), []).append(int(entry.name))
    return out


def _cpu_ticks(pid: int) -> int:
    """User + system CPU of ``pid`` so far, in clock ticks."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        rest = stat[stat.rfind(")") + 2:].split()
        return int(rest[11]) + int(rest[12])
    except (OSError, ValueError, IndexError):
        return 0


def kind(pid: int, root: int) -> str:
    """robot (``root``), browser, driver (Playwright's node) or other (e.g. the sandbox server)."""
    if pid == root:
        return "robot"
    name = _comm(pid).lower()
    if any(b in name for b in BROWSER_NAMES):
        return "browser"
    if name.startswith("node"):
        return "driver"
    return "other"


def _comm(pid: int) -> str:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    kids = _children()
    out, todo = [], list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def snapshot(root: int | None = None) -> dict[str, Any]:
    """Memory now, in MB: robot RSS, driver RSS, browser RSS and PSS sums, browser process count."""
    root = os.getpid() if root is None else root
    browser_rss = browser_pss = driver = 0
    n = 0
    for pid in descendants(root):
        name = _comm(pid).lower()
        if any(b in name for b in BROWSER_NAMES):
            browser_rss += _status_kb(pid, "VmRSS")
            browser_pss += _pss_kb(pid)
            n += 1
        elif name.startswith("node"):
            driver += _status_kb(pid, "VmRSS")
    return {"robot_rss_mb": _status_kb(root, "VmRSS") / 1024, "driver_rss_mb": driver / 1024,
            "browser_rss_mb": browser_rss / 1024, "browser_pss_mb": browser_pss / 1024, "browser_procs": n}


@dataclass
class Sampler:
    """Samples :func:`snapshot` every ``interval`` seconds in a daemon thread, with a progress hook."""

    interval: float = 1.0
    samples: list[dict[str, Any]] = field(default_factory=list)
    #: a callable returning the cards finished so far (stored with each sample)
    progress: Any = None
    #: keep memory samples (off: CPU accounting only)
    keep: bool = True

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)
        self._t0 = 0.0
        self._root = os.getpid()
        #: pid -> [kind, ticks when first seen, ticks last seen]
        self._cpu: dict[int, list[Any]] = {}

    def start(self) -> None:
        self._t0 = time.monotonic()
        # processes already there (this one, the sandbox server) count from now; new ones from their start
        for pid in [self._root, *descendants(self._root)]:
            ticks = _cpu_ticks(pid)
            self._cpu[pid] = [kind(pid, self._root), ticks, ticks]
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._account()

    def _account(self) -> None:
        for pid in [self._root, *descendants(self._root)]:
            ticks = _cpu_ticks(pid)
            entry = self._cpu.get(pid)
            if entry is None:
                self._cpu[pid] = [kind(pid, self._root), 0, ticks]
            elif ticks >= entry[2]:
                entry[2] = ticks

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._account()
            if self.keep:
                snap = snapshot(self._root)
                snap["t"] = round(time.monotonic() - self._t0, 2)
                snap["cards"] = self.progress() if self.progress else None
                self.samples.append(snap)
            self._stop.wait(self.interval)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used while sampling, by kind of process (browser processes that ended
        between two samples lose their last interval)."""
        hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        out: dict[str, float] = {"robot": 0.0, "driver": 0.0, "browser": 0.0, "other": 0.0}
        for k, first, last in self._cpu.values():
            out[k] = out.get(k, 0.0) + (last - first) / hz
        return {k: round(v, 2) for k, v in out.items()}

    def peak(self, key: str) -> float:
        return max((s[key] for s in self.samples), default=0.0)


def growth(samples: list[dict[str, Any]], key: str, *, warmup: float = 0.1, share: float = 0.1) -> dict[str, Any]:
    """Mean of the last ``share`` of the samples over the mean of the first ``share``, after a warm-up.

    The warm-up is the first ``warmup`` share of the samples (browser start,
    logins, the source list): memory rises there by design.
    """
    vals = [s[key] for s in samples if s.get(key)]
    vals = vals[int(len(vals) * warmup):]
    if len(vals) < 4:
        return {"first_mb": None, "last_mb": None, "ratio": None, "samples": len(vals)}
    k = max(1, int(len(vals) * share))
    first, last = mean(vals[:k]), mean(vals[-k:])
    return {"first_mb": round(first, 1), "last_mb": round(last, 1), "ratio": round(last / first, 3),
            "samples": len(vals)}
