"""The echo guest of bench/serve.py: a `wasi:http/proxy` component (componentize-py).

In: any request.  Out: status 200, `content-type: application/octet-stream`, and the
request body streamed back as it arrives (read in chunks of up to 64 KiB, written
as `check-write` permits), so a 10 MiB body is never held whole.  Raises nothing
itself: a stream error other than `closed` traps, and the host answers 500.
"""

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports.streams import OutputStream, StreamError_Closed
from wit_world.imports.types import (
    Fields,
    IncomingBody,
    IncomingRequest,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
)

CHUNK = 65536


def write_all(stream: OutputStream, data: bytes) -> None:
    """Write `data` whole, waiting on the stream's pollable when it is full."""
    with stream.subscribe() as ready:
        while data:
            permitted = stream.check_write()
            if permitted == 0:
                ready.block()
                continue
            stream.write(data[:permitted])
            data = data[permitted:]


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        response = OutgoingResponse(
            Fields.from_list([("content-type", b"application/octet-stream")])
        )
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        incoming = request.consume()
        out = body.write()
        with incoming.stream() as source:
            while True:
                try:
                    chunk = source.blocking_read(CHUNK)
                except Err as error:
                    if isinstance(error.value, StreamError_Closed):
                        break
                    raise
                write_all(out, chunk)
        out.blocking_flush()
        out.__exit__(None, None, None)
        IncomingBody.finish(incoming)
        OutgoingBody.finish(body, None)
