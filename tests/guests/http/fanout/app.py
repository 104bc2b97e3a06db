"""fanout: a `wasi:http/proxy` guest that makes several outgoing GETs at once.

`GET /?urls=<url>,<url>,...` (comma-separated absolute `http://` or `https://`
URLs, percent-encoded in the query as usual) starts every GET at once through
`wasi:http/outgoing-handler`, then answers 200 (`content-type: text/plain`) and
streams one line per URL, in the order given, each as soon as it and the ones
before it are done:

    <status> <body length>\\n          the response (any status: redirects are not followed)
    error <error-code case>\\n         the request failed: the WIT case name of the
                                      `error-code` the host gave, e.g.
                                      `error HTTP-request-denied`, `error connection-refused`

A URL that the guest cannot split into scheme, authority and path gives
`error HTTP-request-URI-invalid` without any request.  Without `urls` it answers
400 `missing query parameter urls`.

It uses componentize-py's bundled `poll_loop` (an asyncio loop over `wasi:io/poll`):
the GETs are tasks of one loop, so they wait on the host together.
"""

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

from componentize_py_types import Err, Ok
from poll_loop import PollLoop, Sink, Stream, send
from wit_world import exports
from wit_world.imports.streams import StreamError_LastOperationFailed
from wit_world.imports.types import (
    ErrorCode,
    Fields,
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
        loop = PollLoop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(respond(request, response_out))


async def respond(request: IncomingRequest, response_out: ResponseOutparam) -> None:
    query = parse_qs(urlsplit(request.path_with_query() or "/").query)
    if "urls" not in query:
        answer(response_out, 400, b"missing query parameter urls\n")
        return
    urls = [url for url in query["urls"][0].split(",") if url]
    loop = asyncio.get_event_loop()
    fetches = [loop.create_task(fetch(url)) for url in urls]  # all started before any waits

    response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain")]))
    body = response.body()
    ResponseOutparam.set(response_out, Ok(response))
    sink = Sink(body)
    for fetching in fetches:
        await sink.send((await fetching).encode() + b"\n")
    sink.close()


async def fetch(url: str) -> str:
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
        response = await send(request)
        status = response.status()
        length = 0
        body = Stream(response.consume())
        while (chunk := await body.next()) is not None:
            length += len(chunk)
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
