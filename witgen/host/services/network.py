"""The network host service: outbound HTTP for a component, checked against its grants.

In: a component's id, its `PermissionValidator` and the host's `NetworkLimits`;
then, per call, an `OutgoingHttpRequest` from the component.  Out:
`NetworkService`, which implements the generated `airssys:host-extensions/network`
`Host` protocol: `http_request` returns an `HttpResponse` (status, headers in
the order received, body); and the rules it shares with the wasi:http client
(`witgen.http.client`): `HOST_OWNED_HEADERS`, `is_token`, `is_field_value`,
`request_target`, `origin_authority`, `resolve_host`, `resolve_within`,
`check_tls_context`, `system_tls_context`.  Raises: `Err(HttpError_*)` (`witgen.runtime.wit`)
for every failure, and nothing else; `NetworkService(...)` itself raises
`ValueError` for a validator of another component or a TLS context that does
not verify certificates, and `NetworkLimits(...)` for a limit out of range.

How a request is sent (each rule in one place below):

* The URL is parsed by `witgen.permissions.hosts.parse_url` (only `http` and
  `https`, no user information, backslashes, whitespace or control
  characters), then `PermissionValidator.check_url` decides, and the canonical
  host and port it returns are the ones resolved, checked and connected to.
* The host is resolved once (`socket.getaddrinfo`, or the `resolver` given),
  every address is checked with `check_addresses` (D4: a private, loopback or
  link-local address needs a grant that names it or `allow-private`), and the
  socket connects to a checked address, never to the name again, so there is
  no DNS-rebinding window.  For `https` the socket to the checked address is
  wrapped with `ssl.create_default_context()` (or the verifying context given),
  `server_hostname` being the canonical host: certificates and names are verified.
* `http.client` speaks HTTP/1.1 over that socket, one connection per hop,
  `Connection: close`.  The request carries `Host` (the canonical host, with the
  port when it is not the scheme's default), the component's headers,
  `Content-Length` when there is a body (or the method is POST, PUT or PATCH),
  and nothing else: no `Accept-Encoding`, no `User-Agent`.
* Redirects (301, 302, 303, 307, 308 with one `Location`) are followed up to
  `max_redirects`; each hop's URL (the `Location` resolved against the current
  URL) goes through every check above again before anything is connected to.
  303 (except for HEAD), and 301 and 302 after a POST, become a GET without a
  body or `Content-*` headers, as browsers do; 307 and 308 keep the method and
  the body.  A redirect without `Location` is returned as the response.
* One deadline covers the whole call: resolution, connecting, the TLS
  handshake, sending and reading every hop; each socket operation may wait only
  for the time left (not a per-operation timeout that a slow drip could renew).
* The response body is read in pieces and stops at `max_response_body` + 1
  bytes (a `Content-Length` above the limit fails before reading); HEAD (and
  204/304) responses have an empty body.

Decisions where the interface is silent:

* Error cases: `invalid-url` means "the request itself is malformed, nothing was
  sent": a bad URL, method, header, body or timeout, a request body or headers
  over the limits, and an unusable `Location` (named as the redirect hop).
  `permission-denied` carries the `PermissionDenied` message (prefixed with the
  redirect hop when a redirect was refused).  `timeout-exceeded` is the
  deadline (a `timeout-ms` of 0 expires before the first connection; the
  permission checks still run first).  Everything else, including too many
  redirects, TLS and certificate failures, malformed responses, an oversized
  response body and any unexpected exception, is `connection-failed` with a
  message.
* Request headers: a name must be an RFC 9110 token and a value may hold only
  tab, printable ASCII and U+00A0-U+00FF (sent as Latin-1), so CR, LF, NUL and
  the C1 controls (NEL breaks lines in some parsers) are refused
  (`invalid-url`); leading and trailing blanks are trimmed.
  Headers the host owns are dropped silently, as `fetch` does: `Host`,
  `Content-Length`, `Connection`, `Keep-Alive`, `Proxy-Connection`,
  `Proxy-Authorization`, `TE`, `Trailer`, `Transfer-Encoding`, `Upgrade` and
  `Expect`.  The limits count every header the component gave.
* A redirect to another origin (scheme, host or port) drops `Authorization` and
  `Cookie` (as `fetch` and `requests` do), and a redirect from `https` to
  `http` is refused (`connection-failed`): the component may ask for the
  `http` URL itself.  More than `max_redirects` redirects is
  `connection-failed`; with `max_redirects = 0` every redirect is.
* Response headers are returned as received (names keep their case, repeated
  headers stay separate); an obsolete folded value is unfolded to one line.
  `http.client` bounds them: at most 100 headers of at most 64 KiB a line.
* Non-ASCII characters in the path or query are sent percent-encoded (UTF-8);
  the fragment is never sent.  A `Location` is read as UTF-8 when its bytes
  are UTF-8 (as browsers do), else as Latin-1.
"""

