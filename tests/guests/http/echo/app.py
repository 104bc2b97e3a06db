"""echo: a `wasi:http/proxy` guest that streams a POSTed body back as it arrives.

* `GET /` answers 200 `hello from wasm` (`content-type: text/plain`, `content-length: 15`).
* `POST` (any path) answers 200 and copies the request body to the response body
  chunk by chunk (at most 16 KiB read at a time, each written before the next
  is read: the body is never held whole), with the request's `content-type`.
* Anything else answers 404 with an empty body.

It uses componentize-py's bundled `poll_loop` (an asyncio loop over `wasi:io/poll`).
"""

import asyncio

from componentize_py_types import Ok
from poll_loop import PollLoop, Sink, Stream
from wit_world import exports
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    Method_Get,
    Method_Post,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

HELLO = b"hello from wasm"


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        loop = PollLoop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(respond(request, response_out))


async def respond(request: IncomingRequest, response_out: ResponseOutparam) -> None:
    method = request.method()
    path = request.path_with_query() or "/"
    with request.headers() as fields:
        content_type = [entry for entry in fields.entries() if entry[0] == "content-type"]

    if isinstance(method, Method_Get) and path == "/":
        headers = [("content-type", b"text/plain"), ("content-length", b"%d" % len(HELLO))]
        send_whole(response_out, 200, headers, HELLO)
    elif isinstance(method, Method_Post):
        response = OutgoingResponse(Fields.from_list(content_type))
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        source = Stream(request.consume())
        sink = Sink(body)
        while (chunk := await source.next()) is not None:
            await sink.send(chunk)
        sink.close()
    else:
        send_whole(response_out, 404, [], b"")


def send_whole(
    response_out: ResponseOutparam, status: int, headers: list[tuple[str, bytes]], data: bytes
) -> None:
    response = OutgoingResponse(Fields.from_list(headers))
    response.set_status_code(status)
    body = response.body()
    ResponseOutparam.set(response_out, Ok(response))
    with body.write() as stream:
        if data:  # at most 4096 bytes a call
            stream.blocking_write_and_flush(data)
    OutgoingBody.finish(body, None)
