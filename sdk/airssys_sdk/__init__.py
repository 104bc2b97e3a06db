"""The airssys guest SDK: pure Python that runs inside a component.

Use it from a Python component built with componentize-py against an airssys
world (`airssys:component-core/component` or `extended-component`):

* `encoding`: the payload encodings of the airssys plan, a two-byte prefix
  then the data: `0x02 0x00` JSON, `0x02 0x01` MessagePack.  `decode` reads
  either and refuses an unknown prefix with a clear `EncodingError`.
* `log`: the host's structured log (`log.info("saved", key="k")`).
* `messaging`: `send_message`, and `Requests`, which correlates
  `send-request` with the `handle-callback` that answers it.

Only the standard library is used, so componentize-py bundles it as it is.
The component's generated bindings (`wit_world`) are imported with the SDK, as
componentize-py requires (a component cannot import a module later), and only
if they are there, so the rest also runs outside a component (tests, hosts
encoding payloads); see `_host.py`.
"""

from airssys_sdk.encoding import (
    JSON,
    MSGPACK,
    EncodingError,
    decode,
    encode,
    encode_json,
    encode_msgpack,
)
from airssys_sdk.messaging import RequestError, Requests, send_message

__all__ = [
    "JSON",
    "MSGPACK",
    "EncodingError",
    "RequestError",
    "Requests",
    "decode",
    "encode",
    "encode_json",
    "encode_msgpack",
    "send_message",
]
