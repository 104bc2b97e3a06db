"""request-response: one component asks, another answers, through the host.

Built with componentize-py against world `example:request-response/request-response`
(`wit/world.wit`: `airssys:component-core/component`), with the guest SDK
(`sdk/airssys_sdk`) on its python path.  The same component plays both parts,
under two manifests: `client` (Component.toml) and `calculator` (Calculator.toml).

`execute(operation)`: `operation` is a JSON payload (prefix `0x02 0x00`); so is
the result.

* `{"op": "add", "numbers": [..]}` returns `{"sum": s}` (what the calculator answers);
* `{"op": "ask", "peer": id, "numbers": [..]}` returns `{"request-id": id}`, or
  `{"error": {"case", "value"}}` when the host refuses the request;
* `{"op": "answers"}` returns `{"answers": [...], "pending": [...]}`.

`ask` sends `{"op": "add", "numbers": ...}` (the numbers as given: the peer
decides what it accepts) to `peer` with `send-request`
(`airssys_sdk.Requests`, timeout 5 s).  The host delivers it to the peer's
`execute` and routes the result (or its error, its timeout) to this
component's `handle-callback`, which `Requests.dispatch` turns into an entry
of `answers`: `{"request-id", "sum"}` or `{"request-id", "error": reason}`.
A malformed operation is `invalid-input`.
"""

from __future__ import annotations

from typing import Any

from airssys_sdk import EncodingError, RequestError, Requests, decode, encode_json, log
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    types,
)

REQUESTS = Requests()
ANSWERS: list[dict[str, Any]] = []


def case_json(case: object) -> dict[str, Any]:
    """A WIT variant case (`MessagingError_DeliveryFailed('...')`) as `{"case", "value"}`."""
    name = type(case).__name__.partition("_")[2]
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
    return {"case": kebab, "value": getattr(case, "value", None)}


def numbers_of(request: dict[str, Any]) -> list[int | float]:
    numbers = request.get("numbers")
    if not isinstance(numbers, list) or not all(
        isinstance(n, int | float) and not isinstance(n, bool) for n in numbers
    ):
        raise ValueError("`numbers` is a list of numbers")
    return numbers


def ask(peer: str, numbers: object) -> dict[str, Any]:
    """Send the request; its id, or the error case the host answered."""
    request_id = ""

    def on_result(answer: object) -> None:
        total = answer.get("sum") if isinstance(answer, dict) else None
        ANSWERS.append({"request-id": request_id, "sum": total})

    def on_error(reason: str) -> None:
        ANSWERS.append({"request-id": request_id, "error": reason})

    try:
        request_id = REQUESTS.send(peer, {"op": "add", "numbers": numbers}, on_result, on_error)
    except RequestError as refused:
        log.warn("request refused", peer=peer, error=str(refused))
        return {"error": case_json(refused.case)}
    return {"request-id": request_id}


def run(request: Any) -> dict[str, Any]:
    """Perform one operation; raises `ValueError` for a malformed one."""
    if not isinstance(request, dict):
        raise ValueError("an operation is a JSON object with an `op`")
    op = request.get("op")
    if op == "add":
        return {"sum": sum(numbers_of(request))}
    if op == "ask":
        peer = request.get("peer")
        if not isinstance(peer, str) or not peer:
            raise ValueError("`peer` names the component to ask")
        return ask(peer, request.get("numbers"))  # as given: the peer decides what it accepts
    if op == "answers":
        return {"answers": list(ANSWERS), "pending": sorted(REQUESTS.pending)}
    raise ValueError(f"unknown op {op!r} (add, ask, answers)")


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
        try:
            known = REQUESTS.dispatch(request_id, result)
        except EncodingError as error:
            ANSWERS.append({"request-id": request_id, "error": f"malformed answer: {error}"})
            return
        if not known:
            log.warn("an answer to no request of ours", request=request_id)

    def metadata(self) -> types.ComponentMetadata:
        return types.ComponentMetadata(
            name="request-response",
            version="0.1.0",
            description="asks another component to add numbers, or answers such requests",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
            supported_operations=["add", "ask", "answers"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=64 << 20,
                preferred_memory_bytes=32 << 20,
            ),
            timeout_ms=5000,
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
