"""NetworkService against local HTTP(S) servers: grants, D4, redirects, deadlines, limits."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import wasmtime
import wasmtime.component
from airssys_bindings.airssys_host_core.types import (
    HttpError_ConnectionFailed,
    HttpError_InvalidUrl,
    HttpError_PermissionDenied,
    HttpError_TimeoutExceeded,
)
from airssys_bindings.airssys_host_extensions import network
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.servers import LoopbackServer, QuietHandler
from support.tls import self_signed_certificate, server_context

from witgen.host.services.network import NetworkLimits, NetworkService, Resolver
from witgen.permissions import PermissionValidator, parse_manifest
from witgen.permissions.errors import quote
from witgen.runtime.wit import Err

COMPONENT = "net-test"
HttpErrorCase = (
    HttpError_InvalidUrl
    | HttpError_ConnectionFailed
    | HttpError_PermissionDenied
    | HttpError_TimeoutExceeded
)

# -- the servers -------------------------------------------------------------


class Server(LoopbackServer):
    """A test server on a loopback address; `seen` lists "METHOD path" of every request."""

    def __init__(
        self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None, ipv6: bool = False
    ) -> None:
        super().__init__(Handler, host, tls, ipv6)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"


class Handler(QuietHandler):
    server: Server

    def route(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        split = urllib.parse.urlsplit(self.path)
        self.query = {
            k: v[0] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()
        }
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length)
        name = split.path.strip("/").split("/")[0] or "echo"
        try:
            getattr(self, f"r_{name.replace('-', '_')}", self.r_missing)()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = route

    def reply(
        self, status: int, body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def raw(self, data: bytes) -> None:
        self.close_connection = True
        self.wfile.write(data)

    def r_missing(self) -> None:
        self.reply(404, b"not found")

    def r_echo(self) -> None:
        echoed = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": base64.b64encode(self.body).decode(),
        }
        self.reply(200, json.dumps(echoed).encode(), (("Content-Type", "application/json"),))

    def r_redirect(self) -> None:
        status = int(self.query.get("status", "302"))
        self.reply(status, b"moved", (("Location", self.query["to"]),))

    def r_chain(self) -> None:
        left = int(self.query["n"])
        delay = float(self.query.get("delay", "0"))
        time.sleep(delay)
        if left == 0:
            self.r_echo()
        else:
            self.reply(302, b"", (("Location", f"/chain?n={left - 1}&delay={delay}"),))

    def r_loop(self) -> None:
        self.reply(302, b"", (("Location", "/loop"),))

    def r_no_location(self) -> None:
        self.reply(302, b"no location")

    def r_two_locations(self) -> None:
        self.reply(302, b"", (("Location", "/echo?a"), ("Location", "/echo?b")))

    def r_slow(self) -> None:
        time.sleep(float(self.query["delay"]))
        self.r_echo()

    def r_drip(self) -> None:
        count, interval = int(self.query["count"]), float(self.query["interval"])
        self.send_response(200)
        self.send_header("Content-Length", str(count))
        self.end_headers()
        for _ in range(count):
            self.wfile.write(b"x")
            time.sleep(interval)

    def r_drip_headers(self) -> None:
        count, interval = int(self.query["count"]), float(self.query["interval"])
        self.raw(b"HTTP/1.1 200 OK\r\n")
        for index in range(count):
            self.wfile.write(f"X-N: {index}\r\n".encode())
            time.sleep(interval)
        self.wfile.write(b"Content-Length: 0\r\n\r\n")

    def r_bytes(self) -> None:
        self.reply(200, b"x" * int(self.query["size"]))

    def r_chunked(self) -> None:
        size = self.query.get("size")
        pieces = [b"hello, ", b"chunked ", b"world"] if size is None else [b"y" * int(size)]
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in pieces:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")

    def r_stream(self) -> None:
        """An endless chunked body (256 MiB at most, should the client never stop)."""
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        piece = b"z" * 65536
        for _ in range(4096):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))

    def r_close_delimited(self) -> None:
        self.raw(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        size = int(self.query["size"])
        if size >= 0:
            self.wfile.write(b"c" * size)
            return
        for _ in range(4096):
            self.wfile.write(b"c" * 65536)

    def r_headers(self) -> None:
        self.reply(
            200,
            b"",
            (
                ("X-First", "1"),
                ("Set-Cookie", "a=1"),
                ("x-middle", "Mixed Case"),
                ("Set-Cookie", "b=2"),
            ),
        )

    def r_folded(self) -> None:
        self.raw(b"HTTP/1.1 200 OK\r\nX-Folded: one\r\n  two\r\nContent-Length: 0\r\n\r\n")

    def r_short(self) -> None:
        self.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")

    def r_garbage(self) -> None:
        self.raw(b"this is not HTTP\r\n\r\n")

    def r_status(self) -> None:
        self.reply(int(self.query["code"]))


@pytest.fixture(scope="module")
def main() -> Iterator[Server]:
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def other() -> Iterator[Server]:
    server = Server()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clear(request: pytest.FixtureRequest) -> None:
    for name in ("main", "other", "tls_server", "ipv6"):
        if name in request.fixturenames:
            request.getfixturevalue(name).seen.clear()


# -- building services -------------------------------------------------------


def validator(*grants: dict[str, object]) -> PermissionValidator:
    text = f'[component]\nname = "{COMPONENT}"\nversion = "1.0.0"\n'
    for grant in grants:
        text += "[[capabilities.network]]\n"
        text += "".join(f"{key} = {json.dumps(value)}\n" for key, value in grant.items())
    return PermissionValidator(parse_manifest(text, "Component.toml"))


def service(
    *grants: dict[str, object],
    limits: NetworkLimits | None = None,
    resolver: Resolver | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> NetworkService:
    extra: dict[str, Any] = {}
    if resolver is not None:
        extra["resolver"] = resolver
    return NetworkService(
        COMPONENT, validator(*grants), limits or NetworkLimits(), tls_context=tls_context, **extra
    )


def loopback(server: Server) -> dict[str, object]:
    """The grant of exactly the server's address and port."""
    return {"action": "outbound", "host": "127.0.0.1", "port": server.port}


