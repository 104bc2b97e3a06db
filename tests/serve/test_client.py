"""The wasi:http outgoing client against local servers on 127.0.0.1: streaming both
ways, grants and D4, every error case it reports, deadlines and timeouts.

Every name is resolved by a stub (never DNS), and every connection goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.servers import LoopbackServer, QuietHandler
from support.tls import self_signed_certificate, server_context

from witgen.http.client import (
    DNS_NOT_FOUND,
    HttpFailure,
    IncomingResponse,
    OutgoingHead,
    Timeouts,
    send,
)
from witgen.permissions import PermissionValidator, parse_manifest

MANIFEST = """\
[component]
name = "client-test"
version = "1.0.0"
"""
LOOPBACK = '[[capabilities.network]]\naction = "outbound"\nhost = "127.0.0.1"\n'
QUICK = Timeouts(connect_s=2.0, first_byte_s=2.0, between_bytes_s=2.0)
WAIT = 5.0  # how long a test waits for its server before failing


def validator(grants: str) -> PermissionValidator:
    """The validator of a Component.toml with `grants` (TOML) after its [component]."""
    return PermissionValidator(parse_manifest(MANIFEST + grants))


def resolver(table: dict[str, list[str]]) -> Callable[[str, int], list[str]]:
    """A resolver stub: names in `table` resolve, others fail as unknown names."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def never_resolve(host: str, port: int) -> list[str]:
    raise AssertionError(f"the client resolved {host} for a request it should have refused")


# -- the server ----------------------------------------------------------------


class Server(LoopbackServer):
    """An HTTP/1.1 test server on 127.0.0.1 and an ephemeral port.

    `chunks` receives each request-body chunk the moment it is read; `release`
    lets a streaming or stalling route go on; `seen` lists "METHOD path".
    """

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.chunks: queue.Queue[bytes] = queue.Queue()
        self.release = threading.Event()
        super().__init__(Handler, tls=tls, poll_interval=0.05)

    def stop(self) -> None:
        self.release.set()
        super().stop()


