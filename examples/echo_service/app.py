"""echo-service: answers every payload with the same payload.

Built with componentize-py against world `example:echo-service/echo-service`
(`wit/world.wit`: `airssys:component-core/component`), with the guest SDK
(`sdk/airssys_sdk`) on its python path.

Payloads are the airssys encodings: a two-byte prefix (`0x02 0x00` JSON,
`0x02 0x01` MessagePack), then the data.

* `execute(operation)`: checks that `operation` is a well-formed payload
  (`airssys_sdk.decode`) and returns it unchanged; anything else is
  `invalid-input` with the SDK's message (for example `unknown payload prefix
  0x01 0x02 ...`).  A request another component sends arrives here too, and
  the host routes the answer to that component's `handle-callback`.
* `handle-message(sender, message)`: sends the decoded value back to the
  sender, in the encoding it came in (`airssys_sdk.send_message`).  The host
  refuses that unless the manifest lists the sender; the refusal
  (`messaging-error`) is the call's result, which the host logs.
* It logs each echo through the host's `log` (level `debug`).
"""

from __future__ import annotations

from airssys_sdk import MSGPACK, EncodingError, RequestError, decode, log, send_message
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    types,
)


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        return None

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            decode(operation)
        except EncodingError as error:
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None
        log.debug("echoed", request=context.request_id, size=len(operation))
        return operation

    def handle_message(self, sender: str, message: bytes) -> None:
        try:
            value = decode(message)
        except EncodingError as error:
            raise Err(types.MessagingError_DeliveryFailed(str(error))) from None
        encoding = "msgpack" if message[:2] == MSGPACK else "json"
        try:
            send_message(sender, value, encoding)
        except RequestError as refused:
            raise Err(refused.case) from None
        log.debug("echoed", to=sender, size=len(message))

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="echo-service",
            version="0.1.0",
            description="answers every payload with the same payload",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["echo"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=64 << 20,
                preferred_memory_bytes=32 << 20,
            ),
            timeout_ms=1000,
            stateful=False,
            api_version="1.0.0",
            homepage=None,
            repository=None,
            tags=["example"],
        )

    def health(self) -> types.HealthStatus:
        return types.HealthStatus(healthy=True, reason=None)

    def shutdown(self) -> None:
        return None