def request(
    url: str,
    method: network.HttpMethod = network.HttpMethod.GET,
    headers: list[tuple[str, str]] | None = None,
    body: bytes | None = None,
    timeout_ms: int | None = 5000,
) -> network.OutgoingHttpRequest:
    return network.OutgoingHttpRequest(method, url, headers or [], body, timeout_ms)


def send(host: NetworkService, url: str, **fields: Any) -> network.HttpResponse:
    return host.http_request(request(url, **fields))


def fail(host: NetworkService, url: str, **fields: Any) -> HttpErrorCase:
    """The error case of a request that must fail."""
    with pytest.raises(Err) as caught:
        host.http_request(request(url, **fields))
    value: HttpErrorCase = caught.value.value
    return value


def echoed(response: network.HttpResponse) -> dict[str, Any]:
    assert response.status == 200, response
    found: dict[str, Any] = json.loads(response.body)
    found["body"] = base64.b64decode(found["body"])
    return found


def header(found: dict[str, Any], name: str) -> list[str]:
    return [value for key, value in found["headers"] if key.lower() == name.lower()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The service implements the generated protocol (checked by mypy).
conforms: network.Host = NetworkService(COMPONENT, validator(), NetworkLimits())


def test_it_links_into_a_component_linker() -> None:
    linker = wasmtime.component.Linker(wasmtime.Engine())
    network.add_to_linker(linker, conforms)


# -- construction --------------------------------------------------------------


def test_the_validator_must_be_the_components() -> None:
    with pytest.raises(ValueError, match="not 'other'"):
        NetworkService("other", validator(), NetworkLimits())


def test_a_tls_context_that_does_not_verify_is_refused() -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    with pytest.raises(ValueError, match="verify"):
        service(tls_context=context)
    context.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="verify"):
        service(tls_context=context)


@pytest.mark.parametrize(
    "fields",
    [
        {"max_response_body": 0},
        {"max_redirects": -1},
        {"default_timeout_ms": 10, "max_timeout_ms": 5},
        {"max_request_headers": True},
        {"max_url_length": 1.5},
    ],
)
def test_limits_out_of_range_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        NetworkLimits(**fields)


def test_default_limits() -> None:
    limits = NetworkLimits()
    assert limits.default_timeout_ms == 30_000 and limits.max_redirects == 5
    assert limits.max_response_body == 16 * 2**20
    assert service().limits == limits


# -- grants and D4 -------------------------------------------------------------


def test_a_granted_loopback_address_is_allowed(main: Server) -> None:
    found = echoed(send(service(loopback(main)), main.url("/echo?x=1")))
    assert found["method"] == "GET" and found["path"] == "/echo?x=1"
    assert header(found, "Host") == [f"127.0.0.1:{main.port}"]
    assert header(found, "Connection") == ["close"]
    assert header(found, "Content-Length") == []
    assert header(found, "Accept-Encoding") == []


@pytest.mark.parametrize(
    "grants",
    [
        (),
        ({"action": "outbound", "host": "*"},),
        ({"action": "outbound", "host": "localhost"},),
        ({"action": "inbound", "host": "127.0.0.1"},),
        ({"action": "outbound", "host": "127.0.0.2"},),
    ],
)
def test_loopback_without_a_grant_naming_it_is_denied(
    main: Server, grants: tuple[dict[str, object], ...]
) -> None:
    error = fail(service(*grants), main.url("/echo"))
    assert isinstance(error, HttpError_PermissionDenied)
    assert f'"127.0.0.1:{main.port}"' in error.value and COMPONENT in error.value
    assert main.seen == []


@pytest.mark.parametrize(
    "grants",
    [({"action": "outbound", "host": "localhost"},), ({"action": "outbound", "host": "*"},)],
)
def test_localhost_resolving_to_loopback_is_denied_d4(
    main: Server, grants: tuple[dict[str, object], ...]
) -> None:
    error = fail(service(*grants), main.url("/echo", host="localhost"))
    assert isinstance(error, HttpError_PermissionDenied)
    assert "resolves to 127.0.0.1" in error.value and "(D4)" in error.value
    assert main.seen == []


