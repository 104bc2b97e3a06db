"""spin: a hostile `wasi:http/proxy` guest that never returns from `handle`.

It sets no response and busy-loops (no host call, so only the host's deadline,
by epoch interruption or fuel, can stop it).
"""

from wit_world import exports
from wit_world.imports.types import IncomingRequest, ResponseOutparam


class IncomingHandler(exports.IncomingHandler):
    def handle(self, request: IncomingRequest, response_out: ResponseOutparam) -> None:
        while True:
            pass
