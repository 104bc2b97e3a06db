"""http-client: fetches URLs through the host's network extension.

Built with componentize-py against world `example:http-client/http-client`
(`wit/world.wit`: `airssys:component-core/component` and
`airssys:host-extensions/network`), with the guest SDK (`sdk/airssys_sdk`) on
its python path.  The host checks every URL against the manifest's
`[[capabilities.network]]` grants before it connects.

`execute(operation)`: `operation` is a JSON payload (prefix `0x02 0x00`),
`{"method": "get", "url": <url>, "body": <text or null>, "headers": {...}}`
(`method` defaults to `get`; `post`, `put`, `delete`, `patch`, `head`, `options`
too).  The result is a JSON payload `{"status", "headers": [[name, value]],
"body"}`, the body as text (UTF-8, undecodable bytes replaced), or
`{"error": {"case", "value"}}` with the `http-error` case the host answered
(`permission-denied` for a URL the manifest does not grant).  A malformed
operation is `invalid-input`.
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import decode, encode_json, log
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    capabilities,
    network,
    types,
)


def case_json(case: object) -> dict[str, Any]:
    """A WIT variant case (`HttpError_PermissionDenied('...')`) as `{"case", "value"}`."""
    name = type(case).__name__.partition("_")[2]
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return {"case": kebab, "value": getattr(case, "value", None)}


def request_of(operation: Any) -> network.OutgoingHttpRequest:
    """The HTTP request an operation describes; raises `ValueError` when malformed."""
    if not isinstance(operation, dict) or not isinstance(operation.get("url"), str):
        raise ValueError('an operation is a JSON object {"url": <url>, ...}')
    method = operation.get("method", "get")
    try:
        http_method = network.HttpMethod[str(method).upper()]
    except KeyError:
        raise ValueError(f"unknown method {method!r}") from None
    headers = operation.get("headers", {})
    if not isinstance(headers, dict) or not all(
        isinstance(value, str) for value in headers.values()
    ):
        raise ValueError("`headers` is an object of strings")
    body = operation.get("body")
    if body is not None and not isinstance(body, str):
        raise ValueError("`body` is text")
    return network.OutgoingHttpRequest(
        method=http_method,
        url=operation["url"],
        headers=list(headers.items()),
        body=None if body is None else body.encode("utf-8"),
        timeout_ms=5000,
    )


def fetch(request: network.OutgoingHttpRequest) -> dict[str, Any]:
    try:
        response = network.http_request(request)
    except Err as error:
        log.warn("request failed", url=request.url, error=str(error.value))
        return {"error": case_json(error.value)}
    log.info("fetched", url=request.url, status=response.status)
    return {
        "status": response.status,
        "headers": [list(pair) for pair in response.headers],
        "body": response.body.decode("utf-8", "replace"),
    }


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        return None

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        try:
            request = request_of(decode(operation))
        except ValueError as error:  # EncodingError is one
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None
        return encode_json(fetch(request))

    def handle_message(self, sender: str, message: bytes) -> None:
        return None

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        return None

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="http-client",
            version="0.1.0",
            description="fetches URLs through the host's network extension",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(
                filesystem=[],
                network=[
                    capabilities.NetworkPermission(
                        action=capabilities.NetworkAction.OUTBOUND,
                        host_pattern="127.0.0.1",
                        port=8080,
                    )
                ],
                storage=[],
            ),
            supported_operations=["fetch"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=64 << 20,
                preferred_memory_bytes=32 << 20,
            ),
            timeout_ms=10_000,
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
