"""`wasi:http/types` and `wasi:http/outgoing-handler` in Python.

In: the generated bindings of the served component (for its value classes:
`method`, `scheme`, `header-error`, `error-code` and their payloads), and for
outgoing requests a `Sender` (`witgen.http.client.send` with the component's
grants) and an executor to run them on.  Out: the resource objects (`Fields`,
`IncomingRequest`, `IncomingBody`, `FutureTrailers`, `OutgoingRequest`,
`OutgoingBody`, `RequestOptions`, `ResponseOutparam`, `OutgoingResponse`,
`IncomingResponse`, `FutureIncomingResponse`) and the interface hosts
`HttpTypesHost` and `OutgoingHandlerHost`, which satisfy the generated
`Host` protocols.  Raises `Err` values as WASI says and `HttpTrap` for what
the spec makes a trap (finishing a body whose stream is still alive).

Decisions where the spec leaves room, as wasmtime's implementation takes
them: field names are case-insensitive and kept lowercase; a name must be an
RFC 9110 token and a value may not hold control characters (but tab), else
`invalid-syntax`; the hop-by-hop headers and `host` are `forbidden`
(`FORBIDDEN`), and are left out of the headers of incoming requests and
responses; the headers of a request or response are immutable once it owns
them; a body whose `content-length` header disagrees with what was written
fails at `finish` with `HTTP-request-body-size` / `HTTP-response-body-size`;
an outgoing request without a scheme is sent over HTTPS; one `fields` holds
at most `FIELDS_LIMIT` bytes (past it, `forbidden`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from witgen.codegen.names import case_class_name, type_name
from witgen.http.bindings import ServedBindings
from witgen.http.client import HttpFailure, OutgoingHead, Timeouts
from witgen.http.wasi.io import InputStream, IoError, OutputStream, Pollable, errors
from witgen.http.wasi.scope import (
    Condition,
    DeadlineExceeded,
    Pipe,
    RequestScope,
    ScopeClosed,
    current,
)
from witgen.runtime.wit import Err, Ok

LOG = logging.getLogger("witgen.http")

# Bytes buffered between a body's writer and its reader.
BODY_BUFFER = 1 << 16

# The most bytes of names and values one `fields` may hold (HTTP servers refuse far
# smaller header sections: 8-64 KiB).
FIELDS_LIMIT = 1 << 20

# Headers the component may neither set nor see: wasmtime-wasi-http's
# `DEFAULT_FORBIDDEN_HEADERS` (nine since wasmtime dropped `te` from it).
FORBIDDEN = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "transfer-encoding",
        "upgrade",
        "host",
        "http2-settings",
    }
)

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
ERROR_CODE = "error-code"
_METHODS = ("get", "head", "post", "put", "delete", "connect", "options", "trace", "patch")


class HttpTrap(Exception):
    """The component broke a rule of `wasi:http/types` that the spec makes a trap."""


class Values:
    """The value classes of the component's `wasi:http/types`, by WIT name."""

    def __init__(self, bindings: ServedBindings) -> None:
        self.module = bindings.interface("wasi:http/types")
        self.errors = errors(bindings)

    def case(self, variant: str, case: str, *payload: object) -> Any:
        return getattr(self.module, case_class_name(variant, case))(*payload)

    def record(self, name: str, *fields: object) -> Any:
        return getattr(self.module, type_name(name))(*fields)

    def method(self, name: str) -> Any:
        lower = name.lower()
        if name.upper() == name and lower in _METHODS:
            return self.case("method", lower)
        return self.case("method", "other", name)

    def scheme(self, name: str) -> Any:
        if name == "http":
            return self.case("scheme", "HTTP")
        if name == "https":
            return self.case("scheme", "HTTPS")
        return self.case("scheme", "other", name)

    def header_error(self, case: str) -> Err[Any]:
        return Err(self.case("header-error", case))

    def error_code(self, case: str, payload: object = None) -> Any:
        """The `error-code` value of `case` (its WIT name), its payload given in
        plain Python (`witgen.http.client.HttpFailure`'s)."""
        if case == "DNS-error":
            rcode, info_code = payload if isinstance(payload, tuple) else (None, None)
            return self.case(ERROR_CODE, case, self.record("DNS-error-payload", rcode, info_code))
        if case == "TLS-alert-received":
            alert_id, message = payload if isinstance(payload, tuple) else (None, None)
            value = self.record("TLS-alert-received-payload", alert_id, message)
            return self.case(ERROR_CODE, case, value)
        if case.endswith("-header-size") or case.endswith("-trailer-size"):
            name, size = payload if isinstance(payload, tuple) else (None, None)
            value = self.record("field-size-payload", name, size)
            if case == "HTTP-request-header-size" and payload is None:
                value = None
            return self.case(ERROR_CODE, case, value)
        if case in _WITH_PAYLOAD:
            return self.case(ERROR_CODE, case, payload)
        return self.case(ERROR_CODE, case)


