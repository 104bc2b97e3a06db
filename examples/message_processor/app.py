"""message-processor: receives events, checks and numbers them, and forwards them.

Built with componentize-py against world
`example:message-processor/message-processor` (`wit/world.wit`:
`airssys:component-core/component`), with the guest SDK (`sdk/airssys_sdk`) on
its python path.

`init(config)`: `config-data`, when given, is a JSON payload
`{"forward-to": <component id or null>}`; the default is `event-sink`.  With
`null` the component is the last stage: it keeps the events it receives.

`handle-message(sender, message)`: `message` is an event, a JSON or
MessagePack payload holding an object with a string `type` (and, if it came
through other stages, a `trail`: the list of the components it came from).
The component numbers it and forwards it as JSON with
`airssys_sdk.send_message`: the event with `seq` (this stage's count of the
messages it received) and `trail` (the sender appended).  An event that is
not well formed is counted as rejected and refused (`delivery-failed`, which
the host logs).  When the host refuses the forward (its manifest does not list
the target, or the target is not loaded), the error case it answered is kept in
`last-error` and returned as the call's result.

`execute(operation)`: `{"op": "stats"}` (a JSON payload) returns
`{"received", "forwarded", "rejected", "last-error", "kept"}`, where
`last-error` is `{"case", "value"}` or null and `kept` lists what the last
stage received.
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import EncodingError, RequestError, decode, encode_json, log, send_message
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    types,
)


class Pipeline:
    """What the component remembers between calls."""

    forward_to: str | None = "event-sink"
    received = 0
    forwarded = 0
    rejected = 0
    last_error: dict[str, Any] | None = None
    kept: list[Any] = []  # noqa: RUF012 (one instance: the module is the state)


def case_json(case: object) -> dict[str, Any]:
    """A WIT variant case (`MessagingError_DeliveryFailed('...')`) as `{"case", "value"}`."""
    name = type(case).__name__.partition("_")[2]
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return {"case": kebab, "value": getattr(case, "value", None)}


def check_event(message: bytes) -> dict[str, Any]:
    """The event in `message`; raises `ValueError` (`EncodingError`) when malformed."""
    event = decode(message)
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise ValueError("an event is an object with a string `type`")
    trail = event.get("trail", [])
    if not isinstance(trail, list) or not all(isinstance(stage, str) for stage in trail):
        raise ValueError("an event's `trail` is a list of component ids")
    return event


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        if config.config_data is None:
            return
        try:
            settings = decode(config.config_data)
        except EncodingError as error:
            raise Err(types.ComponentError_InvalidConfiguration(str(error))) from None
        target = settings.get("forward-to", "event-sink") if isinstance(settings, dict) else 0
        if target is not None and not isinstance(target, str):
            message = 'config-data is a JSON payload {"forward-to": <component id or null>}'
            raise Err(types.ComponentError_InvalidConfiguration(message))
        Pipeline.forward_to = target

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            request = decode(operation)
        except EncodingError as error:
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None
        if request != {"op": "stats"}:
            raise Err(types.ExecutionError_InvalidInput('the one operation is {"op": "stats"}'))
        return encode_json(
            {
                "received": Pipeline.received,
                "forwarded": Pipeline.forwarded,
                "rejected": Pipeline.rejected,
                "last-error": Pipeline.last_error,
                "kept": Pipeline.kept,
            }
        )

    def handle_message(self, sender: str, message: bytes) -> None:
        Pipeline.received += 1
        try:
            event = check_event(message)
        except ValueError as error:
            Pipeline.rejected += 1
            log.warn("event rejected", sender=sender, reason=str(error))
            raise Err(types.MessagingError_DeliveryFailed(str(error))) from None
        numbered = {**event, "seq": Pipeline.received, "trail": [*event.get("trail", []), sender]}
        if Pipeline.forward_to is None:
            Pipeline.kept.append(numbered)
            return
        try:
            send_message(Pipeline.forward_to, numbered)
        except RequestError as refused:
            Pipeline.last_error = case_json(refused.case)
            raise Err(refused.case) from None
        Pipeline.forwarded += 1
        log.info("event forwarded", type=event["type"], to=Pipeline.forward_to)

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="message-processor",
            version="0.1.0",
            description="receives events, checks and numbers them, and forwards them",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["stats"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=64 << 20,
                preferred_memory_bytes=32 << 20,
            ),
            timeout_ms=1000,
            stateful=True,
            api_version="1.0.0",
            homepage=None,
            repository=None,
            tags=["example"],
        )

    def health(self) -> types.HealthStatus:
        return types.HealthStatus(healthy=True, reason=None)

    def shutdown(self) -> None:
        return None
