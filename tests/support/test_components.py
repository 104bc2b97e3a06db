"""The test components in `components.py`, driven through wasmtime-py's own API.

These tests use raw `wasmtime.component` calls, never witgen's bindings, so they
check the components themselves: an echo component forwards every export to the
host import of the same name, and the counter component implements a guest resource
and uses a host resource.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from wasmtime import Engine, FuncType, Module, Store
from wasmtime.component import (
    Component,
    Func,
    Instance,
    Linker,
    Record,
    ResourceAny,
    ResourceHost,
    ResourceType,
    Variant,
)

from support.components import (
    COUNTER_WIT,
    ComponentBuildError,
    FlagsT,
    ListT,
    Prim,
    RecordT,
    UnsupportedWit,
    VariantT,
    alignment,
    build_counter_component,
    build_echo_component,
    counter_core_wat,
    echo_core_wat,
    elem_size,
    find_wasm_tools,
    flatten,
    lift_signature,
    load_component,
    lower_signature,
)

WASM_TOOLS = find_wasm_tools()
if WASM_TOOLS is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

SMALL_FLAGS = [f"k{i}" for i in range(9)]
WIDE_FLAGS = [f"w{i}" for i in range(32)]

# Shared by `host` and `guest`: the echo component forwards each `guest` export to the
# `host` import of the same name.
ECHO_FUNCS = """
  echo-u32: func(x: u32) -> u32;
  echo-s64: func(x: s64) -> s64;
  echo-f64: func(x: f64) -> f64;
  echo-f32: func(x: f32) -> f32;
  echo-char: func(c: char) -> char;
  echo-bool: func(b: bool) -> bool;
  echo-string: func(s: string) -> string;
  echo-bytes: func(b: list<u8>) -> list<u8>;
  echo-strings: func(s: list<string>) -> list<string>;
  echo-point: func(p: point) -> point;
  echo-points: func(ps: list<point>) -> list<point>;
  echo-color: func(c: color) -> color;
  echo-option: func(o: option<u32>) -> option<u32>;
  echo-result: func(r: result<u32, string>) -> result<u32, string>;
  echo-result-ok: func(r: result<u32>) -> result<u32>;
  echo-result-err: func(r: result<_, string>) -> result<_, string>;
  echo-result-empty: func(r: result) -> result;
  echo-tuple: func(t: tuple<u8, string, f64>) -> tuple<u8, string, f64>;
  echo-small: func(f: small) -> small;
  echo-wide: func(f: wide) -> wide;
  echo-shape: func(s: shape) -> shape;
  split: func(x: u64) -> triple;
  many: func(a1: u8, a2: s8, a3: u16, a4: s16, a5: u32, a6: s32, a7: u64, a8: s64,
             a9: f32, a10: f64, a11: char, a12: bool, a13: string, a14: list<u32>,
             a15: option<u8>, a16: u32) -> summary;
  thing-size: func(t: borrow<thing>) -> u32;
  pass-thing: func(t: thing) -> thing;
  weigh: func(h: holder) -> u32;
  weigh-many: func(a1: u32, a2: u32, a3: u32, a4: u32, a5: u32, a6: u32, a7: u32, a8: u32,
                   a9: u32, a10: u32, a11: u32, a12: u32, a13: u32, a14: u32, a15: u32,
                   a16: u32, t: borrow<thing>) -> u32;
  notify: func(message: string);
"""

ECHO_USE = "use types.{point, triple, summary, color, small, wide, shape, thing, holder};"

ECHO_WIT = f"""\
package test:echo@0.1.0;

interface types {{
  record point {{ x: s32, label: string }}
  record triple {{ a: u64, b: f64, c: u8 }}
  record summary {{ total: s64, text: string, last: f64 }}
  enum color {{ red, green, blue }}
  flags small {{ {", ".join(SMALL_FLAGS)} }}
  flags wide {{ {", ".join(WIDE_FLAGS)} }}
  variant shape {{ circle(f32), square(u64), nothing }}
  resource thing;
  record holder {{ label: string, t: borrow<thing> }}
}}

interface host {{
  {ECHO_USE}
{ECHO_FUNCS}
}}

interface guest {{
  {ECHO_USE}
{ECHO_FUNCS}
}}