_WITH_PAYLOAD = frozenset(
    {
        "HTTP-request-body-size",
        "HTTP-request-header-section-size",
        "HTTP-request-trailer-section-size",
        "HTTP-response-header-section-size",
        "HTTP-response-body-size",
        "HTTP-response-trailer-section-size",
        "HTTP-response-transfer-coding",
        "HTTP-response-content-coding",
        "internal-error",
    }
)


def method_text(method: Any) -> str:
    """The request line's method of a `method` value."""
    name = type(method).__name__
    if name == case_class_name("method", "other"):
        return str(method.value)
    return name.partition("_")[2].upper()


def scheme_text(scheme: Any) -> str:
    """The URL scheme of a `scheme` value."""
    name = type(scheme).__name__
    if name == case_class_name("scheme", "other"):
        return str(scheme.value)
    return name.partition("_")[2].lower()


# ---------------------------------------------------------------- fields


def header_problem(name: str, value: bytes | None) -> str | None:
    """Which `header-error` case a field is refused with, or None."""
    if not _TOKEN.fullmatch(name.encode("utf-8", "replace")):
        return "invalid-syntax"
    if value is not None and _BAD_VALUE.search(value):
        return "invalid-syntax"
    if name.lower() in FORBIDDEN:
        return "forbidden"
    return None


class Fields:
    """`fields` (and `headers`, `trailers`): ordered name/value pairs, names lowercase,
    at most `FIELDS_LIMIT` bytes of names and values in all (one more is refused
    as `forbidden`: a component could otherwise grow one without bound)."""

    __slots__ = ("entries_", "immutable", "size", "values")

    def __init__(
        self, values: Values, entries: list[tuple[str, bytes]], *, immutable: bool = False
    ) -> None:
        self.values = values
        self.entries_ = entries
        self.immutable = immutable
        self.size = _size(entries)

    def _mutable(self, name: str, value: bytes | None) -> None:
        if self.immutable:
            raise self.values.header_error("immutable")
        problem = header_problem(name, value)
        if problem is not None:
            raise self.values.header_error(problem)

    def _fits(self, size: int) -> None:
        if size > FIELDS_LIMIT:
            raise self.values.header_error("forbidden")

    def get(self, name: str) -> list[bytes]:
        key = name.lower()
        return [value for entry, value in self.entries_ if entry == key]

    def has(self, name: str) -> bool:
        key = name.lower()
        return any(entry == key for entry, _ in self.entries_)

    def set(self, name: str, value: list[bytes]) -> None:
        for item in value:
            self._mutable(name, item)
        self._mutable(name, None)
        key = name.lower()
        kept = [entry for entry in self.entries_ if entry[0] != key]
        added = [(key, bytes(item)) for item in value]
        size = _size(kept) + _size(added)
        self._fits(size)
        self.entries_[:] = kept + added
        self.size = size

    def delete(self, name: str) -> None:
        self._mutable(name, None)
        key = name.lower()
        self.entries_[:] = [entry for entry in self.entries_ if entry[0] != key]
        self.size = _size(self.entries_)

    def append(self, name: str, value: bytes) -> None:
        self._mutable(name, value)
        size = self.size + len(name) + len(value)
        self._fits(size)
        self.entries_.append((name.lower(), bytes(value)))
        self.size = size

    def entries(self) -> list[tuple[str, bytes]]:
        return list(self.entries_)

    def clone(self) -> Fields:
        return Fields(self.values, list(self.entries_))

    def view(self) -> Fields:
        """The same fields, immutable (what `headers()` of a request or response gives)."""
        return Fields(self.values, self.entries_, immutable=True)


def _size(entries: Sequence[tuple[str, bytes]]) -> int:
    return sum(len(name) + len(value) for name, value in entries)


