"""Serve the systems on loopback: police on ``port``, procuratorate on the next, court, then county and smartcourt.

``python -m sandbox`` (or ``casebot sandbox``) runs this. With ``port=0`` each
system takes a free port; the URLs are printed either way, as one JSON line
when ``--json`` is given (what the test fixture reads).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import signal
import sys
import tempfile
import threading
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from sandbox.common import SandboxSystem
from sandbox.faults import FaultPlan

SYSTEMS = ("police", "procuratorate", "court", "county", "smartcourt")


def load_fault_plans(path: Path) -> dict[str, FaultPlan]:
    """A fault file (JSON or TOML): one plan for all systems, or a table per system name."""
    text = path.read_text(encoding="utf-8")
    data: Any = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a fault plan must be an object")
    if any(k in SYSTEMS for k in data):
        unknown = set(data) - set(SYSTEMS)
        if unknown:
            raise ValueError(f"{path}: unknown systems {sorted(unknown)}")
        return {k: FaultPlan.model_validate(v) for k, v in data.items()}
    plan = FaultPlan.model_validate(data)
    return dict.fromkeys(SYSTEMS, plan)


def build_systems(data_dir: Path, *, sandbox_mode: bool = True,
                  plans: dict[str, FaultPlan] | None = None) -> dict[str, SandboxSystem]:
    plans = plans or {}
    systems = {}
    for name in SYSTEMS:
        module = importlib.import_module(f"sandbox.{name}")
        systems[name] = module.create(data_dir=data_dir, sandbox_mode=sandbox_mode, plan=plans.get(name))
    return systems


class Sandbox:
    """The servers, each in its own thread."""

    def __init__(self, systems: dict[str, SandboxSystem], host: str = "127.0.0.1", port: int = 8101) -> None:
        self.systems = systems
        self.servers: dict[str, BaseWSGIServer] = {}
        for i, name in enumerate(SYSTEMS):
            p = 0 if port == 0 else port + i
            self.servers[name] = make_server(host, p, systems[name].app, threaded=True)
        self._threads: list[threading.Thread] = []

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://{s.host}:{s.server_port}" for name, s in self.servers.items()}

    def start(self) -> None:
        for name, server in self.servers.items():
            t = threading.Thread(target=server.serve_forever, name=f"sandbox-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def serve(*, port: int = 8101, host: str = "127.0.0.1", faults_file: Path | None = None,
          data_dir: Path | None = None, sandbox_mode: bool = True,
          announce: Callable[[dict[str, str]], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM."""
    plans = load_fault_plans(faults_file) if faults_file else None
    tmp = None
    if data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="casebot-sandbox-")
        data_dir = Path(tmp.name)
    data_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sandbox = Sandbox(build_systems(data_dir, sandbox_mode=sandbox_mode, plans=plans), host, port)
    stop = threading.Event()

    def _stop(*_: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    sandbox.start()
    if announce:
        announce(sandbox.urls)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        if tmp is not None:
            tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--faults", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--no-sandbox-mode", action="store_true", help="refuse the /_sandbox/ routes")
    parser.add_argument("--json", action="store_true", help="print the URLs as one JSON line")
    args = parser.parse_args(argv)

    def announce(urls: dict[str, str]) -> None:
        if args.json:
            print(json.dumps(urls), flush=True)
        else:
            for name, url in urls.items():
                print(f"{name:14} {url}", flush=True)
            print("user: casebot / password: sandbox", flush=True)

    serve(port=args.port, host=args.host, faults_file=args.faults, data_dir=args.data_dir,
          sandbox_mode=not args.no_sandbox_mode, announce=announce)
    return 0


if __name__ == "__main__":
    sys.exit(main())