def test_localhost_with_allow_private_is_allowed(main: Server) -> None:
    host = service({"action": "outbound", "host": "localhost", "allow-private": True})
    found = echoed(send(host, main.url("/echo", host="LOCALHOST.")))
    assert header(found, "Host") == [f"localhost:{main.port}"]


def test_a_name_resolving_to_an_address_a_grant_names_is_allowed(main: Server) -> None:
    host = service(
        {"action": "outbound", "host": "localhost"}, {"action": "outbound", "host": "127.0.0.1"}
    )
    assert send(host, main.url("/echo", host="localhost")).status == 200


def test_a_grant_for_another_port_is_denied(main: Server) -> None:
    host = service({"action": "outbound", "host": "127.0.0.1", "port": main.port + 1})
    error = fail(host, main.url("/echo"))
    assert isinstance(error, HttpError_PermissionDenied)
    assert f"granted only on port {main.port + 1}" in error.value


def test_the_name_is_resolved_once_and_the_checked_address_connected_to(main: Server) -> None:
    calls: list[tuple[str, int]] = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["127.0.0.1"] if len(calls) == 1 else ["10.9.9.9"]

    host = service(
        {"action": "outbound", "host": "api.test", "allow-private": True}, resolver=resolver
    )
    found = echoed(send(host, f"http://API.Test:{main.port}/echo"))
    assert header(found, "Host") == [f"api.test:{main.port}"]
    assert calls == [("api.test", main.port)]


def test_one_restricted_address_among_public_ones_denies_the_request(main: Server) -> None:
    host = service(
        {"action": "outbound", "host": "api.test"},
        resolver=lambda host, port: ["8.8.8.8", "127.0.0.1"],
    )
    error = fail(host, "http://api.test/echo")
    assert isinstance(error, HttpError_PermissionDenied)
    assert "127.0.0.1" in error.value and "(D4)" in error.value


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "10.0.0.1", "::1", "fe80::1", "::ffff:127.0.0.1"]
)
def test_names_resolving_to_restricted_addresses_are_denied(address: str) -> None:
    host = service({"action": "outbound", "host": "*.test"}, resolver=lambda h, p: [address])
    assert isinstance(fail(host, "https://x.api.test/"), HttpError_PermissionDenied)


def test_the_next_address_is_tried_when_one_refuses(main: Server) -> None:
    host = service(
        {"action": "outbound", "host": "api.test", "allow-private": True},
        resolver=lambda h, p: ["127.0.0.2", "127.0.0.1"],
    )
    assert send(host, f"http://api.test:{main.port}/echo").status == 200


def raising(error: Exception) -> Resolver:
    def resolver(host: str, port: int) -> list[str]:
        raise error

    return resolver


@pytest.mark.parametrize(
    ("resolver", "expected"),
    [
        (lambda h, p: [], "resolved to no address"),
        (raising(socket.gaierror(-2, "Name unknown")), "cannot resolve api.test"),
        (raising(RuntimeError("resolver bug")), "unexpected error: RuntimeError: resolver bug"),
    ],
)
def test_resolution_failures_are_connection_failures(resolver: Resolver, expected: str) -> None:
    host = service({"action": "outbound", "host": "*", "allow-private": True}, resolver=resolver)
    error = fail(host, "http://api.test/")
    assert isinstance(error, HttpError_ConnectionFailed) and expected in error.value


def test_an_invalid_resolved_address_is_denied() -> None:
    host = service(
        {"action": "outbound", "host": "*", "allow-private": True},
        resolver=lambda h, p: ["not-an-address"],
    )
    assert isinstance(fail(host, "http://api.test/"), HttpError_PermissionDenied)


def test_a_refused_connection_is_a_connection_failure() -> None:
    port = free_port()
    error = fail(service({"action": "outbound", "host": "127.0.0.1"}), f"http://127.0.0.1:{port}/")
    assert isinstance(error, HttpError_ConnectionFailed)
    assert f"cannot connect to port {port} of 127.0.0.1" in error.value


@pytest.fixture(scope="module")
def ipv6() -> Iterator[Server]:
    try:
        server = Server("::1", ipv6=True)
    except OSError as error:
        pytest.skip(f"no IPv6 loopback: {error}")
    yield server
    server.stop()


def test_an_ipv6_literal(ipv6: Server) -> None:
    host = service({"action": "outbound", "host": "[::1]", "port": ipv6.port})
    found = echoed(send(host, f"http://[::1]:{ipv6.port}/echo"))
    assert header(found, "Host") == [f"[::1]:{ipv6.port}"]
    denied = fail(service({"action": "outbound", "host": "*"}), f"http://[::1]:{ipv6.port}/")
    assert isinstance(denied, HttpError_PermissionDenied)


