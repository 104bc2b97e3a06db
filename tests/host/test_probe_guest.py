"""The probe guest (tests/guests/probe) against fake host services.

The probe is a componentize-py component of world `extended-component` that runs
JSON commands (see tests/guests/probe/README.md).  It is built once per session
(cached by content in pytest's cache folder), compiled once per wasmtime version
(the artifact is kept beside it), and instantiated in a fresh store for every test
through the generated world bindings, with small fake host interfaces that record
what reaches them and return canned values.  WASI p2 comes from wasmtime, with the
guest's stdout captured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.guests import build_guest, componentize_py_available, load_guest
from wasmtime import Engine, Store, WasiConfig, WasmtimeError
from wasmtime.component import Component, Linker

from witgen.runtime.wit import Err, Ok

if not componentize_py_available():
    pytest.skip("componentize-py is not installed in the venv", allow_module_level=True)

from airssys_bindings.airssys_component_core import (
    component_lifecycle,
    extended_component,
)
from airssys_bindings.airssys_host_core import types as core
from airssys_bindings.airssys_host_extensions import (
    filesystem,
    network,
    process,
    storage,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PROBE_DIR = REPO / "tests" / "guests" / "probe"
WIT_DIR = REPO / "wit"
WORLD = "extended-component"

NOW_MS = 1_700_000_000_000
CONTEXT = core.ExecutionContext(request_id="req-1", timeout_ms=1000)

Json = Any


# ---------------------------------------------------------------- fake host


def _metadata(name: str) -> core.ComponentMetadata:
    return core.ComponentMetadata(
        name=name,
        version="1.2.3",
        description="a fake component",
        author="tests",
        license="MIT",
        requested_permissions=core.RequestedPermissions(filesystem=[], network=[], storage=[]),
        supported_operations=["x"],
        language="rust",
        memory_requirements=core.MemoryRequirements(
            min_memory_bytes=1, max_memory_bytes=2, preferred_memory_bytes=1
        ),
        timeout_ms=None,
        stateful=False,
        api_version="1.0.0",
        homepage=None,
        repository=None,
        tags=[],
    )


@dataclass
class FakeHostServices:
    """`host-services`: components `probe` and `other`; anything else is not found."""

    logs: list[tuple[core.LogLevel, str, list[tuple[str, str]] | None]] = field(
        default_factory=list
    )
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    requests: list[tuple[str, bytes, int]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    slept: list[int] = field(default_factory=list)
    components: tuple[str, ...] = ("probe", "other")

    def _known(self, target: str) -> None:
        if target not in self.components:
            raise Err(core.MessagingError_ComponentNotFound(target))

    def log(
        self, level: core.LogLevel, message: str, context: list[tuple[str, str]] | None
    ) -> None:
        self.logs.append((level, message, context))

    def send_message(self, target: str, message: bytes) -> None:
        self._known(target)
        self.sent.append((target, message))

    def send_request(self, target: str, request: bytes, timeout_ms: int) -> str:
        self._known(target)
        self.requests.append((target, request, timeout_ms))
        return f"request-{len(self.requests)}"

    def cancel_request(self, request_id: str) -> None:
        self.cancelled.append(request_id)

    def current_time_millis(self) -> int:
        return NOW_MS

    def sleep_millis(self, duration: int) -> None:
        self.slept.append(duration)

    def list_components(self) -> list[str]:
        return list(self.components)

    def get_component_metadata(self, id: str) -> core.ComponentMetadata:
        if id not in self.components:
            raise Err(core.ComponentError_InternalError(f"no component {id}"))
        return _metadata(id)


@dataclass
class FakeFilesystem:
    """`filesystem` over a dict of paths to bytes."""

    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)

    def read_file(self, path: str) -> bytes:
        self.calls.append(("read-file", path))
        if path not in self.files:
            raise Err(core.FileError_NotFound(path))
        return self.files[path]

    def write_file(self, path: str, data: bytes) -> None:
        self.calls.append(("write-file", path))
        self.files[path] = data

    def stat_file(self, path: str) -> filesystem.FileMetadata:
        self.calls.append(("stat-file", path))
        if path not in self.files:
            raise Err(core.FileError_NotFound(path))
        return filesystem.FileMetadata(
            size=len(self.files[path]),
            is_directory=False,
            is_symlink=False,
            created=NOW_MS,
            modified=NOW_MS,
            readonly=False,
        )

    def delete_file(self, path: str) -> None:
        self.calls.append(("delete-file", path))
        if self.files.pop(path, None) is None:
            raise Err(core.FileError_NotFound(path))

    def list_directory(self, path: str) -> list[filesystem.DirectoryEntry]:
        self.calls.append(("list-directory", path))
        prefix = path.rstrip("/") + "/"
        return [
            filesystem.DirectoryEntry(name=name[len(prefix) :], is_directory=False, size=len(data))
            for name, data in sorted(self.files.items())
            if name.startswith(prefix)
        ]

    def create_directory(self, path: str) -> None:
        self.calls.append(("create-directory", path))


@dataclass
class FakeNetwork:
    """`network`: every request gets 200 and `hello`; host `bad.example` is refused."""

    requests: list[network.OutgoingHttpRequest] = field(default_factory=list)

    def http_request(self, request: network.OutgoingHttpRequest) -> network.HttpResponse:
        self.requests.append(request)
        if "bad.example" in request.url:
            raise Err(core.HttpError_PermissionDenied(request.url))
        return network.HttpResponse(
            status=200, headers=[("content-type", "text/plain")], body=b"hello"
        )


@dataclass
class FakeProcess:
    """`process`: spawning gives handle 7, which exits 3 printing `out`."""

    spawned: list[tuple[str, list[str], list[tuple[str, str]] | None]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=lambda: {"GREETING": "hi"})

    def spawn_process(
        self, command: str, args: list[str], env: list[tuple[str, str]] | None
    ) -> int:
        self.spawned.append((command, args, env))
        return 7

    def wait_process(self, handle: int, timeout_ms: int) -> process.ProcessResult:
        if handle != 7:
            raise Err(core.ComponentError_InvalidConfiguration(f"unknown handle {handle}"))
        return process.ProcessResult(exit_code=3, stdout=b"out", stderr=b"\xff")

    def get_env(self, name: str) -> str | None:
        return self.env.get(name)


@dataclass
class FakeStorage:
    """`storage` over a dict; namespace `secret:x` is refused."""

    values: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def _check(self, namespace: str) -> None:
        if namespace == "secret:x":
            raise Err(storage.StorageError_PermissionDenied(namespace))

    def get(self, namespace: str, key: str) -> bytes | None:
        self._check(namespace)
        return self.values.get((namespace, key))

    def set(self, namespace: str, key: str, value: bytes) -> None:
        self._check(namespace)
        self.values[(namespace, key)] = value

    def delete(self, namespace: str, key: str) -> None:
        self._check(namespace)
        self.values.pop((namespace, key), None)

    def list_keys(self, namespace: str) -> list[str]:
        self._check(namespace)
        return sorted(key for ns, key in self.values if ns == namespace)


@dataclass
class FakeHost:
    """The world's imports (satisfies `extended_component.Imports`)."""

    host_services: FakeHostServices = field(default_factory=FakeHostServices)
    filesystem: FakeFilesystem = field(default_factory=FakeFilesystem)
    network: FakeNetwork = field(default_factory=FakeNetwork)
    process: FakeProcess = field(default_factory=FakeProcess)
    storage: FakeStorage = field(default_factory=FakeStorage)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def guest_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-guests"))
    return tmp_path_factory.getbasetemp().parent / "witgen-guests"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="session")
