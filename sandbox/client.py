"""Start the sandbox as a process and talk to its ``/_sandbox/`` routes (tests, demo, bench).

Like scrapy's mock servers: a real server process on loopback, free ports,
its URLs read from the one JSON line it prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from sandbox.server import SYSTEMS


class SandboxHTTPError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        super().__init__(f"HTTP {status}: {body}")


class SandboxClient:
    """JSON calls to the ``/_sandbox/`` routes of the three systems."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = dict(urls)

    def call(self, system: str, method: str, path: str, body: Any = None, *, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.urls[system] + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as exc:
            text = exc.read().decode()
            try:
                payload = json.loads(text)
            except ValueError:
                payload = text
            raise SandboxHTTPError(exc.code, payload) from exc
        return json.loads(text) if text else None

    def reset(self) -> None:
        for system in SYSTEMS:
            self.call(system, "POST", "/_sandbox/reset")

    def seed(self, n: int, seed: int = 42, **extra: Any) -> Any:
        return self.call("police", "POST", "/_sandbox/seed", {"n": n, "seed": seed, **extra})

    def add_cases(self, cases: list[dict[str, Any]]) -> Any:
        return self.call("police", "POST", "/_sandbox/cases", cases)

    def police_cases(self) -> list[dict[str, Any]]:
        return self.call("police", "GET", "/_sandbox/cases")

    def records(self, system: str) -> list[dict[str, Any]]:
        return self.call(system, "GET", "/_sandbox/records")

    def prosecute(self, ysajbh: str, qsswh: str, qsrq: str) -> Any:
        return self.call("procuratorate", "POST", "/_sandbox/prosecute",
                         {"ysajbh": ysajbh, "qsswh": qsswh, "qsrq": qsrq})

    def saves(self, system: str) -> dict[str, int]:
        """How many records the system stored through its own pages, per case key."""
        return self.call(system, "GET", "/_sandbox/saves")["saves"]

    def set_faults(self, system: str, **plan: Any) -> Any:
        return self.call(system, "POST", "/_sandbox/faults", plan)

    def faults(self, system: str) -> Any:
        return self.call(system, "GET", "/_sandbox/faults")


class SandboxProcess:
    """The sandbox in a child process on free loopback ports."""

    def __init__(self, *, port: int = 0, faults_file: Path | None = None, sandbox_mode: bool = True,
                 data_dir: Path | None = None, env: dict[str, str] | None = None) -> None:
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="casebot-sandbox-")
        self.data_dir = data_dir or Path(self._tmp.name)  # type: ignore[union-attr]
        args = [sys.executable, "-m", "sandbox", "--json", "--port", str(port), "--data-dir", str(self.data_dir)]
        if faults_file:
            args += ["--faults", str(faults_file)]
        if not sandbox_mode:
            args.append("--no-sandbox-mode")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line:
            self.proc.wait(10)
            raise RuntimeError(f"sandbox did not start (exit {self.proc.returncode})")
        self.urls: dict[str, str] = json.loads(line)
        self.client = SandboxClient(self.urls)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