# -- URLs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/echo",
        "127.0.0.1/echo",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "ws://127.0.0.1/",
        "http://user:pw@127.0.0.1/",
        "http://127.0.0.1\\@evil.com/",
        "http://127.0.0.1 /",
        "http://127.0.0.1/a b",
        "http://127.0.0.1/\r\nX-Injected: 1",
        "http://127.1/",
        "http://127.0.0.1:0/",
        "http://127.0.0.1:65536/",
        "http://127.0.0.1:/",
        "http:///echo",
        "http://[fe80::1%25eth0]/",
        "http://%2a.example.com/",
    ],
)
def test_invalid_urls(main: Server, url: str) -> None:
    error = fail(service({"action": "outbound", "host": "*", "allow-private": True}), url)
    assert isinstance(error, HttpError_InvalidUrl), error
    assert error.value.startswith(quote(url)), error.value


def test_a_url_longer_than_the_limit_is_invalid(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_url_length=100))
    assert send(host, main.url("/echo?" + "q" * (100 - len(main.url("/echo?"))))).status == 200
    error = fail(host, main.url("/echo?" + "q" * 100))
    assert isinstance(error, HttpError_InvalidUrl) and "longer than 100" in error.value


def test_the_request_target(main: Server) -> None:
    host = service(loopback(main))
    base = f"http://127.0.0.1:{main.port}"
    assert echoed(send(host, base))["path"] == "/"
    assert echoed(send(host, base + "?x=1"))["path"] == "/?x=1"
    assert echoed(send(host, base + "/echo#frag"))["path"] == "/echo"
    assert echoed(send(host, base + "/echo/faß?q=é"))["path"] == "/echo/fa%C3%9F?q=%C3%A9"
    assert echoed(send(host, f"HTTP://127.0.0.1:{main.port}/echo"))["path"] == "/echo"


def test_the_host_header_leaves_out_the_default_port() -> None:
    host = service({"action": "outbound", "host": "*"})
    assert host._check_hop("http://Example.COM:80/a", 0).authority == "example.com"
    assert host._check_hop("https://example.com:443", 0).authority == "example.com"
    assert host._check_hop("https://example.com:80/", 0).authority == "example.com:80"
    assert host._check_hop("http://faß.de/", 0).authority == "xn--fa-hia.de"
    assert host._check_hop("http://[2606:4700::1111]:81/", 0).authority == "[2606:4700::1111]:81"


# -- methods, headers and bodies ------------------------------------------------------


@pytest.mark.parametrize("method", list(network.HttpMethod))
def test_every_method(main: Server, method: network.HttpMethod) -> None:
    response = send(service(loopback(main)), main.url("/echo"), method=method)
    assert response.status == 200
    assert main.seen == [f"{method.value.upper()} /echo"]
    if method is network.HttpMethod.HEAD:
        assert response.body == b""
        assert ("Content-Type", "application/json") in response.headers
    else:
        assert echoed(response)["method"] == method.value.upper()
        expected = ["0"] if method.value in ("post", "put", "patch") else []
        assert header(echoed(response), "Content-Length") == expected


def test_a_body_is_sent_with_its_length(main: Server) -> None:
    body = bytes(range(256)) * 10
    found = echoed(
        send(service(loopback(main)), main.url("/echo"), method=network.HttpMethod.PUT, body=body)
    )
    assert found["body"] == body and header(found, "Content-Length") == [str(len(body))]


def test_headers_the_host_owns_are_dropped(main: Server) -> None:
    headers = [
        ("Host", "evil.example"),
        ("Content-Length", "999"),
        ("Connection", "keep-alive, X-Secret"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("TE", "trailers"),
        ("Upgrade", "websocket"),
        ("Expect", "100-continue"),
        ("Proxy-Authorization", "Basic eA=="),
        ("X-Kept", "  yes\t"),
        ("x-dup", "1"),
        ("X-Dup", "2"),
    ]
    found = echoed(
        send(
            service(loopback(main)),
            main.url("/echo"),
            method=network.HttpMethod.POST,
            headers=headers,
            body=b"abc",
        )
    )
    assert found["body"] == b"abc"
    assert found["headers"] == [
        ["Host", f"127.0.0.1:{main.port}"],
        ["X-Kept", "yes"],
        ["x-dup", "1"],
        ["X-Dup", "2"],
        ["Content-Length", "3"],
        ["Connection", "close"],
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("", "x"),
        ("X Y", "x"),
        ("X:Y", "x"),
        ("X\r\nInjected", "x"),
        ("X-Ünï", "x"),
        ("X\x00", "x"),
        ("X", "a\r\nInjected: 1"),
        ("X", "a\nb"),
        ("X", "a\rb"),
        ("X", "a\x00b"),
        ("X", "a\x7fb"),
        ("X", "a\x85Injected: 1"),
        ("X", "a\x0cb"),
        ("X", "snow\u2603"),
    ],
)
def test_invalid_request_headers_are_refused_before_sending(
    main: Server, name: str, value: str
) -> None:
    error = fail(service(loopback(main)), main.url("/echo"), headers=[("X-Ok", "1"), (name, value)])
    assert isinstance(error, HttpError_InvalidUrl) and "request header" in error.value
    assert main.seen == []