def probe_component(engine: Engine, guest_cache: Path) -> Component:
    wasm = build_guest(PROBE_DIR, WORLD, WIT_DIR, guest_cache)
    return load_guest(engine, wasm)


@dataclass
class Probe:
    """One instance of the probe in its own store."""

    exports: extended_component.Exports
    host: FakeHost
    store: Store
    stdout: bytearray
    stderr: bytearray

    @property
    def lifecycle(self) -> component_lifecycle.Exports:
        return self.exports.component_lifecycle

    def run(self, command: dict[str, Json]) -> Json:
        """`execute` one command; its JSON result."""
        return json.loads(self.lifecycle.execute(json.dumps(command).encode(), CONTEXT))


def instantiate(engine: Engine, component: Component, host: FakeHost) -> Probe:
    linker = Linker(engine)
    linker.add_wasip2()
    extended_component.add_to_linker(linker, host)
    stdout, stderr = bytearray(), bytearray()
    wasi = WasiConfig()
    wasi.stdout_custom = stdout.extend
    wasi.stderr_custom = stderr.extend
    wasi.env = [("PROBE_WASI_VAR", "from-wasi")]
    store = Store(engine)
    store.set_wasi(wasi)  # required: the first WASI call aborts the process without it
    exports = extended_component.instantiate(store, linker, component)
    return Probe(exports, host, store, stdout, stderr)