from __future__ import annotations

import functools
import http.client
import io
import re
import socket
import ssl
import threading
import time
import typing
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from airssys_bindings.airssys_host_core.types import (
    HttpError_ConnectionFailed,
    HttpError_InvalidUrl,
    HttpError_PermissionDenied,
    HttpError_TimeoutExceeded,
)
from airssys_bindings.airssys_host_extensions import network

from witgen.permissions import PermissionDenied, PermissionValidator
from witgen.permissions.errors import quote
from witgen.permissions.hosts import DEFAULT_PORTS, InvalidHost, parse_url
from witgen.runtime.wit import Err

if typing.TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "HOST_OWNED_HEADERS",
    "NetworkLimits",
    "NetworkService",
    "Resolver",
    "check_tls_context",
    "is_field_value",
    "is_token",
    "origin_authority",
    "request_target",
    "resolve_host",
    "resolve_within",
    "system_tls_context",
]

MIB = 1 << 20

Resolver = Callable[[str, int], Iterable[str]]
"""Resolves a canonical host and port to IP address strings (may raise `OSError`)."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_METHODS = {method: method.value.upper() for method in network.HttpMethod}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
HOST_OWNED_HEADERS = frozenset(
    {
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
)
"""Request headers (lower case) the host writes itself; a component's are dropped."""
_CREDENTIALS = frozenset({"authorization", "cookie"})
_BODY_HEADERS = frozenset(
    {"content-type", "content-encoding", "content-language", "content-location"}
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Tab, printable ASCII and Latin-1 above the C1 controls (NEL, U+0085, breaks lines
# in parsers built on `str.splitlines`, such as Python's `email`).
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\xa0-\xff]*")
_FOLD = re.compile(r"\r?\n[ \t]*")
# What follows the authority, up to the fragment (the authority as `parse_url` splits it).
_TARGET = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*([^#]*)", re.DOTALL)
_READ_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class NetworkLimits:
    """What one request may cost; sizes in bytes, times in milliseconds.

    `max_redirects` is how many redirects are followed; the byte limits are
    inclusive (a body of exactly `max_response_body` bytes is allowed).
    `max_request_header_bytes` counts `len(name) + len(value) + 4` per header.
    """

    default_timeout_ms: int = 30_000
    max_timeout_ms: int = 300_000
    max_response_body: int = 16 * MIB
    max_redirects: int = 5
    max_request_body: int = 16 * MIB
    max_request_headers: int = 100
    max_request_header_bytes: int = 64 * 1024
    max_url_length: int = 8192

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            least = 0 if name in ("max_redirects", "max_request_body") else 1
            if type(value) is not int or value < least:
                raise ValueError(f"NetworkLimits.{name} must be an int >= {least}, not {value!r}")
        if self.default_timeout_ms > self.max_timeout_ms:
            raise ValueError("NetworkLimits.default_timeout_ms is above max_timeout_ms")


def resolve_host(host: str, port: int) -> list[str]:
    """The addresses of `host` for a TCP connection to `port`, in resolver order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def resolve_within(resolver: Resolver, host: str, port: int, timeout: float) -> list[str]:
    """`resolver(host, port)` as strings, waited for at most `timeout` seconds.

    The resolver runs in a daemon thread, so a resolution that hangs is left
    behind rather than waited for: `TimeoutError` once `timeout` has passed.
    Whatever the resolver raises (`OSError`, ...) is raised here.
    """
    outcome: list[list[str] | Exception] = []

    def resolve() -> None:
        try:
            outcome.append([str(address) for address in resolver(host, port)])
        except Exception as error:  # noqa: BLE001 - handed to the calling thread
            outcome.append(error)

    worker = threading.Thread(target=resolve, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise TimeoutError(f"resolving {host} did not finish before the deadline")
    found = outcome[0]
    if isinstance(found, Exception):
        raise found
    return found


def is_token(text: str) -> bool:
    """Whether `text` is an RFC 9110 token (a header name or a method)."""
    return _TOKEN.fullmatch(text) is not None


def is_field_value(text: str) -> bool:
    """Whether `text` may be sent as a header value (as Latin-1): tab, printable
    ASCII and U+00A0-U+00FF, so no CR, LF, NUL or C1 control."""
    return _FIELD_VALUE.fullmatch(text) is not None


def request_target(url: str) -> str:
    """The request target of a URL `parse_url` accepted: what follows the
    authority up to the fragment, `/` first, non-ASCII percent-encoded (UTF-8).

    Raises `ValueError` for a lone surrogate in the path.
    """
    target = _TARGET.match(url)
    assert target is not None  # parse_url accepted it
    path = target.group(1)
    path = "/" + path if not path.startswith("/") else path
    try:
        return "".join(char if char.isascii() else urllib.parse.quote(char) for char in path)
    except UnicodeEncodeError:
        raise ValueError("a lone surrogate in the path") from None


def origin_authority(scheme: str, host: str, port: int) -> str:
    """The `Host` header of a canonical host: IPv6 in brackets, the port unless
    it is the scheme's default."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"


def check_tls_context(context: ssl.SSLContext) -> ssl.SSLContext:
    """`context`, if it verifies certificates and host names (else `ValueError`)."""
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise ValueError("the TLS context must verify certificates and host names")
    return context


@functools.lru_cache(maxsize=1)
def system_tls_context() -> ssl.SSLContext:
    """One verifying context with the system's CA store, shared by every client
    (made when first needed: loading the CA store takes tens of milliseconds)."""
    return ssl.create_default_context()


class NetworkService:
    """`airssys:host-extensions/network` for one component (thread-safe, no state per call)."""

    __slots__ = ("_given_tls", "_resolver", "component", "limits", "validator")

    def __init__(
        self,
        component: str,
        validator: PermissionValidator,
        limits: NetworkLimits | None = None,
        *,
        resolver: Resolver = resolve_host,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """`resolver` and `tls_context` replace DNS and the system's CA store (tests, pinning)."""
        if component != validator.component:
            raise ValueError(
                f"the validator is for component {validator.component!r}, not {component!r}"
            )
        if tls_context is not None:
            check_tls_context(tls_context)
        self.component = component
        self.validator = validator
        self.limits = limits if limits is not None else NetworkLimits()
        self._resolver = resolver
        self._given_tls = tls_context

    @property
    def _tls(self) -> ssl.SSLContext:
        """The verifying context; the system's is made when first needed (loading the
        CA store takes tens of milliseconds, and most components never use TLS)."""
        if self._given_tls is None:
            self._given_tls = system_tls_context()
        return self._given_tls

    def http_request(self, request: network.OutgoingHttpRequest) -> network.HttpResponse:
        """Send `request`, following redirects; raise `Err(HttpError_*)` for any failure."""
        try:
            return self._send(request)
        except Err:
            raise
        except TimeoutError:
            raise Err(HttpError_TimeoutExceeded()) from None
        except Exception as error:  # noqa: BLE001 - nothing but Err may reach the component
            raise Err(
                HttpError_ConnectionFailed(f"unexpected error: {type(error).__name__}: {error}")
            ) from None

    # -- one call ----------------------------------------------------------

    def _send(self, request: network.OutgoingHttpRequest) -> network.HttpResponse:
        start = time.monotonic()
        if not isinstance(request, network.OutgoingHttpRequest):
            raise _invalid(f"expected an outgoing-http-request, not {type(request).__name__}")
        method = (
            _METHODS.get(request.method) if isinstance(request.method, network.HttpMethod) else None
        )
        if method is None:
            raise _invalid(f"unknown method {request.method!r}")
        body = self._check_body(request.body)
        headers = self._check_headers(request.headers)
        deadline = _Deadline(start + self._timeout_ms(request.timeout_ms) / 1000)
        hop = self._check_hop(request.url, 0)
        redirects = 0
        while True:
            outcome = self._exchange(hop, method, headers, body, deadline)
            if isinstance(outcome, network.HttpResponse):
                return outcome
            if redirects == self.limits.max_redirects:
                raise _failed(
                    f"{hop.label}: too many redirects: more than {self.limits.max_redirects}"
                )
            redirects += 1
            status, location = outcome
            url = urllib.parse.urljoin(hop.url, _location_text(location))
            following = self._check_hop(url, redirects)
            if hop.scheme == "https" and following.scheme == "http":
                raise _failed(
                    f"{following.label}: a redirect from https to http is not followed "
                    "(it would send the request unencrypted)"
                )
            if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
            if following.origin != hop.origin:
                headers = [(n, v) for n, v in headers if n.lower() not in _CREDENTIALS]
            hop = following

    def _timeout_ms(self, timeout_ms: object) -> int:
        if timeout_ms is None:
            return self.limits.default_timeout_ms
        if type(timeout_ms) is not int or timeout_ms < 0:
            raise _invalid(f"timeout-ms must be a non-negative integer, not {timeout_ms!r}")
        return min(timeout_ms, self.limits.max_timeout_ms)

    def _check_body(self, body: object) -> bytes | None:
        if body is None:
            return None
        if not isinstance(body, bytes | bytearray | memoryview):
            raise _invalid(f"the body must be bytes, not {type(body).__name__}")
        data = bytes(body)
        if len(data) > self.limits.max_request_body:
            raise _invalid(
                f"the request body has {len(data)} bytes, more than the limit of "
                f"{self.limits.max_request_body}"
            )
        return data

    def _check_headers(self, headers: object) -> list[tuple[str, str]]:
        """The component's headers, checked, trimmed, without the ones the host owns."""
        if not isinstance(headers, list | tuple):
            raise _invalid("the headers must be a list of (name, value) pairs")
        if len(headers) > self.limits.max_request_headers:
            raise _invalid(
                f"{len(headers)} request headers, more than the limit of "
                f"{self.limits.max_request_headers}"
            )
        kept: list[tuple[str, str]] = []
        size = 0
        for pair in headers:
            if not (
                isinstance(pair, tuple)
                and len(pair) == 2
                and isinstance(pair[0], str)
                and isinstance(pair[1], str)
            ):
                raise _invalid(
                    f"a request header must be a (name, value) pair of strings: {pair!r}"
                )
            name, value = pair
            size += len(name) + len(value) + 4
            if size > self.limits.max_request_header_bytes:
                raise _invalid(
                    f"the request headers are larger than the limit of "
                    f"{self.limits.max_request_header_bytes} bytes"
                )
            if not is_token(name):
                raise _invalid(f"invalid request header name {quote(name)}")
            if not is_field_value(value):
                raise _invalid(
                    f"invalid value of request header {name}: {quote(value)} (control "
                    "characters, such as CR, LF and NUL, and characters above U+00FF are "
                    "not allowed)"
                )
            if name.lower() not in HOST_OWNED_HEADERS:
                kept.append((name, value.strip(" \t")))
        return kept

    def _check_hop(self, url: object, number: int) -> _Hop:
        """The checked target of hop `number` (0: the request's URL; n: the n-th redirect)."""
        label = _label(url, number)
        if not isinstance(url, str):
            raise _invalid(f"the URL must be a string, not {type(url).__name__}")
        if len(url) > self.limits.max_url_length:
            raise _invalid(
                f"{label}: the URL is longer than {self.limits.max_url_length} characters"
            )
        try:
            scheme, _, _ = parse_url(url)
        except InvalidHost as error:
            raise _invalid(f"{label}: invalid URL: {error}") from None
        try:
            host, port = self.validator.check_url(url)
        except PermissionDenied as denied:
            message = str(denied) if number == 0 else f"{label}: {denied}"
            raise Err(HttpError_PermissionDenied(message)) from None
        try:
            path = request_target(url)
        except ValueError as error:
            raise _invalid(f"{label}: invalid URL: {error}") from None
        return _Hop(url, number, scheme, host, port, origin_authority(scheme, host, port), path)

    def _addresses(self, hop: _Hop, deadline: _Deadline) -> tuple[str, ...]:
        """Resolve the hop's host (within the deadline) and check every address (D4)."""
        try:
            found = resolve_within(self._resolver, hop.host, hop.port, deadline.remaining())
        except TimeoutError:
            raise
        except OSError as error:
            raise _failed(f"{hop.label}: cannot resolve {hop.host}: {error}") from None
        if not found:
            raise _failed(f"{hop.label}: {hop.host} resolved to no address")
        try:
            return self.validator.check_addresses(hop.host, hop.port, found)
        except PermissionDenied as denied:
            message = str(denied) if hop.number == 0 else f"{hop.label}: {denied}"
            raise Err(HttpError_PermissionDenied(message)) from None

    def _exchange(
        self,
        hop: _Hop,
        method: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        deadline: _Deadline,
    ) -> network.HttpResponse | tuple[int, str]:
        """One request and its response, or (status, Location) of a redirect."""
        addresses = self._addresses(hop, deadline)
        tls = self._tls if hop.scheme == "https" else None
        connection = _Connection(hop, addresses, deadline, tls)
        try:
            connection.putrequest(method, hop.path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", hop.authority)
            for name, value in headers:
                connection.putheader(name, value)
            if body is not None or method in _BODY_METHODS:
                connection.putheader("Content-Length", str(len(body or b"")))
            connection.putheader("Connection", "close")
            connection.endheaders(body)
            response = connection.getresponse()
            try:
                if response.status in REDIRECTS:
                    locations = response.msg.get_all("Location") or []
                    if len(set(locations)) > 1:
                        raise _failed(f"{hop.label}: a redirect with several Location headers")
                    if locations:
                        return response.status, locations[0]
                return network.HttpResponse(
                    response.status,
                    [(name, _FOLD.sub(" ", value)) for name, value in response.getheaders()],
                    self._read_body(hop, response),
                )
            finally:
                response.close()
        except ssl.SSLCertVerificationError as error:
            raise _failed(
                f"{hop.label}: TLS certificate verification failed for {hop.host}: "
                f"{error.verify_message or error.reason}"
            ) from None
        except TimeoutError:
            raise
        except (OSError, http.client.HTTPException) as error:
            raise _failed(
                f"{hop.label}: {method} {hop.authority} failed: {type(error).__name__}: {error}"
            ) from None
        finally:
            connection.close()

    def _read_body(self, hop: _Hop, response: http.client.HTTPResponse) -> bytes:
        """The body, streamed and stopped at the limit + 1 byte."""
        limit = self.limits.max_response_body
        too_large = f"{hop.label}: the response body is larger than the limit of {limit} bytes"
        if response.length is not None and response.length > limit:
            raise _failed(f"{too_large} (Content-Length: {response.length})")
        body = bytearray()
        while True:
            chunk = response.read(min(_READ_SIZE, limit + 1 - len(body)))
            if not chunk:
                break
            body += chunk
            if len(body) > limit:
                raise _failed(too_large)
        if response.length:
            raise _failed(
                f"{hop.label}: the connection closed {response.length} bytes before the end "
                "of the body"
            )
        return bytes(body)


@dataclass(frozen=True, slots=True)
class _Hop:
    """One checked target: `host` canonical (IPv6 unbracketed), `path` the request target."""

    url: str
    number: int
    scheme: str
    host: str
    port: int
    authority: str
    path: str

    @property
    def label(self) -> str:
        return _label(self.url, self.number)

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port


class _Deadline:
    """The monotonic time by which the whole call must be done."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at

    def remaining(self) -> float:
        """Seconds left; raises `TimeoutError` once none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline passed")
        return left


class _Connection(http.client.HTTPConnection):
    """An HTTP(S) connection to checked addresses only, every operation within the deadline."""

    def __init__(
        self,
        hop: _Hop,
        addresses: tuple[str, ...],
        deadline: _Deadline,
        tls: ssl.SSLContext | None,
    ) -> None:
        super().__init__(hop.host, hop.port)
        self._hop = hop
        self._addresses = addresses
        self._deadline = deadline
        self._tls = tls

    def connect(self) -> None:
        """Connect to the first checked address that answers (never to the name)."""
        failures: list[str] = []
        for address in self._addresses:
            family, kind, proto, _, sockaddr = socket.getaddrinfo(
                address, self._hop.port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST
            )[0]
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._deadline.remaining())
                sock.connect(sockaddr)
            except TimeoutError:
                sock.close()
                raise
            except OSError as error:
                sock.close()
                failures.append(f"{address}: {error.strerror or error}")
                continue
            break
        else:
            raise _failed(
                f"{self._hop.label}: cannot connect to port {self._hop.port} of "
                f"{self._hop.host} ({'; '.join(failures)})"
            )
        try:
            if self._tls is not None:
                sock.settimeout(self._deadline.remaining())  # bounds the whole handshake
                sock = self._tls.wrap_socket(sock, server_hostname=self._hop.host)
        except BaseException:
            sock.close()
            raise
        # `http.client` only calls sendall, makefile and close on its socket.
        self.sock = typing.cast(socket.socket, _DeadlineSocket(sock, self._deadline))


class _DeadlineSocket:
    """A connected socket whose sends and receives wait only for the time left."""

    __slots__ = ("_deadline", "_sock")

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes | memoryview) -> None:
        view = memoryview(data).cast("B")
        while view:
            self._sock.settimeout(self._deadline.remaining())
            view = view[self._sock.send(view) :]

    def makefile(self, mode: str) -> io.BufferedReader:
        assert mode == "rb"
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()  # the socket stays open while a reader is


class _DeadlineReader(io.RawIOBase):
    """Receives from a socket, each receive limited to the time left."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int | None:
        self._sock.settimeout(self._deadline.remaining())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _location_text(location: str) -> str:
    """A `Location` as its sender meant it: UTF-8 (as browsers read it), else Latin-1.

    `http.client` decodes every header as Latin-1, which would turn a UTF-8 path
    into mojibake that is then percent-encoded twice.
    """
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return location


def _label(url: object, number: int) -> str:
    """How messages name a hop: its URL, and which redirect it is."""
    shown = quote(url) if isinstance(url, str) else repr(url)
    return shown if number == 0 else f"redirect {number} to {shown}"


def _invalid(message: str) -> Err[HttpError_InvalidUrl]:
    return Err(HttpError_InvalidUrl(message))


def _failed(message: str) -> Err[HttpError_ConnectionFailed]:
    return Err(HttpError_ConnectionFailed(message))