world echo {{
  import host;
  export guest;
  import shout: func(s: string) -> string;
  export shout: func(s: string) -> string;
}}
"""

HOST = "test:echo/host@0.1.0"
GUEST = "test:echo/guest@0.1.0"
TYPES = "test:echo/types@0.1.0"
THING_TYPE = 1
BLOB_TYPE = 2


@pytest.fixture(scope="session")
def cache_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by all xdist workers (writes are atomic), and kept between runs."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("witgen-components"))
    return tmp_path_factory.getbasetemp().parent / "witgen-components"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine()


@pytest.fixture(scope="session")
def echo_path(cache_dir: Path) -> Path:
    return build_echo_component(ECHO_WIT, "echo", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def counter_path(cache_dir: Path) -> Path:
    return build_counter_component(cache_dir)


def export_func(store: Store, instance: Instance, interface: str | None, name: str) -> Func:
    parent = None
    if interface is not None:
        parent = instance.get_export_index(store, interface)
        assert parent is not None, interface
    index = instance.get_export_index(store, name, parent)
    assert index is not None, name
    func = instance.get_func(store, index)
    assert func is not None, name
    return func


# ---------------------------------------------------------------------------
# The echo component
# ---------------------------------------------------------------------------


@dataclass
class EchoHost:
    """The host side of the echo world: `host` functions that echo, and a log."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    things: dict[int, bytes] = field(default_factory=dict)
    dropped: list[int] = field(default_factory=list)

    def identity(self, name: str) -> Callable[..., Any]:
        def call(_store: Any, value: Any) -> Any:
            self.calls.append((name, (value,)))
            return value

        return call

    def split(self, _store: Any, x: int) -> Record:
        self.calls.append(("split", (x,)))
        return _record(a=x, b=x / 2, c=x & 0xFF)

    def many(self, _store: Any, *args: Any) -> Record:
        self.calls.append(("many", args))
        ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
        return _record(total=_s64(sum(ints)), text=args[12] + args[10], last=args[9])

    def size_of(self, store: Any, thing: ResourceAny) -> int:
        assert not thing.owned
        return len(self.things[thing.to_host(store).rep])

    def weigh(self, store: Any, holder: Any) -> int:
        self.calls.append(("weigh", (holder.label,)))
        return self.size_of(store, holder.t)

    def weigh_many(self, store: Any, *args: Any) -> int:
        return int(sum(args[:16])) + self.size_of(store, args[16])

    def pass_thing(self, store: Any, thing: ResourceAny) -> ResourceAny:
        assert thing.owned
        return thing

    def notify(self, _store: Any, message: str) -> None:
        self.calls.append(("notify", (message,)))

    def link(self, engine: Engine) -> Linker:
        linker = Linker(engine)
        identity_names = [
            line.split(":")[0].strip()
            for line in ECHO_FUNCS.splitlines()
            if line.strip().startswith("echo-")
        ]
        with linker.root() as root:
            root.add_func("shout", lambda _store, s: s.upper() + "!")
            with root.add_instance(TYPES) as types:
                types.add_resource(
                    "thing", ResourceType.host(THING_TYPE), lambda _s, rep: self.dropped.append(rep)
                )
            with root.add_instance(HOST) as host:
                for name in identity_names:
                    host.add_func(name, self.identity(name))
                host.add_func("split", self.split)
                host.add_func("many", self.many)
                host.add_func("thing-size", self.size_of)
                host.add_func("pass-thing", self.pass_thing)
                host.add_func("weigh", self.weigh)
                host.add_func("weigh-many", self.weigh_many)
                host.add_func("notify", self.notify)
        return linker


def _s64(value: int) -> int:
    return (value + 2**63) % 2**64 - 2**63


def _record(**fields: Any) -> Record:
    record = Record()
    for name, value in fields.items():
        setattr(record, name.replace("_", "-"), value)
    return record


@dataclass
class Echo:
    store: Store
    instance: Instance
    host: EchoHost

    def __call__(self, name: str, *args: Any) -> Any:
        return export_func(self.store, self.instance, GUEST, name)(self.store, *args)


@pytest.fixture
def echo(engine: Engine, echo_path: Path) -> Iterator[Echo]:
    host = EchoHost()
    store = Store(engine)
    instance = host.link(engine).instantiate(store, load_component(engine, echo_path))
    yield Echo(store, instance, host)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("echo-u32", 0),
        ("echo-u32", 4_000_000_000),
        ("echo-s64", -(2**63)),
        ("echo-s64", 2**63 - 1),
        ("echo-f64", -1.5e300),
        ("echo-f32", 0.25),
        ("echo-char", "🦀"),
        ("echo-bool", True),
        ("echo-string", "grüße, 世界 🦀"),
        ("echo-string", ""),
        ("echo-strings", ["a", "ß", ""]),
        ("echo-color", "blue"),
        ("echo-option", None),
        ("echo-option", 7),
        ("echo-tuple", (255, "tüple", 2.5)),
        ("echo-small", {"k0", "k8"}),
        ("echo-small", set()),
        ("echo-wide", set(WIDE_FLAGS)),
        ("echo-wide", {"w0", "w31"}),
        ("echo-shape", 2.5),
        ("echo-shape", 2**64 - 1),
        ("echo-shape", None),
    ],
)
def test_echo_values(echo: Echo, name: str, value: object) -> None:
    assert echo(name, value) == value
    assert echo.host.calls == [(name, (value,))]


