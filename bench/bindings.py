"""Typed bindings against raw wasmtime-py, and generation time, in one run.

    .venv/bin/python bench/bindings.py [--batches N] [--batch N] [--rounds N] [--skip-generate]

Run from anywhere (paths are taken from this file); it needs the dev extra
(wasm-tools, to build the component) and takes about 30-60 s.

What it measures
----------------
All calls use one component built from `bench/bindings.wit` by the test
helper `tests/support/components.py`: its `guest` export forwards every call
to the `host` import of the same name, so each export call also runs one
host function.  "typed" is witgen's generated bindings (the generated
`instantiate(...).guest.f(...)` for exports, the generated `add_to_linker`
for host functions); "raw" is wasmtime-py itself (`Func.__call__` on the
export, `LinkerInstance.add_func` for the host function).

1. Export calls, `add-one(u32) -> u32` and `echo-point(point) -> point` (a
   record of two s32, an f64 and a string): median µs per call, typed and raw
   export, both with the *same* host implementation (measured once with the
   typed host and once with the raw host), and typed/raw.
   Target: typed/raw <= 1.0.
2. Host import round trip, `add-one`: the full export call that goes through
   the import, with a typed host and with a raw host, the export side being
   the same (raw, then typed); plus all-typed against all-raw.
   Target: typed/raw <= 1.0.
3. `echo-bytes(list<u8>)` of 1 KiB, 64 KiB and 1 MiB, all typed against all
   raw: the bytes go host -> guest -> host -> guest -> host (four conversions).
   Median ms per round trip, and the speedup raw/typed.
   Target: the 1 MiB round trip at least 50x faster than raw (which converts
   one value per byte and takes seconds).
0. Against the floor (before 1-3): hand-written ctypes, the least any
   Python binding over wasmtime-py 50 can do per call: the C call function
   with its pointer and context cached, preallocated value arrays, each value
   set and read in place (with the same range checks), and a host function
   registered straight as the C callback.  For `add-one` export calls (typed
   vs floor export, floor host), the `add-one` host import round trip (floor
   export, typed vs floor host) and the `echo-point` record both ways (all
   typed vs all floor): floor, typed and raw µs per call, typed - floor (the
   binding's overhead) and typed/floor.
   Targets: overhead <= 1 µs for add-one both ways, <= 1.5x the floor for
   the record echo.
4. Generation: `witgen generate` of the airssys worlds in `wit/` (one row per
   world) and of the largest conformance case wasm-tools accepts (by total
   `.wit` bytes; skipped without the corpus), in-process
   (`generate_files(Options(...))`, warm, median of --rounds) and as a fresh
   process (`witgen generate ... --out <new dir>`, median of --rounds), and
   the process wall time of `witgen generate --check` with nothing to do.
   Targets: generation < 1 s, no-op check < 0.3 s.

Reading the output
------------------
Per-call times are medians over batches of calls; the variants being compared
run their batches in turn (typed, raw, typed, raw, ...), so machine noise
hits both alike.  A ratio below 1.0 means typed is faster.  Every target row
says whether it is met; a missed target is reported, never an error (exit 0).
A `witgen` process that fails is shown as FAILED with the last line of its
stderr (a `--check` finds the output stale if witgen's templates or code
change while the benchmark runs).

Files: the component and its compiled form are cached, and the bindings are
generated, under `<tempdir>/witgen-bench/` (`.bench-cache/` is not in
`.gitignore`, so nothing is written inside the repository).  The corpus comes
from WITGEN_SHARED (default ../shared).
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import importlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WITGEN_SHARED", ROOT.parent / "shared"))
CONFORMANCE = SHARED / "conformance"
WIT = Path(__file__).with_suffix(".wit")
WORLD = "calls"
WIT_PACKAGE = "bench_calls"  # `<ns>_<name>_v<version>`
WORLD_MODULE = f"{WIT_PACKAGE}.calls"
TYPES_INSTANCE = "bench:calls/types@0.1.0"
HOST_INSTANCE = "bench:calls/host@0.1.0"
GUEST_INSTANCE = "bench:calls/guest@0.1.0"
CACHE = Path(tempfile.gettempdir()) / "witgen-bench"

KIB = 1024
# (size, typed round trips, raw round trips): raw 1 MiB takes seconds each.
BYTE_SIZES = ((KIB, 400, 20), (64 * KIB, 30, 4), (1024 * KIB, 7, 2))
BYTES_TARGET = 50.0  # raw/typed at 1 MiB
# wasmtime-py's one-way 1 MiB `echo-bytes` export call (shared/design/wasmtime-py-50.md, 6).
REFERENCE_1MIB_S = 1.5
GENERATE_TARGET = 1.0  # seconds
CHECK_TARGET = 0.3  # seconds

Call = Callable[[], object]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=40, help="batches per call measurement")
    parser.add_argument("--batch", type=int, default=100, help="calls per batch")
    parser.add_argument("--rounds", type=int, default=3, help="runs per generation figure")
    parser.add_argument("--skip-generate", action="store_true", help="leave out section 4")
    args = parser.parse_args()
    started = time.perf_counter()
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    components = importlib.import_module("support.components")
    if components.find_wasm_tools() is None:
        print("wasm-tools not found; install the dev extra", file=sys.stderr)
        return 2

    print(
        f"python {platform.python_version()}, wasmtime-py {_version('wasmtime')}, "
        f"{os.cpu_count()} CPUs; cache and bindings in {CACHE}"
    )
    bench = _setup(components)
    sections: list[tuple[str, Callable[[], None]]] = [
        ("floor", functools.partial(_floor, bench, args.batches, args.batch)),
        ("export calls", functools.partial(_export_calls, bench, args.batches, args.batch)),
        ("host imports", functools.partial(_import_round_trip, bench, args.batches, args.batch)),
        ("bytes", functools.partial(_bytes, bench)),
    ]
    if not args.skip_generate:
        sections.append(("generation", functools.partial(_generation, args.rounds)))
    spent = []
    for name, section in sections:
        print()
        section_started = time.perf_counter()
        section()
        spent.append(f"{name} {time.perf_counter() - section_started:.1f} s")
    print(f"\ntotal {time.perf_counter() - started:.1f} s ({', '.join(spent)})")
    return 0


# ---------------------------------------------------------------- setup


@dataclass(frozen=True)
class Instance:
    """One instance of the echo component: its typed exports and raw functions."""

    typed: Any  # the generated `Exports` of the world
    raw: dict[str, Callable[..., Any]]  # WIT name -> functools.partial(Func, store)
    floor: dict[str, Callable[..., Any]]  # WIT name -> the hand-written ctypes call


@dataclass(frozen=True)
class Bench:
    """Instances by (export side, host side), each "typed" or "raw" ("floor" hosts too)."""

    instances: dict[tuple[str, str], Instance]
    world: ModuleType
    types: ModuleType

    def typed(self, host: str) -> Any:
        return self.instances["typed", host].typed.guest

    def raw(self, host: str, name: str) -> Callable[..., Any]:
        return self.instances["raw", host].raw[name]

    def floor(self, host: str, name: str) -> Callable[..., Any]:
        return self.instances["raw", host].floor[name]


@dataclass(frozen=True)
class TypedHost:
    """The `host` interface for the generated `add_to_linker`."""

    def add_one(self, x: int) -> int:
        return x + 1

    def echo_point(self, p: Any) -> Any:
        return p

    def echo_bytes(self, data: bytes) -> bytes:
        return data


@dataclass(frozen=True)
class TypedImports:
    host: TypedHost


def _raw_add_one(store: object, x: int) -> int:
    return x + 1


def _raw_echo(store: object, value: object) -> object:
    return value


def _setup(components: ModuleType) -> Bench:
    from wasmtime import Engine, Store
    from wasmtime.component import Linker

    bindings = importlib.import_module("support.bindings")
    CACHE.mkdir(parents=True, exist_ok=True)
    path = components.build_echo_component(WIT.read_text(), WORLD, cache_dir=CACHE)
    world = bindings.import_bindings(WIT, CACHE / "bindings", "witgen_bench", WORLD_MODULE)
    types = importlib.import_module(f"witgen_bench.{WIT_PACKAGE}.types")
    engine = Engine()
    component = components.load_component(engine, path)
    linkers = {"typed": Linker(engine), "raw": Linker(engine), "floor": Linker(engine)}
    world.add_to_linker(linkers["typed"], TypedImports(TypedHost()))
    for kind in ("raw", "floor"):
        with linkers[kind].root() as root:
            with root.add_instance(TYPES_INSTANCE):
                pass
            with root.add_instance(HOST_INSTANCE) as host:
                if kind == "raw":
                    host.add_func("add-one", _raw_add_one)
                    host.add_func("echo-point", _raw_echo)
                else:
                    _floor_define(host, "add-one", _floor_host_add_one)
                    _floor_define(host, "echo-point", _floor_host_echo_point)
                host.add_func("echo-bytes", _raw_echo)
    instances = {}
    for export in ("typed", "raw"):
        for host_side, linker in linkers.items():
            store = Store(engine)
            instance = linker.instantiate(store, component)
            raw: dict[str, Callable[..., Any]] = {
                name: functools.partial(_raw_func(store, instance, name), store)
                for name in ("add-one", "echo-point", "echo-bytes")
            }
            typed = world.Exports(store, instance) if export == "typed" else None
            floor = {
                "add-one": _floor_add_one(store, _raw_func(store, instance, "add-one")),
                "echo-point": _floor_echo_point(store, _raw_func(store, instance, "echo-point")),
            }
            instances[export, host_side] = Instance(typed, raw, floor)
    return Bench(instances, world, types)


def _raw_func(store: Any, instance: Any, name: str) -> Any:
    interface = instance.get_export_index(store, GUEST_INSTANCE)
    func = instance.get_func(store, instance.get_export_index(store, name, interface))
    assert func is not None, name
    return func


def _raw_point(typed: Any) -> Any:
    """A wasmtime-py `Record` with the same fields as the typed `Point`."""
    from wasmtime.component import Record

    record = Record()
    for name in ("x_coord", "y_coord", "weight", "label_text"):
        setattr(record, name.replace("_", "-"), getattr(typed, name))
    return record


# ---------------------------------------------------------------- the floor
#
# What a hand-written binding does per call, and nothing more: no codec
# objects, no generic loops, the values set and read in place.  It keeps the
# checks a correct binding needs (integer ranges, UTF-8, the record's type).

_U32, _S32, _F64, _STRING, _RECORD = 6, 5, 10, 12, 14
_POINT_FIELDS = (b"x-coord", b"y-coord", b"weight", b"label-text")


def _floor_add_one(store: Any, func: Any) -> Callable[[int], int]:
    from wasmtime import WasmtimeError, _bindings
    from wasmtime import _ffi as ffi

    call = _bindings._wasmtime_component_func_call
    pointer = ctypes.byref(func._func)
    context = store._context()
    params = (ffi.wasmtime_component_val_t * 1)()
    result = ffi.wasmtime_component_val_t()
    result_ref = ctypes.byref(result)
    param = params[0]

    def add_one(x: int) -> int:
        if type(x) is not int or not 0 <= x <= 0xFFFFFFFF:
            raise ValueError(f"add-one: x: {x!r} is not a u32")
        param.kind = _U32
        param.of.u32 = x
        error = call(pointer, context, params, 1, result_ref, 1)
        if error:
            raise WasmtimeError._from_ptr(error)
        if result.kind != _U32:
            raise TypeError("add-one: the result is not a u32")
        return int(result.of.u32)

    return add_one


def _floor_lower_point(point: Any, out: Any) -> None:
    from wasmtime import _ffi as ffi

    label = point.label_text.encode("utf-8")  # a lone surrogate raises here
    record = ffi.wasmtime_component_valrecord_t()
    ffi.wasmtime_component_valrecord_new_uninit(ctypes.byref(record), 4)
    entries = record.data
    for index, (name, kind, field, value) in enumerate(
        (
            (_POINT_FIELDS[0], _S32, "s32", point.x_coord),
            (_POINT_FIELDS[1], _S32, "s32", point.y_coord),
            (_POINT_FIELDS[2], _F64, "f64", point.weight),
        )
    ):
        entry = entries[index]
        _floor_byte_vec(entry.name, name)
        entry.val.kind = kind
        setattr(entry.val.of, field, value)
    entry = entries[3]
    _floor_byte_vec(entry.name, _POINT_FIELDS[3])
    entry.val.kind = _STRING
    _floor_byte_vec(entry.val.of.string, label)
    out.kind = _RECORD
    out.of.record = record


def _floor_lift_point(val: Any, cls: Callable[..., Any]) -> Any:
    if val.kind != _RECORD or val.of.record.size != 4:
        raise TypeError("echo-point: not a point")
    entries = val.of.record.data
    label = entries[3].val.of.string
    return cls(
        x_coord=entries[0].val.of.s32,
        y_coord=entries[1].val.of.s32,
        weight=entries[2].val.of.f64,
        label_text=ctypes.string_at(label.data, label.size).decode("utf-8"),
    )


@functools.cache
def _byte_vec_new() -> Any:
    """`wasm_byte_vec_new` taking the bytes as they are (`char *`)."""
    from wasmtime import _ffi as ffi

    function = ffi.dll._FuncPtr(("wasm_byte_vec_new", ffi.dll))
    function.restype = None
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    return function


def _floor_byte_vec(out: Any, data: bytes) -> None:
    _byte_vec_new()(ctypes.byref(out), len(data), data)


def _floor_echo_point(store: Any, func: Any) -> Callable[[Any], Any]:
    from wasmtime import WasmtimeError, _bindings
    from wasmtime import _ffi as ffi

    call = _bindings._wasmtime_component_func_call
    delete = ffi.wasmtime_component_val_delete
    pointer = ctypes.byref(func._func)
    context = store._context()
    params = (ffi.wasmtime_component_val_t * 1)()
    result = ffi.wasmtime_component_val_t()
    result_ref = ctypes.byref(result)
    param_ref = ctypes.byref(params[0])

    def echo_point(point: Any) -> Any:
        _floor_lower_point(point, params[0])
        try:
            error = call(pointer, context, params, 1, result_ref, 1)
        finally:
            delete(param_ref)
        if error:
            raise WasmtimeError._from_ptr(error)
        try:
            return _floor_lift_point(result, type(point))
        finally:
            delete(result_ref)

    return echo_point


def _floor_host_add_one(args: Any, results: Any) -> None:
    results[0].kind = _U32
    results[0].of.u32 = (args[0].of.u32 + 1) & 0xFFFFFFFF


def _floor_host_echo_point(args: Any, results: Any) -> None:
    point = _floor_lift_point(args[0], _FloorPoint)
    _floor_lower_point(point, results[0])


@dataclass(frozen=True)
class _FloorPoint:
    x_coord: int
    y_coord: int
    weight: float
    label_text: str


_FLOOR_HOSTS: list[Any] = []  # the C callbacks, kept alive


def _floor_define(instance: Any, name: str, body: Callable[[Any, Any], None]) -> None:
    """Register `body(args, results)` as the host function `name`, as the C callback itself."""
    from wasmtime import _ffi as ffi

    def callback(  # noqa: PLR0917 (wasmtime's callback signature)
        data: Any, context: Any, func_type: Any, args: Any, nargs: int, results: Any, nres: int
    ) -> int:
        body(args, results)
        return 0

    trampoline = ffi.wasmtime_component_func_callback_t(callback)
    finalizer = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda data: None)
    _FLOOR_HOSTS.extend((trampoline, finalizer))
    encoded = name.encode()
    error = ffi.wasmtime_component_linker_instance_add_func(
        instance.ptr(),
        ctypes.create_string_buffer(encoded),
        len(encoded),
        trampoline,
        None,
        finalizer,
    )
    assert not error, name


def _floor(bench: Bench, batches: int, batch: int) -> None:
    point = bench.types.Point(x_coord=-7, y_coord=1 << 20, weight=2.5, label_text="bench point ✓")
    raw_point = _raw_point(point)
    print(
        "0. against the floor (hand-written ctypes): median µs/call, "
        f"{batches} batches of {batch}, interleaved per row"
    )
    print(
        f"   {'row':36} {'floor':>7} {'typed':>7} {'raw':>7} {'typed-floor':>12} "
        f"{'typed/floor':>12}  target"
    )
    rows = [
        (
            "add-one export call (floor host)",
            _checked(functools.partial(bench.floor("floor", "add-one"), 41), 42),
            _checked(functools.partial(bench.typed("floor").add_one, 41), 42),
            _checked(functools.partial(bench.raw("floor", "add-one"), 41), 42),
            "overhead <= 1 µs",
        ),
        (
            "add-one host import (floor export)",
            _checked(functools.partial(bench.floor("floor", "add-one"), 41), 42),
            _checked(functools.partial(bench.floor("typed", "add-one"), 41), 42),
            _checked(functools.partial(bench.floor("raw", "add-one"), 41), 42),
            "overhead <= 1 µs",
        ),
        (
            "echo-point both ways",
            _checked(functools.partial(bench.floor("floor", "echo-point"), point), point),
            _checked(functools.partial(bench.typed("typed").echo_point, point), point),
            _checked(functools.partial(bench.raw("raw", "echo-point"), raw_point), raw_point),
            "typed/floor <= 1.5",
        ),
    ]
    for name, floor, typed, raw, target in rows:
        us = _interleaved_us({"floor": floor, "typed": typed, "raw": raw}, batches, batch)
        overhead = us["typed"] - us["floor"]
        ratio = us["typed"] / us["floor"]
        met = overhead <= 1.0 if target.startswith("overhead") else ratio <= 1.5
        print(
            f"   {name:36} {us['floor']:7.2f} {us['typed']:7.2f} {us['raw']:7.2f} "
            f"{overhead:12.2f} {ratio:12.2f}  {target}: {'met' if met else 'MISSED'}"
        )


# ---------------------------------------------------------------- timing


def _batch_ns(call: Call, count: int) -> int:
    started = time.perf_counter_ns()
    for _ in range(count):
        call()
    return time.perf_counter_ns() - started


def _interleaved_us(calls: dict[str, Call], batches: int, batch: int) -> dict[str, float]:
    """Median µs per call of each of `calls`, their batches run in turn."""
    for call in calls.values():  # warm up
        _batch_ns(call, batch)
    samples: dict[str, list[int]] = {name: [] for name in calls}
    for _ in range(batches):
        for name, call in calls.items():
            samples[name].append(_batch_ns(call, batch))
    return {name: statistics.median(times) / batch / 1e3 for name, times in samples.items()}


def _checked(call: Call, expected: object) -> Call:
    """`call`, after checking once that it returns `expected`."""
    result = call()
    if result != expected:
        raise SystemExit(f"wrong result: {result!r} instead of {expected!r}")
    return call


def _met(ratio: float, limit: float) -> str:
    return "met" if ratio <= limit else "MISSED"


# ---------------------------------------------------------------- 1. export calls


def _export_calls(bench: Bench, batches: int, batch: int) -> None:
    point = bench.types.Point(x_coord=-7, y_coord=1 << 20, weight=2.5, label_text="bench point ✓")
    raw_point = _raw_point(point)
    print(
        f"1. export calls, typed vs raw export, both through the same host implementation "
        f"(median µs/call, {batches} batches of {batch})"
    )
    print(f"   {'function':12} {'host':6} {'typed':>8} {'raw':>8} {'typed/raw':>10}  target <= 1.0")
    for host in ("typed", "raw"):
        typed = bench.typed(host)
        rows: list[tuple[str, Call, Call]] = [
            (
                "add-one",
                _checked(functools.partial(typed.add_one, 41), 42),
                _checked(functools.partial(bench.raw(host, "add-one"), 41), 42),
            ),
            (
                "echo-point",
                _checked(functools.partial(typed.echo_point, point), point),
                _checked(functools.partial(bench.raw(host, "echo-point"), raw_point), raw_point),
            ),
        ]
        for name, typed_call, raw_call in rows:
            us = _interleaved_us({"typed": typed_call, "raw": raw_call}, batches, batch)
            ratio = us["typed"] / us["raw"]
            print(
                f"   {name:12} {host:6} {us['typed']:8.2f} {us['raw']:8.2f} "
                f"{ratio:10.2f}  {_met(ratio, 1.0)}"
            )


# ---------------------------------------------------------------- 2. host imports


def _import_round_trip(bench: Bench, batches: int, batch: int) -> None:
    print(
        "2. host import round trip: add-one export -> host import -> back "
        "(median µs/call, typed vs raw host)"
    )
    print(f"   {'export side':21} {'typed':>8} {'raw':>8} {'typed/raw':>10}  target <= 1.0")
    calls: dict[str, Call] = {}
    for host in ("typed", "raw"):
        calls[f"raw export, {host} host"] = _checked(
            functools.partial(bench.raw(host, "add-one"), 41), 42
        )
        calls[f"typed export, {host} host"] = _checked(
            functools.partial(bench.typed(host).add_one, 41), 42
        )
    us = _interleaved_us(calls, batches, batch)
    for export in ("raw", "typed"):
        typed, raw = us[f"{export} export, typed host"], us[f"{export} export, raw host"]
        print(
            f"   {export + ' export':21} {typed:8.2f} {raw:8.2f} {typed / raw:10.2f}  "
            f"{_met(typed / raw, 1.0)}"
        )
    typed, raw = us["typed export, typed host"], us["raw export, raw host"]
    print(
        f"   {'all typed vs all raw':21} {typed:8.2f} {raw:8.2f} {typed / raw:10.2f}  "
        f"{_met(typed / raw, 1.0)}"
    )


# ---------------------------------------------------------------- 3. bytes


def _bytes(bench: Bench) -> None:
    typed_echo = bench.typed("typed").echo_bytes
    raw_echo = bench.raw("raw", "echo-bytes")
    print(
        "3. echo-bytes(list<u8>) round trip, host -> guest -> host -> guest -> host, "
        "all typed vs all raw"
    )
    print(
        f"   {'size':>8} {'typed ms':>10} {'(runs)':>6} {'raw ms':>10} {'(runs)':>6} "
        f"{'raw/typed':>10}"
    )
    _checked(functools.partial(raw_echo, bytes(KIB)), bytes(KIB))  # warm up
    speedup = typed_ms = 0.0
    for size, typed_runs, raw_runs in BYTE_SIZES:
        data = bytes(range(256)) * (size // 256)
        typed_ms = _median_ms(_checked(functools.partial(typed_echo, data), data), typed_runs)
        raw_ms = _median_ms(functools.partial(raw_echo, data), raw_runs, check=data)
        speedup = raw_ms / typed_ms
        print(
            f"   {_size(size):>8} {typed_ms:10.3f} {typed_runs:6} {raw_ms:10.1f} {raw_runs:6} "
            f"{speedup:9.0f}x"
        )
    met = "met" if speedup >= BYTES_TARGET else "MISSED"
    print(f"   target: 1 MiB raw/typed >= {BYTES_TARGET:.0f}x: {speedup:.0f}x, {met}")
    print(
        f"   (against the one-way {REFERENCE_1MIB_S:g} s wasmtime-py figure of the design note, "
        f"{BYTES_TARGET:.0f}x means {REFERENCE_1MIB_S / BYTES_TARGET * 1e3:.0f} ms; "
        f"typed took {typed_ms:.0f} ms)"
    )


def _median_ms(call: Call, runs: int, check: object = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        result = call()
        times.append(time.perf_counter_ns() - started)
        if check is not None and result != check:
            raise SystemExit("raw echo-bytes returned other bytes")
    return statistics.median(times) / 1e6


def _size(size: int) -> str:
    return f"{size // (1024 * KIB)} MiB" if size >= 1024 * KIB else f"{size // KIB} KiB"


# ---------------------------------------------------------------- 4. generation


@dataclass(frozen=True)
class Input:
    label: str
    wit: Path  # a file or folder
    cwd: Path  # where the process runs, and what paths are relative to
    world: str | None
    features: tuple[str, ...] = ()

    def arguments(self) -> list[str]:
        words = ["generate", os.path.relpath(self.wit, self.cwd)]
        if self.world is not None:
            words += ["--world", self.world]
        for feature in self.features:
            words += ["--features", feature]
        return words


def _generation(rounds: int) -> None:
    inputs = [
        Input(f"wit --world {world}", ROOT / "wit", ROOT, world)
        for world in ("component", "extended-component")
    ]
    largest = _largest_case()
    if largest is None:
        print(f"(no conformance corpus at {CONFORMANCE}: its row is skipped)")
    else:
        inputs.append(Input(largest.name, largest, CONFORMANCE, None, ("active",)))
    print(f"4. generation (median of {rounds}; in-process runs are warm, processes are fresh)")
    print(f"   {'input':32} {'how':12} {'seconds':>8}  target")
    witgen = _witgen_command()
    with tempfile.TemporaryDirectory(prefix="witgen-bench-") as tmp:
        for number, item in enumerate(inputs):
            out = Path(tmp) / f"input{number}"
            in_process = _in_process(item, out / "in-process", rounds)
            _report(item.label, "in-process", in_process, None)
            runs = [
                [*witgen, *item.arguments(), "--out", str(out / f"run{run}")]
                for run in range(rounds)
            ]
            _report("", "process", *_run_all(runs, item.cwd), GENERATE_TARGET)
            # Checks the output of the last run, so that little can change in between.
            check = [*runs[-1], "--check"]
            _report("", "--check no-op", *_run_all([check] * rounds, item.cwd), CHECK_TARGET)
    if largest is not None:
        print(f"   ({largest.name} is the largest accepted case: {_wit_bytes(largest)} bytes)")


def _in_process(item: Input, out: Path, rounds: int) -> float:
    from witgen.codegen.generate import Options, generate_files

    options = Options(
        wit=item.wit, out=out, world=item.world, features=item.features, base=item.cwd
    )
    generate_files(options)  # warm up: grammar, templates, black
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        generated = generate_files(options)  # `out` stays empty: nothing is reused
        times.append(time.perf_counter() - started)
    assert generated.files
    return statistics.median(times)


def _run_all(commands: Sequence[Sequence[str]], cwd: Path) -> tuple[float, str | None]:
    """The median wall time of running `commands` one by one, and the first failure
    (exit status and last line of stderr), if any."""
    times = []
    failure = None
    for command in commands:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        if result.returncode != 0 and failure is None:
            lines = result.stderr.decode(errors="replace").strip().splitlines() or [""]
            failure = f"exit {result.returncode}: {lines[-1][:100]}"
    return statistics.median(times), failure


def _report(
    label: str, how: str, seconds: float, failure: str | None, target: float = GENERATE_TARGET
) -> None:
    met = "met" if seconds < target else "MISSED"
    if failure is not None:
        met = f"FAILED ({failure})"
    print(f"   {label:32} {how:12} {seconds:8.3f}  < {target:g} s: {met}")


def _largest_case() -> Path | None:
    table = CONFORMANCE / "cases.tsv"
    if not table.is_file():
        return None
    rows = [line.split("\t") for line in table.read_text().splitlines()[1:] if line]
    accepted = [CONFORMANCE / row[0] for row in rows if row[2] == "ok"]
    return max(accepted, key=_wit_bytes, default=None)


def _wit_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*.wit"))


def _witgen_command() -> list[str]:
    beside = Path(sys.executable).parent / "witgen"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "witgen"]


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


if __name__ == "__main__":
    sys.exit(main())
