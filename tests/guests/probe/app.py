"""The probe: a Python guest of world `airssys:component-core/extended-component`.

Built with componentize-py (see README.md and `tests/support/guests.py`), it runs
inside the component, on the CPython 3.14 that componentize-py 0.25.1 bundles, over
WASI p2.  `execute(operation, context)` reads `operation` as one UTF-8 JSON command,
`{"op": <name>, ...}`, performs it with the imported host interfaces (or with WASI),
and returns `ok(<UTF-8 JSON object>)`.

* A host call's error case comes back inside the ok result as
  `{"error": {"case": "<WIT case name>", "value": <payload or null>}}`.
* A malformed command (not UTF-8, not JSON, not an object, unknown `op`, a missing
  or mistyped field) returns `err(invalid-input(<message>))`.
* Bytes go in as `<field>` (text, encoded as UTF-8) or `<field>-b64` (base64), and
  come out as `<field>` (the text, or null when not UTF-8) plus `<field>-b64`.
* Field names are the WIT names (kebab-case, `timeout-ms`).

The other exports keep their state in module globals: one component instance is
one interpreter.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from componentize_py_types import Err, Ok, Result
from wit_world import exports
from wit_world.imports import filesystem, host_services, network, process, storage, types

Json = Any
"""A value `json.loads` returns or `json.dumps` accepts."""

# ---------------------------------------------------------------- state


class State:
    """What the exports remember between calls."""

    config: types.ComponentConfig | None = None
    init_calls = 0


_MESSAGES: list[dict[str, Json]] = []
_CALLBACKS: list[dict[str, Json]] = []
_HOGS: list[bytearray] = []  # what `alloc` holds on to
_TRAP_IN: set[str] = set()  # lifecycle functions that trap from now on (`trap-in`)


def _maybe_trap(function: str) -> None:
    if function in _TRAP_IN:
        raise RuntimeError(f"probe: trap requested in {function}")


class BadCommand(Exception):
    """The command is malformed: reported as `err(invalid-input(...))`."""


# ---------------------------------------------------------------- JSON fields


def _field(cmd: dict[str, Json], name: str, kind: type | tuple[type, ...], default: Json) -> Json:
    """`cmd[name]`, checked against `kind`; `default` when absent (`...` = required)."""
    if name not in cmd or cmd[name] is None:
        if default is ...:
            raise BadCommand(f"missing field `{name}`")
        return default
    value = cmd[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise BadCommand(f"field `{name}`: expected {_kind_name(kind)}, got {value!r}")
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    return " or ".join(k.__name__ for k in _kinds(kind))


def _str(cmd: dict[str, Json], name: str, default: Json = ...) -> Any:
    return _field(cmd, name, str, default)


def _int(cmd: dict[str, Json], name: str, default: Json = ...) -> Any:
    value = _field(cmd, name, int, default)
    if isinstance(value, int) and not 0 <= value < 1 << 64:
        raise BadCommand(f"field `{name}`: {value} is out of range for u64")
    return value


def _bytes_in(cmd: dict[str, Json], name: str, default: bytes | None = None) -> bytes | None:
    """`<name>` as UTF-8 text or `<name>-b64` as base64; `default` when neither."""
    if cmd.get(f"{name}-b64") is not None:
        encoded = _field(cmd, f"{name}-b64", str, ...)
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise BadCommand(f"field `{name}-b64`: {error}") from None
    if cmd.get(name) is not None:
        text: str = _field(cmd, name, str, ...)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate: use `-b64` for such bytes
            raise BadCommand(f"field `{name}`: {error}") from None
    return default


def _required_bytes(cmd: dict[str, Json], name: str) -> bytes:
    data = _bytes_in(cmd, name)
    if data is None:
        raise BadCommand(f"missing field `{name}` (or `{name}-b64`)")
    return data


def _bytes_out(name: str, data: bytes | None) -> dict[str, Json]:
    """`{name: text or null, name-b64: base64}`; both null for `None`."""
    if data is None:
        return {name: None, f"{name}-b64": None}
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    return {name: text, f"{name}-b64": base64.b64encode(data).decode("ascii")}


def _pairs(cmd: dict[str, Json], name: str, default: Json = ...) -> Any:
    """A `list<tuple<string, string>>` given as an object or a list of pairs."""
    value = _field(cmd, name, (dict, list), default)
    if value is None or value is default:
        return value
    items = list(value.items()) if isinstance(value, dict) else value
    pairs: list[tuple[str, str]] = []
    for item in items:
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or not all(isinstance(part, str) for part in item)
        ):
            raise BadCommand(f"field `{name}`: expected string pairs, got {item!r}")
        pairs.append((item[0], item[1]))
    return pairs


def _enum(cmd: dict[str, Json], name: str, enum: Any, default: Json = ...) -> Any:
    text = _str(cmd, name, default)
    if not isinstance(text, str):
        return text
    try:
        return enum[text.upper().replace("-", "_")]
    except KeyError:
        names = ", ".join(member.name.lower() for member in enum)
        raise BadCommand(f"field `{name}`: {text!r} is not one of {names}") from None


# ---------------------------------------------------------------- values out


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def error_json(case: object) -> dict[str, Json]:
    """A WIT variant value (`FileError_NotFound('x')`) as `{"case", "value"}`."""
    class_name = type(case).__name__
    return {
        "case": _kebab(class_name.split("_", 1)[-1]),
        "value": _plain(getattr(case, "value", None)),
    }


def _plain(value: object) -> Json:
    """A generated record, enum, list or tuple as JSON (kebab-case keys)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return _bytes_out("data", value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {
            name.replace("_", "-"): _plain(getattr(value, name))
            for name in value.__dataclass_fields__
        }
    if hasattr(value, "name") and hasattr(type(value), "__members__"):  # an Enum member
        return str(value.name).lower().replace("_", "-")
    return repr(value)


# ---------------------------------------------------------------- commands

Command = Callable[[dict[str, Json]], dict[str, Json]]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


@command("echo")
def _echo(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"data": cmd.get("data")}


@command("log")
def _log(cmd: dict[str, Json]) -> dict[str, Json]:
    level = _enum(cmd, "level", types.LogLevel, "info")
    host_services.log(level, _str(cmd, "message"), _pairs(cmd, "context", None))
    return {}


@command("send-message")
def _send_message(cmd: dict[str, Json]) -> dict[str, Json]:
    host_services.send_message(_str(cmd, "target"), _required_bytes(cmd, "data"))
    return {}


@command("send-request")
def _send_request(cmd: dict[str, Json]) -> dict[str, Json]:
    request_id = host_services.send_request(
        _str(cmd, "target"), _required_bytes(cmd, "data"), _int(cmd, "timeout-ms", 1000)
    )
    return {"request-id": request_id}


@command("cancel-request")
def _cancel_request(cmd: dict[str, Json]) -> dict[str, Json]:
    host_services.cancel_request(_str(cmd, "request-id"))
    return {}


@command("time")
def _time(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"millis": host_services.current_time_millis()}


@command("sleep")
def _sleep(cmd: dict[str, Json]) -> dict[str, Json]:
    host_services.sleep_millis(_int(cmd, "ms"))
    return {}


@command("list-components")
def _list_components(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"components": list(host_services.list_components())}


@command("metadata-of")
def _metadata_of(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"metadata": _plain(host_services.get_component_metadata(_str(cmd, "id")))}


@command("read-file")
def _read_file(cmd: dict[str, Json]) -> dict[str, Json]:
    return _bytes_out("data", filesystem.read_file(_str(cmd, "path")))


@command("write-file")
def _write_file(cmd: dict[str, Json]) -> dict[str, Json]:
    filesystem.write_file(_str(cmd, "path"), _required_bytes(cmd, "data"))
    return {}


@command("stat")
def _stat(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"metadata": _plain(filesystem.stat_file(_str(cmd, "path")))}


@command("delete")
def _delete(cmd: dict[str, Json]) -> dict[str, Json]:
    filesystem.delete_file(_str(cmd, "path"))
    return {}


@command("list-dir")
def _list_dir(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"entries": _plain(filesystem.list_directory(_str(cmd, "path")))}


@command("mkdir")
def _mkdir(cmd: dict[str, Json]) -> dict[str, Json]:
    filesystem.create_directory(_str(cmd, "path"))
    return {}


@command("http")
def _http(cmd: dict[str, Json]) -> dict[str, Json]:
    request = network.OutgoingHttpRequest(
        method=_enum(cmd, "method", network.HttpMethod, "get"),
        url=_str(cmd, "url"),
        headers=_pairs(cmd, "headers", []),
        body=_bytes_in(cmd, "body"),
        timeout_ms=_int(cmd, "timeout-ms", None),
    )
    response = network.http_request(request)
    return {
        "status": response.status,
        "headers": [list(pair) for pair in response.headers],
        **_bytes_out("body", response.body),
    }


@command("spawn")
def _spawn(cmd: dict[str, Json]) -> dict[str, Json]:
    args = _field(cmd, "args", list, [])
    if not all(isinstance(arg, str) for arg in args):
        raise BadCommand(f"field `args`: expected a list of strings, got {args!r}")
    handle = process.spawn_process(_str(cmd, "command"), args, _pairs(cmd, "env", None))
    return {"handle": handle}


@command("wait")
def _wait(cmd: dict[str, Json]) -> dict[str, Json]:
    result = process.wait_process(_int(cmd, "handle"), _int(cmd, "timeout-ms", 5000))
    return {
        "exit-code": result.exit_code,
        **_bytes_out("stdout", result.stdout),
        **_bytes_out("stderr", result.stderr),
    }


@command("get-env")
def _get_env(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"value": process.get_env(_str(cmd, "name"))}


@command("kv-get")
def _kv_get(cmd: dict[str, Json]) -> dict[str, Json]:
    value = storage.get(_str(cmd, "namespace"), _str(cmd, "key"))
    return {"found": value is not None, **_bytes_out("value", value)}


@command("kv-set")
def _kv_set(cmd: dict[str, Json]) -> dict[str, Json]:
    storage.set(_str(cmd, "namespace"), _str(cmd, "key"), _required_bytes(cmd, "value"))
    return {}


@command("kv-delete")
def _kv_delete(cmd: dict[str, Json]) -> dict[str, Json]:
    storage.delete(_str(cmd, "namespace"), _str(cmd, "key"))
    return {}


@command("kv-list")
def _kv_list(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"keys": list(storage.list_keys(_str(cmd, "namespace")))}


@command("flood")
def _flood(cmd: dict[str, Json]) -> dict[str, Json]:
    target = _str(cmd, "target")
    count = _int(cmd, "count")
    data = _bytes_in(cmd, "data")
    sent = 0
    for index in range(count):
        try:
            host_services.send_message(target, str(index).encode() if data is None else data)
        except Err as error:
            return {"sent": sent, "error": error_json(error.value)}
        sent += 1
    return {"sent": sent}


@command("loop")
def _loop(cmd: dict[str, Json]) -> dict[str, Json]:
    while True:
        pass


@command("alloc")
def _alloc(cmd: dict[str, Json]) -> dict[str, Json]:
    limit = _int(cmd, "mib", None)
    while limit is None or len(_HOGS) < limit:
        _HOGS.append(bytearray(1 << 20))
    return {"mib": len(_HOGS)}


@command("trap-in")
def _trap_in(cmd: dict[str, Json]) -> dict[str, Json]:
    calls = cmd.get("calls")
    if not isinstance(calls, list) or not all(isinstance(c, str) for c in calls):
        raise BadCommand("`calls` must be a list of lifecycle function names")
    _TRAP_IN.update(calls)
    return {"trap-in": sorted(_TRAP_IN)}


@command("trap")
def _trap(cmd: dict[str, Json]) -> dict[str, Json]:
    raise RuntimeError(_str(cmd, "message", "probe: trap requested"))


@command("wasi-read")
def _wasi_read(cmd: dict[str, Json]) -> dict[str, Json]:
    try:
        with open(_str(cmd, "path"), "rb") as file:
            return _bytes_out("data", file.read())
    except OSError as error:
        return {"error": {"case": type(error).__name__, "value": str(error)}}


@command("wasi-env")
def _wasi_env(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"env": dict(os.environ)}


@command("print")
def _print(cmd: dict[str, Json]) -> dict[str, Json]:
    stream = sys.stderr if _str(cmd, "stream", "stdout") == "stderr" else sys.stdout
    print(_str(cmd, "text"), file=stream, flush=True)
    return {}


@command("messages")
def _messages(cmd: dict[str, Json]) -> dict[str, Json]:
    return {"messages": list(_MESSAGES), "callbacks": list(_CALLBACKS)}


@command("config")
def _config(cmd: dict[str, Json]) -> dict[str, Json]:
    config = State.config
    return {
        "init-calls": State.init_calls,
        "env": None if config is None else [list(pair) for pair in config.env],
        **_bytes_out("config-data", None if config is None else config.config_data),
    }


def run(operation: bytes) -> dict[str, Json]:
    """Parse and perform one command; raises `BadCommand` when it is malformed."""
    try:
        cmd = json.loads(operation.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadCommand(f"operation is not UTF-8 JSON: {error}") from None
    if not isinstance(cmd, dict):
        raise BadCommand(f"a command is a JSON object, not {type(cmd).__name__}")
    op = cmd.get("op")
    if not isinstance(op, str) or op not in COMMANDS:
        raise BadCommand(f"unknown op {op!r}; known: {', '.join(sorted(COMMANDS))}")
    try:
        return COMMANDS[op](cmd)
    except Err as error:
        return {"error": error_json(error.value)}


# ---------------------------------------------------------------- the export

METADATA = types.ComponentMetadata(
    name="probe",
    version="0.1.0",
    description="witgen's test probe: runs JSON commands against the host interfaces",
    author="witgen",
    license="Apache-2.0",
    requested_permissions=types.RequestedPermissions(filesystem=[], network=[], storage=[]),
    supported_operations=sorted(COMMANDS),
    language="python",
    memory_requirements=types.MemoryRequirements(
        min_memory_bytes=16 << 20,
        max_memory_bytes=256 << 20,
        preferred_memory_bytes=64 << 20,
    ),
    timeout_ms=5000,
    stateful=True,
    api_version="1.0.0",
    homepage=None,
    repository=None,
    tags=["test", "probe"],
)


class ComponentLifecycle(exports.ComponentLifecycle):
    """The exported `component-lifecycle` interface."""

    def init(self, config: types.ComponentConfig) -> None:
        _maybe_trap("init")
        State.config = config
        State.init_calls += 1
        if ("FAIL_INIT", "1") in [tuple(pair) for pair in config.env]:
            raise Err(types.ComponentError_InitializationFailed("FAIL_INIT=1"))

    def execute(self, operation: bytes, context: types.ExecutionContext) -> bytes:
        _maybe_trap("execute")
        try:
            result = run(operation)
        except BadCommand as error:
            raise Err(types.ExecutionError_InvalidInput(str(error))) from None
        return json.dumps(result).encode("utf-8")

    def handle_message(self, sender: str, message: bytes) -> None:
        _maybe_trap("handle-message")
        if message == b"trap":
            raise RuntimeError("probe: trap requested by message")
        _MESSAGES.append({"sender": sender, **_bytes_out("data", message)})

    def handle_callback(self, request_id: str, result: Result[bytes, str]) -> None:
        _maybe_trap("handle-callback")
        if isinstance(result, Ok):
            _CALLBACKS.append(
                {"request-id": request_id, "ok": True, **_bytes_out("data", result.value)}
            )
        else:
            _CALLBACKS.append({"request-id": request_id, "ok": False, "err": result.value})

    def metadata(self) -> types.ComponentMetadata:
        _maybe_trap("metadata")
        return METADATA

    def health(self) -> types.HealthStatus:
        _maybe_trap("health")
        return types.HealthStatus(healthy=True, reason=None)

    def shutdown(self) -> None:
        _maybe_trap("shutdown")
