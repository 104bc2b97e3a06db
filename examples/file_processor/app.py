"""file-processor: summarises text files through the host's filesystem extension.

Built with componentize-py against world `example:file-processor/file-processor`
(`wit/world.wit`: `airssys:component-core/component` and
`airssys:host-extensions/filesystem`), with the guest SDK (`sdk/airssys_sdk`)
on its python path.  Paths are the component's own (`/input/a.txt`); the host
maps `/` to a folder of its choice and checks every call against the
manifest's `[capabilities.filesystem]` grants.

`execute(operation)`: `operation` is a JSON payload (prefix `0x02 0x00`); so is
the result.

* `{"op": "summarise", "path": p}` returns
  `{"path": p, "output": "/output/<name>.json", "lines", "words", "chars"}`;
* `{"op": "summarise-all"}` returns `{"summaries": [...]}`, one for every `.txt`
  file listed in `/input`.

A summary is also written, as JSON, to `/output/<file name without .txt>.json`
(creating `/output` when needed).  When the host refuses a call, the result is
`{"error": {"op": <filesystem function>, "case", "value"}}` with the
`file-error` case it answered (`permission-denied` for a path the manifest
does not grant, `not-found`, `io-error`).  A malformed operation is
`invalid-input`.
"""

from __future__ import annotations

import json
from typing import Any

from airssys_sdk import decode, encode_json, log
from componentize_py_types import Err, Result
from wit_world import exports
from wit_world.imports import (
    capabilities,
    filesystem,
    types,
)


class Refused(Exception):
    """The host answered a filesystem call with a `file-error` case."""

    def __init__(self, op: str, case: object) -> None:
        super().__init__(op)
        name = type(case).__name__.partition("_")[2]
        kebab = "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")
        self.json = {"op": op, "case": kebab, "value": getattr(case, "value", None)}


def host(op: str, function: Any, *args: Any) -> Any:
    """`function(*args)`, a filesystem call; `Refused` for its error case."""
    try:
        return function(*args)
    except Err as error:
        raise Refused(op, error.value) from None


def summarise(path: str) -> dict[str, Any]:
    text = host("read-file", filesystem.read_file, path).decode("utf-8", "replace")
    name = path.rpartition("/")[2].removesuffix(".txt")
    output = f"/output/{name}.json"
    summary = {
        "path": path,
        "output": output,
        "lines": len(text.splitlines()),
        "words": len(text.split()),
        "chars": len(text),
    }
    host("create-directory", filesystem.create_directory, "/output")
    host("write-file", filesystem.write_file, output, json.dumps(summary).encode("utf-8"))
    log.info("summarised", path=path, output=output)
    return summary


def run(request: Any) -> dict[str, Any]:
    """Perform one operation; raises `ValueError` for a malformed one."""
    if not isinstance(request, dict):
        raise ValueError("an operation is a JSON object with an `op`")
    op = request.get("op")
    try:
        if op == "summarise":
            path = request.get("path")
            if not isinstance(path, str):
                raise ValueError("`path` is the file to summarise")
            return summarise(path)
        if op == "summarise-all":
            entries = host("list-directory", filesystem.list_directory, "/input")
            names = [e.name for e in entries if not e.is_directory and e.name.endswith(".txt")]
            return {"summaries": [summarise(f"/input/{name}") for name in names]}
    except Refused as refused:
        log.warn("refused", **refused.json)
        return {"error": refused.json}
    raise ValueError(f"unknown op {op!r} (summarise, summarise-all)")


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
        action = capabilities.FilesystemAction
        grants = [
            (action.READ, "/input/*.txt"),
            (action.LIST, "/input"),
            (action.WRITE, "/output/**"),
        ]
        return types.ComponentMetadata(
            name="file-processor",
            version="0.1.0",
            description="summarises the text files of /input into /output",
            author="witgen examples",
            license="Apache-2.0",
            requested_permissions=types.RequestedPermissions(
                filesystem=[
                    capabilities.FilesystemPermission(action=a, path_pattern=p) for a, p in grants
                ],
                network=[],
                storage=[],
            ),
            supported_operations=["summarise", "summarise-all"],
            language="python",
            memory_requirements=types.MemoryRequirements(
                min_memory_bytes=16 << 20,
                max_memory_bytes=64 << 20,
                preferred_memory_bytes=32 << 20,
            ),
            timeout_ms=5000,
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