def received_fields(values: Values, pairs: Sequence[tuple[str, bytes]]) -> Fields:
    """Immutable fields of a request or response that came over the network,
    without the headers a component may not see."""
    entries = [(name.lower(), bytes(value)) for name, value in pairs]
    kept = [(name, value) for name, value in entries if name not in FORBIDDEN]
    return Fields(values, kept, immutable=True)


# ---------------------------------------------------------------- bodies


class IncomingBody:
    """`incoming-body`: a stream of the body's bytes (once), then its trailers."""

    __slots__ = ("_stream", "pipe", "trailers", "values")

    def __init__(self, values: Values, pipe: Pipe, trailers: FutureTrailers) -> None:
        self.values = values
        self.pipe = pipe
        self.trailers = trailers
        self._stream: InputStream | None = None

    def stream(self) -> InputStream:
        if self._stream is not None:
            raise Err(None)
        self._stream = InputStream(self.pipe, self.values.errors, self.trailers.error_code)
        return self._stream

    def finish(self) -> FutureTrailers:
        if self._stream is not None and not self._stream.dropped:
            raise HttpTrap("incoming-body.finish while its stream is still alive")
        return self.trailers


class FutureTrailers:
    """`future-trailers`: ready once the body ended (or failed)."""

    __slots__ = ("_taken", "error", "pipe", "trailers", "values")

    def __init__(self, values: Values, pipe: Pipe) -> None:
        self.values = values
        self.pipe = pipe
        self.trailers: list[tuple[str, bytes]] | None = None
        self.error: Any = None  # an `error-code` value, when the body failed
        self._taken = False

    def error_code(self) -> object:
        return self.error

    def _ready(self) -> bool:
        return self.pipe.ended or self.pipe.failure is not None

    def subscribe(self) -> Pollable:
        return Pollable(self._ready)

    def get(self) -> object:
        with self.pipe.scope.cv:
            if not self._ready():
                return None
            if self._taken:
                return Err(None)
            self._taken = True
            if self.pipe.failure is not None:
                error = self.error or self.values.error_code("HTTP-protocol-error")
                return Ok(Err(error))
            if self.trailers is None:
                return Ok(Ok(None))
            return Ok(Ok(received_fields(self.values, self.trailers)))


class OutgoingBody:
    """`outgoing-body`: a stream to write the body (once), then `finish`."""

    __slots__ = ("_stream", "expected", "finished", "kind", "pipe", "trailers", "values")

    def __init__(self, values: Values, pipe: Pipe, kind: str, expected: int | None) -> None:
        self.values = values
        self.pipe = pipe
        self.kind = kind  # "request" or "response"
        self.expected = expected  # the content-length header's value
        self._stream: OutputStream | None = None
        self.finished = False
        self.trailers: list[tuple[str, bytes]] | None = None

    def write(self) -> OutputStream:
        if self._stream is not None:
            raise Err(None)
        self._stream = OutputStream(self.pipe, self.values.errors)
        return self._stream

    def finish(self, trailers: Fields | None) -> None:
        if self._stream is not None and not self._stream.dropped:
            raise HttpTrap("outgoing-body.finish while its stream is still alive")
        self.finished = True
        if self.wrong_size():
            size = f"HTTP-{self.kind}-body-size"
            self.pipe.fail(
                f"the {self.kind} body has {self.pipe.total} bytes, its content-length "
                f"says {self.expected}"
            )
            raise Err(self.values.error_code(size, self.pipe.total))
        if self.pipe.failure is not None:
            raise Err(self.values.error_code("internal-error", self.pipe.failure))
        self.trailers = trailers.entries() if trailers is not None else None
        self.pipe.end()

    def wrong_size(self) -> bool:
        """Whether what was written disagrees with the content-length header."""
        return self.expected is not None and self.pipe.total != self.expected

    def dropped(self) -> None:
        if not self.finished:
            self.pipe.fail(f"the {self.kind} body was dropped before it was finished")


def _content_length(headers: Fields) -> int | None:
    found = headers.get("content-length")
    if len(found) != 1 or not found[0].isdigit():
        return None
    return int(found[0])


# ---------------------------------------------------------------- requests and responses


