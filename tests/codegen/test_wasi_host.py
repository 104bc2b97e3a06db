"""Hosting a component that imports WASI: WASI from wasmtime, the rest from Python.

A component of a world importing `wasi:random/random@0.2.0` and one interface of
its own runs through the generated bindings: by default `add_to_linker` links
the WASI import from wasmtime (`Linker.add_wasip2()`) and `Imports` asks only for
the component's own interface; with `--implement wasi:random/random` the host's
Python implementation is linked instead, and wins over wasmtime's.
`instantiate_with` hosts it in one call, and `WorldImports`, the concrete
imports, passes `mypy --strict` where `Imports` is expected.  A choice that
would split a resource between wasmtime and Python, and a pattern that names
nothing, are refused.  Components of `wasi:cli/command` and `wasi:http/proxy`
(wasm-tools' dummies) instantiate in one call with nothing from Python.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from support.components import (
    build_dummy_component,
    build_wat_component,
    find_wasm_tools,
    load_component,
)
from support.corpus import WASI
from wasmtime import Engine, Store, WasiConfig
from wasmtime.component import Linker

from witgen.codegen.generate import Options, generate_files, write_files
from witgen.diagnostics import WitError

from .generated import run_mypy

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

WIT = """\
package test:rnd;

interface host {
  offset: func() -> u64;
}

world w {
  import wasi:random/random@0.2.0;
  import host;
  export run: func() -> u64;
}