def test_echo_results(echo: Echo) -> None:
    # wasmtime-py maps result<u32, string> untagged: ok(7) is 7, err("bad") is "bad".
    assert echo("echo-result", 7) == 7
    assert echo("echo-result", "bad ✗") == "bad ✗"
    # result<u32>: err has no payload, so it is None.
    assert echo("echo-result-ok", 9) == 9
    assert echo("echo-result-ok", None) is None
    # result<_, string>: ok has no payload, so it is None.
    assert echo("echo-result-err", None) is None
    assert echo("echo-result-err", "nope") == "nope"
    # result: both cases are empty, so the mapping is tagged.
    assert echo("echo-result-empty", Variant("ok")) == Variant("ok")
    assert echo("echo-result-empty", Variant("err")) == Variant("err")


def test_echo_records(echo: Echo) -> None:
    point = echo("echo-point", SimpleNamespace(x=-5, label="ünïcode"))
    assert isinstance(point, Record)
    assert vars(point) == {"x": -5, "label": "ünïcode"}  # kebab-case WIT field names
    points = [_record(x=i, label=str(i) * i) for i in range(50)]
    assert echo("echo-points", points) == points
    assert echo("echo-points", []) == []


def test_echo_multi_value_result(echo: Echo) -> None:
    triple = echo("split", 2**64 - 2)
    assert (triple.a, triple.b, triple.c) == (2**64 - 2, (2**64 - 2) / 2, 0xFE)


def test_echo_more_than_16_flat_params(echo: Echo) -> None:
    args: tuple[object, ...] = (200, -100, 60000, -30000, 4_000_000_000, -(2**31), 2**64 - 1)
    args += (-(2**63), 0.5, 1e-300, "é", True, "text ", [1, 2, 3], 9, 16)
    summary = echo("many", *args)
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    assert (summary.total, summary.text, summary.last) == (_s64(sum(ints)), "text é", 1e-300)
    assert echo.host.calls == [("many", args)]


def test_echo_bytes_1_mib(echo: Echo) -> None:
    payload = bytes(range(256)) * 4096
    assert echo("echo-bytes", payload) == payload


