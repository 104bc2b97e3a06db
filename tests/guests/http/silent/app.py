"""silent: a hostile `wasi:http/proxy` guest that returns from `handle` without
ever setting the response (`response-outparam.set` is never called).

The host must answer for it (a 500, say), as the WIT says it will.
"""

from wit_world import exports
from wit_world.imports.types import IncomingRequest, ResponseOutparam


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        return
