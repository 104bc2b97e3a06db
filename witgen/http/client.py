"""The outgoing HTTP client of served components (`wasi:http/outgoing-handler`).

In: an `OutgoingHead` (method, scheme, authority, path and query, headers as
the component set them), the request body as a blocking iterator of byte
chunks (or None), the component's `Timeouts` (`wasi:http` request-options),
its `PermissionValidator` (None: no Component.toml, so every request is
denied), and optionally a deadline (`time.monotonic()` seconds), a resolver
and a verifying TLS context.  Out: `send` returns an `IncomingResponse`
(status, headers, a body read piecewise as it arrives).  Raises:
`HttpFailure` for every failure, its `case` the `wasi:http` `error-code` case
the component is to see (and its `payload`); `ValueError` for a TLS context
that does not verify certificates and host names (a host's mistake, not the
component's).  The client is synchronous: the component runs in a worker
thread, which blocks while the request is under way.

How a request is sent (the rules of `witgen.host.services.network`, shared
from there and from `witgen.permissions`):

* The URL `scheme://authority/path?query` is parsed by
  `witgen.permissions.hosts.parse_url` and checked by
  `PermissionValidator.check_url`: host wildcards, ports (a grant without a
  port allows any, D5), IP literals.  A refusal is `HTTP-request-denied`, and
  logged (WARNING, logger `witgen.http`) with the component, method, URL and
  reason.
* The canonical host is resolved once (in a thread, within the time left),
  every address is checked by `check_addresses` (D4: a private, loopback or
  link-local address needs a grant that names it or `allow-private`; a
  refusal is `destination-IP-prohibited`, logged as above), and the
  connection goes to a checked address, never to the name again.  For
  `https` the TLS handshake verifies the certificate against the canonical
  host (`server_hostname`), with the context given or the system's.
* urllib3 (the `serve` extra, imported when first needed) speaks HTTP/1.1,
  one connection per request.  The request carries `Host` (the canonical
  host, with the port unless it is the scheme's default) and the component's
  headers in their order, less the ones the host owns
  (`network.HOST_OWNED_HEADERS`: `Connection`, `Transfer-Encoding`, ...);
  nothing is added (no `User-Agent`, no `Accept-Encoding`).  Redirects are
  not followed: the component sees the 3xx.
* The body streams as the iterator yields it: with the component's
  `Content-Length` exactly that many bytes (any other count is
  `HTTP-request-body-size`, its payload the bytes given so far), else with
  chunked transfer coding.  POST, PUT and PATCH without a body send
  `Content-Length: 0`.
* The response body is read as it arrives (`read(n)` returns what is there,
  up to `n` bytes), undecoded (`Content-Encoding` is the component's to
  handle).  urllib3 (like `http.client`) reads and drops the trailers of a
  chunked response, so `trailers()` is always None.
* Times: `Timeouts.connect_s` bounds resolving, connecting and the TLS
  handshake together; `first_byte_s` the wait for the response head after the
  body was sent; `between_bytes_s` each read of the body (and each send of a
  request chunk).  `deadline` bounds all of it: no socket operation waits
  past it.  (The body iterator is the caller's: it must respect the deadline
  itself; it is checked after each chunk.)

Error cases (the `wasi:http` names): a scheme other than http or https is
`HTTP-protocol-error`; a method that is not a token
`HTTP-request-method-invalid`; a bad authority, path or URL
`HTTP-request-URI-invalid` (`HTTP-request-URI-too-long` over 8192
characters); a header name that is not a token or a value with CR, LF, NUL or
other controls `HTTP-protocol-error`, as is a `Content-Length` that is not
one number; a name that does not resolve `DNS-error` with the payload
wasmtime's wasi-http gives (`("address not available", None)`), a resolution
that outlives its time `DNS-timeout`; a refused or unreachable address
`connection-refused`, a connection or handshake out of time
`connection-timeout`; a certificate that does not verify
`TLS-certificate-error`, any other TLS failure `TLS-protocol-error`; a send
out of time `connection-write-timeout`, a connection broken while sending
`connection-terminated`; a response head or body read out of time
`connection-read-timeout`; a malformed response head `HTTP-protocol-error`;
a body cut short (its `Content-Length` or chunks unfinished)
`HTTP-response-incomplete`; without urllib3 installed, `internal-error`.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from witgen.host.services.network import (
    HOST_OWNED_HEADERS,
    Resolver,
    check_tls_context,
    is_field_value,
    is_token,
    origin_authority,
    request_target,
    resolve_host,
    resolve_within,
    system_tls_context,
)
from witgen.permissions import AddressDenied, PermissionDenied, PermissionValidator
from witgen.permissions.errors import quote
from witgen.permissions.hosts import parse_url

if TYPE_CHECKING:
    from urllib3.connection import HTTPConnection
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "DEFAULT_TIMEOUTS",
    "MAX_URL_LENGTH",
    "HttpFailure",
    "IncomingResponse",
    "OutgoingHead",
    "Timeouts",
    "send",
]

logger = logging.getLogger("witgen.http")

MAX_URL_LENGTH = 8192
DNS_NOT_FOUND = ("address not available", None)
"""The `DNS-error` payload of a name that does not resolve (wasmtime's wasi-http)."""

_INSTALL = "install witgen[serve] (pip install 'witgen[serve]') for outgoing HTTP requests"


@dataclass(frozen=True, slots=True)
class OutgoingHead:
    """An outgoing request as the component set it (before any check)."""

    method: str
    """"GET", "POST", ... or any other token (wasi `method.other`)."""
    scheme: str
    """"http" or "https" (anything else fails as `HTTP-protocol-error`)."""
    authority: str
    """"host[:port]" exactly as the component set it."""
    path_with_query: str
    """"/" when the component set none."""
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """From wasi `request-options`, in seconds; None is the client's default."""

    connect_s: float | None = None
    first_byte_s: float | None = None
    between_bytes_s: float | None = None


DEFAULT_TIMEOUTS = Timeouts(connect_s=30.0, first_byte_s=60.0, between_bytes_s=60.0)
"""What a `Timeouts` field of None stands for."""


class HttpFailure(Exception):
    """A failed outgoing request: `case` is the `wasi:http` `error-code` case
    name exactly as in the WIT (`"HTTP-request-denied"`, `"DNS-error"`, ...),
    `payload` its payload in plain Python or None (`"DNS-error"`:
    `(rcode, info_code)`; `"HTTP-request-body-size"`: an int;
    `"internal-error"`: a str).  `str()` is a message for the log."""

    def __init__(self, case: str, message: str, payload: object = None) -> None:
        super().__init__(message)
        self.case = case
        self.payload = payload


class IncomingResponse:
    """A response whose body is still on the wire; `close()` when done."""

    def __init__(
        self,
        response: BaseHTTPResponse,
        connection: HTTPConnection,
        clock: _Clock,
        between_bytes_s: float,
    ) -> None:
        self.status: int = response.status
        self.headers: list[tuple[str, bytes]] = [
            (name, value.encode("latin-1")) for name, value in response.headers.items()
        ]
        """As received: repeated names kept (grouped by name, values in order)."""
        self._response = response
        self._connection = connection
        self._clock = clock
        self._between_bytes_s = between_bytes_s
        self._done = False

    def read(self, amount: int) -> bytes:
        """Up to `amount` bytes of the body, as soon as some are there; b"" at its end.

        Blocks until data arrives; raises `HttpFailure`
        (`connection-read-timeout`, `HTTP-response-incomplete`, ...).
        """
        if amount < 1:
            raise ValueError(f"read needs a positive amount, not {amount!r}")
        if self._done:
            return b""
        from urllib3.exceptions import ProtocolError, ReadTimeoutError, SSLError

        try:
            self._wait(self._between_bytes_s)
            data = self._response.read1(amount, decode_content=False)
        except HttpFailure:
            self.close()
            raise
        except (TimeoutError, ReadTimeoutError):
            self.close()
            raise HttpFailure(
                "connection-read-timeout", "no byte of the response body arrived in time"
            ) from None
        except SSLError as error:
            self.close()
            raise HttpFailure("TLS-protocol-error", f"TLS failed mid-body: {error}") from None
        except (ProtocolError, OSError, http.client.HTTPException) as error:
            self.close()
            raise HttpFailure(
                "HTTP-response-incomplete", f"the response body was cut short: {error}"
            ) from None
        if not data:
            self.close()
        return data

    def trailers(self) -> list[tuple[str, bytes]] | None:
        """None: urllib3 reads and drops a chunked body's trailers (see the module)."""
        return None

    def close(self) -> None:
        """Drop the connection (it is never reused); safe to call again."""
        self._done = True
        self._response.close()
        self._connection.close()

    def _wait(self, limit: float) -> None:
        sock = self._connection.sock
        if sock is not None:
            sock.settimeout(self._clock.left(limit, "connection-read-timeout"))


@dataclass(frozen=True, slots=True)
class _Target:
    """A checked request: `host` canonical (what is resolved and verified), `path` the target."""

    method: str
    url: str
    scheme: str
    host: str
    port: int
    path: str


class _Clock:
    """The deadline of one request, turned into socket timeouts."""

    __slots__ = ("deadline",)

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def left(self, limit: float, case: str) -> float:
        """`limit`, or less when the deadline is nearer; `HttpFailure(case)` once it passed."""
        if self.deadline is None:
            return limit
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HttpFailure(case, "the request's deadline passed")
        return min(limit, left)


def send(
    head: OutgoingHead,
    body: Iterator[bytes] | None,
    timeouts: Timeouts,
    validator: PermissionValidator | None,
    *,
    deadline: float | None = None,
    resolver: Resolver | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> IncomingResponse:
    """Send `head` and `body` if the grants allow it; the response, once its head arrived.

    `body` is a blocking iterator the component feeds (it ends at the body's
    end, and may raise `HttpFailure` itself, which aborts the request).
    `resolver` replaces DNS (tests), `tls_context` the system's CA store.
    Raises `HttpFailure` (see the module docstring for the cases).
    """
    if tls_context is not None:
        check_tls_context(tls_context)
    try:
        import urllib3  # noqa: F401 - the serve extra, checked before anything is sent
    except ImportError:
        raise HttpFailure("internal-error", _INSTALL, _INSTALL) from None
    clock = _Clock(deadline)
    scheme, url, path = _check_url(head)
    host, port = _check_grant(head.method, url, validator)
    target = _Target(head.method, url, scheme, host, port, path)
    framing, headers = _check_headers(head.headers)
    connect_by = time.monotonic() + _default(timeouts.connect_s, DEFAULT_TIMEOUTS.connect_s)
    connect = _Clock(connect_by if deadline is None else min(connect_by, deadline))
    addresses = _resolve(target, validator, resolver, connect)
    connection = _connect(target, addresses, tls_context, connect)
    try:
        return _exchange(connection, target, headers, framing, body, timeouts=timeouts, clock=clock)
    except BaseException:
        connection.close()
        raise


def _default(value: float | None, default: float | None) -> float:
    chosen = value if value is not None else default
    assert chosen is not None
    return max(chosen, 0.0)


def _check_url(head: OutgoingHead) -> tuple[str, str, str]:
    """The scheme, the URL to check, and the request target."""
    if not isinstance(head.method, str) or not is_token(head.method):
        raise HttpFailure(
            "HTTP-request-method-invalid", f"invalid method {quote(str(head.method))}"
        )
    scheme = head.scheme.lower() if isinstance(head.scheme, str) else ""
    if scheme not in ("http", "https"):
        raise HttpFailure(
            "HTTP-protocol-error",
            f"the scheme {quote(str(head.scheme))} is not supported (use http or https)",
        )
    path = head.path_with_query or "/"
    if not path.startswith(("/", "?")):
        raise HttpFailure(
            "HTTP-request-URI-invalid", f"the path {quote(path)} does not start with `/`"
        )
    url = f"{scheme}://{head.authority}{path}"
    if len(url) > MAX_URL_LENGTH:
        raise HttpFailure(
            "HTTP-request-URI-too-long", f"the URL is longer than {MAX_URL_LENGTH} characters"
        )
    try:
        parse_url(url)
        target = request_target(url)
    except ValueError as error:  # InvalidHost is a ValueError
        raise HttpFailure(
            "HTTP-request-URI-invalid", f"invalid URL {quote(url)}: {error}"
        ) from None
    return scheme, url, target


def _check_grant(method: str, url: str, validator: PermissionValidator | None) -> tuple[str, int]:
    """The canonical host and port, if the grants allow the URL."""
    if validator is None:
        reason = "the component has no Component.toml, so it may make no outgoing request"
        _log_denial("a component without a manifest", method, url, reason)
        raise HttpFailure("HTTP-request-denied", f"{method} {quote(url)} denied: {reason}")
    try:
        return validator.check_url(url)
    except AddressDenied as denied:
        _log_denial(validator.component, method, url, denied.reason)
        raise HttpFailure("destination-IP-prohibited", str(denied)) from None
    except PermissionDenied as denied:
        _log_denial(validator.component, method, url, denied.reason)
        raise HttpFailure("HTTP-request-denied", str(denied)) from None


def _log_denial(component: str, method: str, url: str, reason: str) -> None:
    logger.warning(
        "outgoing request denied: component %s: %s %s: %s",
        quote(component),
        method,
        quote(url),
        reason,
    )


def _check_headers(
    headers: list[tuple[str, bytes]],
) -> tuple[int | None, list[tuple[str, str]]]:
    """The declared `Content-Length` (None: chunked), and the headers to send
    (checked, as Latin-1 text, without the ones the host owns)."""
    kept: list[tuple[str, str]] = []
    lengths: set[str] = set()
    for name, raw in headers:
        if not isinstance(name, str) or not is_token(name):
            raise HttpFailure("HTTP-protocol-error", f"invalid header name {quote(str(name))}")
        value = bytes(raw).decode("latin-1")
        if not is_field_value(value):
            raise HttpFailure(
                "HTTP-protocol-error",
                f"invalid value of header {name}: {quote(value)} (control characters, such "
                "as CR, LF and NUL, are not allowed)",
            )
        lowered = name.lower()
        if lowered == "content-length":
            lengths.update(part.strip(" \t") for part in value.split(","))
        elif lowered not in HOST_OWNED_HEADERS:
            kept.append((name, value.strip(" \t")))
    if not lengths:
        return None, kept
    length, *others = lengths
    if others or not length.isascii() or not length.isdigit():
        raise HttpFailure(
            "HTTP-protocol-error", f"invalid Content-Length {quote(', '.join(sorted(lengths)))}"
        )
    return int(length), kept


def _resolve(
    target: _Target,
    validator: PermissionValidator | None,
    resolver: Resolver | None,
    clock: _Clock,
) -> tuple[str, ...]:
    """The host's addresses, resolved once within the connect time, checked (D4)."""
    assert validator is not None  # _check_grant denied the request otherwise
    host, port = target.host, target.port
    timeout = clock.left(float("inf"), "DNS-timeout")
    try:
        found = resolve_within(resolver or resolve_host, host, port, timeout)
    except TimeoutError:
        raise HttpFailure("DNS-timeout", f"resolving {host} took too long") from None
    except OSError as error:
        raise HttpFailure("DNS-error", f"cannot resolve {host}: {error}", DNS_NOT_FOUND) from None
    if not found:
        raise HttpFailure("DNS-error", f"{host} resolved to no address", DNS_NOT_FOUND)
    try:
        return validator.check_addresses(host, port, found)
    except PermissionDenied as denied:
        _log_denial(validator.component, target.method, target.url, denied.reason)
        raise HttpFailure("destination-IP-prohibited", str(denied)) from None


def _connect(
    target: _Target,
    addresses: tuple[str, ...],
    tls_context: ssl.SSLContext | None,
    clock: _Clock,
) -> HTTPConnection:
    """A connection to the first checked address that answers (TLS verified
    against `host` for https)."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    from urllib3.util.ssl_match_hostname import CertificateError

    host, port = target.host, target.port
    failures: list[str] = []
    for address in addresses:
        timeout = clock.left(float("inf"), "connection-timeout")
        connection: HTTPConnection
        if target.scheme == "https":
            connection = HTTPSConnection(
                address,
                port,
                timeout=timeout,
                server_hostname=host,
                ssl_context=tls_context or system_tls_context(),
                cert_reqs="CERT_REQUIRED",
            )
        else:
            connection = HTTPConnection(address, port, timeout=timeout)
        try:
            connection.connect()
        except NewConnectionError as error:  # before ConnectTimeoutError: a subclass
            connection.close()
            failures.append(f"{address}: {error.__cause__ or error}")
            continue
        except (ConnectTimeoutError, TimeoutError):
            connection.close()
            raise HttpFailure(
                "connection-timeout", f"connecting to port {port} of {host} took too long"
            ) from None
        except (ssl.SSLCertVerificationError, CertificateError) as error:
            connection.close()
            reason = getattr(error, "verify_message", None) or error
            raise HttpFailure(
                "TLS-certificate-error", f"TLS certificate verification failed for {host}: {reason}"
            ) from None
        except ssl.SSLError as error:
            connection.close()
            raise HttpFailure("TLS-protocol-error", f"TLS with {host} failed: {error}") from None
        except OSError as error:
            connection.close()
            raise HttpFailure(
                "connection-terminated", f"the connection to {host} broke: {error}"
            ) from None
        return connection
    raise HttpFailure(
        "connection-refused",
        f"cannot connect to port {port} of {host} ({'; '.join(failures)})",
    )


def _exchange(
    connection: HTTPConnection,
    target: _Target,
    headers: list[tuple[str, str]],
    length: int | None,
    body: Iterator[bytes] | None,
    *,
    timeouts: Timeouts,
    clock: _Clock,
) -> IncomingResponse:
    """Send the request on `connection` and read the response head."""
    from urllib3 import HTTPHeaderDict
    from urllib3.exceptions import ReadTimeoutError
    from urllib3.util import SKIP_HEADER

    between_bytes_s = _default(timeouts.between_bytes_s, DEFAULT_TIMEOUTS.between_bytes_s)
    sending = HTTPHeaderDict({"Host": origin_authority(target.scheme, target.host, target.port)})
    for name, value in headers:
        sending.add(name, value)
    for owned in ("User-Agent", "Accept-Encoding"):
        if owned not in sending:
            sending[owned] = SKIP_HEADER  # urllib3 adds neither then
    if length is not None:
        sending["Content-Length"] = str(length)
    chunks = None if body is None else _body(body, length, connection, between_bytes_s, clock)
    connection.timeout = clock.left(between_bytes_s, "connection-write-timeout")
    try:
        connection.request(
            target.method,
            target.path,
            body=chunks,
            headers=sending,
            chunked=body is not None and length is None,
            preload_content=False,
            decode_content=False,
            enforce_content_length=True,
        )
    except HttpFailure:
        raise
    except TimeoutError:
        raise HttpFailure("connection-write-timeout", "sending the request took too long") from None
    except OSError as error:
        raise HttpFailure(
            "connection-terminated", f"the connection broke while sending: {error}"
        ) from None
    first_byte_s = _default(timeouts.first_byte_s, DEFAULT_TIMEOUTS.first_byte_s)
    connection.timeout = clock.left(first_byte_s, "connection-read-timeout")
    try:
        response = connection.getresponse()
    except (TimeoutError, ReadTimeoutError):
        raise HttpFailure(
            "connection-read-timeout", "the response head did not arrive in time"
        ) from None
    except http.client.RemoteDisconnected as error:
        raise HttpFailure(
            "connection-terminated", f"the server closed the connection: {error}"
        ) from None
    except http.client.HTTPException as error:
        raise HttpFailure(
            "HTTP-protocol-error", f"malformed response: {type(error).__name__}: {error}"
        ) from None
    except OSError as error:
        raise HttpFailure(
            "connection-terminated", f"the connection broke before the response: {error}"
        ) from None
    return IncomingResponse(response, connection, clock, between_bytes_s)


def _body(
    chunks: Iterator[bytes],
    length: int | None,
    connection: HTTPConnection,
    between_bytes_s: float,
    clock: _Clock,
) -> Iterator[bytes]:
    """The component's chunks, counted against `length`, each send within its time."""
    sent = 0
    for chunk in chunks:
        sent += len(chunk)
        if length is not None and sent > length:
            raise HttpFailure(
                "HTTP-request-body-size",
                f"the body is longer than its Content-Length of {length} bytes",
                sent,
            )
        sock = connection.sock
        if sock is not None:
            sock.settimeout(clock.left(between_bytes_s, "connection-write-timeout"))
        yield bytes(chunk)
    if length is not None and sent != length:
        raise HttpFailure(
            "HTTP-request-body-size",
            f"the body ended after {sent} of its Content-Length of {length} bytes",
            sent,
        )
