"""Local HTTP(S) servers for the tests of the hosts' outgoing clients.

In: a request handler class (a `QuietHandler`), a loopback host and
optionally a server-side TLS context.  Out: `LoopbackServer`, serving in a
daemon thread on an ephemeral port until `stop()`, the TLS handshake done in
the handler's thread; `seen` is for the handler to list the requests it got.
Raises: nothing of its own (`OSError` if the address cannot be bound).
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer(ThreadingHTTPServer):
    """A test server on `host` (a loopback address) and a port the system picks."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        ipv6: bool = False,
        poll_interval: float = 0.5,
    ) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.tls = tls
        self.seen: list[str] = []
        super().__init__((host, 0), handler)
        self.thread = threading.Thread(
            target=self.serve_forever, args=(poll_interval,), daemon=True
        )
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls is not None:  # the handshake happens in the handler's thread
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up or fail the handshake are the point of some tests

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, no logging, the TLS handshake (if any) before the request is read."""

    protocol_version = "HTTP/1.1"
    timeout = 10
    server: LoopbackServer

    def setup(self) -> None:
        if self.server.tls is not None:
            self.request.settimeout(10)
            self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass
