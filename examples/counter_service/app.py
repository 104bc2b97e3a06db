"""counter-service: a counter that keeps its value across calls.

Built with componentize-py against world `example:counter-service/counter-service`
(`wit/world.wit`: `airssys:component-core/component`), with the guest SDK
(`sdk/airssys_sdk`) on its python path.

The state is module globals: one component instance is one interpreter, so the
count lives as long as the instance (the host re-initialises a component that
trapped, which starts the count again from its configuration).

`init(config)`: `config-data`, when given, is a JSON payload `{"start": n}`.

`execute(operation)`: `operation` is a JSON payload (prefix `0x02 0x00`), the
result is one too.

| operation | result |
|---|---|
| `{"op": "increment", "by": n}` (`by` defaults to 1) | `{"count": c, "refused": {...}}` |
| `{"op": "get"}` | `{"count": c, "watchers": [...]}` |
| `{"op": "reset"}` | `{"count": 0, "refused": {...}}` |
| `{"op": "watch", "component": name}` | `{"watchers": [...]}` |

Each change sends `{"count": c}` to every watcher (`airssys_sdk.send_message`).
The host delivers only to watchers the manifest lists; `refused` maps each
watcher it refused to the error case it answered (`{"case", "value"}`).
A malformed operation is `invalid-input`.
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import EncodingError, RequestError, decode, encode_json, log, send_message
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    types,
)


class Counter:
    """What the component remembers between calls."""

    count = 0
    watchers: list[str] = []  # noqa: RUF012 (one instance: the module is the state)


def case_json(case: object) -> dict[str, Any]:
    """A WIT variant case (`MessagingError_DeliveryFailed('...')`) as `{"case", "value"}`."""
    name = type(case).__name__.partition("_")[2]
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return {"case": kebab, "value": getattr(case, "value", None)}


def changed() -> dict[str, Any]:
    """Tell every watcher the new count; the result of a change."""
    refused: dict[str, Any] = {}
    for watcher in Counter.watchers:
        try:
            send_message(watcher, {"count": Counter.count})
        except RequestError as error:
            refused[watcher] = case_json(error.case)
            log.warn("watcher refused", watcher=watcher, error=str(error))
    return {"count": Counter.count, "refused": refused}


def run(request: Any) -> dict[str, Any]:
    """Perform one operation; raises `ValueError` for a malformed one."""
    if not isinstance(request, dict):
        raise ValueError("an operation is a JSON object with an `op`")
    op = request.get("op")
    if op == "increment":
        by = request.get("by", 1)
        if not isinstance(by, int) or isinstance(by, bool):
            raise ValueError(f"`by` is an integer, not {by!r}")
        Counter.count += by
        return changed()
    if op == "get":
        return {"count": Counter.count, "watchers": list(Counter.watchers)}
    if op == "reset":
        Counter.count = 0
        return changed()
    if op == "watch":
        component = request.get("component")
        if not isinstance(component, str) or not component:
            raise ValueError("`component` names the watcher")
        if component not in Counter.watchers:
            Counter.watchers.append(component)
        return {"watchers": list(Counter.watchers)}
    raise ValueError(f"unknown op {op!r} (increment, get, reset, watch)")


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        start = 0
        if config.config_data is not None:
            try:
                settings = decode(config.config_data)
            except EncodingError as error:
                raise Err(types.ComponentError_InvalidConfiguration(str(error))) from None
            start = settings.get("start", 0) if isinstance(settings, dict) else None
            if not isinstance(start, int) or isinstance(start, bool):
                message = 'config-data is a JSON payload {"start": <integer>}'
                raise Err(types.ComponentError_InvalidConfiguration(message))
        Counter.count = start
        Counter.watchers = []

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            return encode_json(run(decode(operation)))
        except (EncodingError, ValueError) as error:
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None

    def handle_message(self, sender: str, message: bytes) -> None:
        return None

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="counter-service",
            version="0.1.0",
            description="a counter kept across calls, reported to its watchers",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["increment", "get", "reset", "watch"],
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
