"""headers: a `wasi:http/proxy` guest that sets a status, headers and trailers.

Any method, any path.  `?status=<code>` sets the status (default 201; not an
integer: 400 with only `content-type` and the body `bad status`, and the trailer).
The response has

* every request header `<name>: <value>` echoed back as `x-echo-<name>: <value>`
  (in the order the host gave them, repeated names kept),
* `x-wasm: yes` and `content-type: text/plain`,
* the body: four lines, `method: <METHOD>`, `scheme: <http|https|other|->`,
  `authority: <authority or ->`, `path: <path with query or ->` (what the guest
  saw of the request; the request's body is not read);
  no body when the status is 204 or 304,
* the trailer `x-trailer: done` (the body is finished with it).
"""

from urllib.parse import parse_qs, urlsplit

from componentize_py_types import Ok
from wit_world import exports
from wit_world.imports.types import (
    Fields,
    IncomingRequest,
    Method,
    Method_Other,
    OutgoingBody,
    OutgoingResponse,
    ResponseOutparam,
    Scheme,
    Scheme_Other,
)


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        path = request.path_with_query()
        status_text = parse_qs(urlsplit(path or "/").query).get("status", ["201"])[0]
        with request.headers() as fields:
            echoed = [(f"x-echo-{name}", value) for name, value in fields.entries()]
        headers = [*echoed, ("x-wasm", b"yes"), ("content-type", b"text/plain")]
        text = (
            f"method: {method_name(request.method())}\n"
            f"scheme: {scheme_name(request.scheme())}\n"
            f"authority: {request.authority() or '-'}\n"
            f"path: {path or '-'}\n"
        ).encode()
        try:
            status = int(status_text)
        except ValueError:
            status, headers, text = 400, [("content-type", b"text/plain")], b"bad status\n"

        response = OutgoingResponse(Fields.from_list(headers))
        response.set_status_code(status)
        body = response.body()
        ResponseOutparam.set(response_out, Ok(response))
        if status not in (204, 304):
            with body.write() as stream:
                stream.blocking_write_and_flush(text)  # at most 4096 bytes a call
        OutgoingBody.finish(body, Fields.from_list([("x-trailer", b"done")]))


def method_name(method: Method) -> str:
    if isinstance(method, Method_Other):
        return method.value
    return type(method).__name__.removeprefix("Method_").upper()


def scheme_name(scheme: Scheme | None) -> str:
    if scheme is None:
        return "-"
    if isinstance(scheme, Scheme_Other):
        return scheme.value
    return type(scheme).__name__.removeprefix("Scheme_").lower()