@dataclass(slots=True)
class IncomingRequest:
    """`incoming-request`: what the server received."""

    method_: Any
    scheme_: Any
    authority_: str | None
    path_with_query_: str | None
    headers_: Fields
    body_: IncomingBody | None

    def method(self) -> Any:
        return self.method_

    def path_with_query(self) -> str | None:
        return self.path_with_query_

    def scheme(self) -> Any:
        return self.scheme_

    def authority(self) -> str | None:
        return self.authority_

    def headers(self) -> Fields:
        return self.headers_

    def consume(self) -> IncomingBody:
        body, self.body_ = self.body_, None
        if body is None:
            raise Err(None)
        return body


def incoming_body(values: Values, pipe: Pipe) -> IncomingBody:
    return IncomingBody(values, pipe, FutureTrailers(values, pipe))


class OutgoingRequest:
    """`outgoing-request`: what the component sends with `outgoing-handler.handle`."""

    __slots__ = (
        "_body",
        "authority_",
        "headers_",
        "method_",
        "path_with_query_",
        "scheme_",
        "values",
    )

    def __init__(self, values: Values, headers: Fields) -> None:
        self.values = values
        self.headers_ = headers
        headers.immutable = True
        self.method_: Any = values.method("GET")
        self.scheme_: Any = None
        self.authority_: str | None = None
        self.path_with_query_: str | None = None
        self._body: OutgoingBody | None = None

    def body(self) -> OutgoingBody:
        if self._body is not None:
            raise Err(None)
        # No limit: the body streams out; a length other than the content-length
        # fails at `finish` (and the client refuses it on the wire).
        pipe = Pipe(current(), BODY_BUFFER)
        self._body = OutgoingBody(self.values, pipe, "request", _content_length(self.headers_))
        return self._body

    def method(self) -> Any:
        return self.method_

    def set_method(self, method: Any) -> None:
        if not _TOKEN.fullmatch(method_text(method).encode("utf-8", "replace")):
            raise Err(None)
        self.method_ = method

    def path_with_query(self) -> str | None:
        return self.path_with_query_

    def set_path_with_query(self, path_with_query: str | None) -> None:
        if path_with_query is not None and not _valid_path(path_with_query):
            raise Err(None)
        self.path_with_query_ = path_with_query

    def scheme(self) -> Any:
        return self.scheme_

    def set_scheme(self, scheme: Any) -> None:
        if scheme is not None and not re.fullmatch(
            r"[A-Za-z][A-Za-z0-9+.\-]*", scheme_text(scheme)
        ):
            raise Err(None)
        self.scheme_ = scheme

    def authority(self) -> str | None:
        return self.authority_

    def set_authority(self, authority: str | None) -> None:
        if authority is not None and not re.fullmatch(
            r"[A-Za-z0-9\-._~%!$&'()*+,;=:\[\]@]*", authority
        ):
            raise Err(None)
        self.authority_ = authority

    def headers(self) -> Fields:
        return self.headers_.view()


def _valid_path(path: str) -> bool:
    return (path.startswith("/") or path.startswith("*") or path == "") and not re.search(
        r"[\x00-\x20\x7f#]", path
    )


class RequestOptions:
    """`request-options`: the timeouts of an outgoing request, in nanoseconds."""

    __slots__ = ("between_bytes", "connect", "first_byte")

    def __init__(self) -> None:
        self.connect: int | None = None
        self.first_byte: int | None = None
        self.between_bytes: int | None = None

    def connect_timeout(self) -> int | None:
        return self.connect

    def set_connect_timeout(self, duration: int | None) -> None:
        self.connect = duration

    def first_byte_timeout(self) -> int | None:
        return self.first_byte

    def set_first_byte_timeout(self, duration: int | None) -> None:
        self.first_byte = duration

    def between_bytes_timeout(self) -> int | None:
        return self.between_bytes

    def set_between_bytes_timeout(self, duration: int | None) -> None:
        self.between_bytes = duration

    def timeouts(self) -> Timeouts:
        def seconds(value: int | None) -> float | None:
            return None if value is None else value / 1e9

        return Timeouts(
            seconds(self.connect), seconds(self.first_byte), seconds(self.between_bytes)
        )


class OutgoingResponse:
    """`outgoing-response`: what the component answers with."""

    __slots__ = ("_body", "_status", "headers_", "values")

    def __init__(self, values: Values, headers: Fields) -> None:
        self.values = values
        self.headers_ = headers
        headers.immutable = True
        self._status = 200
        self._body: OutgoingBody | None = None

    def status_code(self) -> int:
        return self._status

    def set_status_code(self, status_code: int) -> None:
        if not 100 <= status_code <= 599:
            raise Err(None)
        self._status = status_code

    def headers(self) -> Fields:
        return self.headers_.view()

    def body(self) -> OutgoingBody:
        if self._body is not None:
            raise Err(None)
        expected = _content_length(self.headers_)
        self._body = OutgoingBody(self.values, _response_pipe(), "response", expected)
        return self._body

    def taken_body(self) -> OutgoingBody | None:
        return self._body


