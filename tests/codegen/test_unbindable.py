"""Functions the bindings leave out, against real components.

A component importing an interface with a function wasmtime-py 50 cannot carry
(here one taking a record that holds a stream) instantiates through the
generated `add_to_linker`, which links that function as a trap, and the rest of
the world is callable.  `rt_calls.define_unbindable`, the trap itself, raises
`Unbindable` from the call into the component that called it, saying why.
(wasmtime-py 50 cannot load a component that uses an error-context or a
fixed-size list at all, nor instantiate one that imports an async function, so
those are left out of the bindings and never linked.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.bindings import import_bindings
from support.components import build_wat_component, find_wasm_tools, load_component
from wasmtime import Engine, Store
from wasmtime.component import Linker

from witgen.runtime import calls as rt_calls
from witgen.runtime.codec import U32_CODEC

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

WIT = """\
package test:unbind;

interface streams {
  record msg { body: stream<u8>, n: u32 }
  take: func(m: msg);
  ok: func() -> u32;
}

world w {
  import streams;
  export run: func() -> u32;
}
"""

# `run` calls `ok` and returns what it returned; `take` is imported, never called.
CORE = """\
(module
  (import "test:unbind/streams" "take" (func $take (param i32 i32)))
  (import "test:unbind/streams" "ok" (func $ok (result i32)))
  (func (export "run") (result i32) (call $ok))
)
"""


@pytest.fixture(scope="module")
def component_path(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    cache = Path(request.config.cache.mkdir("witgen-components"))
    return build_wat_component(WIT, "w", CORE, cache_dir=cache)


def test_the_rest_of_the_world_is_callable(component_path: Path, tmp_path: Path) -> None:
    (tmp_path / "wit").mkdir()
    (tmp_path / "wit" / "w.wit").write_text(WIT)
    world = import_bindings(tmp_path / "wit", tmp_path, "b_unbind", "test_unbind.w")
    streams = import_bindings(tmp_path / "wit", tmp_path, "b_unbind", "test_unbind.streams")
    assert set(streams.UNBINDABLE) == {"take"}
    assert "stream (in type `msg`)" in streams.UNBINDABLE["take"]
    assert not hasattr(streams.Host, "take") and not hasattr(streams.Exports, "take")

    class Streams:
        def ok(self) -> int:
            return 42

    class Imports:
        streams = Streams()

    engine = Engine()
    linker = Linker(engine)
    world.add_to_linker(linker, Imports())
    exports = world.instantiate(Store(engine), linker, load_component(engine, component_path))
    assert exports.run() == 42


def test_an_unbindable_import_traps_saying_why(component_path: Path) -> None:
    engine = Engine()
    linker = Linker(engine)
    with linker.root() as root, root.add_instance("test:unbind/streams") as instance:
        rt_calls.define_unbindable(instance, "take", "a stream cannot cross")
        rt_calls.define_unbindable(instance, "ok", "because it is a test")
    store = Store(engine)
    instance = linker.instantiate(store, load_component(engine, component_path))
    run = rt_calls.Bound(store, instance, frozenset()).export(
        None, rt_calls.Signature("run", (), U32_CODEC)
    )
    with pytest.raises(rt_calls.Unbindable) as raised:
        run()
    assert raised.value.function == "ok"
    assert raised.value.reason == "because it is a test"
    assert str(raised.value) == (
        "a component called `ok`, which witgen's bindings do not bind: because it is a test"
    )
