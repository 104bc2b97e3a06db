"""A host resource's destructor runs in the call that drops the handle, and an
exception it raises comes out of that call, on that thread; and a store's
components hold no more host objects than the host allows.

The component (WebAssembly text, below) takes an `r` from the host and drops
it at once; the host's `r_drop` raises.  Host functions report exceptions
through witgen's per-thread slot; a destructor must too, or the exception
lands in wasmtime-py's process-wide `LAST_EXCEPTION`, where another thread's
call, or none, finds it.
"""

from __future__ import annotations

import threading
from types import ModuleType

import pytest
import wasmtime._func
from support.bindings import import_bindings
from wasmtime import Engine, Store
from wasmtime.component import Component

from witgen.runtime.context import HostObjectLimit, limit_host_objects, tables_for

WIT = """package test:drops;

world dropper {
  resource r;
  import make: func() -> r;
  export run: func();
}
"""

COMPONENT = """(component
  (import "r" (type $r (sub resource)))
  (import "make" (func $make (result (own $r))))
  (core func $make_lowered (canon lower (func $make)))
  (core func $drop (canon resource.drop $r))
  (core module $m
    (import "host" "make" (func $mk (result i32)))
    (import "host" "drop" (func $dr (param i32)))
    (func (export "run") (call $dr (call $mk))))
  (core instance $i (instantiate $m
    (with "host" (instance (export "make" (func $make_lowered)) (export "drop" (func $drop))))))
  (func (export "run") (canon lift (core func $i "run"))))"""


# The same world, a component that keeps every `r` it is given: five of them.
HOARD = (
    COMPONENT.replace("(call $dr (call $mk))", "(drop (call $mk))" * 5)
    .replace('(import "host" "drop" (func $dr (param i32)))', "")
    .replace('(export "drop" (func $drop))', "")
)


class Boom(Exception):
    pass


class Host:
    def __init__(self) -> None:
        self.dropped = 0

    def make(self) -> object:
        return object()

    def r_drop(self, r: object) -> None:
        self.dropped += 1
        raise Boom(f"drop {self.dropped} failed on {threading.current_thread().name}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    folder = tmp_path_factory.mktemp("drops")
    (folder / "dropper.wit").write_text(WIT)
    return import_bindings(folder / "dropper.wit", folder, "drops_bindings", "test_drops.dropper")


def test_a_destructors_exception_comes_out_of_the_call(world: ModuleType) -> None:
    engine = Engine()
    component = Component(engine, COMPONENT)
    host = Host()
    exports = world.instantiate_with(Store(engine), component, host)
    with pytest.raises(Boom, match="drop 1 failed on MainThread"):
        exports.run()
    assert wasmtime._func.LAST_EXCEPTION is None  # nothing left for another call to find


def test_a_store_holds_no_more_host_objects_than_allowed(world: ModuleType) -> None:
    engine = Engine()
    component = Component(engine, HOARD)
    store = Store(engine)
    limit_host_objects(store, 3)
    exports = world.instantiate_with(store, component, Host())
    with pytest.raises(HostObjectLimit, match="holds 3 host objects, the most it may"):
        exports.run()
    assert len(tables_for(store).objects) == 3

    unbounded = Store(engine)
    world.instantiate_with(unbounded, component, Host()).run()
    assert len(tables_for(unbounded).objects) == 5
