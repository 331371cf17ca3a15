"""The fault proxy: faults taken in sequence, the system's own Origin, and ``casebot proxy`` as typed."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from casebot.testing.faultproxy import Fault, FaultProxy, parse_fault


class Upstream:
    """A tiny system: answers each request with what it saw (method, path, Origin), counting POSTs."""

    def __init__(self) -> None:
        self.posts = 0
        up = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a: object) -> None:
                pass

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                if self.command == "POST":
                    up.posts += 1
                body = json.dumps({"method": self.command, "origin": self.headers.get("Origin"),
                                   "host": self.headers.get("Host"), "saved": up.posts}).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    up = Upstream()
    yield up
    up.server.shutdown()
    up.server.server_close()


def post(url: str, origin: str | None = None) -> tuple[int, dict | str]:
    req = urllib.request.Request(url + "/api/cases", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", **({"Origin": origin} if origin else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except (http.client.HTTPException, ConnectionError) as exc:
        return 0, type(exc).__name__
    except ValueError:  # a status line and half a header, then nothing: no answer to read
        return 0, "cut off"


def test_faults_are_taken_in_sequence(upstream: Upstream) -> None:
    """The first save cut off, the second answered 502, the third passes: each reached the system."""
    with FaultProxy(upstream.url) as proxy:
        proxy.inject(Fault("commit_then_drop", method="POST", path="/api/cases", times=1),
                     Fault("commit_then_error", method="POST", path="/api/cases", times=1))
        first, second, third = post(proxy.url), post(proxy.url), post(proxy.url)
    assert first[0] == 0, "the first answer is cut off"
    assert second[0] == 502
    assert third == (201, {"method": "POST", "origin": None, "host": upstream.url[7:], "saved": 3})
    assert upstream.posts == 3
    assert proxy.counts["commit_then_drop"] == 1 and proxy.counts["commit_then_error"] == 1


def test_the_system_sees_its_own_origin_and_host(upstream: Upstream) -> None:
    with FaultProxy(upstream.url) as proxy:
        status, seen = post(proxy.url, origin=proxy.url)
    assert status == 201
    assert seen["origin"] == upstream.url and seen["host"] == upstream.url[7:]  # type: ignore[index]


def test_a_truncated_answer(upstream: Upstream) -> None:
    with FaultProxy(upstream.url) as proxy:
        proxy.inject(Fault("commit_then_truncate", method="POST"))
        status, what = post(proxy.url)
    assert status == 0 and what == "IncompleteRead"
    assert upstream.posts == 1


def test_fault_specs_as_typed() -> None:
    assert parse_fault("commit_then_drop POST /api/cases") == Fault("commit_then_drop", method="POST",
                                                                    path="/api/cases", times=1)
    assert parse_fault("server_error status=503 times=all") == Fault("server_error", status=503)
    assert parse_fault("latency seconds=1.5 times=2") == Fault("latency", seconds=1.5, times=2)
    with pytest.raises(ValueError, match="unknown fault"):
        parse_fault("explode POST")
    with pytest.raises(ValueError, match="times"):
        parse_fault("server_error times=often")


def test_casebot_proxy_from_the_command_line(upstream: Upstream) -> None:
    """As a person types it: the proxy prints where it listens, then serves the faults in order."""
    casebot = os.path.join(os.path.dirname(sys.executable), "casebot")
    proc = subprocess.Popen([casebot, "proxy", upstream.url, "--port", "0",
                             "--fault", "commit_then_drop POST /api/cases",
                             "--fault", "commit_then_error POST /api/cases"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split()[-1]
        assert url.startswith("http://127.0.0.1:"), line
        assert [post(url)[0], post(url)[0], post(url)[0]] == [0, 502, 201]
    finally:
        proc.terminate()
        proc.wait(10)
    assert upstream.posts == 3