def _response_pipe() -> Pipe:
    """The pipe an outgoing-response's body is written into: the one the served
    request makes (`RequestScope.response_pipe`), else (no request is served)
    one nobody reads."""
    scope = current()
    make = scope.response_pipe
    return make() if make is not None else Pipe(scope, BODY_BUFFER)


class ResponseOutparam:
    """`response-outparam`: where the component's answer goes (`deliver`)."""

    __slots__ = ("deliver", "used")

    def __init__(self, deliver: Callable[[OutgoingResponse | None, object], None]) -> None:
        self.deliver = deliver
        self.used = False


class IncomingResponse:
    """`incoming-response`: the answer to an outgoing request."""

    __slots__ = ("_body", "headers_", "status_")

    def __init__(self, status: int, headers: Fields, body: IncomingBody) -> None:
        self.status_ = status
        self.headers_ = headers
        self._body: IncomingBody | None = body

    def status(self) -> int:
        return self.status_

    def headers(self) -> Fields:
        return self.headers_

    def consume(self) -> IncomingBody:
        body, self._body = self._body, None
        if body is None:
            raise Err(None)
        return body


class FutureIncomingResponse:
    """`future-incoming-response`: ready when the response's head arrived or the request failed."""

    __slots__ = ("_taken", "error", "response", "scope")

    def __init__(self, scope: RequestScope) -> None:
        self.scope = scope
        self.response: IncomingResponse | None = None
        self.error: Any = None
        self._taken = False

    def _ready(self) -> bool:
        return self.response is not None or self.error is not None

    def settle(self, response: IncomingResponse | None, error: object = None) -> None:
        with self.scope.cv:
            self.response, self.error = response, error
            self.scope.cv.notify_all()

    def subscribe(self) -> Pollable:
        return Pollable(self._ready)

    def get(self) -> object:
        with self.scope.cv:
            if not self._ready():
                return None
            if self._taken:
                return Err(None)
            self._taken = True
            if self.response is not None:
                return Ok(Ok(self.response))
            return Ok(Err(self.error))


# ---------------------------------------------------------------- the interfaces


class HttpTypesHost:
    """`wasi:http/types`: constructors, statics and drops of its resources.

    An outgoing-response's body is written into the pipe its request's
    `RequestScope.response_pipe` makes (the server reads it).
    """

    def __init__(self, bindings: ServedBindings) -> None:
        self.values = Values(bindings)

    def http_error_code(self, err: IoError) -> object:
        return err.http_code

    def fields_new(self) -> Fields:
        return Fields(self.values, [])

    def fields_from_list(self, entries: list[tuple[str, bytes]]) -> Fields:
        for name, value in entries:
            problem = header_problem(name, value)
            if problem is not None:
                raise self.values.header_error(problem)
        if _size(entries) > FIELDS_LIMIT:
            raise self.values.header_error("forbidden")
        return Fields(self.values, [(name.lower(), bytes(value)) for name, value in entries])

    def fields_drop(self, fields: Fields) -> None:
        pass

    def incoming_request_drop(self, incoming_request: IncomingRequest) -> None:
        pass

    def incoming_body_finish(self, this: IncomingBody) -> FutureTrailers:
        return this.finish()

    def incoming_body_drop(self, incoming_body: IncomingBody) -> None:
        incoming_body.pipe.leave()

    def outgoing_request_new(self, headers: Fields) -> OutgoingRequest:
        return OutgoingRequest(self.values, headers)

    def outgoing_request_drop(self, outgoing_request: OutgoingRequest) -> None:
        pass

    def outgoing_body_finish(self, this: OutgoingBody, trailers: Fields | None) -> None:
        this.finish(trailers)

    def outgoing_body_drop(self, outgoing_body: OutgoingBody) -> None:
        outgoing_body.dropped()

    def request_options_new(self) -> RequestOptions:
        return RequestOptions()

    def request_options_drop(self, request_options: RequestOptions) -> None:
        pass

    def response_outparam_set(self, param: ResponseOutparam, response: object) -> None:
        param.used = True
        if isinstance(response, Ok):
            param.deliver(response.value, None)
        elif isinstance(response, Err):
            param.deliver(None, response.value)

    def response_outparam_drop(self, response_outparam: ResponseOutparam) -> None:
        pass

    def outgoing_response_new(self, headers: Fields) -> OutgoingResponse:
        return OutgoingResponse(self.values, headers)

    def outgoing_response_drop(self, outgoing_response: OutgoingResponse) -> None:
        pass

    def incoming_response_drop(self, incoming_response: IncomingResponse) -> None:
        pass

    def future_trailers_drop(self, future_trailers: FutureTrailers) -> None:
        pass

    def future_incoming_response_drop(
        self, future_incoming_response: FutureIncomingResponse
    ) -> None:
        pass