@pytest.fixture
def probe(engine: Engine, probe_component: Component) -> Iterator[Probe]:
    yield instantiate(engine, probe_component, FakeHost())


# ---------------------------------------------------------------- commands


def test_echo(probe: Probe) -> None:
    data = {"nested": [1, "two", None, True], "text": "ünïcode"}
    assert probe.run({"op": "echo", "data": data}) == {"data": data}


def test_log_reaches_the_host(probe: Probe) -> None:
    assert probe.run({"op": "log", "level": "warn", "message": "hi", "context": {"k": "v"}}) == {}
    probe.run({"op": "log", "message": "plain"})
    assert probe.host.host_services.logs == [
        (core.LogLevel.WARN, "hi", [("k", "v")]),
        (core.LogLevel.INFO, "plain", None),
    ]


def test_send_message_reaches_the_host(probe: Probe) -> None:
    assert probe.run({"op": "send-message", "target": "other", "data": "ping"}) == {}
    probe.run({"op": "send-message", "target": "other", "data-b64": "AP8="})
    assert probe.host.host_services.sent == [("other", b"ping"), ("other", b"\x00\xff")]


def test_a_host_error_comes_back_as_json(probe: Probe) -> None:
    result = probe.run({"op": "send-message", "target": "nobody", "data": "x"})
    assert result == {"error": {"case": "component-not-found", "value": "nobody"}}
    result = probe.run({"op": "http", "url": "https://bad.example/"})
    assert result == {"error": {"case": "permission-denied", "value": "https://bad.example/"}}


def test_requests(probe: Probe) -> None:
    sent = probe.run({"op": "send-request", "target": "other", "data": "q", "timeout-ms": 250})
    assert sent == {"request-id": "request-1"}
    assert probe.run({"op": "cancel-request", "request-id": "request-1"}) == {}
    assert probe.host.host_services.requests == [("other", b"q", 250)]
    assert probe.host.host_services.cancelled == ["request-1"]


def test_host_services_queries(probe: Probe) -> None:
    assert probe.run({"op": "time"}) == {"millis": NOW_MS}
    assert probe.run({"op": "sleep", "ms": 5}) == {}
    assert probe.host.host_services.slept == [5]
    assert probe.run({"op": "list-components"}) == {"components": ["probe", "other"]}
    metadata = probe.run({"op": "metadata-of", "id": "other"})["metadata"]
    assert metadata["name"] == "other"
    assert metadata["memory-requirements"]["max-memory-bytes"] == 2
    assert probe.run({"op": "metadata-of", "id": "ghost"}) == {
        "error": {"case": "internal-error", "value": "no component ghost"}
    }


