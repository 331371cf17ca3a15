"""A fault-injecting HTTP proxy: put it in front of a system that has no fault switch.

The adapter under test is pointed at the proxy's URL; the proxy forwards each
request to the system and, where a :class:`Fault` matches the request (method,
path prefix, how many times), does what a bad day does instead:

``server_error``       answer ``status`` (500) with an error page; the system never sees the request
``drop_session``       forward the request without its cookies: the system has no session for it
``commit_then_error``  forward the request (the system acts on it), then answer ``status`` (502) instead
``commit_then_drop``   forward the request, then cut the connection in the answer's first line
``commit_then_truncate`` forward the request, then send half of the answer's body and close
``latency``            wait ``seconds`` before forwarding

Faults are taken **in sequence**: a request meets the first fault (in the order they were
injected) that matches it and is not used up, so ``commit_then_drop`` then ``commit_then_error``,
each ``times=1``, cut off the first save and answer the second with a 502 (a ``latency`` adds
to whichever fault is taken).

It runs in a thread (standard library only; ``casebot proxy`` runs one from the command line)
and counts what it did (``counts``). The system sees itself addressed: the ``Host`` of each
request is the system's, and an ``Origin`` or ``Referer`` naming the proxy is rewritten to name
the system (CSRF checks such as Django's compare them). Redirects pass through (their locations
rewritten to the proxy when absolute), so the browser stays behind it.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

FaultKind = Literal["server_error", "drop_session", "commit_then_error", "commit_then_drop", "commit_then_truncate",
                    "latency"]
KINDS: tuple[str, ...] = FaultKind.__args__  # type: ignore[attr-defined]
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
        "transfer-encoding", "upgrade", "host", "content-length"}


@dataclass
class Fault:
    kind: FaultKind
    #: only requests with this method (``POST``), and whose path starts with ``path``
    method: str | None = None
    path: str | None = None
    #: how many matching requests it hits; None: all of them
    times: int | None = None
    status: int | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(KINDS)}")

    def matches(self, method: str, path: str) -> bool:
        return ((self.method is None or self.method.upper() == method)
                and (self.path is None or path.startswith(self.path)) and self.times != 0)


class FaultProxy:
    """``with FaultProxy(url) as proxy: ... proxy.inject(Fault("server_error", method="POST"))``."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        self.upstream = upstream.rstrip("/")
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        self.faults: list[Fault] = []
        self.counts: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, method: str, path: str) -> list[Fault]:
        """The faults that hit this request: the first matching one of each sort, latency and the others
        (each counted, and used up when it has ``times``)."""
        with self._lock:
            delay = next((f for f in self.faults if f.kind == "latency" and f.matches(method, path)), None)
            fault = next((f for f in self.faults if f.kind != "latency" and f.matches(method, path)), None)
            hit = [f for f in (delay, fault) if f is not None]
            for f in hit:
                if f.times is not None:
                    f.times -= 1
                self.counts[f.kind] += 1
            return hit

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self.server.serve_forever, name="faultproxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the test logs what matters
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            faults = {f.kind: f for f in proxy.take(self.command, self.path)}
            if "latency" in faults:
                time.sleep(faults["latency"].seconds)
            if "server_error" in faults:
                return self._error(faults["server_error"].status or 500)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            for k, v in headers.items():  # the system sees its own origin (Host is set by the connection)
                if k.lower() in ("origin", "referer") and v.startswith(proxy.url):
                    headers[k] = proxy.upstream + v[len(proxy.url):]
            if "drop_session" in faults:
                headers.pop("Cookie", None)
                headers.pop("cookie", None)
            conn = http.client.HTTPConnection(*proxy._target, timeout=60)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
            finally:
                conn.close()
            if "commit_then_drop" in faults:
                # a few bytes of the answer, then nothing: a browser resends a request whose connection
                # closed before any byte of its answer (a POST included), never one cut off mid-answer
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Ty")
                self.wfile.flush()
                self.close_connection = True
                return
            if "commit_then_truncate" in faults:
                # the whole answer announced, half of it sent: a body that cannot be read
                self.send_response(answer.status, answer.reason)
                self.send_header("Content-Type", answer.getheader("Content-Type") or "text/html")
                self.send_header("Content-Length", str(len(data)))
                self._close()
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                return
            if "commit_then_error" in faults:
                return self._error(faults["commit_then_error"].status or 502)
            self.send_response(answer.status, answer.reason)
            for k, v in answer.getheaders():
                if k.lower() in _HOP:
                    continue
                if k.lower() == "location" and v.startswith(proxy.upstream):
                    v = proxy.url + v[len(proxy.upstream):]
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self._close()
            self.end_headers()
            self.wfile.write(data)

        def _close(self) -> None:
            # one request per connection: a browser retries a request whose reused connection closed
            # without an answer (a POST included), which would hide a dropped answer
            self.send_header("Connection", "close")
            self.close_connection = True

        def _error(self, status: int) -> None:
            page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{status}</title></head>"
                    f"<body><h1>{status}</h1><p>网关错误</p></body></html>").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self._close()
            self.end_headers()
            self.wfile.write(page)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

    return Handler


def parse_fault(spec: str) -> Fault:
    """A fault as typed on the command line: ``KIND [METHOD] [PATH] [times=N|all] [status=N] [seconds=S]``.

    ``commit_then_drop POST /api/cases`` hits the next matching request once (``times`` defaults to 1,
    so that faults given one after the other are met one after the other); ``times=all`` every one.
    """
    words = spec.split()
    if not words:
        raise ValueError("empty fault")
    kind, fields = words[0], {"times": "1"}
    method = path = None
    for word in words[1:]:
        if "=" in word:
            key, _, value = word.partition("=")
            if key not in ("times", "status", "seconds"):
                raise ValueError(f"{spec!r}: unknown setting {key!r} (times, status, seconds)")
            fields[key] = value
        elif word.startswith("/"):
            path = word
        elif word.isalpha():
            method = word.upper()
        else:
            raise ValueError(f"{spec!r}: {word!r} is neither a method, a path (/...) nor key=value")
    if kind not in KINDS:
        raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
    try:
        times = None if fields["times"] == "all" else int(fields["times"])
        status = int(fields["status"]) if "status" in fields else None
        seconds = float(fields.get("seconds", 0))
    except ValueError:
        raise ValueError(f"{spec!r}: times is a number or all, status a number, seconds a number") from None
    return Fault(kind, method=method, path=path, times=times, status=status, seconds=seconds)  # type: ignore[arg-type]