def test_latin1_header_values_are_sent_as_latin1(main: Server) -> None:
    found = echoed(send(service(loopback(main)), main.url("/echo"), headers=[("X-L", "café")]))
    assert header(found, "X-L") == ["café"]


def test_request_limits(main: Server) -> None:
    limits = NetworkLimits(max_request_body=10, max_request_headers=3, max_request_header_bytes=40)
    host = service(loopback(main), limits=limits)
    post = network.HttpMethod.POST
    assert (
        echoed(send(host, main.url("/echo"), method=post, body=b"0123456789"))["body"]
        == b"0123456789"
    )
    error = fail(host, main.url("/echo"), method=post, body=b"01234567890")
    assert isinstance(error, HttpError_InvalidUrl) and "limit of 10" in error.value
    assert send(host, main.url("/echo"), headers=[("A", "1")] * 3).status == 200
    error = fail(host, main.url("/echo"), headers=[("A", "1")] * 4)
    assert isinstance(error, HttpError_InvalidUrl) and "limit of 3" in error.value
    assert send(host, main.url("/echo"), headers=[("A", "x" * 35)]).status == 200
    error = fail(host, main.url("/echo"), headers=[("A", "x" * 36)])
    assert isinstance(error, HttpError_InvalidUrl) and "40 bytes" in error.value
    assert main.seen == ["POST /echo", "GET /echo", "GET /echo"]


# -- responses -------------------------------------------------------------------


def test_response_headers_keep_their_order_case_and_repeats(main: Server) -> None:
    response = send(service(loopback(main)), main.url("/headers"))
    names = [name for name, _ in response.headers]
    assert names[names.index("X-First") :][:4] == [
        "X-First",
        "Set-Cookie",
        "x-middle",
        "Set-Cookie",
    ]
    assert [v for n, v in response.headers if n == "Set-Cookie"] == ["a=1", "b=2"]


def test_a_folded_header_is_unfolded(main: Server) -> None:
    response = send(service(loopback(main)), main.url("/folded"))
    assert ("X-Folded", "one two") in response.headers


def test_a_chunked_response(main: Server) -> None:
    response = send(service(loopback(main)), main.url("/chunked"))
    assert response.body == b"hello, chunked world"
    assert ("Transfer-Encoding", "chunked") in response.headers


@pytest.mark.parametrize("code", [204, 304, 404, 500])
def test_statuses_are_returned(main: Server, code: int) -> None:
    response = send(service(loopback(main)), main.url(f"/status?code={code}"))
    assert response.status == code and response.body == b""


@pytest.mark.parametrize(
    "path", ["/bytes?size={n}", "/chunked?size={n}", "/close-delimited?size={n}"]
)
def test_the_body_limit_is_inclusive(main: Server, path: str) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_response_body=1000))
    assert len(send(host, main.url(path.format(n=1000))).body) == 1000
    error = fail(host, main.url(path.format(n=1001)))
    assert isinstance(error, HttpError_ConnectionFailed)
    assert "larger than the limit of 1000 bytes" in error.value


@pytest.mark.parametrize("path", ["/stream", "/close-delimited?size=-1"])
def test_an_endless_body_is_cut_at_the_limit(main: Server, path: str) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_response_body=100_000))
    started = time.monotonic()
    error = fail(host, main.url(path), timeout_ms=20_000)
    assert isinstance(error, HttpError_ConnectionFailed) and "larger than" in error.value
    assert time.monotonic() - started < 5


def test_a_content_length_above_the_limit_fails_before_reading(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_response_body=10))
    error = fail(host, main.url("/bytes?size=1000000"))
    assert (
        isinstance(error, HttpError_ConnectionFailed) and "Content-Length: 1000000" in error.value
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/short", "closed 90 bytes before the end"), ("/garbage", "BadStatusLine")],
)
def test_malformed_responses(main: Server, path: str, expected: str) -> None:
    error = fail(service(loopback(main)), main.url(path))
    assert isinstance(error, HttpError_ConnectionFailed) and expected in error.value


# -- redirects ---------------------------------------------------------------------


def redirect(server: Server, to: str, status: int = 302) -> str:
    return server.url(f"/redirect?status={status}&to={urllib.parse.quote(to, safe='')}")