def test_storage_round_trip(probe: Probe) -> None:
    assert probe.run({"op": "kv-set", "namespace": "app:cfg", "key": "k", "value": "v1"}) == {}
    assert probe.host.storage.values == {("app:cfg", "k"): b"v1"}
    got = probe.run({"op": "kv-get", "namespace": "app:cfg", "key": "k"})
    assert got == {"found": True, "value": "v1", "value-b64": "djE="}
    assert probe.run({"op": "kv-list", "namespace": "app:cfg"}) == {"keys": ["k"]}
    assert probe.run({"op": "kv-delete", "namespace": "app:cfg", "key": "k"}) == {}
    missing = probe.run({"op": "kv-get", "namespace": "app:cfg", "key": "k"})
    assert missing == {"found": False, "value": None, "value-b64": None}
    denied = probe.run({"op": "kv-list", "namespace": "secret:x"})
    assert denied == {"error": {"case": "permission-denied", "value": "secret:x"}}


def test_filesystem(probe: Probe) -> None:
    assert probe.run({"op": "read-file", "path": "/data/missing"}) == {
        "error": {"case": "not-found", "value": "/data/missing"}
    }
    assert probe.run({"op": "write-file", "path": "/data/a.bin", "data-b64": "/w=="}) == {}
    assert probe.run({"op": "read-file", "path": "/data/a.bin"}) == {
        "data": None,  # not UTF-8
        "data-b64": "/w==",
    }
    stat = probe.run({"op": "stat", "path": "/data/a.bin"})["metadata"]
    assert stat["size"] == 1 and stat["is-directory"] is False
    listing = probe.run({"op": "list-dir", "path": "/data"})
    assert listing == {"entries": [{"name": "a.bin", "is-directory": False, "size": 1}]}
    assert probe.run({"op": "mkdir", "path": "/data/sub"}) == {}
    assert probe.run({"op": "delete", "path": "/data/a.bin"}) == {}
    assert [name for name, _ in probe.host.filesystem.calls] == [
        "read-file",
        "write-file",
        "read-file",
        "stat-file",
        "list-directory",
        "create-directory",
        "delete-file",
    ]


def test_http(probe: Probe) -> None:
    result = probe.run(
        {
            "op": "http",
            "method": "post",
            "url": "https://api.example/x",
            "headers": [["accept", "text/plain"]],
            "body": "payload",
            "timeout-ms": 100,
        }
    )
    assert result == {
        "status": 200,
        "headers": [["content-type", "text/plain"]],
        "body": "hello",
        "body-b64": "aGVsbG8=",
    }
    assert probe.host.network.requests == [
        network.OutgoingHttpRequest(
            method=network.HttpMethod.POST,
            url="https://api.example/x",
            headers=[("accept", "text/plain")],
            body=b"payload",
            timeout_ms=100,
        )
    ]


def test_process(probe: Probe) -> None:
    spawned = probe.run({"op": "spawn", "command": "/bin/tool", "args": ["-v"], "env": {"A": "1"}})
    assert spawned == {"handle": 7}
    assert probe.host.process.spawned == [("/bin/tool", ["-v"], [("A", "1")])]
    assert probe.run({"op": "wait", "handle": 7}) == {
        "exit-code": 3,
        "stdout": "out",
        "stdout-b64": "b3V0",
        "stderr": None,
        "stderr-b64": "/w==",
    }
    assert probe.run({"op": "get-env", "name": "GREETING"}) == {"value": "hi"}
    assert probe.run({"op": "get-env", "name": "NOPE"}) == {"value": None}


def test_flood(probe: Probe) -> None:
    assert probe.run({"op": "flood", "target": "other", "count": 3}) == {"sent": 3}
    assert probe.host.host_services.sent == [("other", b"0"), ("other", b"1"), ("other", b"2")]


@pytest.mark.parametrize(
    "operation",
    [
        b"\xff",
        b"not json",
        b"[1, 2]",
        b'{"op": "no-such-op"}',
        b'{"op": "sleep"}',
        b'{"op": "sleep", "ms": "5"}',
        b'{"op": "write-file", "path": "/x", "data-b64": "***"}',
    ],
)
def test_a_malformed_command_is_invalid_input(probe: Probe, operation: bytes) -> None:
    with pytest.raises(Err) as raised:
        probe.lifecycle.execute(operation, CONTEXT)
    assert isinstance(raised.value.value, core.ExecutionError_InvalidInput)
    # The instance is still usable.
    assert probe.run({"op": "echo", "data": 1}) == {"data": 1}