def test_echo_string_4_mib(echo: Echo) -> None:
    payload = "0123456789abcdéf" * (4 * 1024 * 1024 // 17) + "🦀"
    assert len(payload.encode()) > 4 * 1024 * 1024 - 1024
    for _ in range(3):  # the heap is reset after each call, so this does not pile up
        assert echo("echo-string", payload) == payload


def test_echo_no_result(echo: Echo) -> None:
    assert echo("notify", "hello") is None
    assert echo.host.calls == [("notify", ("hello",))]


def test_echo_world_level_function(echo: Echo) -> None:
    shout = export_func(echo.store, echo.instance, None, "shout")
    assert shout(echo.store, "hé") == "HÉ!"


def test_echo_host_resource(echo: Echo) -> None:
    echo.host.things[5] = b"12345"
    thing = ResourceHost.own(5, THING_TYPE).to_any(echo.store)
    # borrow: the guest forwards the handle, then drops its borrow before returning
    assert echo("thing-size", thing) == 5
    assert echo("weigh", SimpleNamespace(label="l", t=thing)) == 5
    assert echo("weigh-many", *range(16), thing) == sum(range(16)) + 5
    assert echo.host.calls == [("weigh", ("l",))]
    # own: the same host resource comes back through guest and host
    back = echo("pass-thing", thing)
    assert back.owned
    assert back.to_host(echo.store).rep == 5
    assert echo.host.dropped == []


# ---------------------------------------------------------------------------
# The counter component
# ---------------------------------------------------------------------------

COUNTERS = "test:res/counters"
BLOB_USER = "test:res/blob-user"


@dataclass
class BlobHost:
    """The host side of `test:res/blobs`."""

    blobs: dict[int, bytes] = field(default_factory=dict)
    dropped: list[bytes] = field(default_factory=list)
    taken: list[bytes] = field(default_factory=list)
    next_rep: int = 1

    def new(self, data: bytes) -> ResourceHost:
        rep, self.next_rep = self.next_rep, self.next_rep + 1
        self.blobs[rep] = data
        return ResourceHost.own(rep, BLOB_TYPE)

    def link(self, engine: Engine) -> Linker:
        def size(store: Any, blob: ResourceAny) -> int:
            return len(self.blobs[blob.to_host(store).rep])

        def take(store: Any, blob: ResourceAny) -> int:
            # to_host consumes an own handle: the host owns the blob from here on
            data = self.blobs.pop(blob.to_host(store).rep)
            self.taken.append(data)
            return len(data)

        linker = Linker(engine)
        with linker.root() as root, root.add_instance("test:res/blobs") as blobs:
            blobs.add_resource(
                "blob",
                ResourceType.host(BLOB_TYPE),
                lambda _store, rep: self.dropped.append(self.blobs.pop(rep)),
            )
            blobs.add_func("[constructor]blob", lambda _store, data: self.new(data))
            blobs.add_func("[method]blob.size", size)
            blobs.add_func("take-blob", take)
            blobs.add_func("check-blob", lambda store, blob: blob.to_host(store).rep * 10)
        return linker


@dataclass
class Counters:
    store: Store
    instance: Instance
    blobs: BlobHost

    def __call__(self, interface: str, name: str, *args: Any) -> Any:
        return export_func(self.store, self.instance, interface, name)(self.store, *args)


@pytest.fixture
def counters(engine: Engine, counter_path: Path) -> Iterator[Counters]:
    blobs = BlobHost()
    store = Store(engine)
    instance = blobs.link(engine).instantiate(store, load_component(engine, counter_path))
    yield Counters(store, instance, blobs)


def test_counter_resource(counters: Counters) -> None:
    store, call = counters.store, counters
    counter = call(COUNTERS, "[constructor]counter", 5)
    assert isinstance(counter, ResourceAny)
    assert counter.owned
    call(COUNTERS, "[method]counter.inc", counter)
    call(COUNTERS, "[method]counter.inc", counter)
    assert call(COUNTERS, "[method]counter.get", counter) == 7
    other = call(COUNTERS, "make", 10)
    merged = call(COUNTERS, "[static]counter.merge", counter, other)
    assert call(COUNTERS, "peek", merged) == 17
    assert call(COUNTERS, "drops") == 0
    assert call(COUNTERS, "consume", other) == 10  # takes ownership, drops it
    assert call(COUNTERS, "drops") == 1
    merged.drop(store)  # runs the guest destructor
    counter.drop(store)
    assert call(COUNTERS, "drops") == 3
    # freed cells are reused
    again = call(COUNTERS, "make", 1)
    assert call(COUNTERS, "[method]counter.get", again) == 1


def test_host_blob_resource(counters: Counters) -> None:
    store, call, host = counters.store, counters, counters.blobs
    blob = call(BLOB_USER, "make-blob", 1000)
    assert host.blobs == {1: b"\x07" * 1000}
    assert call(BLOB_USER, "size-of", blob) == 1000
    assert call(BLOB_USER, "check-blob", blob) == 10
    back = call(BLOB_USER, "roundtrip", blob)
    assert back.to_host(store).rep == 1
    other = call(BLOB_USER, "roundtrip", host.new(b"xyz"))
    assert call(BLOB_USER, "take-blob", other) == 3
    assert host.taken == [b"xyz"]
    assert host.dropped == []
    big = call(BLOB_USER, "make-blob", 0)
    big.drop(store)  # the guest gave the handle away; the host destructor runs
    assert host.dropped == [b""]


# ---------------------------------------------------------------------------
# The build itself
# ---------------------------------------------------------------------------


def test_components_validate(echo_path: Path, counter_path: Path) -> None:
    assert WASM_TOOLS is not None
    for path in (echo_path, counter_path):
        subprocess.run(
            [WASM_TOOLS, "validate", "--features", "component-model", str(path)], check=True
        )


def _core_types(module: Module) -> dict[tuple[str, str], str]:
    """`(kind, name)` -> `"params -> results"` for the functions of `module`."""

    def text(ty: object) -> str:
        if not isinstance(ty, FuncType):
            return type(ty).__name__
        return f"{[str(p) for p in ty.params]} -> {[str(r) for r in ty.results]}"

    found = {("import", f"{i.module}::{i.name}"): text(i.type) for i in module.imports}
    found.update({("export", e.name): text(e.type) for e in module.exports})
    return found


@pytest.mark.parametrize("which", ["echo", "counter"])
def test_core_signatures_match_wit_component(which: str, tmp_path: Path, engine: Engine) -> None:
    """Every import and export of our core module has the type wit-component's own
    template module (`embed --dummy-names legacy`) gives it."""
    assert WASM_TOOLS is not None
    wit, world, wat = {
        "echo": (ECHO_WIT, "echo", echo_core_wat(ECHO_WIT, "echo")),
        "counter": (COUNTER_WIT, "counter-world", counter_core_wat()),
    }[which]
    (tmp_path / "main.wit").write_text(wit)
    dummy = tmp_path / "dummy.wasm"
    embed = [WASM_TOOLS, "component", "embed", str(tmp_path / "main.wit"), "--world", world]
    subprocess.run([*embed, "--dummy-names", "legacy", "-o", str(dummy)], check=True)
    ours = _core_types(Module(engine, wat))
    reference = _core_types(Module.from_file(engine, dummy))
    assert ours
    assert {key: reference.get(key) for key in ours} == ours


def test_flattening_rules() -> None:
    assert flatten(FlagsT(32)) == ["i32"]
    assert (elem_size(FlagsT(9)), alignment(FlagsT(9))) == (2, 2)
    assert flatten(FlagsT(33)) == ["i32", "i32"]  # pre-2025 ABI; WIT now caps flags at 32
    shape = VariantT((Prim("f32"), Prim("u64"), None))
    assert flatten(shape) == ["i32", "i64"]
    assert (elem_size(shape), alignment(shape)) == (16, 8)
    assert flatten(VariantT((Prim("f32"), Prim("u32")))) == ["i32", "i32"]
    assert elem_size(VariantT((None,) * 257)) == 2
    assert flatten(ListT(Prim("u8"), 3)) == ["i32"] * 3
    point = RecordT((Prim("s32"), Prim("string")))
    assert lift_signature([point], point).results == ("i32",)
    assert lower_signature([point], point).params == ("i32", "i32", "i32", "i32")
    wide = [Prim("u32")] * 17
    assert lift_signature(wide, None).params == ("i32",)
    assert lower_signature(wide, Prim("string")).params == ("i32", "i32")


def test_more_than_32_flags_is_rejected_by_wasm_tools(tmp_path: Path) -> None:
    names = ", ".join(f"x{i}" for i in range(33))
    wit = f"package a:b;\ninterface i {{ flags f {{ {names} }} }}\nworld w {{ export i; }}\n"
    with pytest.raises(ComponentBuildError, match="cannot have more than 32 flags"):
        build_echo_component(wit, "w", cache_dir=tmp_path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("import a: func(); export b: func();", "exactly one imported function named 'b'"),
        ("import f: func(x: u32); export f: func(x: u64);", "different signatures"),
        (
            "export r: interface { resource c { constructor(); } }",
            r"exactly one imported function named '\[constructor\]c'",
        ),
    ],
)
def test_unsupported_echo_worlds(body: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedWit, match=message):
        build_echo_component(f"package a:b;\nworld w {{ {body} }}\n", "w", cache_dir=tmp_path)


