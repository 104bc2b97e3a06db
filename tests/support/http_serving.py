"""Serving a component for a test: `WasiHttpApp` on a real uvicorn, on 127.0.0.1.

Public names
------------
`serving(app) -> Iterator[str]` (context manager)
    Runs `app` (any ASGI application) on uvicorn in a thread, on a socket bound
    to 127.0.0.1 on a port the system picks, and gives the base URL
    (`http://127.0.0.1:PORT`); stops the server (and waits for it) on exit.
`call(app, method, path, *, body=b"", **scope) -> list[dict]`
    Calls an ASGI application once, in this thread (its own event loop), as a
    server would, with the scope keys given (`root_path`, `extensions`, ...);
    gives every message the application sent.
`upstream(routes) -> Iterator[Upstream]` (context manager)
    A plain threaded HTTP server on 127.0.0.1 for a component's outgoing
    requests: `routes` maps a path to `(status, body, delay_s)`; any other path
    answers 404.  Gives its base URL (`.url`) and the requests it served, as
    (method, path), in `.seen`.

Nothing here listens on anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from support.servers import LoopbackServer, QuietHandler

__all__ = ["Upstream", "call", "serving", "upstream"]


@dataclass
class Upstream:
    url: str
    seen: list[tuple[str, str]] = field(default_factory=list)


def call(
    app: Any, method: str, path: str, *, body: bytes = b"", **scope: Any
) -> list[dict[str, Any]]:
    raw_path, _, query = path.partition("?")
    request = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        **scope,
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(3600)  # as a server does: nothing more until the client leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(request, receive, send))
    return sent


@contextmanager
def serving(app: Any) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # the first load of a component compiles it
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@contextmanager
def upstream(routes: dict[str, tuple[int, bytes, float]]) -> Iterator[Upstream]:
    found = Upstream("")

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            found.seen.append(("GET", self.path))
            status, body, delay = routes.get(self.path, (404, b"", 0.0))
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = LoopbackServer(Handler)
    found.url = f"http://127.0.0.1:{server.port}"
    try:
        yield found
    finally:
        server.stop()