@pytest.mark.parametrize(
    ("status", "method", "expected"),
    [
        (301, "POST", "GET"),
        (302, "POST", "GET"),
        (303, "POST", "GET"),
        (307, "POST", "POST"),
        (308, "POST", "POST"),
        (301, "PUT", "PUT"),
        (302, "DELETE", "DELETE"),
        (303, "PUT", "GET"),
        (303, "HEAD", "HEAD"),
        (308, "PATCH", "PATCH"),
    ],
)
def test_redirect_methods_and_bodies(main: Server, status: int, method: str, expected: str) -> None:
    response = send(
        service(loopback(main)),
        redirect(main, "/echo", status),
        method=network.HttpMethod(method.lower()),
        headers=[("Content-Type", "text/plain"), ("X-Keep", "1")],
        body=b"payload",
    )
    assert main.seen[-1] == f"{expected} /echo"
    if expected == "HEAD":
        assert response.status == 200 and response.body == b""
        return
    found = echoed(response)
    assert found["method"] == expected and header(found, "X-Keep") == ["1"]
    if expected == method:
        assert found["body"] == b"payload" and header(found, "Content-Type") == ["text/plain"]
    else:
        assert found["body"] == b"" and header(found, "Content-Type") == []
        assert header(found, "Content-Length") == []


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("echo?rel=1", "/echo?rel=1"),
        ("/echo?abs=1", "/echo?abs=1"),
        ("//127.0.0.1:{port}/echo?scheme-relative", "/echo?scheme-relative"),
        ("http://127.0.0.1:{port}/echo#fragment", "/echo"),
    ],
)
def test_relative_locations(main: Server, location: str, path: str) -> None:
    url = redirect(main, location.format(port=main.port))
    assert echoed(send(service(loopback(main)), url))["path"] == path


def test_a_utf8_location_is_read_as_utf8(main: Server) -> None:
    """The server sends the UTF-8 bytes of `/echo/café` (Latin-1 text is how they travel)."""
    location = "/echo/café?q=ß".encode().decode("latin-1")
    found = echoed(send(service(loopback(main)), redirect(main, location)))
    assert found["path"] == "/echo/caf%C3%A9?q=%C3%9F"


def test_a_surrogate_in_the_path_is_invalid(main: Server) -> None:
    error = fail(service(loopback(main)), main.url("/echo/\ud800"))
    assert isinstance(error, HttpError_InvalidUrl) and "surrogate" in error.value


def test_redirects_up_to_the_limit(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_redirects=3))
    assert echoed(send(host, main.url("/chain?n=3")))["path"].startswith("/chain?n=0")
    main.seen.clear()
    error = fail(host, main.url("/chain?n=4"))
    assert isinstance(error, HttpError_ConnectionFailed) and "too many redirects" in error.value
    assert len(main.seen) == 4


def test_a_redirect_loop_stops(main: Server) -> None:
    error = fail(service(loopback(main)), main.url("/loop"))
    assert isinstance(error, HttpError_ConnectionFailed) and "more than 5" in error.value
    assert main.seen == ["GET /loop"] * 6


def test_no_redirects_when_the_limit_is_zero(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_redirects=0))
    assert isinstance(fail(host, redirect(main, "/echo")), HttpError_ConnectionFailed)


def test_a_redirect_to_a_port_not_granted_is_denied(main: Server, other: Server) -> None:
    url = redirect(main, other.url("/echo"))
    error = fail(service(loopback(main)), url)
    assert isinstance(error, HttpError_PermissionDenied)
    assert error.value.startswith(f'redirect 1 to "{other.url("/echo")}": component')
    assert f"granted only on port {main.port}" in error.value
    assert other.seen == []


def test_a_redirect_to_a_host_not_granted_is_denied(main: Server) -> None:
    target = main.url("/echo", host="localhost")
    second = "/redirect?to=" + urllib.parse.quote(target, safe="")
    error = fail(service(loopback(main)), redirect(main, second))
    assert isinstance(error, HttpError_PermissionDenied)
    assert f'redirect 2 to "{target}"' in error.value and "no outbound grant" in error.value
    assert len(main.seen) == 2


def test_a_redirect_hop_is_checked_against_d4_after_resolution(main: Server, other: Server) -> None:
    host = service(loopback(main), {"action": "outbound", "host": "localhost"})
    error = fail(host, redirect(main, other.url("/echo", host="localhost")))
    assert isinstance(error, HttpError_PermissionDenied)
    assert error.value.startswith("redirect 1 to") and "resolves to 127.0.0.1" in error.value
    assert len(main.seen) == 1 and other.seen == []


def test_a_grant_naming_the_address_covers_a_name_on_its_port(main: Server) -> None:
    """D4: `127.0.0.1:port` granted, so `localhost` (granted) may resolve to it there."""
    host = service(loopback(main), {"action": "outbound", "host": "localhost"})
    assert send(host, redirect(main, main.url("/echo", host="localhost"))).status == 200


def test_a_redirect_to_another_granted_port_is_followed(main: Server, other: Server) -> None:
    host = service(loopback(main), loopback(other))
    found = echoed(send(host, redirect(main, other.url("/echo"))))
    assert header(found, "Host") == [f"127.0.0.1:{other.port}"]


def test_credentials_are_dropped_on_a_cross_origin_redirect(main: Server, other: Server) -> None:
    host = service(loopback(main), loopback(other))
    credentials = [("Authorization", "Bearer t"), ("Cookie", "s=1"), ("X-Keep", "1")]
    same = echoed(send(host, redirect(main, "/echo"), headers=credentials))
    assert header(same, "Authorization") == ["Bearer t"] and header(same, "Cookie") == ["s=1"]
    cross = echoed(send(host, redirect(main, other.url("/echo")), headers=credentials))
    assert header(cross, "Authorization") == [] and header(cross, "Cookie") == []
    assert header(cross, "X-Keep") == ["1"]


