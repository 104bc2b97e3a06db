"""trap: a hostile `wasi:http/proxy` guest that traps in the middle of its body.

It sets a 200 response (`content-type: text/plain`), writes and flushes
`partial body\\n`, then raises: componentize-py turns the uncaught exception into a
trap (wasm `unreachable`) with the body never finished.  The client has seen the
head and maybe those bytes; the host must end the response as broken (not as a
complete body).
"""

from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports.types import Fields, IncomingRequest, OutgoingResponse, ResponseOutparam


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        response = OutgoingResponse(Fields.from_list([("content-type", b"text/plain")]))
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        stream = body.write()
        stream.blocking_write_and_flush(b"partial body\n")
        raise RuntimeError("the trap guest traps mid-body, as it was asked to")
