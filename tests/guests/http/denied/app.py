"""denied: a `wasi:http/proxy` guest that makes one outgoing GET and reports what
it got, to show what the host's network rules did to it.

`GET /?url=<absolute http(s) URL>` makes one GET of `url` through
`wasi:http/outgoing-handler` (waiting on it with `wasi:io/poll`, without asyncio)
and answers 200 (`content-type: text/plain`) with one line, as `fanout` writes it:

    <status> <body length>\\n         the host let the request through
    error <error-code case>\\n        it did not, or the request failed: the WIT
                                     case name of the `error-code` (e.g.
                                     `error HTTP-request-denied`,
                                     `error destination-IP-prohibited`)

whether the host refused the request at once (`handle` returned the error) or
through the future.  A URL it cannot split gives `error HTTP-request-URI-invalid`;
no `url` gives 400 `missing query parameter url`.
"""

import re
from urllib.parse import parse_qs, urlsplit

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports import outgoing_handler
from wit_world.imports.streams import StreamError_Closed, StreamError_LastOperationFailed
from wit_world.imports.types import (
    ErrorCode,
    Fields,
    IncomingBody,
    IncomingRequest,
    OutgoingBody,
    OutgoingRequest,
    OutgoingResponse,
    ResponseOutparam,
    Scheme_Http,
    Scheme_Https,
    http_error_code,
)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        query = parse_qs(urlsplit(request.path_with_query() or "/").query)
        if "url" in query:
            answer(response_out, 200, fetch(query["url"][0]).encode() + b"\n")
        else:
            answer(response_out, 400, b"missing query parameter url\n")


def fetch(url: str) -> str:
    """`<status> <body length>` of a GET of `url`, or `error <error-code case>`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "error HTTP-request-URI-invalid"
    request = OutgoingRequest(Fields())
    request.set_scheme(Scheme_Http() if parts.scheme == "http" else Scheme_Https())
    request.set_authority(parts.netloc)
    path = parts.path or "/"
    request.set_path_with_query(f"{path}?{parts.query}" if parts.query else path)
    try:
        future = outgoing_handler.handle(request, None)  # may refuse at once
        while (outcome := future.get()) is None:
            with future.subscribe() as ready:
                ready.block()
        result = outcome.value  # `get` gives Ok(result) the first time it has one
        if isinstance(result, Err):
            raise result  # Err(error-code): the request failed
        response = result.value
        status, length = response.status(), 0
        body = response.consume()
        with body.stream() as stream:
            while True:
                try:
                    length += len(stream.blocking_read(65536))
                except Err as error:
                    if isinstance(error.value, StreamError_Closed):
                        break
                    raise
        IncomingBody.finish(body)
    except Err as error:
        if isinstance(error.value, StreamError_LastOperationFailed):  # failed mid-body
            return f"error {case_name(http_error_code(error.value.value))}"
        return f"error {case_name(error.value)}"
    return f"{status} {length}"


def case_name(code: ErrorCode | None) -> str:
    """The WIT name of an `error-code` case: `ErrorCode_HttpRequestUriInvalid()` is
    `HTTP-request-URI-invalid` (acronyms upper-case, other words lower-case)."""
    if code is None:
        return "internal-error"
    words = re.findall(r"[A-Z][a-z]*", type(code).__name__.removeprefix("ErrorCode_"))
    acronyms = {"Http", "Dns", "Ip", "Tls", "Uri"}
    return "-".join(word.upper() if word in acronyms else word.lower() for word in words)


def answer(response_out: ResponseOutparam, status: int, text: bytes) -> None:
    response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain")]))
    response.set_status_code(status)
    body = response.body()
    ResponseOutparam.set(response_out, Ok(response))
    with body.write() as stream:
        stream.blocking_write_and_flush(text)
    OutgoingBody.finish(body, None)
