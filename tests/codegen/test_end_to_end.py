"""Generated bindings against real components: every kind of value, both ways.

The echo component (tests/support/components.py) forwards each call of its
`guest` export to the host's `host` import of the same name, so one call through
the generated `Exports` lowers a value, the generated host glue lifts it, the
host's Python implementation returns it, and the way back lowers and lifts it
again.  What comes out must equal what went in.  Bad values must be refused in
Python with a `TypeError`/`ValueError` naming the function and the parameter,
before wasmtime sees them, and the store must stay usable.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bindings import import_bindings
from support.components import (
    COUNTER_WIT,
    build_counter_component,
    build_echo_component,
    find_wasm_tools,
    load_component,
)
from wasmtime import Engine, Store, WasmtimeError
from wasmtime.component import Linker

from witgen.runtime.wit import Err, Ok, Some

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

HERE = Path(__file__).parent
ECHO_WIT = HERE / "e2e" / "echo.wit"


@pytest.fixture(scope="session")
def cache_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-components"))
    return tmp_path_factory.getbasetemp().parent / "witgen-components"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="session")
def bindings_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bindings")


# ---------------------------------------------------------------- the echo world


@pytest.fixture(scope="session")
def echo_world(bindings_dir: Path) -> ModuleType:
    return import_bindings(ECHO_WIT, bindings_dir, "e2e_echo", "test_e2e.echo")


@pytest.fixture(scope="session")
def types(echo_world: ModuleType) -> ModuleType:
    import e2e_echo.test_e2e.types as module  # type: ignore[import-not-found]

    return module  # type: ignore[no-any-return]


class Thing:
    """A host object behind the `thing` resource."""

    def __init__(self, weight: int) -> None:
        self.weight = weight


@dataclass
class EchoHost:
    """Implements `host` by returning every argument, and records what it saw."""

    seen: list[tuple[str, object]] = field(default_factory=list)
    # What some functions do instead of echoing (set by a test after linking).
    instead: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("echo_"):
            raise AttributeError(name)

        def echo(value: object) -> object:
            if name in self.instead:
                return self.instead[name](value)
            self.seen.append((name, value))
            if isinstance(value, Err):
                raise value
            if isinstance(value, Ok):
                return value.value
            return value

        return echo

    def thing_size(self, x: Thing) -> int:
        return x.weight

    def pass_thing(self, x: Thing) -> Thing:
        return x

    def weigh(self, x: Any) -> int:
        return x.item.weight + len(x.label)

    def notify(self, message: str) -> None:
        self.seen.append(("notify", message))


@dataclass
class Types:
    dropped: list[Thing] = field(default_factory=list)

    def thing_drop(self, thing: Thing) -> None:
        self.dropped.append(thing)


@dataclass
class Imports:
    host: EchoHost = field(default_factory=EchoHost)
    types: Types = field(default_factory=Types)
    shouted: list[str] = field(default_factory=list)

    def shout(self, x: str) -> str:
        self.shouted.append(x)
        return x.upper()


@dataclass
class Echo:
    exports: Any
    imports: Imports
    store: Store


@pytest.fixture
def echo(engine: Engine, cache_dir: Path, echo_world: ModuleType) -> Iterator[Echo]:
    path = build_echo_component(ECHO_WIT.read_text(), "echo", cache_dir=cache_dir)
    linker = Linker(engine)
    imports = Imports()
    echo_world.add_to_linker(linker, imports)
    store = Store(engine)
    exports = echo_world.instantiate(store, linker, load_component(engine, path))
    yield Echo(exports, imports, store)


def roundtrip(echo: Echo, function: str, value: object) -> object:
    return getattr(echo.exports.guest, function)(value)


INTEGERS = [
    ("echo_u8", 0),
    ("echo_u8", 255),
    ("echo_s8", -128),
    ("echo_s8", 127),
    ("echo_u16", 65535),
    ("echo_s16", -32768),
    ("echo_u32", 4_294_967_295),
    ("echo_s32", -2_147_483_648),
    ("echo_u64", 18_446_744_073_709_551_615),
    ("echo_u64", 0),
    ("echo_s64", -9_223_372_036_854_775_808),
    ("echo_s64", 9_223_372_036_854_775_807),
]


@pytest.mark.parametrize(("function", "value"), INTEGERS)
def test_integers_at_their_extremes(echo: Echo, function: str, value: int) -> None:
    result = roundtrip(echo, function, value)
    assert result == value and type(result) is int
    assert echo.imports.host.seen == [(function, value)]


@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, math.inf, -math.inf, 3.4028234663852886e38])
def test_f32(echo: Echo, value: float) -> None:
    result = roundtrip(echo, "echo_f32", value)
    assert result == value and math.copysign(1, result) == math.copysign(1, value)


@pytest.mark.parametrize("value", [0.0, -0.0, 1e-310, 1.7976931348623157e308, math.inf, -math.inf])
def test_f64(echo: Echo, value: float) -> None:
    result = roundtrip(echo, "echo_f64", value)
    assert result == value and math.copysign(1, result) == math.copysign(1, value)


@pytest.mark.parametrize("function", ["echo_f32", "echo_f64"])
def test_nan(echo: Echo, function: str) -> None:
    assert math.isnan(roundtrip(echo, function, math.nan))


def test_an_int_is_a_float(echo: Echo) -> None:
    result = roundtrip(echo, "echo_f64", 3)
    assert result == 3.0 and type(result) is float


@pytest.mark.parametrize("value", ["a", "é", "\u20ac", "\U0001f600", "\0", "\ud7ff", "\ue000"])
def test_char(echo: Echo, value: str) -> None:
    assert roundtrip(echo, "echo_char", value) == value


@pytest.mark.parametrize("value", [True, False])
def test_bool(echo: Echo, value: bool) -> None:
    assert roundtrip(echo, "echo_bool", value) is value


@pytest.mark.parametrize(
    "value", ["", "plain", "héllo wörld", "\u65e5\u672c\u8a9e", "emoji \U0001f680", "nul\0inside"]
)
def test_strings(echo: Echo, value: str) -> None:
    assert roundtrip(echo, "echo_string", value) == value


@pytest.mark.parametrize("size", [0, 1, 1024, 65536, 1 << 20])
def test_bytes(echo: Echo, size: int) -> None:
    value = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    result = roundtrip(echo, "echo_bytes", value)
    assert result == value and type(result) is bytes


def test_bytearray_and_memoryview_are_bytes(echo: Echo) -> None:
    assert roundtrip(echo, "echo_bytes", bytearray(b"abc")) == b"abc"
    assert roundtrip(echo, "echo_bytes", memoryview(b"xyz")) == b"xyz"


def test_lists(echo: Echo, types: ModuleType) -> None:
    assert roundtrip(echo, "echo_strings", ["a", "", "ü"]) == ["a", "", "ü"]
    assert roundtrip(echo, "echo_strings", []) == []
    points = [types.Point(x_coord=i, label_text=f"p{i}") for i in range(-2, 3)]
    assert roundtrip(echo, "echo_points", points) == points


def test_record_with_kebab_names(echo: Echo, types: ModuleType) -> None:
    point = types.Point(x_coord=-7, label_text="seven")
    result = roundtrip(echo, "echo_point", point)
    assert result == point and type(result) is types.Point
    assert echo.imports.host.seen == [("echo_point", point)]


def test_enum(echo: Echo, types: ModuleType) -> None:
    for color in types.Color:
        assert roundtrip(echo, "echo_color", color) is color


@pytest.mark.parametrize("bits", [0, 1])
def test_one_flag(echo: Echo, types: ModuleType, bits: int) -> None:
    assert roundtrip(echo, "echo_one", types.One(bits)) == types.One(bits)


@pytest.mark.parametrize("bits", [0, 1, 1 << 31, (1 << 32) - 1, 0x5555_5555])
def test_32_flags(echo: Echo, types: ModuleType, bits: int) -> None:
    assert roundtrip(echo, "echo_many", types.Many(bits)) == types.Many(bits)


def test_variant_cases(echo: Echo, types: ModuleType) -> None:
    for value in (types.Shape_Circle(1.5), types.Shape_Square(2**64 - 1), types.Shape_Nothing()):
        result = roundtrip(echo, "echo_shape", value)
        assert result == value and type(result) is type(value)


def test_variant_of_int_and_bool(echo: Echo, types: ModuleType) -> None:
    """wasmtime-py sends `b(true)` as `a(1)`; the bindings keep the case."""
    assert roundtrip(echo, "echo_ab", types.Ab_B(True)) == types.Ab_B(True)
    assert roundtrip(echo, "echo_ab", types.Ab_A(1)) == types.Ab_A(1)
    assert roundtrip(echo, "echo_ab", types.Ab_B(False)) == types.Ab_B(False)


@pytest.mark.parametrize("value", [None, 0, 7])
def test_option(echo: Echo, value: int | None) -> None:
    assert roundtrip(echo, "echo_option", value) == value


@pytest.mark.parametrize("function", ["echo_nested", "echo_maybe"])
@pytest.mark.parametrize("value", [None, Some(None), Some(0), Some(5)])
def test_nested_options_stay_distinct(echo: Echo, function: str, value: object) -> None:
    assert roundtrip(echo, function, value) == value


def test_tuple(echo: Echo) -> None:
    value = (255, "tuple ✓", -0.5)
    assert roundtrip(echo, "echo_tuple", value) == value


@pytest.mark.parametrize(
    ("function", "ok", "err"),
    [
        ("echo_result", Ok(7), Err("bad")),
        ("echo_result_ok", Ok(0), Err(None)),
        ("echo_result_err", Ok(None), Err("only error")),
        ("echo_result_empty", Ok(None), Err(None)),
        ("echo_result_option", Ok(None), Err("err of result<option<u32>, string>")),
    ],
)
def test_all_result_shapes(echo: Echo, function: str, ok: Ok[Any], err: Err[Any]) -> None:
    """A result argument is `Ok(v)`/`Err(e)`; a result return is `v`, or raises `Err(e)`."""
    assert roundtrip(echo, function, ok) == ok.value
    with pytest.raises(Err) as raised:
        roundtrip(echo, function, err)
    assert raised.value == err
    assert echo.imports.host.seen == [(function, ok), (function, err)]


def test_result_of_option(echo: Echo) -> None:
    assert roundtrip(echo, "echo_result_option", Ok(5)) == 5
    values = [Ok(None), Ok(3), Err("e"), Err("")]
    assert roundtrip(echo, "echo_results", values) == values


def test_host_resource_own_and_borrow(echo: Echo, types: ModuleType) -> None:
    thing = Thing(41)
    assert echo.exports.guest.thing_size(thing) == 41
    assert echo.exports.guest.pass_thing(thing) is thing
    assert echo.exports.guest.weigh(types.Holder(label="abc", item=thing)) == 44
    assert echo.imports.types.dropped == []


def test_world_functions_and_no_result(echo: Echo) -> None:
    assert echo.exports.shout("quiet") == "QUIET"
    assert echo.imports.shouted == ["quiet"]
    assert echo.exports.guest.notify("hi") is None
    assert echo.imports.host.seen == [("notify", "hi")]


# ---------------------------------------------------------------- bad input


BAD_ARGUMENTS = [
    ("echo_u8", 256, ValueError, "256 is out of range for u8 (0 to 255)"),
    ("echo_u8", -1, ValueError, "-1 is out of range for u8"),
    ("echo_s8", 128, ValueError, "out of range for s8"),
    ("echo_u32", 2**32, ValueError, "out of range for u32"),
    ("echo_u64", 2**64, ValueError, "out of range for u64"),
    ("echo_s64", -(2**63) - 1, ValueError, "out of range for s64"),
    ("echo_u32", True, TypeError, "expected an int for u32, got bool True"),
    ("echo_u32", 1.0, TypeError, "expected an int for u32, got float 1.0"),
    ("echo_f32", 1e39, ValueError, "out of range for f32"),
    ("echo_f64", False, TypeError, "expected a float for f64"),
    ("echo_char", "\ud800", ValueError, "char cannot be the surrogate U+D800"),
    ("echo_char", "\udfff", ValueError, "char cannot be the surrogate U+DFFF"),
    ("echo_char", "ab", ValueError, "exactly one character"),
    ("echo_char", "", ValueError, "exactly one character"),
    ("echo_string", "lone \udc80", ValueError, "lone surrogate at index 5"),
    ("echo_string", b"bytes", TypeError, "expected a str"),
    ("echo_bool", 1, TypeError, "expected a bool, got int 1"),
    ("echo_bytes", "text", TypeError, "expected bytes for list<u8>"),
    ("echo_bytes", [1, 2], TypeError, "expected bytes for list<u8>"),
    ("echo_strings", ["ok", 3], TypeError, "element 1: expected a str, got int 3"),
    ("echo_strings", "abc", TypeError, "expected a list"),
    ("echo_color", "red", TypeError, "expected a Color for enum `color`"),
    ("echo_many", 3, TypeError, "expected a Many for flags `many`"),
    ("echo_option", "x", TypeError, "some: expected an int for u32"),
    ("echo_nested", 5, TypeError, "expected None or Some(...)"),
    ("echo_tuple", (1, "a"), ValueError, "expected a tuple of 3 values, got 2"),
    ("echo_tuple", [1, "a", 2.0], TypeError, "expected a tuple"),
    ("echo_result", 7, TypeError, "expected Ok(...) or Err(...)"),
    ("echo_result", Ok(-1), ValueError, "ok: -1 is out of range for u32"),
    ("echo_result_empty", Ok(1), TypeError, "the `ok` case has no payload"),
    ("echo_ab", True, TypeError, "expected one of Ab_A, Ab_B for variant `ab`"),
    ("thing_size", None, TypeError, "expected a `thing`, got None"),
]


@pytest.mark.parametrize(("function", "value", "kind", "message"), BAD_ARGUMENTS)
def test_bad_arguments_are_refused_before_wasmtime(
    echo: Echo, function: str, value: object, kind: type[Exception], message: str
) -> None:
    wit_name = function.replace("_", "-")
    with pytest.raises(kind) as raised:
        roundtrip(echo, function, value)
    text = str(raised.value)
    assert text.startswith(f"{wit_name}: argument `x`: "), text
    assert message in text
    assert echo.imports.host.seen == []
    # Nothing reached wasmtime: the store still works.
    assert roundtrip(echo, "echo_u32", 5) == 5


def test_bad_nested_values_name_their_place(echo: Echo, types: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"field `x-coord`: 2147483648 is out of range for s32"):
        roundtrip(echo, "echo_points", [types.Point(0, "a"), types.Point(2**31, "b")])
    with pytest.raises(TypeError, match=r"element 0: expected a Point for record `point`"):
        roundtrip(echo, "echo_points", [{"x_coord": 1, "label_text": "dict"}])
    with pytest.raises(ValueError, match=r"case `square`: -1 is out of range for u64"):
        roundtrip(echo, "echo_shape", types.Shape_Square(-1))
    assert roundtrip(echo, "echo_u32", 5) == 5


def test_a_bad_value_from_the_host_is_refused(echo: Echo) -> None:
    """A host returning a value its type does not admit fails the call with the
    reason; wasmtime never converts it (a surrogate would abort the process)."""

    def bad_char(x: str) -> str:
        return "\ud800"

    echo.imports.host.instead["echo_char"] = bad_char
    with pytest.raises(
        ValueError, match=r"echo-char: returned value: char cannot be the surrogate"
    ):
        roundtrip(echo, "echo_char", "a")
    # The component trapped, so the store is poisoned (wasmtime's rule): a new one works.
    with pytest.raises(WasmtimeError):
        roundtrip(echo, "echo_u32", 1)


def test_host_exceptions_reach_the_caller(echo: Echo) -> None:
    def broken(x: int) -> int:
        raise LookupError("host failed")

    echo.imports.host.instead["echo_u32"] = broken
    with pytest.raises(LookupError, match="host failed"):
        roundtrip(echo, "echo_u32", 1)


def test_a_missing_host_function_fails_at_the_call(engine: Engine, echo_world: ModuleType) -> None:
    """The generated glue registers every import; an implementation missing one
    of them fails when linking, naming it."""

    class Partial:
        host = object()
        types = Types()

        def shout(self, x: str) -> str:
            return x

    with pytest.raises(AttributeError, match="echo_u8"):
        echo_world.add_to_linker(Linker(engine), Partial())


# ---------------------------------------------------------------- resources


@pytest.fixture(scope="session")
def counter_world(bindings_dir: Path) -> ModuleType:
    wit = bindings_dir / "counter.wit"
    wit.write_text(COUNTER_WIT)
    return import_bindings(wit, bindings_dir, "e2e_counter", "test_res.counter_world")


class Blob:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def size(self) -> int:
        return len(self.data)


@dataclass
class Blobs:
    dropped: list[Blob] = field(default_factory=list)
    taken: list[Blob] = field(default_factory=list)

    def blob_new(self, data: bytes) -> Blob:
        return Blob(data)

    def blob_drop(self, blob: Blob) -> None:
        self.dropped.append(blob)

    def take_blob(self, b: Blob) -> int:
        self.taken.append(b)
        return len(b.data)

    def check_blob(self, b: Blob) -> int:
        return len(b.data) * 10


@dataclass
class CounterImports:
    blobs: Blobs = field(default_factory=Blobs)


@dataclass
class Counters:
    exports: Any
    imports: CounterImports
    store: Store


@pytest.fixture
def counters(engine: Engine, cache_dir: Path, counter_world: ModuleType) -> Counters:
    linker = Linker(engine)
    imports = CounterImports()
    counter_world.add_to_linker(linker, imports)
    store = Store(engine)
    component = load_component(engine, build_counter_component(cache_dir))
    return Counters(counter_world.instantiate(store, linker, component), imports, store)


def test_guest_resource_methods_and_statics(counters: Counters) -> None:
    api = counters.exports.counters
    with api.counter_new(5) as first, api.make(10) as second:
        first.inc()
        assert first.get() == 6
        assert api.peek(second) == 10
        with api.counter_merge(first, second) as merged:
            assert merged.get() == 16
        assert api.drops() == 1
    assert api.drops() == 3


def test_guest_resource_own_is_given_away(counters: Counters) -> None:
    api = counters.exports.counters
    counter = api.counter_new(3)
    assert api.consume(counter) == 3
    assert api.drops() == 1
    with pytest.raises(ValueError, match="was dropped or given away"):
        counter.get()
    counter.drop()  # idempotent, and nothing left to drop
    assert api.drops() == 1


def test_guest_resource_drop_is_deterministic(counters: Counters) -> None:
    api = counters.exports.counters
    counter = api.counter_new(1)
    counter.drop()
    assert api.drops() == 1
    with pytest.raises(ValueError, match=r"peek: argument `c`: this Counter was dropped"):
        api.peek(counter)


def test_a_host_object_is_not_a_guest_handle(counters: Counters) -> None:
    with pytest.raises(TypeError, match=r"peek: argument `c`"):
        counters.exports.counters.peek(Blob(b""))


def test_host_resource_from_the_host(counters: Counters) -> None:
    user = counters.exports.blob_user
    blob = Blob(b"abcd")
    assert user.size_of(blob) == 4
    assert user.check_blob(blob) == 40
    assert user.roundtrip(blob) is blob
    assert counters.imports.blobs.dropped == []
    assert user.take_blob(blob) == 4
    assert counters.imports.blobs.taken == [blob]


def test_host_resource_made_by_the_guest(counters: Counters) -> None:
    user = counters.exports.blob_user
    made = user.make_blob(3)
    assert isinstance(made, Blob) and made.data == b"\x07\x07\x07"
    assert user.size_of(made) == 3


def test_host_resource_dropped_by_the_guest(counters: Counters) -> None:
    """The guest drops an own handle it was given: the host is told, once."""
    user = counters.exports.blob_user
    blob = Blob(b"xy")
    # `take-blob` in the guest forwards ownership to the host's take-blob; the
    # host keeps the object and wasmtime drops nothing.
    user.take_blob(blob)
    assert counters.imports.blobs.dropped == []


# ---------------------------------------------------------------- maps

# A component for `e2e/map.wit` by hand: wasm-tools cannot embed maps yet.
MAP_COMPONENT = """(component
  (type $m (map string u32))
  (import "host-echo" (func $h (param "x" $m) (result $m)))
  (core module $libc
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (core func $h_lowered (canon lower (func $h) (memory (core memory $libc "memory"))
                                     (realloc (core func $libc "realloc")) string-encoding=utf8))
  (core module $main
    (import "host" "echo" (func $echo (param i32 i32 i32)))
    (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (func (export "echo") (param i32 i32) (result i32)
      (local $ret i32)
      (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
      (call $echo (local.get 0) (local.get 1) (local.get $ret))
      (local.get $ret)))
  (core instance $main (instantiate $main (with "host" (instance (export "echo" (func $h_lowered))))
                                          (with "libc" (instance $libc))))
  (func $e (param "x" $m) (result $m)
    (canon lift (core func $main "echo") (memory (core memory $libc "memory"))
                (realloc (core func $libc "realloc")) string-encoding=utf8))
  (export "echo" (func $e)))"""


def test_maps(bindings_dir: Path) -> None:
    from wasmtime import Config
    from wasmtime.component import Component

    maps = import_bindings(HERE / "e2e" / "map.wit", bindings_dir, "e2e_maps", "test_maps.maps")
    config = Config()
    config.wasm_component_model_map = True
    engine = Engine(config)
    seen: list[dict[str, int]] = []

    class Imports:
        def host_echo(self, x: dict[str, int]) -> dict[str, int]:
            seen.append(x)
            return {key + "!": value + 1 for key, value in x.items()}

    linker = Linker(engine)
    maps.add_to_linker(linker, Imports())
    exports = maps.instantiate(Store(engine), linker, Component(engine, MAP_COMPONENT))
    assert exports.echo({"a": 1, "bé": 2**32 - 2}) == {"a!": 2, "bé!": 2**32 - 1}
    assert exports.echo({}) == {}
    assert seen == [{"a": 1, "bé": 2**32 - 2}, {}]
    with pytest.raises(TypeError, match=r"echo: argument `x`: key 3: expected a str"):
        exports.echo({3: 1})
    with pytest.raises(ValueError, match=r"value at key 'k': -1 is out of range for u32"):
        exports.echo({"k": -1})
    with pytest.raises(TypeError, match=r"expected a dict, got list"):
        exports.echo([("a", 1)])


# ---------------------------------------------------------------- re-entry


def test_a_host_function_calling_back_into_its_component(echo: Echo) -> None:
    """A host function that calls the export that called it: wasmtime lets the
    instance be entered again, and the inner call gets value arrays of its own
    (the outer call's are in use).  Scalars only: the echo component keeps
    results passed through memory in one static area, which a re-entered call
    overwrites (the component's limit, not the bindings')."""
    guest = echo.exports.guest
    seen: list[int] = []

    def call_back(value: int) -> int:
        seen.append(value)
        if len(seen) == 1:
            return guest.echo_u32(value + 1) + 100  # type: ignore[no-any-return]
        return value

    echo.imports.host.instead["echo_u32"] = call_back
    assert guest.echo_u32(7) == 108
    assert seen == [7, 8]
    del echo.imports.host.instead["echo_u32"]
    assert guest.echo_u32(9) == 9
    assert guest.echo_string("after ✓") == "after ✓"


def test_unbounded_re_entry_ends_in_a_trap(engine: Engine, echo: Echo) -> None:
    """Calling back without end exhausts the wasm stack: a clean error on every
    level, and the process lives on."""
    guest = echo.exports.guest

    def call_back(value: str) -> str:
        return guest.echo_string(value + "+")  # type: ignore[no-any-return]

    echo.imports.host.instead["echo_string"] = call_back
    with pytest.raises(WasmtimeError, match="call stack exhausted"):
        guest.echo_string("x")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_refusal_in_the_middle_of_the_arguments_frees_what_was_lowered(echo: Echo) -> None:
    """An export call's value arrays are reused: a refusal after 1,000 strings
    were lowered must free them (300 refused calls would keep 300 MiB)."""

    def rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    strings = ["x" * 1024] * 1000 + ["\ud800"]
    guest = echo.exports.guest
    with pytest.raises(ValueError, match="element 1000"):
        guest.echo_strings(strings)
    before = rss()
    for _ in range(300):
        with pytest.raises(ValueError, match="element 1000"):
            guest.echo_strings(strings)
    assert rss() - before < 64 << 20
    assert guest.echo_strings(["after"]) == ["after"]


def test_a_call_with_the_wrong_number_of_arguments_never_reaches_the_component(
    echo: Echo,
) -> None:
    with pytest.raises(TypeError, match=r"echo-u32 takes 1 arguments \(2 given\)"):
        echo.exports.guest._call_echo_u32(1, 2)
    assert echo.exports.guest.echo_u32(7) == 7
