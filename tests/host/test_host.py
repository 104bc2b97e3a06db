"""The airssys host running real components: the probe guest (a componentize-py
component, tests/guests/probe) loaded under manifests, every host call checked,
faults contained.  One compile per session, kept in the cache folder."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.guests import build_guest, componentize_py_available

from witgen.host.airssys import (
    AirssysHost,
    ComponentFailed,
    ComponentTrapped,
    HostConfig,
    LoadError,
)
from witgen.runtime.wit import Err

if not componentize_py_available():
    pytest.skip("componentize-py is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.xdist_group("probe"), pytest.mark.slow]


@pytest.fixture(scope="session")
def probe(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    folder = (
        Path(cache.mkdir("witgen-guests"))
        if cache is not None
        else tmp_path_factory.getbasetemp().parent / "witgen-guests"
    )
    return build_guest(
        ROOT / "tests" / "guests" / "probe", "extended-component", ROOT / "wit", folder
    )


@pytest.fixture(scope="session")
def compiled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The host's compile cache, shared by the session (and kept between runs)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-host-cache"))
    return tmp_path_factory.getbasetemp().parent / "witgen-host-cache"


def manifest(folder: Path, name: str, body: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'[component]\nname = "{name}"\nversion = "0.1.0"\n{body}')
    return path


@pytest.fixture
def host(tmp_path: Path, compiled: Path) -> Iterator[AirssysHost]:
    config = HostConfig(
        cache_dir=compiled,
        fs_root=tmp_path / "roots",
        storage_path=tmp_path / "store.sqlite",
        lifecycle_timeout_ms=20_000,
    )
    with AirssysHost(config) as running:
        yield running


def run(host: AirssysHost, name: str, command: dict[str, Any], **options: Any) -> Any:
    output = host.execute(name, json.dumps(command).encode(), **options)
    return json.loads(output)


def start(
    host: AirssysHost, probe: Path, folder: Path, name: str, body: str = "", **options: Any
) -> None:
    host.load(probe, manifest(folder, name, body), **options)
    host.init(name)


# ---------------------------------------------------------------- lifecycle


def test_lifecycle(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    runtime = host.load(probe, manifest(tmp_path, "alpha"), env={"MODE": "test"})
    assert runtime.metadata is not None and runtime.metadata.name == "probe"  # before init
    host.init("alpha", config_data=b"cfg")
    config = run(host, "alpha", {"op": "config"})
    assert config["env"] == [["MODE", "test"]] and config["config-data"] == "cfg"
    assert run(host, "alpha", {"op": "echo", "data": "héllo"}) == {"data": "héllo"}
    assert host.health("alpha").healthy
    host.shutdown("alpha")
    with pytest.raises(ComponentFailed, match="stopped"):
        host.execute("alpha", b"{}")


def test_init_refusal_is_the_error_case(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    host.load(probe, manifest(tmp_path, "alpha"), env={"FAIL_INIT": "1"})
    with pytest.raises(Err) as refused:
        host.init("alpha")
    assert type(refused.value.value).__name__ == "ComponentError_InitializationFailed"


def test_a_malformed_operation_is_the_components_error(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    start(host, probe, tmp_path, "alpha")
    with pytest.raises(Err) as refused:
        host.execute("alpha", b"not json")
    assert type(refused.value.value).__name__ == "ExecutionError_InvalidInput"
    assert run(host, "alpha", {"op": "echo", "data": "still fine"}) == {"data": "still fine"}


# ---------------------------------------------------------------- faults


def test_a_trap_restarts_the_component_and_spares_the_others(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    start(host, probe, tmp_path, "alpha")
    start(host, probe, tmp_path, "beta")
    with pytest.raises(ComponentTrapped, match="execute trapped"):
        run(host, "alpha", {"op": "trap", "message": "boom"})
    assert host.component("alpha").restarts == 1
    # Re-initialised with its configuration, in a new store.
    assert run(host, "alpha", {"op": "config"})["init-calls"] == 1
    assert run(host, "beta", {"op": "echo", "data": "unaffected"}) == {"data": "unaffected"}


@pytest.mark.parametrize("function", ["init", "execute", "health", "shutdown"])
def test_a_trap_in_each_lifecycle_call_is_contained(
    host: AirssysHost, probe: Path, tmp_path: Path, function: str
) -> None:
    start(host, probe, tmp_path, "alpha")
    start(host, probe, tmp_path, "beta")
    run(host, "alpha", {"op": "trap-in", "calls": [function]})
    calls = {
        "init": lambda: host.init("alpha"),
        "execute": lambda: run(host, "alpha", {"op": "echo", "data": "x"}),
        "health": lambda: host.health("alpha"),
        "shutdown": lambda: host.shutdown("alpha"),
    }
    with pytest.raises(ComponentTrapped, match=f"{function} trapped"):
        calls[function]()
    assert host.component("alpha").restarts == 1
    if function == "shutdown":  # stopped all the same
        with pytest.raises(ComponentFailed, match="stopped"):
            run(host, "alpha", {"op": "echo", "data": "x"})
    else:  # a new store, initialised again: the trap is gone with the old one
        assert run(host, "alpha", {"op": "echo", "data": "again"}) == {"data": "again"}
        assert host.health("alpha").healthy
    assert run(host, "beta", {"op": "echo", "data": "unaffected"}) == {"data": "unaffected"}


def test_a_trap_in_handle_message_and_handle_callback_is_contained(
    host: AirssysHost, probe: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    grant = '[capabilities.messaging]\nsend = ["beta"]\n'
    start(host, probe, tmp_path, "alpha", grant)
    start(host, probe, tmp_path, "beta", '[capabilities.messaging]\nsend = ["alpha"]\n')
    run(host, "alpha", {"op": "trap-in", "calls": ["handle-message", "handle-callback"]})
    with caplog.at_level(logging.WARNING, logger="witgen.component"):
        run(host, "beta", {"op": "send-message", "target": "alpha", "data": "hello"})
        assert host.wait_idle(30)
        assert host.component("alpha").restarts == 1  # the delivery trapped it
        run(host, "alpha", {"op": "trap-in", "calls": ["handle-callback"]})
        request = json.dumps({"op": "echo", "data": "ping"})
        run(host, "alpha", {"op": "send-request", "target": "beta", "data": request})
        assert host.wait_idle(30)
        assert host.component("alpha").restarts == 2  # so did the callback
    failures = [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]
    assert len(failures) == 2 and all("trapped" in text for text in failures)
    assert run(host, "alpha", {"op": "messages"}) == {"messages": [], "callbacks": []}
    assert run(host, "beta", {"op": "echo", "data": "unaffected"}) == {"data": "unaffected"}


def test_a_trap_in_metadata_refuses_the_load(
    host: AirssysHost, tmp_path: Path, compiled: Path
) -> None:
    """A component whose every function traps (wasm-tools' dummy of the world):
    `metadata` is the first call, at load."""
    from support.components import build_dummy_component

    dummy = build_dummy_component(ROOT / "wit", "component", cache_dir=compiled)
    with pytest.raises(LoadError, match=r"metadata failed: .*metadata trapped"):
        host.load(dummy, manifest(tmp_path, "dummy"))
    assert host.component_names() == []


def test_a_component_that_keeps_trapping_is_failed(
    tmp_path: Path, probe: Path, compiled: Path
) -> None:
    with AirssysHost(HostConfig(cache_dir=compiled, restart_limit=1)) as host:
        start(host, probe, tmp_path, "alpha")
        for _ in range(2):
            with pytest.raises(ComponentTrapped):
                run(host, "alpha", {"op": "trap"})
        with pytest.raises(ComponentFailed, match="failed"):
            run(host, "alpha", {"op": "echo", "data": "x"})


def test_an_infinite_loop_is_stopped_at_its_deadline(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    start(host, probe, tmp_path, "alpha")
    began = time.monotonic()
    with pytest.raises(ComponentTrapped, match="ran past its 300 ms deadline"):
        run(host, "alpha", {"op": "loop"}, timeout_ms=300)
    assert time.monotonic() - began < 5
    assert run(host, "alpha", {"op": "echo", "data": "back"}) == {"data": "back"}


def test_the_manifest_sets_the_deadline(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha", "[limits]\ntimeout-ms = 200\n")
    with pytest.raises(ComponentTrapped, match="200 ms deadline"):
        run(host, "alpha", {"op": "loop"})


def test_a_memory_bomb_is_stopped_at_its_limit(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    start(host, probe, tmp_path, "alpha", '[limits]\nmemory = "96MiB"\n')
    with pytest.raises(ComponentTrapped):
        run(host, "alpha", {"op": "alloc"})
    assert run(host, "alpha", {"op": "echo", "data": "alive"}) == {"data": "alive"}


# ---------------------------------------------------------------- WASI grants nothing


def test_wasi_is_no_way_around_the_grants(
    host: AirssysHost, probe: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret")
    os.environ["WITGEN_TEST_SECRET"] = "leak"
    try:
        start(host, probe, tmp_path, "alpha")
        read = run(host, "alpha", {"op": "wasi-read", "path": str(secret)})
        assert "error" in read and "secret" not in json.dumps(read.get("data"))
        env = run(host, "alpha", {"op": "wasi-env"})["env"]
        assert "WITGEN_TEST_SECRET" not in env
        with caplog.at_level(logging.INFO, logger="witgen.component.alpha"):
            run(host, "alpha", {"op": "print", "text": "to the log"})
        assert any(r.getMessage() == "to the log" for r in caplog.records)
    finally:
        del os.environ["WITGEN_TEST_SECRET"]


# ---------------------------------------------------------------- host services


def test_log_goes_to_the_components_logger(
    host: AirssysHost, probe: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start(host, probe, tmp_path, "alpha")
    with caplog.at_level(logging.DEBUG, logger="witgen.component.alpha"):
        run(
            host,
            "alpha",
            {"op": "log", "level": "warn", "message": "careful", "context": {"k": "v"}},
        )
    (record,) = [r for r in caplog.records if r.getMessage() == "careful"]
    assert record.levelno == logging.WARNING
    assert record.context == {"k": "v"}  # type: ignore[attr-defined]
    assert record.component == "alpha"  # type: ignore[attr-defined]


def test_time_sleep_and_registry(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha")
    start(host, probe, tmp_path, "beta")
    millis = run(host, "alpha", {"op": "time"})["millis"]
    assert abs(millis - time.time() * 1000) < 5000
    assert run(host, "alpha", {"op": "list-components"})["components"] == ["alpha", "beta"]
    assert run(host, "alpha", {"op": "metadata-of", "id": "beta"})["metadata"]["name"] == "probe"
    missing = run(host, "alpha", {"op": "metadata-of", "id": "nobody"})
    assert missing["error"]["case"] == "invalid-configuration"
    began = time.monotonic()
    run(host, "alpha", {"op": "sleep", "ms": 60_000}, timeout_ms=400)
    assert time.monotonic() - began < 3  # the sleep stopped at the call's deadline


def test_messages_are_delivered_in_order_after_the_call(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    """Delivered by the host after the sender's call, without the sender waiting:
    `wait_idle` is how a test (or an application) knows they arrived."""
    start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
    start(host, probe, tmp_path, "beta")
    for text in ("one", "two", "three"):
        assert run(host, "alpha", {"op": "send-message", "target": "beta", "data": text}) == {}
    assert host.wait_idle(30)
    received = run(host, "beta", {"op": "messages"})["messages"]
    assert [(m["sender"], m["data"]) for m in received] == [
        ("alpha", "one"),
        ("alpha", "two"),
        ("alpha", "three"),
    ]


def test_messaging_needs_a_grant(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha")
    start(host, probe, tmp_path, "beta")
    denied = run(host, "alpha", {"op": "send-message", "target": "beta", "data": "hi"})
    assert denied["error"]["case"] == "delivery-failed"
    assert "messaging" in denied["error"]["value"]
    assert run(host, "beta", {"op": "messages"})["messages"] == []


def test_a_message_to_nobody(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["ghost"]\n')
    result = run(host, "alpha", {"op": "send-request", "target": "ghost", "data": "?"})
    assert result["error"] == {"case": "component-not-found", "value": "ghost"}


def test_request_and_callback(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
    start(host, probe, tmp_path, "beta")
    request = json.dumps({"op": "echo", "data": "ping"})
    sent = run(host, "alpha", {"op": "send-request", "target": "beta", "data": request})
    assert host.wait_idle(30)
    callbacks = run(host, "alpha", {"op": "messages"})["callbacks"]
    assert callbacks == [
        {
            "request-id": sent["request-id"],
            "ok": True,
            "data": json.dumps({"data": "ping"}),
            "data-b64": callbacks[0]["data-b64"],
        }
    ]


def test_a_request_that_times_out(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
    start(host, probe, tmp_path, "beta")
    loop = json.dumps({"op": "loop"})
    sent = run(
        host, "alpha", {"op": "send-request", "target": "beta", "data": loop, "timeout-ms": 300}
    )
    assert host.wait_idle(30)
    (callback,) = run(host, "alpha", {"op": "messages"})["callbacks"]
    assert callback["request-id"] == sent["request-id"] and callback["ok"] is False
    assert "beta trapped" in callback["err"] and "deadline" in callback["err"]
    assert run(host, "beta", {"op": "echo", "data": "recovered"}) == {"data": "recovered"}


def test_a_request_cancelled_before_delivery_never_runs(
    host: AirssysHost, probe: Path, tmp_path: Path
) -> None:
    """The request waits in beta's mailbox (a caller keeps beta busy); alpha
    cancels it: its callback says so, and beta never executes it."""
    import threading

    start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
    start(host, probe, tmp_path, "beta", '[capabilities.messaging]\nsend = ["alpha"]\n')
    busy = threading.Thread(target=run, args=(host, "beta", {"op": "sleep", "ms": 1500}))
    busy.start()
    try:
        time.sleep(0.2)
        request = json.dumps({"op": "send-message", "target": "alpha", "data": "executed"})
        sent = run(host, "alpha", {"op": "send-request", "target": "beta", "data": request})
        assert run(host, "alpha", {"op": "cancel-request", "request-id": sent["request-id"]}) == {}
    finally:
        busy.join()
    assert host.wait_idle(30)
    received = run(host, "alpha", {"op": "messages"})
    assert received["messages"] == []
    assert received["callbacks"] == [
        {"request-id": sent["request-id"], "ok": False, "err": "cancelled"}
    ]


def test_a_message_flood_is_bounded(tmp_path: Path, probe: Path, compiled: Path) -> None:
    with AirssysHost(HostConfig(cache_dir=compiled, mailbox_limit=5)) as host:
        start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
        start(host, probe, tmp_path, "beta")
        flood = run(host, "alpha", {"op": "flood", "target": "beta", "count": 1000})
        assert flood["sent"] == 5
        assert flood["error"]["case"] == "delivery-failed" and "full" in flood["error"]["value"]
        assert host.wait_idle(30)
        assert len(run(host, "beta", {"op": "messages"})["messages"]) == 5


def test_message_size_limit(tmp_path: Path, probe: Path, compiled: Path) -> None:
    with AirssysHost(HostConfig(cache_dir=compiled, message_size_limit=10)) as host:
        start(host, probe, tmp_path, "alpha", '[capabilities.messaging]\nsend = ["beta"]\n')
        start(host, probe, tmp_path, "beta")
        big = run(host, "alpha", {"op": "send-message", "target": "beta", "data": "x" * 11})
        assert big["error"]["case"] == "message-too-large"


def test_filesystem_under_the_root(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    (root / "data" / "in.txt").write_text("input")
    (tmp_path / "outside.txt").write_text("outside")
    (root / "data" / "escape").symlink_to(tmp_path / "outside.txt")
    start(
        host,
        probe,
        tmp_path,
        "alpha",
        '[capabilities.filesystem]\nread = ["/data/**"]\nwrite = ["/data/out/**"]\n',
        fs_root=root,
    )
    assert run(host, "alpha", {"op": "read-file", "path": "/data/in.txt"})["data"] == "input"
    traversal = run(host, "alpha", {"op": "read-file", "path": "/data/../../outside.txt"})
    assert traversal["error"]["case"] == "permission-denied"
    escape = run(host, "alpha", {"op": "read-file", "path": "/data/escape"})
    assert escape["error"]["case"] == "permission-denied"
    denied = run(host, "alpha", {"op": "write-file", "path": "/data/in.txt", "data": "x"})
    assert denied["error"]["case"] == "permission-denied"
    assert (root / "data" / "in.txt").read_text() == "input"
    run(host, "alpha", {"op": "mkdir", "path": "/data/out"})
    assert run(host, "alpha", {"op": "write-file", "path": "/data/out/r.txt", "data": "ok"}) == {}
    assert (root / "data" / "out" / "r.txt").read_text() == "ok"


def test_no_filesystem_without_a_root(tmp_path: Path, probe: Path, compiled: Path) -> None:
    with AirssysHost(HostConfig(cache_dir=compiled)) as host:
        start(host, probe, tmp_path, "alpha", '[capabilities.filesystem]\nread = ["/data/**"]\n')
        result = run(host, "alpha", {"op": "read-file", "path": "/data/x"})
        assert result["error"]["case"] == "permission-denied"


def test_storage_quota_and_durability(tmp_path: Path, probe: Path, compiled: Path) -> None:
    grants = '[capabilities.storage]\nnamespaces = ["app:*"]\nmax-size = "100B"\n'
    config = HostConfig(cache_dir=compiled, storage_path=tmp_path / "kv.sqlite")
    with AirssysHost(config) as host:
        start(host, probe, tmp_path, "alpha", grants)
        assert (
            run(host, "alpha", {"op": "kv-set", "namespace": "app:a", "key": "k", "value": "v"})
            == {}
        )
        over = run(
            host, "alpha", {"op": "kv-set", "namespace": "app:a", "key": "big", "value": "x" * 200}
        )
        assert over["error"]["case"] == "quota-exceeded"
        other = run(host, "alpha", {"op": "kv-set", "namespace": "other", "key": "k", "value": "v"})
        assert other["error"]["case"] == "permission-denied"
    with AirssysHost(config) as host:  # a restart keeps what was stored, nothing more
        start(host, probe, tmp_path, "alpha", grants)
        assert (
            run(host, "alpha", {"op": "kv-get", "namespace": "app:a", "key": "k"})["value"] == "v"
        )
        assert (
            run(host, "alpha", {"op": "kv-get", "namespace": "app:a", "key": "big"})["found"]
            is False
        )


def test_process_spawning(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    if not Path("/bin/echo").exists():
        pytest.skip("no /bin/echo")
    start(host, probe, tmp_path, "alpha", '[capabilities.process]\nspawn = ["/bin/echo"]\n')
    handle = run(host, "alpha", {"op": "spawn", "command": "/bin/echo", "args": ["hi"]})["handle"]
    waited = run(host, "alpha", {"op": "wait", "handle": handle})
    assert waited["exit-code"] == 0 and waited["stdout"] == "hi\n"
    denied = run(host, "alpha", {"op": "spawn", "command": "/bin/sh", "args": ["-c", "id"]})
    assert denied["error"]["case"] == "invalid-configuration"


def test_network_denied_without_a_grant(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    start(host, probe, tmp_path, "alpha")
    result = run(host, "alpha", {"op": "http", "url": "http://example.com/"})
    assert result["error"]["case"] == "permission-denied"


def test_loading_the_same_name_twice(host: AirssysHost, probe: Path, tmp_path: Path) -> None:
    host.load(probe, manifest(tmp_path, "alpha"))
    with pytest.raises(LoadError, match="a component of that name is loaded"):
        host.load(probe, manifest(tmp_path, "alpha"))


# ---------------------------------------------------------------- deprecation


def test_a_deprecated_import_is_warned_once_per_component_and_item(
    host: AirssysHost,
    probe: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if the host's host-core deprecated `current-time-millis` (the probe imports it)
    # and the whole `process` interface: what bindings of such WIT carry.
    from airssys_bindings.airssys_host_core import host_services
    from airssys_bindings.airssys_host_extensions import process

    from witgen.runtime.wit import Deprecated

    monkeypatch.setitem(
        host_services.DEPRECATED,
        "current-time-millis",
        Deprecated("function", "current-time-millis", "1.1.0", "now", "2.0.0"),
    )
    monkeypatch.setitem(
        process.DEPRECATED, "", Deprecated("interface", "process", "1.2.0", None, "2.0.0")
    )
    with caplog.at_level(logging.WARNING, logger="witgen.component"):
        host.load(probe, manifest(tmp_path, "alpha"))
        host.unload("alpha")
        host.load(probe, manifest(tmp_path, "alpha"))  # loaded again: no new warning
        host.load(probe, manifest(tmp_path, "beta"))
    warnings = [(r.name, r.getMessage()) for r in caplog.records if r.levelno == logging.WARNING]
    assert sorted(warnings) == [
        (
            "witgen.component.alpha",
            "Component 'alpha' uses deprecated function 'current-time-millis' (deprecated in "
            "1.1.0). Use 'now' instead. Support will be removed in version 2.0.0.",
        ),
        (
            "witgen.component.alpha",
            "Component 'alpha' uses deprecated interface 'process' (deprecated in 1.2.0). "
            "Support will be removed in version 2.0.0.",
        ),
        (
            "witgen.component.beta",
            "Component 'beta' uses deprecated function 'current-time-millis' (deprecated in "
            "1.1.0). Use 'now' instead. Support will be removed in version 2.0.0.",
        ),
        (
            "witgen.component.beta",
            "Component 'beta' uses deprecated interface 'process' (deprecated in 1.2.0). "
            "Support will be removed in version 2.0.0.",
        ),
    ]
    host.init("beta")
    assert run(host, "beta", {"op": "time"})["millis"] > 0  # a deprecated item still works