package wasi:random@0.2.0 {
  interface random {
    get-random-bytes: func(len: u64) -> list<u8>;
    get-random-u64: func() -> u64;
  }
}
"""

# `run` returns `get-random-u64() + offset()`.
CORE = """\
(module
  (import "wasi:random/random@0.2.0" "get-random-u64" (func $random (result i64)))
  (import "test:rnd/host" "offset" (func $offset (result i64)))
  (func (export "run") (result i64) (i64.add (call $random) (call $offset)))
)
"""


class Host:
    def offset(self) -> int:
        return 7


class Random:
    def get_random_bytes(self, len: int) -> bytes:
        return bytes(len)

    def get_random_u64(self) -> int:
        return 42


@pytest.fixture(scope="module")
def component_path(request: pytest.FixtureRequest) -> Path:
    cache = Path(request.config.cache.mkdir("witgen-components"))
    return build_wat_component(WIT, "w", CORE, cache_dir=cache)


def _bindings(tmp_path: Path, package: str, implement: tuple[str, ...] = ()) -> ModuleType:
    (tmp_path / "wit").mkdir(exist_ok=True)
    (tmp_path / "wit" / "w.wit").write_text(WIT)
    out = tmp_path / package
    options = Options(wit=tmp_path / "wit", out=out, base=tmp_path, implement=implement)
    write_files(out, generate_files(options, reuse=False))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        return importlib.import_module(f"{package}.test_rnd.w")
    finally:
        sys.path.remove(str(tmp_path))


def test_wasi_comes_from_wasmtime_by_default(component_path: Path, tmp_path: Path) -> None:
    w = _bindings(tmp_path, "b_wasi_default")
    assert w.FROM_WASMTIME == {"wasi:random/random@0.2.0": "add_wasip2"}
    assert [field.name for field in w.WorldImports.__dataclass_fields__.values()] == ["host"]
    assert not hasattr(w.Imports, "random")
    engine = Engine()
    component = load_component(engine, component_path)
    exports = w.instantiate_with(Store(engine), component, w.WorldImports(host=Host()))
    values = {exports.run() - 7 for _ in range(3)}
    assert len(values) > 1  # wasmtime's random numbers, not the host's 42
    # The finer-grained way: a linker of the caller's, which adds WASI itself.
    linker = Linker(engine)
    linker.add_wasip2()
    w.add_to_linker(linker, w.WorldImports(host=Host()), wasi=False)
    store = Store(engine)
    store.set_wasi(WasiConfig())
    assert w.instantiate(store, linker, component).run() != 49


def test_an_implemented_wasi_interface_is_the_hosts(component_path: Path, tmp_path: Path) -> None:
    w = _bindings(tmp_path, "b_wasi_mine", ("wasi:random/*",))
    assert w.FROM_WASMTIME == {}
    engine = Engine()
    component = load_component(engine, component_path)
    imports = w.WorldImports(random=Random(), host=Host())
    assert w.instantiate_with(Store(engine), component, imports).run() == 49


def test_world_imports_type_check_as_imports(tmp_path: Path) -> None:
    _bindings(tmp_path, "b_wasi_typed", ("wasi:random/random@0.2.0",))
    (tmp_path / "host_app.py").write_text(
        "from wasmtime import Engine, Store\n"
        "from wasmtime.component import Component\n\n"
        "from b_wasi_typed.test_rnd import w\n\n\n"
        "class Host:\n"
        "    def offset(self) -> int:\n"
        "        return 7\n\n\n"
        "class Random:\n"
        "    def get_random_bytes(self, len: int) -> bytes:\n"
        "        return bytes(len)\n\n"
        "    def get_random_u64(self) -> int:\n"
        "        return 42\n\n\n"
        "def run(component: Component) -> int:\n"
        "    store = Store(Engine())\n"
        "    imports = w.WorldImports(random=Random(), host=Host())\n"
        "    return w.instantiate_with(store, component, imports).run()\n"
    )
    result = run_mypy(tmp_path, ["b_wasi_typed"])
    assert result.returncode == 0, result.stdout + result.stderr
    command = [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "host_app.py"]
    checked = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(not (WASI / "cli").is_dir(), reason=f"no WASI packages at {WASI}")
def test_a_split_resource_is_refused(tmp_path: Path) -> None:
    options = Options(
        wit=WASI / "cli",
        out=tmp_path / "out",
        world="wasi:cli/command@0.2.0",
        base=WASI,
        implement=("wasi:io/streams",),
    )
    with pytest.raises(WitError) as raised:
        generate_files(options, reuse=False)
    messages = [d.message for d in raised.value.diagnostics]
    assert any(
        "`wasi:io/streams@0.2.0` cannot be implemented in Python while wasmtime implements"
        in message
        for message in messages
    ), messages


@pytest.mark.skipif(not (WASI / "cli").is_dir(), reason=f"no WASI packages at {WASI}")
def test_an_interface_without_resources_may_be_implemented(tmp_path: Path) -> None:
    options = Options(
        wit=WASI / "cli",
        out=tmp_path / "out",
        world="wasi:cli/command@0.2.0",
        base=WASI,
        implement=("wasi:cli/environment",),
    )
    files = generate_files(options, reuse=False).files
    command = files["wasi_cli/command.py"]
    assert "def environment(self) -> _wasi_cli_environment.Host" in command
    assert '"wasi:cli/environment@0.2.0": "add_wasip2"' not in command
    assert '"wasi:cli/stdout@0.2.0": "add_wasip2"' in command


def test_a_pattern_that_names_nothing_is_refused(tmp_path: Path) -> None:
    (tmp_path / "wit").mkdir()
    (tmp_path / "wit" / "w.wit").write_text(WIT)
    options = Options(
        wit=tmp_path / "wit", out=tmp_path / "out", base=tmp_path, implement=("wasi:cli/*",)
    )
    with pytest.raises(WitError) as raised:
        generate_files(options, reuse=False)
    assert [d.message for d in raised.value.diagnostics] == [
        "`--implement wasi:cli/*` names no import that wasmtime implements in the world(s) "
        "generated"
    ]


@pytest.mark.skipif(not (WASI / "cli").is_dir(), reason=f"no WASI packages at {WASI}")
@pytest.mark.parametrize(
    ("package", "world", "module"),
    [
        ("cli", "wasi:cli/command@0.2.0", "wasi_cli.command"),
        ("http", "wasi:http/proxy@0.2.0", "wasi_http.proxy"),
    ],
)
def test_a_wasi_world_needs_nothing_from_python(
    package: str, world: str, module: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    cache = Path(request.config.cache.mkdir("witgen-components"))
    component_path = build_dummy_component(WASI / package, world, cache_dir=cache)
    out = tmp_path / f"b_{package}"
    options = Options(wit=WASI / package, out=out, world=world, base=WASI)
    write_files(out, generate_files(options, reuse=False))
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        bindings = importlib.import_module(f"b_{package}.{module}")
    finally:
        sys.path.remove(str(tmp_path))
    assert "wasi:io/streams@0.2.0" in bindings.FROM_WASMTIME
    engine = Engine()
    exports = bindings.instantiate_with(Store(engine), load_component(engine, component_path))
    assert isinstance(exports, bindings.Exports)