@pytest.mark.parametrize("location", ["ftp://127.0.0.1/x", "http://a b/", "http://x\\@127.0.0.1/"])
def test_an_invalid_location_is_an_invalid_url_naming_the_hop(main: Server, location: str) -> None:
    error = fail(service(loopback(main)), redirect(main, location))
    assert isinstance(error, HttpError_InvalidUrl) and error.value.startswith("redirect 1 to")


def test_a_redirect_without_location_is_the_response(main: Server) -> None:
    response = send(service(loopback(main)), main.url("/no-location"))
    assert response.status == 302 and response.body == b"no location"


def test_several_locations_fail(main: Server) -> None:
    error = fail(service(loopback(main)), main.url("/two-locations"))
    assert isinstance(error, HttpError_ConnectionFailed) and "several Location" in error.value


# -- deadlines -------------------------------------------------------------------


def timed(call: Callable[[], object]) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def test_a_slow_response_times_out(main: Server) -> None:
    host = service(loopback(main))
    error: list[object] = []
    took = timed(lambda: error.append(fail(host, main.url("/slow?delay=3"), timeout_ms=300)))
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_the_deadline_covers_the_whole_body_not_each_read(main: Server) -> None:
    host = service(loopback(main))
    error: list[object] = []
    took = timed(
        lambda: error.append(fail(host, main.url("/drip?count=40&interval=0.1"), timeout_ms=700))
    )
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_the_deadline_covers_the_headers(main: Server) -> None:
    host = service(loopback(main))
    error: list[object] = []
    url = main.url("/drip-headers?count=40&interval=0.1")
    took = timed(lambda: error.append(fail(host, url, timeout_ms=700)))
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_the_deadline_covers_every_hop(main: Server) -> None:
    host = service(loopback(main))
    assert echoed(send(host, main.url("/chain?n=3&delay=0.05"), timeout_ms=5000))
    error: list[object] = []
    took = timed(
        lambda: error.append(fail(host, main.url("/chain?n=4&delay=0.25"), timeout_ms=700))
    )
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_the_deadline_covers_resolution() -> None:
    def slow(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["127.0.0.1"]

    host = service({"action": "outbound", "host": "api.test", "allow-private": True}, resolver=slow)
    error: list[object] = []
    took = timed(lambda: error.append(fail(host, "http://api.test/", timeout_ms=200)))
    assert error == [HttpError_TimeoutExceeded()] and took < 1.5


def test_the_timeout_is_bounded_by_the_maximum(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(default_timeout_ms=200, max_timeout_ms=300))
    error: list[object] = []
    took = timed(lambda: error.append(fail(host, main.url("/slow?delay=3"), timeout_ms=60_000)))
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_the_default_timeout_applies_when_none_is_given(main: Server) -> None:
    host = service(loopback(main), limits=NetworkLimits(default_timeout_ms=300))
    error: list[object] = []
    took = timed(lambda: error.append(fail(host, main.url("/slow?delay=3"), timeout_ms=None)))
    assert error == [HttpError_TimeoutExceeded()] and took < 2


def test_a_zero_timeout_expires_after_the_checks(main: Server) -> None:
    assert (
        fail(service(loopback(main)), main.url("/echo"), timeout_ms=0)
        == HttpError_TimeoutExceeded()
    )
    assert isinstance(fail(service(), main.url("/echo"), timeout_ms=0), HttpError_PermissionDenied)
    assert main.seen == []


# -- HTTPS ------------------------------------------------------------------------


def test_https_to_a_plain_http_server_fails_in_the_handshake(main: Server) -> None:
    error = fail(service(loopback(main)), f"https://127.0.0.1:{main.port}/echo")
    assert isinstance(error, HttpError_ConnectionFailed) and "SSL" in error.value
    assert main.seen == []


def test_the_default_tls_context_verifies() -> None:
    context = service()._tls
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for `localhost` only (no IP address in it)."""
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    server = Server(tls=server_context(certificate))
    yield server
    server.stop()


def trusting(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


LOCALHOST = {"action": "outbound", "host": "localhost", "allow-private": True}


def test_https_with_a_trusted_certificate(
    tls_server: Server, certificate: tuple[Path, Path]
) -> None:
    host = service(LOCALHOST, tls_context=trusting(certificate))
    found = echoed(
        send(
            host,
            tls_server.url("/echo", host="localhost"),
            method=network.HttpMethod.POST,
            body=b"s",
        )
    )
    assert found["body"] == b"s" and header(found, "Host") == [f"localhost:{tls_server.port}"]


def test_https_with_the_system_trust_store_refuses_a_self_signed_certificate(
    tls_server: Server,
) -> None:
    error = fail(service(LOCALHOST), tls_server.url("/echo", host="localhost"))
    assert isinstance(error, HttpError_ConnectionFailed)
    assert "certificate verification failed" in error.value and "self-signed" in error.value
    assert tls_server.seen == []


def test_https_checks_the_certificate_against_the_url_host(
    tls_server: Server, certificate: tuple[Path, Path]
) -> None:
    host = service(loopback(tls_server), tls_context=trusting(certificate))
    error = fail(host, tls_server.url("/echo"))
    assert isinstance(error, HttpError_ConnectionFailed) and "mismatch" in error.value
    assert tls_server.seen == []


def test_a_redirect_from_https_to_http_is_refused(
    tls_server: Server, main: Server, certificate: tuple[Path, Path]
) -> None:
    host = service(LOCALHOST, loopback(main), tls_context=trusting(certificate))
    url = tls_server.url(f"/redirect?to={urllib.parse.quote(main.url('/echo'))}", host="localhost")
    error = fail(host, url)
    assert isinstance(error, HttpError_ConnectionFailed) and "https to http" in error.value
    assert main.seen == []


def test_the_https_deadline_covers_the_handshake(main: Server) -> None:
    """A server that accepts and never answers the ClientHello."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        host = service({"action": "outbound", "host": "127.0.0.1"})
        error: list[object] = []
        took = timed(lambda: error.append(fail(host, f"https://127.0.0.1:{port}/", timeout_ms=300)))
    assert error == [HttpError_TimeoutExceeded()] and took < 2


# -- garbage in, Err out -----------------------------------------------------------------


ANYWHERE = service(
    {"action": "outbound", "host": "*", "allow-private": True},
    resolver=raising(socket.gaierror(-2, "Name or service not known")),
)
ERROR_CASES = (
    HttpError_InvalidUrl,
    HttpError_ConnectionFailed,
    HttpError_PermissionDenied,
    HttpError_TimeoutExceeded,
)


def only_err(call: Callable[[], object]) -> object:
    """The error case `call()` raised as `Err`, or what it returned; any other exception fails."""
    try:
        return call()
    except Err as raised:
        assert isinstance(raised.value, ERROR_CASES), raised
        return raised.value


URL_PARTS = st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "http:/", "//"])
TEXT = st.text(st.characters(codec="utf-8"), max_size=30) | st.text(
    "ab.:[]@%/\\?#*0123456789 \r\n", max_size=30
)