def test_build_and_load_are_cached(tmp_path: Path, engine: Engine) -> None:
    wit = """\
package a:b;
world w {
  import f: func(s: string) -> string;
  export f: func(s: string) -> string;
}
"""
    start = time.perf_counter()
    first = build_echo_component(wit, "w", cache_dir=tmp_path)
    cold = time.perf_counter() - start
    mtime = first.stat().st_mtime_ns
    start = time.perf_counter()
    assert build_echo_component(wit, "w", cache_dir=tmp_path) == first
    cached = time.perf_counter() - start
    assert first.stat().st_mtime_ns == mtime
    # the name depends on the content only, so another cache holds the same file name
    assert build_echo_component(wit, "w", cache_dir=tmp_path / "other").name == first.name
    print(f"echo build: cold {cold * 1000:.0f} ms, cached {cached * 1000:.0f} ms")

    component = load_component(engine, first)
    artifacts = list(tmp_path.glob("*.cwasm"))
    assert len(artifacts) == 1
    assert isinstance(load_component(engine, first), Component)
    artifacts[0].write_bytes(b"damaged")  # a bad artifact is replaced, not fatal
    assert isinstance(load_component(engine, first), Component)
    assert artifacts[0].read_bytes() != b"damaged"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]

    linker = Linker(engine)
    with linker.root() as root:
        root.add_func("f", lambda _store, s: s[::-1])
    store = Store(engine)
    instance = linker.instantiate(store, component)
    assert export_func(store, instance, None, "f")(store, "abc") == "cba"