class Handler(QuietHandler):
    server: Server

    def route(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        name = self.path.lstrip("/").split("?")[0].split("/")[0] or "echo"
        try:
            getattr(self, f"r_{name.replace('-', '_')}")()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = route

    def body(self) -> bytes:
        """The request body, each chunk put on `server.chunks` as it arrives."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:  # then the trailers, up to a blank line
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return data
                chunk = self.rfile.read(size)
                self.rfile.readline()
                self.server.chunks.put(chunk)
                data += chunk
        length = int(self.headers.get("Content-Length") or 0)
        data = b""
        while len(data) < length:
            chunk = self.rfile.read1(length - len(data))
            if not chunk:
                break
            self.server.chunks.put(chunk)
            data += chunk
        return data

    def reply(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def r_echo(self) -> None:
        received = self.body()
        echoed = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": received.decode("latin-1"),
        }
        self.reply(200, json.dumps(echoed).encode(), ("Content-Type", "application/json"))

    def r_stream(self) -> None:
        """`first`, then (once released) `second`, as two chunks of a chunked body."""
        self.body()
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Twice", "a")
        self.send_header("X-Twice", "b")
        self.end_headers()
        self.wfile.write(b"5\r\nfirst\r\n")
        self.wfile.flush()
        self.server.release.wait(WAIT)
        self.wfile.write(b"6\r\nsecond\r\n0\r\nX-Trailer: t\r\n\r\n")

    def r_stall_head(self) -> None:
        self.body()
        self.server.release.wait(WAIT)
        self.reply(200, b"late")

    def r_stall_body(self) -> None:
        self.body()
        self.send_response(200)
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.write(b"12345")
        self.wfile.flush()
        self.server.release.wait(WAIT)
        self.wfile.write(b"67890")

    def r_short(self) -> None:
        self.body()
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.write(b"12345")

    def r_redirect(self) -> None:
        self.body()
        self.reply(302, b"moved", ("Location", "/echo"))

    def r_sink(self) -> None:
        """Reads nothing of the body until released (the client's sends fill up)."""
        self.server.release.wait(WAIT)
        self.close_connection = True
        self.reply(200, b"")

    def r_garbage(self) -> None:
        self.body()
        self.close_connection = True
        self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


def head(
    server_port: int,
    path: str = "/echo",
    *,
    method: str = "GET",
    scheme: str = "http",
    authority: str | None = None,
    headers: list[tuple[str, bytes]] | None = None,
) -> OutgoingHead:
    return OutgoingHead(
        method, scheme, authority or f"127.0.0.1:{server_port}", path, headers or []
    )


def read_all(response: IncomingResponse) -> bytes:
    data = b""
    while chunk := response.read(4096):
        data += chunk
    response.close()
    return data


def echoed(response: IncomingResponse) -> dict[str, Any]:
    assert response.status == 200
    found: dict[str, Any] = json.loads(read_all(response))
    return found


def failure(call: Callable[[], object]) -> HttpFailure:
    with pytest.raises(HttpFailure) as caught:
        call()
    return caught.value


def header(found: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in found["headers"] if key.lower() == name.lower()]


# -- requests that go through ----------------------------------------------------


def test_a_granted_get_reaches_the_server_with_only_the_components_headers(
    server: Server,
) -> None:
    headers = [
        ("Accept", b"text/plain"),
        ("X-Many", b"1"),
        ("X-Many", b"2"),
        ("Connection", b"keep-alive"),  # the host's: dropped
        ("Transfer-Encoding", b"gzip"),  # the host's: dropped
        ("Host", b"evil.test"),  # the host's: dropped
        ("X-Latin", "caf\xe9".encode("latin-1")),
    ]
    found = echoed(
        send(head(server.port, "/echo?q=1", headers=headers), None, QUICK, validator(LOOPBACK))
    )
    assert found["method"] == "GET" and found["path"] == "/echo?q=1"
    assert header(found, "Host") == [f"127.0.0.1:{server.port}"]
    assert header(found, "X-Many") == ["1", "2"] and header(found, "Accept") == ["text/plain"]
    assert header(found, "X-Latin") == ["caf\xe9"]
    for absent in ("User-Agent", "Accept-Encoding", "Transfer-Encoding", "Content-Length"):
        assert header(found, absent) == [], absent
    assert header(found, "Connection") != ["keep-alive"]


def test_the_request_body_streams_chunk_by_chunk(server: Server) -> None:
    """Each chunk reaches the server before the next is asked for (no buffering)."""
    arrived: list[bytes] = []

    def body() -> Iterator[bytes]:
        for part in (b"one", b"two", b"three"):
            yield part
            arrived.append(server.chunks.get(timeout=WAIT))  # raises queue.Empty if buffered

    found = echoed(send(head(server.port, method="POST"), body(), QUICK, validator(LOOPBACK)))
    assert arrived == [b"one", b"two", b"three"]
    assert found["body"] == "onetwothree" and header(found, "Transfer-Encoding") == ["chunked"]


def test_a_body_with_content_length_is_sent_as_is_and_streams(server: Server) -> None:
    arrived: list[bytes] = []

    def body() -> Iterator[bytes]:
        for part in (b"abc", b"de"):
            yield part
            arrived.append(server.chunks.get(timeout=WAIT))

    request = head(server.port, method="PUT", headers=[("Content-Length", b"5")])
    found = echoed(send(request, body(), QUICK, validator(LOOPBACK)))
    assert arrived == [b"abc", b"de"] and found["body"] == "abcde"
    assert header(found, "Content-Length") == ["5"] and header(found, "Transfer-Encoding") == []


@pytest.mark.parametrize(("parts", "given"), [([b"abc", b"def"], 6), ([b"ab"], 2)])
def test_a_body_of_another_length_than_its_content_length_fails(
    server: Server, parts: list[bytes], given: int
) -> None:
    request = head(server.port, method="POST", headers=[("Content-Length", b"4")])
    error = failure(lambda: send(request, iter(parts), QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-request-body-size" and error.payload == given


def test_a_post_without_a_body_sends_content_length_zero(server: Server) -> None:
    found = echoed(send(head(server.port, method="POST"), None, QUICK, validator(LOOPBACK)))
    assert header(found, "Content-Length") == ["0"] and found["body"] == ""


def test_the_response_body_is_read_piecewise_as_it_arrives(server: Server) -> None:
    response = send(head(server.port, "/stream"), None, QUICK, validator(LOOPBACK))
    assert response.status == 200
    assert [value for name, value in response.headers if name.lower() == "x-twice"] == [
        b"a",
        b"b",
    ]
    assert response.read(64) == b"first"  # the server has not sent `second` yet
    server.release.set()
    rest = b""
    while chunk := response.read(2):
        assert len(chunk) <= 2
        rest += chunk
    assert rest == b"second" and response.read(10) == b""
    assert response.trailers() is None  # urllib3 drops trailers (see the module)
    response.close()


def test_redirects_are_not_followed(server: Server) -> None:
    response = send(head(server.port, "/redirect"), None, QUICK, validator(LOOPBACK))
    assert response.status == 302 and (("Location", b"/echo") in response.headers)
    assert read_all(response) == b"moved" and server.seen == ["GET /redirect"]


def test_a_name_resolves_once_to_a_checked_address_and_is_sent_as_host(server: Server) -> None:
    calls: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["127.0.0.1"]

    grant = '[[capabilities.network]]\naction = "outbound"\nhost = "*.test"\nallow-private = true\n'
    request = head(server.port, authority=f"API.Example.test:{server.port}")
    found = echoed(send(request, None, QUICK, validator(grant), resolver=resolve))
    assert calls == [("api.example.test", server.port)]
    assert header(found, "Host") == [f"api.example.test:{server.port}"]


# -- denials -----------------------------------------------------------------


def denied(
    caplog: pytest.LogCaptureFixture, request: OutgoingHead, grants: PermissionValidator | None
) -> HttpFailure:
    caplog.set_level(logging.WARNING, logger="witgen.http")
    error = failure(lambda: send(request, None, QUICK, grants, resolver=never_resolve))
    (record,) = [r for r in caplog.records if r.name == "witgen.http"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert request.method in message and request.authority in message
    assert str(error).split("denied: ")[-1].split(";")[0] in message  # the reason
    return error


def test_a_host_without_a_grant_is_denied_and_logged(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    request = head(server.port, authority="example.test", method="DELETE")
    error = denied(caplog, request, validator(LOOPBACK))
    assert error.case == "HTTP-request-denied" and "no outbound grant" in str(error)
    assert '"client-test"' in caplog.records[0].getMessage()
    assert "http://example.test/echo" in caplog.records[0].getMessage()


def test_a_port_not_granted_is_denied(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    grant = '[[capabilities.network]]\naction = "outbound"\nhost = "127.0.0.1"\nport = 1\n'
    error = denied(caplog, head(server.port), validator(grant))
    assert error.case == "HTTP-request-denied" and "only on port 1" in str(error)
    assert server.seen == []


def test_without_a_manifest_every_request_is_denied(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    error = denied(caplog, head(server.port), None)
    assert error.case == "HTTP-request-denied" and server.seen == []


def test_a_private_ip_literal_without_a_grant_naming_it_is_prohibited(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    anything = '[[capabilities.network]]\naction = "outbound"\nhost = "*"\n'
    error = denied(caplog, head(server.port), validator(anything))
    assert error.case == "destination-IP-prohibited" and server.seen == []


def test_a_name_resolving_to_a_private_address_is_prohibited(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="witgen.http")
    grant = '[[capabilities.network]]\naction = "outbound"\nhost = "*.test"\n'
    request = head(server.port, authority=f"api.test:{server.port}")
    stub = resolver({"api.test": ["127.0.0.1"]})
    error = failure(lambda: send(request, None, QUICK, validator(grant), resolver=stub))
    assert error.case == "destination-IP-prohibited" and "D4" in str(error)
    assert [r.levelno for r in caplog.records if r.name == "witgen.http"] == [logging.WARNING]
    assert server.seen == []


# -- errors --------------------------------------------------------------------


def test_a_name_that_does_not_resolve_is_a_dns_error(server: Server) -> None:
    grant = '[[capabilities.network]]\naction = "outbound"\nhost = "*.test"\n'
    request = head(server.port, authority="nowhere.test")
    error = failure(lambda: send(request, None, QUICK, validator(grant), resolver=resolver({})))
    assert error.case == "DNS-error" and error.payload == DNS_NOT_FOUND
    assert DNS_NOT_FOUND == ("address not available", None)


def test_a_resolution_that_outlives_the_connect_time_is_a_dns_timeout(server: Server) -> None:
    grant = '[[capabilities.network]]\naction = "outbound"\nhost = "*.test"\n'
    stuck = threading.Event()

    def hang(host: str, port: int) -> list[str]:
        stuck.wait(WAIT)
        return ["127.0.0.1"]

    started = time.monotonic()
    error = failure(
        lambda: send(
            head(server.port, authority="slow.test"),
            None,
            Timeouts(connect_s=0.2),
            validator(grant),
            resolver=hang,
        )
    )
    stuck.set()
    assert error.case == "DNS-timeout" and time.monotonic() - started < 2


def test_a_refused_port_is_connection_refused() -> None:
    with socket.socket() as bound:  # bound, never listening: connecting is refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        error = failure(lambda: send(head(port), None, QUICK, validator(LOOPBACK)))
    assert error.case == "connection-refused" and str(port) in str(error)


@pytest.mark.parametrize("scheme", ["ftp", "ws", ""])
def test_a_scheme_other_than_http_or_https_is_a_protocol_error(server: Server, scheme: str) -> None:
    error = failure(
        lambda: send(head(server.port, scheme=scheme), None, QUICK, validator(LOOPBACK))
    )
    assert error.case == "HTTP-protocol-error" and server.seen == []


@pytest.mark.parametrize("method", ["GE T", "", "GET\r\n", "Ä"])
def test_a_method_that_is_not_a_token_is_invalid(server: Server, method: str) -> None:
    request = head(server.port, method=method)
    error = failure(lambda: send(request, None, QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-request-method-invalid" and server.seen == []


@pytest.mark.parametrize(
    ("authority", "path"),
    [
        ("", "/"),
        ("user@127.0.0.1", "/"),
        ("127.0.0.1:0", "/"),
        ("127.0.0.1", "no-slash"),
        ("127.0.0.1", "/a b"),
    ],
)
def test_a_bad_authority_or_path_is_an_invalid_uri(authority: str, path: str) -> None:
    request = OutgoingHead("GET", "http", authority, path, [])
    error = failure(lambda: send(request, None, QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-request-URI-invalid"


def test_a_url_too_long_is_refused(server: Server) -> None:
    request = head(server.port, "/" + "a" * 9000)
    error = failure(lambda: send(request, None, QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-request-URI-too-long" and server.seen == []


@pytest.mark.parametrize(
    "headers",
    [
        [("Bad Name", b"x")],
        [("X-Split", b"a\r\nInjected: yes")],
        [("X-Nul", b"a\x00b")],
        [("Content-Length", b"five")],
        [("Content-Length", b"4"), ("Content-Length", b"5")],
    ],
)
def test_bad_headers_are_refused_before_anything_is_sent(
    server: Server, headers: list[tuple[str, bytes]]
) -> None:
    request = head(server.port, headers=headers)
    error = failure(lambda: send(request, None, QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-protocol-error" and server.seen == []


def test_a_response_head_that_does_not_come_is_a_read_timeout(server: Server) -> None:
    started = time.monotonic()
    error = failure(
        lambda: send(
            head(server.port, "/stall-head"),
            None,
            Timeouts(first_byte_s=0.2),
            validator(LOOPBACK),
        )
    )
    assert error.case == "connection-read-timeout" and time.monotonic() - started < 2


def test_a_body_that_stalls_is_a_read_timeout(server: Server) -> None:
    response = send(
        head(server.port, "/stall-body"), None, Timeouts(between_bytes_s=0.2), validator(LOOPBACK)
    )
    assert response.read(100) == b"12345"
    started = time.monotonic()
    error = failure(lambda: response.read(100))
    assert error.case == "connection-read-timeout" and time.monotonic() - started < 2
    assert response.read(100) == b""  # closed


def test_the_deadline_bounds_every_wait(server: Server) -> None:
    """Generous timeouts, a near deadline: the stalled read ends at the deadline."""
    generous = Timeouts(connect_s=30, first_byte_s=30, between_bytes_s=30)
    started = time.monotonic()
    response = send(
        head(server.port, "/stall-body"),
        None,
        generous,
        validator(LOOPBACK),
        deadline=started + 0.5,
    )
    assert response.read(100) == b"12345"
    error = failure(lambda: response.read(100))
    assert error.case == "connection-read-timeout" and 0.3 < time.monotonic() - started < 2.5


def test_a_deadline_already_past_sends_nothing(server: Server) -> None:
    error = failure(
        lambda: send(head(server.port), None, QUICK, validator(LOOPBACK), deadline=time.monotonic())
    )
    assert error.case == "DNS-timeout" and server.seen == []


def test_a_send_the_server_does_not_take_is_a_write_timeout(server: Server) -> None:
    megabyte = b"x" * (1 << 20)

    def body() -> Iterator[bytes]:
        for _ in range(256):  # far more than the loopback buffers hold
            yield megabyte

    started = time.monotonic()
    error = failure(
        lambda: send(
            head(server.port, "/sink", method="POST"),
            body(),
            Timeouts(between_bytes_s=0.3),
            validator(LOOPBACK),
        )
    )
    assert error.case == "connection-write-timeout" and time.monotonic() - started < 4


def test_a_body_cut_short_is_an_incomplete_response(server: Server) -> None:
    response = send(head(server.port, "/short"), None, QUICK, validator(LOOPBACK))
    assert response.read(100) == b"12345"
    assert failure(lambda: response.read(100)).case == "HTTP-response-incomplete"


def test_a_malformed_response_is_a_protocol_error(server: Server) -> None:
    error = failure(lambda: send(head(server.port, "/garbage"), None, QUICK, validator(LOOPBACK)))
    assert error.case == "HTTP-protocol-error"


def test_a_failure_raised_by_the_body_aborts_the_request(server: Server) -> None:
    def body() -> Iterator[bytes]:
        yield b"part"
        raise HttpFailure("internal-error", "the component trapped", "trap")

    error = failure(
        lambda: send(head(server.port, method="POST"), body(), QUICK, validator(LOOPBACK))
    )
    assert error.case == "internal-error" and error.payload == "trap"


# -- TLS -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    running = Server(tls=server_context(certificate))
    yield running
    running.stop()


LOCALHOST = (
    '[[capabilities.network]]\naction = "outbound"\nhost = "localhost"\nallow-private = true\n'
)
TO_LOOPBACK = resolver({"localhost": ["127.0.0.1"]})


def https(port: int, host: str = "localhost") -> OutgoingHead:
    return head(port, scheme="https", authority=f"{host}:{port}", method="POST")


def test_https_with_a_trusted_certificate(
    tls_server: Server, certificate: tuple[Path, Path]
) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    found = echoed(
        send(
            https(tls_server.port),
            iter([b"secret"]),
            QUICK,
            validator(LOCALHOST),
            resolver=TO_LOOPBACK,
            tls_context=trusting,
        )
    )
    assert found["body"] == "secret" and header(found, "Host") == [f"localhost:{tls_server.port}"]


def test_https_refuses_a_certificate_it_does_not_trust(tls_server: Server) -> None:
    error = failure(
        lambda: send(
            https(tls_server.port), None, QUICK, validator(LOCALHOST), resolver=TO_LOOPBACK
        )
    )
    assert error.case == "TLS-certificate-error" and tls_server.seen == []


def test_https_checks_the_certificate_against_the_canonical_host(
    tls_server: Server, certificate: tuple[Path, Path]
) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    request = https(tls_server.port, host="127.0.0.1")  # the certificate names localhost only
    error = failure(lambda: send(request, None, QUICK, validator(LOOPBACK), tls_context=trusting))
    assert error.case == "TLS-certificate-error" and tls_server.seen == []


def test_https_to_a_server_that_speaks_no_tls_is_a_tls_protocol_error(server: Server) -> None:
    error = failure(
        lambda: send(https(server.port), None, QUICK, validator(LOCALHOST), resolver=TO_LOOPBACK)
    )
    assert error.case == "TLS-protocol-error"


def test_a_tls_handshake_that_never_answers_is_a_connection_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        error = failure(
            lambda: send(
                https(port),
                None,
                Timeouts(connect_s=0.3),
                validator(LOCALHOST),
                resolver=TO_LOOPBACK,
            )
        )
    assert error.case == "connection-timeout" and time.monotonic() - started < 2.5


def test_a_tls_context_that_does_not_verify_is_refused(server: Server) -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    lax.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="must verify"):
        send(head(server.port), None, QUICK, validator(LOOPBACK), tls_context=lax)


def test_without_urllib3_send_is_an_internal_error(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "urllib3", None)  # `import urllib3` raises ImportError
    error = failure(lambda: send(head(server.port), None, QUICK, validator(LOOPBACK)))
    assert error.case == "internal-error" and "witgen[serve]" in str(error.payload)
    assert server.seen == []


def test_importing_the_client_does_not_import_urllib3() -> None:
    code = "import sys, witgen.http.client; print('urllib3' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