# `send(head, body, timeouts, deadline)`: the client with the component's grants bound in.
Sender = Callable[[OutgoingHead, Iterator[bytes] | None, Timeouts, float | None], Any]


class OutgoingHandlerHost:
    """`wasi:http/outgoing-handler`: each request runs on `executor`, through `send`."""

    def __init__(self, bindings: ServedBindings, send: Sender, executor: Executor) -> None:
        self.values = Values(bindings)
        self.send = send
        self.executor = executor

    def handle(
        self, request: OutgoingRequest, options: RequestOptions | None
    ) -> FutureIncomingResponse:
        values = self.values
        scope = current()
        if request.authority_ is None:
            raise Err(values.error_code("HTTP-request-URI-invalid"))
        scheme = "https" if request.scheme_ is None else scheme_text(request.scheme_)
        head = OutgoingHead(
            method=method_text(request.method_),
            scheme=scheme,
            authority=request.authority_,
            path_with_query=request.path_with_query_ or "/",
            headers=request.headers_.entries(),
        )
        body = request._body
        chunks = _chunks(body) if body is not None else None
        timeouts = options.timeouts() if options is not None else Timeouts()
        future = FutureIncomingResponse(scope)
        self.executor.submit(self._run, scope, head, chunks, timeouts, future)
        return future

    def _run(
        self,
        scope: RequestScope,
        head: OutgoingHead,
        chunks: Iterator[bytes] | None,
        timeouts: Timeouts,
        future: FutureIncomingResponse,
    ) -> None:
        values = self.values
        try:
            response = self.send(head, chunks, timeouts, scope.deadline)
        except HttpFailure as failure:
            future.settle(None, values.error_code(failure.case, failure.payload))
            return
        except (ScopeClosed, DeadlineExceeded):
            future.settle(None, values.error_code("HTTP-response-timeout"))
            return
        except Exception as error:
            LOG.exception(
                "outgoing request %s %s://%s failed", head.method, head.scheme, head.authority
            )
            future.settle(None, values.error_code("internal-error", str(error)))
            return
        pipe = Pipe(scope, BODY_BUFFER)
        body = incoming_body(values, pipe)
        headers = received_fields(values, response.headers)
        future.settle(IncomingResponse(response.status, headers, body))
        _pump(response, pipe, body.trailers, values)


def _chunks(body: OutgoingBody) -> Iterator[bytes]:
    """The bytes the component writes into an outgoing request's body, as they come."""
    pipe = body.pipe
    while True:
        pipe.scope.wait_any([Condition(pipe.readable)])
        data = pipe.take(BODY_BUFFER)
        if data:
            yield data
            continue
        if pipe.failure is not None:
            case = "HTTP-request-body-size" if body.wrong_size() else "internal-error"
            raise HttpFailure(case, pipe.failure)
        if pipe.ended:
            return


def _pump(response: Any, pipe: Pipe, trailers: FutureTrailers, values: Values) -> None:
    """Copy an incoming response's body into `pipe` as the component reads it."""
    scope = pipe.scope
    try:
        while True:
            scope.wait_any([Condition(lambda: pipe.room() > 0 or pipe.left)])
            if pipe.left:
                return
            data = response.read(pipe.room())
            if not data:
                trailers.trailers = response.trailers()
                pipe.end()
                return
            pipe.put(data)
    except HttpFailure as failure:
        trailers.error = values.error_code(failure.case, failure.payload)
        pipe.fail(str(failure))
    except (ScopeClosed, DeadlineExceeded):
        pipe.fail("the request ended")
    finally:
        response.close()