@settings(max_examples=300, deadline=None)
@given(scheme=URL_PARTS, rest=TEXT, timeout=st.none() | st.integers(0, 2**64 - 1))
def test_garbage_urls_only_give_errors(scheme: str, rest: str, timeout: int | None) -> None:
    result = only_err(lambda: send(ANYWHERE, scheme + rest, timeout_ms=timeout))
    assert isinstance(result, ERROR_CASES)


GET, URL = network.HttpMethod.GET, "http://x/"
Request = network.OutgoingHttpRequest


@pytest.mark.parametrize(
    "bad",
    [
        None,
        URL,
        Request("get", URL, [], None, None),  # type: ignore[arg-type]
        Request(GET, None, [], None, None),  # type: ignore[arg-type]
        Request(GET, URL, "H: v", None, None),  # type: ignore[arg-type]
        Request(GET, URL, [("a", "b", "c")], None, None),  # type: ignore[list-item]
        Request(GET, URL, [("a", 1)], None, None),  # type: ignore[list-item]
        Request(GET, URL, [], "body", None),  # type: ignore[arg-type]
        Request(GET, URL, [], None, -1),
        Request(GET, URL, [], None, True),
        Request(GET, URL, [], None, "5"),  # type: ignore[arg-type]
    ],
)
def test_garbage_requests_are_invalid(bad: Any) -> None:
    assert isinstance(only_err(lambda: ANYWHERE.http_request(bad)), HttpError_InvalidUrl)


HEADER_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.text(
    "Xx-:\t \r\n\x00\x7f\x85\xe9\u0100", max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(headers=st.lists(st.tuples(HEADER_TEXT, HEADER_TEXT), max_size=4))
def test_garbage_headers_arrive_intact_or_are_refused(
    main: Server, headers: list[tuple[str, str]]
) -> None:
    result = only_err(lambda: send(service(loopback(main)), main.url("/echo"), headers=headers))
    if isinstance(result, network.HttpResponse):
        found = echoed(result)
        sent = [
            [n, v.strip(" \t")]
            for n, v in headers
            if n.lower()
            not in {
                "host",
                "content-length",
                "connection",
                "keep-alive",
                "proxy-connection",
                "proxy-authorization",
                "te",
                "trailer",
                "transfer-encoding",
                "upgrade",
                "expect",
            }
        ]
        assert found["headers"][1 : 1 + len(sent)] == sent
    else:
        assert isinstance(result, HttpError_InvalidUrl)


LOCATION = st.text(
    st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=40
) | st.sampled_from(
    [
        "//localhost/",
        "http://[::1]/",
        "https://127.0.0.1:1/",
        "/echo",
        "?x",
        "#f",
        "..",
        "http://127.0.0.1:99999/",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(location=LOCATION)
def test_garbage_locations_only_give_responses_or_errors(main: Server, location: str) -> None:
    host = service(loopback(main), limits=NetworkLimits(max_redirects=2))
    result = only_err(lambda: send(host, redirect(main, location), timeout_ms=3000))
    assert isinstance(result, (network.HttpResponse, *ERROR_CASES))
