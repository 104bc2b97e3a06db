"""flood: a hostile `wasi:http/proxy` guest that writes an endless body.

It sets a 200 response (`content-type: application/octet-stream`, no
content-length) and writes `x` bytes as fast as the body stream lets it
(`check-write`, then as much as allowed, in pieces of at most 64 KiB), never
finishing the body.  When the host refuses a write (the stream is closed or
failed: a response-size limit, say) it returns from `handle` at once, with the
body unfinished; it never stops by itself.
"""

from componentize_py_types import Err, Ok
from wit_world import exports
from wit_world.imports.types import Fields, IncomingRequest, OutgoingResponse, ResponseOutparam

CHUNK = b"x" * 65536


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        headers = [("content-type", b"application/octet-stream")]
        response = OutgoingResponse(Fields.from_list(headers))
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        with body.write() as stream:
            try:
                while True:
                    allowed = stream.check_write()
                    if allowed == 0:
                        with stream.subscribe() as writable:
                            writable.block()
                    else:
                        stream.write(CHUNK[:allowed])
            except Err:
                return  # the host closed the stream: stop, the body left unfinished
