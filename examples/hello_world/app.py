"""hello-world: the smallest airssys component, in Python.

Built with componentize-py against world `example:hello-world/hello-world`
(`wit/world.wit`, which includes `airssys:component-core/component`).  It uses
no SDK: only the bindings componentize-py generates (`wit_world`).

* `execute(operation)`: `operation` is a name in UTF-8; the result is
  `Hello, <name>!`.  An empty or non-UTF-8 name is `invalid-input`.
* `handle-message(sender, message)`: greets `message` (a name) back to the
  sender with `send-message`; the host refuses that unless the manifest lists
  the sender, and the refusal (`messaging-error`) is returned as the result,
  so the host logs it.
* Every greeting is logged through the host's `log` (level `info`).
"""

from __future__ import annotations

from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import host_services, types


def greeting(operation: bytes) -> str:
    """`Hello, <name>!`; raises `ValueError` for an empty or non-UTF-8 name."""
    name = operation.decode("utf-8").strip()
    if not name:
        raise ValueError("say who to greet: the operation is a name in UTF-8")
    host_services.log(types.LogLevel.INFO, "greeted", [("name", name)])
    return f"Hello, {name}!"


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        return None

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            return greeting(operation).encode("utf-8")
        except ValueError as error:  # UnicodeDecodeError is one
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None

    def handle_message(self, sender: str, message: bytes) -> None:
        try:
            text = greeting(message)
        except ValueError as error:
            raise Err(types.MessagingError_DeliveryFailed(str(error))) from None
        host_services.send_message(sender, text.encode("utf-8"))  # raises Err when refused

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="hello-world",
            version="0.1.0",
            description="greets callers, and greets back the components that message it",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["greet"],
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