# ---------------------------------------------------------------- the other exports


def test_messages_and_callbacks(probe: Probe) -> None:
    probe.lifecycle.handle_message("other", b"first")
    probe.lifecycle.handle_message("third", b"\x00\xff")
    probe.lifecycle.handle_callback("request-1", Ok(b"answer"))
    probe.lifecycle.handle_callback("request-2", Err("timed out"))
    assert probe.run({"op": "messages"}) == {
        "messages": [
            {"sender": "other", "data": "first", "data-b64": "Zmlyc3Q="},
            {"sender": "third", "data": None, "data-b64": "AP8="},
        ],
        "callbacks": [
            {"request-id": "request-1", "ok": True, "data": "answer", "data-b64": "YW5zd2Vy"},
            {"request-id": "request-2", "ok": False, "err": "timed out"},
        ],
    }


def test_metadata_and_health(probe: Probe) -> None:
    metadata = probe.lifecycle.metadata()
    assert (metadata.name, metadata.version, metadata.api_version) == ("probe", "0.1.0", "1.0.0")
    assert metadata.language == "python"
    assert "echo" in metadata.supported_operations
    assert probe.lifecycle.health() == core.HealthStatus(healthy=True, reason=None)
    probe.lifecycle.shutdown()


def test_init_keeps_the_config(probe: Probe) -> None:
    probe.lifecycle.init(core.ComponentConfig(env=[("MODE", "test")], config_data=b"cfg"))
    assert probe.run({"op": "config"}) == {
        "init-calls": 1,
        "env": [["MODE", "test"]],
        "config-data": "cfg",
        "config-data-b64": "Y2Zn",
    }


def test_init_fails_with_fail_init(probe: Probe) -> None:
    config = core.ComponentConfig(env=[("FAIL_INIT", "1")], config_data=None)
    with pytest.raises(Err) as raised:
        probe.lifecycle.init(config)
    assert raised.value.value == core.ComponentError_InitializationFailed("FAIL_INIT=1")
    assert probe.run({"op": "config"})["init-calls"] == 1


# ---------------------------------------------------------------- traps and WASI


def test_a_trap_poisons_the_store_and_a_new_store_works(
    engine: Engine, probe_component: Component, probe: Probe
) -> None:
    with pytest.raises(WasmtimeError, match="unreachable"):
        probe.run({"op": "trap"})
    assert b"RuntimeError: probe: trap requested" in probe.stderr  # the guest's traceback
    with pytest.raises(WasmtimeError):
        probe.run({"op": "echo", "data": 1})
    fresh = instantiate(engine, probe_component, FakeHost())
    assert fresh.run({"op": "echo", "data": 1}) == {"data": 1}


def test_a_trapping_message_poisons_the_store(probe: Probe) -> None:
    with pytest.raises(WasmtimeError):
        probe.lifecycle.handle_message("other", b"trap")
    with pytest.raises(WasmtimeError):
        probe.lifecycle.health()


def test_print_reaches_wasi_stdout(probe: Probe) -> None:
    assert probe.run({"op": "print", "text": "hello from the probe"}) == {}
    assert probe.run({"op": "print", "text": "to stderr", "stream": "stderr"}) == {}
    assert bytes(probe.stdout) == b"hello from the probe\n"
    assert bytes(probe.stderr) == b"to stderr\n"


def test_wasi_env_and_files(probe: Probe) -> None:
    env = probe.run({"op": "wasi-env"})["env"]
    assert env.get("PROBE_WASI_VAR") == "from-wasi"
    # No directory is preopened, so Python's open() finds nothing.
    result = probe.run({"op": "wasi-read", "path": "/etc/passwd"})
    assert result["error"]["case"] in {"FileNotFoundError", "PermissionError", "OSError"}


def test_alloc_with_a_limit(probe: Probe) -> None:
    assert probe.run({"op": "alloc", "mib": 2}) == {"mib": 2}
