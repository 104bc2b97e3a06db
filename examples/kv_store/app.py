"""kv-store: keeps JSON values in the host's key-value storage.

Built with componentize-py against world `example:kv-store/kv-store`
(`wit/world.wit`: `airssys:component-core/component` and
`airssys:host-extensions/storage`), with the guest SDK (`sdk/airssys_sdk`) on
its python path.  The host checks every call against the manifest's
`[capabilities.storage]` grants (the namespaces, and `max-size` over
everything the component stores).

`execute(operation)`: `operation` is a JSON payload (prefix `0x02 0x00`); so is
the result.  `namespace` defaults to `kv:data`.

| operation | result |
|---|---|
| `{"op": "set", "key": k, "value": v}` | `{}` (the value is stored as a JSON payload) |
| `{"op": "get", "key": k}` | `{"found": bool, "value": v or null}` |
| `{"op": "delete", "key": k}` | `{}` |
| `{"op": "keys"}` | `{"keys": [...]}` |

When the host refuses a call, the result is `{"error": {"case", "value"}}`
with the `storage-error` case it answered (`permission-denied` for a namespace
the manifest does not grant, `quota-exceeded` past `max-size`,
`invalid-key`).  A malformed operation is `invalid-input`.
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import decode, encode_json, log
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    capabilities,
    storage,
    types,
)

NAMESPACE = "kv:data"


def case_json(case: object) -> dict[str, Any]:
    """A WIT variant case (`StorageError_QuotaExceeded('...')`) as `{"case", "value"}`."""
    name = type(case).__name__.partition("_")[2]
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return {"case": kebab, "value": getattr(case, "value", None)}


def text(request: dict[str, Any], name: str, default: str | None = None) -> str:
    value = request.get(name, default)
    if not isinstance(value, str):
        raise ValueError(f"`{name}` is a string")
    return value


def run(request: Any) -> dict[str, Any]:
    """Perform one operation; raises `ValueError` for a malformed one."""
    if not isinstance(request, dict):
        raise ValueError("an operation is a JSON object with an `op`")
    op = request.get("op")
    namespace = text(request, "namespace", NAMESPACE)
    try:
        if op == "set":
            key = text(request, "key")
            storage.set(namespace, key, encode_json(request.get("value")))
            log.info("stored", namespace=namespace, key=key)
            return {}
        if op == "get":
            stored = storage.get(namespace, text(request, "key"))
            value = None if stored is None else decode(stored)
            return {"found": stored is not None, "value": value}
        if op == "delete":
            storage.delete(namespace, text(request, "key"))
            return {}
        if op == "keys":
            return {"keys": list(storage.list_keys(namespace))}
    except Err as error:
        log.warn("refused", op=op, namespace=namespace, error=str(error.value))
        return {"error": case_json(error.value)}
    raise ValueError(f"unknown op {op!r} (set, get, delete, keys)")


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        return None

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            return encode_json(run(decode(operation)))
        except ValueError as error:  # EncodingError is one
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None

    def handle_message(self, sender: str, message: bytes) -> None:
        return None

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        action = capabilities.StorageAction
        return types.ComponentMetadata(
            name="kv-store",
            version="0.1.0",
            description="keeps JSON values in the host's key-value storage",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(
                filesystem=[],
                network=[],
                storage=[
                    capabilities.StoragePermission(namespace_pattern=NAMESPACE, action=a)
                    for a in (action.READ, action.WRITE, action.DELETE, action.LIST)
                ],
            ),
            supported_operations=["set", "get", "delete", "keys"],
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
