"""A generated stub, unedited, is a working component: built with componentize-py
(cached by content hash, `support.guests.build_guest`) and run on the airssys
host, its defaults do what the lifecycle contract says."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.guests import build_guest, componentize_py_available

from witgen.guest.generate import generate_guest, write_guest
from witgen.host.airssys import AirssysHost, HostConfig
from witgen.runtime.wit import Err, Ok

if not componentize_py_available():
    pytest.skip("componentize-py is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.xdist_group("guest-stubs"), pytest.mark.slow]


def _cache(request: pytest.FixtureRequest, factory: pytest.TempPathFactory, name: str) -> Path:
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir(name))
    return factory.getbasetemp().parent / name


@pytest.fixture(scope="session")
def stub_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stub of `extended-component`, generated as an author would (`app/`
    beside a copy of the WIT, so its files are the same on every run)."""
    root = tmp_path_factory.mktemp("stub")
    shutil.copytree(ROOT / "wit", root / "wit")
    app = root / "stub-app"
    write_guest(app, generate_guest(root / "wit", "extended-component", app))
    return app


@pytest.fixture(scope="session")
def stub_wasm(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, stub_app: Path
) -> Path:
    folder = _cache(request, tmp_path_factory, "witgen-guests")
    return build_guest(stub_app, "extended-component", ROOT / "wit", folder)


@pytest.fixture
def host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AirssysHost]:
    config = HostConfig(
        cache_dir=_cache(request, tmp_path_factory, "witgen-host-cache"),
        lifecycle_timeout_ms=20_000,
    )
    with AirssysHost(config) as running:
        yield running


def test_stub_loads_and_runs(host: AirssysHost, stub_app: Path, stub_wasm: Path) -> None:
    started = time.perf_counter()
    runtime = host.load(stub_wasm, stub_app / "Component.toml")
    loaded = time.perf_counter()
    assert runtime.name == "stub-app"
    metadata = host.metadata_of("stub-app")
    assert metadata is not None
    assert (metadata.name, metadata.version, metadata.language) == ("stub-app", "0.1.0", "python")
    assert metadata.supported_operations == ["echo"]
    host.init("stub-app", b"config")
    assert host.execute("stub-app", b"hello, stub") == b"hello, stub"
    first_call = time.perf_counter() - loaded
    health = host.health("stub-app")
    assert health.healthy is True and health.reason is None
    host.shutdown("stub-app")
    # Figures for the report (`pytest -s` shows them).
    size = stub_wasm.stat().st_size / 1e6
    load = loaded - started
    print(f"\nstub: {size:.1f} MB; load {load:.2f} s; init+execute {first_call * 1000:.1f} ms")


def test_stub_refuses_messages_with_a_wit_error(
    host: AirssysHost, stub_app: Path, stub_wasm: Path
) -> None:
    runtime = host.load(stub_wasm, stub_app / "Component.toml")
    host.init("stub-app")
    with pytest.raises(Err) as refused:
        runtime.call(
            "handle-message",
            20_000,
            lambda e: e.component_lifecycle.handle_message("someone", b"hi"),
        )
    assert "stub-app accepts no messages" in repr(refused.value.value)
    # The refusal is the component's answer, not a fault: it keeps running.
    assert host.execute("stub-app", b"still here") == b"still here"
    runtime.call(
        "handle-callback", 20_000, lambda e: e.component_lifecycle.handle_callback("r-1", Ok(b"x"))
    )
