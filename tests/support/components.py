"""Small real WebAssembly components built from WIT, for end-to-end tests.

Every component is a hand-written *core* module in WAT text, with the WIT embedded
and wrapped into a component by the reference tool (test-only use):

    wasm-tools component embed <wit-dir> --world <W> core.wat -o embedded.wasm
    wasm-tools component new embedded.wasm -o component.wasm

The core module follows wit-component's legacy naming: imports come from module
`ns:pkg/iface@ver` (or `$root` for world-level functions) under their WIT names
(`f`, `[method]r.m`, `[constructor]r`, `[static]r.s`, `[resource-drop]r`); exports are
named `ns:pkg/iface@ver#f` (or `f` at world level) plus `memory`, `cabi_realloc` and
`cabi_post_<export>`; an exported resource `r` gets `[resource-new]r`,
`[resource-rep]r` and `[resource-drop]r` from module `[export]ns:pkg/iface@ver`, and the
core module exports `ns:pkg/iface@ver#[dtor]r`.

Public functions
----------------
`build_echo_component(wit, world, *, cache_dir) -> Path`
    In: the WIT source of one package, and the name of a world in it.  Every function
    the world exports (in an exported interface, or at world level) must have an
    imported function of the same name with the same canonical-ABI signature (the usual
    shape: `import host; export guest;` with identical function lists, types shared
    through a `types` interface both `use`).  Out: the path of a component in
    `cache_dir` whose exports forward their arguments to the import of the same name
    and return its result unchanged, so a host function's behaviour is observable
    through the export.  Borrowed handles the export receives are dropped after the
    forwarded call, as the component model requires.  Each export's `cabi_post_*`
    resets the bump heap, so memory does not pile up over many large calls.
`build_counter_component(cache_dir) -> Path`
    Out: the component for `COUNTER_WIT` (world `counter-world`), described below.
`build_wat_component(wit, world, core_wat, *, cache_dir) -> Path`
    Out: the component of `world` made of the hand-written core module `core_wat`.
`echo_core_wat(wit, world) -> str`
    The core module `build_echo_component` embeds (for inspection and tests).
`load_component(engine, path) -> wasmtime.component.Component`
    Compiles `path` once and keeps the serialized artifact beside it
    (`<stem>.wasmtime-<version>.cwasm`); later loads deserialize it, and any
    deserialize error (other wasmtime, other engine config, damaged file) recompiles.
`find_wasm_tools() -> str | None`, `wasm_tools_version() -> str`
    The reference tool, as the tests use it.
`flatten`, `alignment`, `elem_size`, `lift_signature`, `lower_signature`
    The canonical ABI (MAX_FLAT_PARAMS=16, MAX_FLAT_RESULTS=1) over the despecialized
    types `Prim`, `RecordT`, `VariantT`, `FlagsT`, `ListT`, `HandleT`, computed here from
    `wasm-tools component wit --json`, not from witgen's resolver.

`COUNTER_WIT` (package `test:res`, world `counter-world`)
    * exports `counters`: `resource counter { constructor(start: u32); get: func() -> u32;
      inc: func(); merge: static func(a: borrow<counter>, b: borrow<counter>) -> counter; }`,
      `make(start) -> counter`, `consume(c: counter) -> u32` (reads the value, then drops
      the handle, which runs the destructor), `peek(c: borrow<counter>) -> u32`, and
      `drops() -> u32`, the number of destructor runs so far.  A counter's rep is the
      address of its i32 value in linear memory; freed cells are reused.
    * imports `blobs`, a host-defined `resource blob { constructor(data: list<u8>);
      size: func() -> u32; }`, `take-blob: func(b: blob) -> u32` and
      `check-blob: func(b: borrow<blob>) -> u32`.
    * exports `blob-user`: `roundtrip(b: blob) -> blob` (hands the same own handle back),
      `size-of(b: borrow<blob>) -> u32` (calls the imported `[method]blob.size`),
      `make-blob(n: u32) -> blob` (calls the imported constructor with n bytes of value 7),
      and `take-blob` / `check-blob`, which forward to the imported functions of those
      names (exported so that the host's `take-blob` and `check-blob` are reachable).

Caching: a component is stored as `<kind>-<sha256 prefix>.wasm` in `cache_dir`, keyed by the
WIT text, the world, the generated core WAT and the wasm-tools version.  All writes go
to a temporary file in the same directory followed by `os.replace`, so concurrent
builders (pytest-xdist workers) never see a partial file.

Errors: `WasmToolsNotFound` if the tool is missing, `ComponentBuildError` if a
wasm-tools command fails (the message carries its stderr), `UnsupportedWit` for WIT
the echo generator cannot forward (no or ambiguous import of the same name, differing
signatures, async functions, guest-defined resources, borrows inside lists or
variants), and `wasmtime.WasmtimeError` from `load_component` when a component does not
compile.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version as distribution_version
from pathlib import Path
from typing import Any

from wasmtime import Engine, WasmtimeError
from wasmtime.component import Component

from support.corpus import wasm_tools

__all__ = [
    "COUNTER_WIT",
    "COUNTER_WORLD",
    "MAX_FLAT_PARAMS",
    "MAX_FLAT_RESULTS",
    "AbiType",
    "ComponentBuildError",
    "CoreSignature",
    "FlagsT",
    "HandleT",
    "ListT",
    "Prim",
    "RecordT",
    "Resource",
    "UnsupportedWit",
    "VariantT",
    "WasmToolsNotFound",
    "alignment",
    "build_counter_component",
    "build_echo_component",
    "counter_core_wat",
    "echo_core_wat",
    "elem_size",
    "find_wasm_tools",
    "flatten",
    "lift_signature",
    "load_component",
    "lower_signature",
    "wasm_tools_version",
]

MAX_FLAT_PARAMS = 16
MAX_FLAT_RESULTS = 1

# Bumped whenever the generated modules change meaning without changing their text.
_CACHE_SCHEMA = "witgen-test-components/1"

# Linear memory: the bump heap starts here and the memory starts at 2 MiB, growing on
# demand (so payloads of many MiB work).
_HEAP_BASE = 1024
_INITIAL_PAGES = 32


class ComponentBuildError(RuntimeError):
    """A wasm-tools command failed; the message holds the command and its stderr."""


class WasmToolsNotFound(ComponentBuildError):
    """No `wasm-tools` executable beside the interpreter or on PATH."""


class UnsupportedWit(ValueError):
    """The WIT is valid, but the echo generator cannot forward it."""


# ---------------------------------------------------------------------------
# The canonical ABI over despecialized types
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """A resource type: its id in the resolved JSON, its name, and the core import
    module that provides `[resource-drop]<name>` for it (`None` for a resource the
    world exports, i.e. one the guest defines)."""

    type_id: int
    name: str
    module: str | None


@dataclass(frozen=True)
class Prim:
    """bool, integers, floats, char, string, error-context, future and stream."""

    name: str


@dataclass(frozen=True)
class RecordT:
    """A record, or a tuple (despecialized to a record)."""

    fields: tuple[AbiType, ...]


@dataclass(frozen=True)
class VariantT:
    """A variant; enum, option and result despecialize to this. `None` = no payload."""

    cases: tuple[AbiType | None, ...]


@dataclass(frozen=True)
class FlagsT:
    """flags with `count` labels."""

    count: int


@dataclass(frozen=True)
class ListT:
    """list<T>, or list<T, N> when `length` is set; map<K, V> is list<tuple<K, V>>."""

    elem: AbiType
    length: int | None = None


@dataclass(frozen=True)
class HandleT:
    """own<R> or borrow<R>."""

    borrow: bool
    resource: Resource


AbiType = Prim | RecordT | VariantT | FlagsT | ListT | HandleT

# name -> (flat core types, size, alignment), wasm32.
_PRIMS: dict[str, tuple[tuple[str, ...], int, int]] = {
    "bool": (("i32",), 1, 1),
    "u8": (("i32",), 1, 1),
    "s8": (("i32",), 1, 1),
    "u16": (("i32",), 2, 2),
    "s16": (("i32",), 2, 2),
    "u32": (("i32",), 4, 4),
    "s32": (("i32",), 4, 4),
    "u64": (("i64",), 8, 8),
    "s64": (("i64",), 8, 8),
    "f32": (("f32",), 4, 4),
    "f64": (("f64",), 8, 8),
    "char": (("i32",), 4, 4),
    "string": (("i32", "i32"), 8, 4),
    "error-context": (("i32",), 4, 4),
    "future": (("i32",), 4, 4),
    "stream": (("i32",), 4, 4),
}


def _discriminant(case_count: int) -> Prim:
    if case_count <= 1 << 8:
        return Prim("u8")
    if case_count <= 1 << 16:
        return Prim("u16")
    return Prim("u32")


def _flags_words(count: int) -> int:
    """How many i32s hold `count` flags (more than one only past 32 flags, which
    current wasm-tools rejects; the pre-2025 ABI packed them into several i32s)."""
    return max(1, -(-count // 32))


def _align_to(offset: int, align: int) -> int:
    return -(-offset // align) * align


def _join(a: str, b: str) -> str:
    if a == b:
        return a
    if {a, b} == {"i32", "f32"}:
        return "i32"
    return "i64"


def flatten(t: AbiType) -> list[str]:
    """The core value types `t` flattens to (`flatten_type` in CanonicalABI.md)."""
    match t:
        case Prim(name):
            return list(_PRIMS[name][0])
        case RecordT(fields):
            return [core for field in fields for core in flatten(field)]
        case VariantT(cases):
            joined: list[str] = []
            for case in cases:
                if case is None:
                    continue
                for i, core in enumerate(flatten(case)):
                    if i < len(joined):
                        joined[i] = _join(joined[i], core)
                    else:
                        joined.append(core)
            return flatten(_discriminant(len(cases))) + joined
        case FlagsT(count):
            return ["i32"] * _flags_words(count)
        case ListT(elem, None):
            return ["i32", "i32"]
        case ListT(elem, length):
            assert length is not None
            return flatten(elem) * length
        case HandleT():
            return ["i32"]


def alignment(t: AbiType) -> int:
    """Alignment in linear memory (wasm32)."""
    match t:
        case Prim(name):
            return _PRIMS[name][2]
        case RecordT(fields):
            return max((alignment(field) for field in fields), default=1)
        case VariantT(cases):
            payload = max((alignment(case) for case in cases if case is not None), default=1)
            return max(alignment(_discriminant(len(cases))), payload)
        case FlagsT(count):
            return 1 if count <= 8 else 2 if count <= 16 else 4
        case ListT(elem, None):
            return 4
        case ListT(elem, _):
            return alignment(elem)
        case HandleT():
            return 4


def elem_size(t: AbiType) -> int:
    """Size in linear memory (wasm32), padded to the alignment."""
    match t:
        case Prim(name):
            return _PRIMS[name][1]
        case RecordT(fields):
            size = 0
            for field in fields:
                size = _align_to(size, alignment(field)) + elem_size(field)
            return _align_to(size, alignment(t))
        case VariantT(cases):
            payloads = [case for case in cases if case is not None]
            size = elem_size(_discriminant(len(cases)))
            size = _align_to(size, max((alignment(case) for case in payloads), default=1))
            size += max((elem_size(case) for case in payloads), default=0)
            return _align_to(size, alignment(t))
        case FlagsT(count):
            return 1 if count <= 8 else 2 if count <= 16 else 4 * _flags_words(count)
        case ListT(elem, None):
            return 8
        case ListT(elem, length):
            assert length is not None
            return length * elem_size(elem)
        case HandleT():
            return 4


@dataclass(frozen=True)
class CoreSignature:
    """A core function type: `(param ...) (result ...)`."""

    params: tuple[str, ...]
    results: tuple[str, ...]

    def wat(self) -> str:
        parts = []
        if self.params:
            parts.append(f"(param {' '.join(self.params)})")
        if self.results:
            parts.append(f"(result {' '.join(self.results)})")
        return " ".join(parts)


def _flat_params(params: Sequence[AbiType]) -> tuple[str, ...]:
    flat = [core for param in params for core in flatten(param)]
    return ("i32",) if len(flat) > MAX_FLAT_PARAMS else tuple(flat)


def lift_signature(params: Sequence[AbiType], result: AbiType | None) -> CoreSignature:
    """The core signature of a function the component exports (`canon lift`)."""
    flat_results = flatten(result) if result is not None else []
    results = ("i32",) if len(flat_results) > MAX_FLAT_RESULTS else tuple(flat_results)
    return CoreSignature(_flat_params(params), results)


def lower_signature(params: Sequence[AbiType], result: AbiType | None) -> CoreSignature:
    """The core signature of a function the component imports (`canon lower`)."""
    flat_results = flatten(result) if result is not None else []
    if len(flat_results) > MAX_FLAT_RESULTS:
        return CoreSignature((*_flat_params(params), "i32"), ())
    return CoreSignature(_flat_params(params), tuple(flat_results))


def _contains_borrow(t: AbiType) -> bool:
    match t:
        case HandleT(borrow):
            return borrow
        case RecordT(fields):
            return any(_contains_borrow(field) for field in fields)
        case VariantT(cases):
            return any(case is not None and _contains_borrow(case) for case in cases)
        case ListT(elem, _):
            return _contains_borrow(elem)
        case _:
            return False


def _borrow_slots(t: AbiType, start: int, *, in_memory: bool) -> list[tuple[Resource, int]]:
    """Borrowed handles inside `t`: (resource, flat index or byte offset from `start`).

    Only handles at fixed positions (directly, or inside records and tuples) are
    supported; a borrow inside a list or variant raises `UnsupportedWit`.
    """
    match t:
        case HandleT(True, resource):
            return [(resource, start)]
        case RecordT(fields):
            slots: list[tuple[Resource, int]] = []
            position = start
            for field in fields:
                if in_memory:
                    position = _align_to(position, alignment(field))
                slots += _borrow_slots(field, position, in_memory=in_memory)
                position += elem_size(field) if in_memory else len(flatten(field))
            return slots
        case _ if _contains_borrow(t):
            raise UnsupportedWit("a borrow inside a list or variant cannot be forwarded")
        case _:
            return []


# ---------------------------------------------------------------------------
# Reading `wasm-tools component wit --json`
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Function:
    name: str
    module: str  # core import module, or the export name prefix ("" at world level)
    params: tuple[AbiType, ...]
    result: AbiType | None

    @property
    def export_name(self) -> str:
        return f"{self.module}#{self.name}" if self.module else self.name


class _ResolvedWorld:
    """One world of a resolved package, with its functions as `AbiType`s."""

    def __init__(self, doc: dict[str, Any], world: str) -> None:
        self._types: list[dict[str, Any]] = doc["types"]
        self._interfaces: list[dict[str, Any]] = doc["interfaces"]
        self._packages: list[dict[str, Any]] = doc["packages"]
        matches = [w for w in doc["worlds"] if w["name"] == world]
        if len(matches) != 1:
            names = sorted(w["name"] for w in doc["worlds"])
            raise UnsupportedWit(f"expected one world named {world!r}, found worlds {names}")
        self._world = matches[0]
        self._world_index = doc["worlds"].index(self._world)
        self._cache: dict[int, AbiType] = {}
        # interface id -> the core module name it goes by in this world
        self._imported: dict[int, str] = {}
        self._exported: dict[int, str] = {}
        for key, item in self._world["imports"].items():
            if "interface" in item:
                iid = item["interface"]["id"]
                self._imported[iid] = self._world_key(key, iid)
        for key, item in self._world["exports"].items():
            if "interface" in item:
                iid = item["interface"]["id"]
                self._exported[iid] = self._world_key(key, iid)

    def _world_key(self, key: str, iid: int) -> str:
        iface = self._interfaces[iid]
        if iface["name"] is None or key != f"interface-{iid}":
            return key  # `import name: interface { ... }`
        package = self._packages[iface["package"]]["name"]
        base, _, ver = package.partition("@")
        return f"{base}/{iface['name']}" + (f"@{ver}" if ver else "")

    def imports(self) -> list[_Function]:
        return self._functions(self._world["imports"], self._imported, "$root")

    def exports(self) -> list[_Function]:
        return self._functions(self._world["exports"], self._exported, "")

    def _functions(
        self, items: dict[str, Any], modules: dict[int, str], world_module: str
    ) -> list[_Function]:
        found: list[_Function] = []
        for item in items.values():
            if "function" in item:
                found.append(self._function(item["function"], world_module))
            elif "interface" in item:
                iid = item["interface"]["id"]
                for func in self._interfaces[iid]["functions"].values():
                    found.append(self._function(func, modules[iid]))
        return found

    def _function(self, func: dict[str, Any], module: str) -> _Function:
        kind = func["kind"]
        kind_name = kind if isinstance(kind, str) else next(iter(kind))
        if kind_name.startswith("async"):
            raise UnsupportedWit(f"async function {func['name']!r} is not supported")
        params = tuple(self.abi(param["type"]) for param in func["params"])
        result = self.abi(func["result"]) if func.get("result") is not None else None
        return _Function(func["name"], module, params, result)

    def abi(self, ref: str | int) -> AbiType:
        if isinstance(ref, str):
            if ref not in _PRIMS:
                raise UnsupportedWit(f"unknown primitive type {ref!r}")
            return Prim(ref)
        if ref not in self._cache:
            self._cache[ref] = self._abi_typedef(self._types[ref]["kind"])
        return self._cache[ref]

    def _opt(self, ref: str | int | None) -> AbiType | None:
        return None if ref is None else self.abi(ref)

    def _abi_typedef(self, kind: str | dict[str, Any]) -> AbiType:
        if isinstance(kind, str):
            raise UnsupportedWit(f"a {kind} type is not a value type")
        (tag, body), *_ = kind.items()
        match tag:
            case "type":
                return self.abi(body)
            case "record":
                return RecordT(tuple(self.abi(f["type"]) for f in body["fields"]))
            case "tuple":
                return RecordT(tuple(self.abi(t) for t in body["types"]))
            case "variant":
                return VariantT(tuple(self._opt(c["type"]) for c in body["cases"]))
            case "enum":
                return VariantT((None,) * len(body["cases"]))
            case "option":
                return VariantT((None, self.abi(body)))
            case "result":
                return VariantT((self._opt(body["ok"]), self._opt(body["err"])))
            case "flags":
                return FlagsT(len(body["flags"]))
            case "list":
                return ListT(self.abi(body))
            case "fixed-length-list":
                return ListT(self.abi(body[0]), int(body[1]))
            case "map":
                return ListT(RecordT((self.abi(body[0]), self.abi(body[1]))))
            case "future" | "stream":
                return Prim(tag)
            case "handle":
                (handle_kind, target), *_ = body.items()
                return HandleT(handle_kind == "borrow", self._resource(target))
        raise UnsupportedWit(f"unknown type kind {tag!r}")

    def _resource(self, type_id: int) -> Resource:
        typedef = self._types[type_id]
        while isinstance(typedef["kind"], dict) and "type" in typedef["kind"]:
            type_id = typedef["kind"]["type"]
            typedef = self._types[type_id]
        if typedef["kind"] != "resource":
            raise UnsupportedWit(f"handle to non-resource type {typedef['name']!r}")
        owner = typedef["owner"] or {}
        module: str | None
        if "interface" in owner:
            module = self._imported.get(owner["interface"])
        else:  # a world-level resource; only imported ones are supported
            module = "$root" if owner.get("world") == self._world_index else None
        return Resource(type_id, typedef["name"], module)


# ---------------------------------------------------------------------------
# The tool
# ---------------------------------------------------------------------------


def find_wasm_tools() -> str | None:
    """The reference `wasm-tools` (see `support.corpus.wasm_tools`)."""
    return wasm_tools()


def _run(*args: str | Path) -> str:
    tool = find_wasm_tools()
    if tool is None:
        raise WasmToolsNotFound("wasm-tools is not installed beside the interpreter or on PATH")
    command = [tool, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ComponentBuildError(
            f"`{' '.join(command)}` failed (exit {done.returncode}):\n{done.stderr}"
        )
    return done.stdout


@cache
def wasm_tools_version() -> str:
    """`wasm-tools --version`, e.g. `wasm-tools 1.262.0 (e22db44da 2026-10-13)`."""
    return _run("--version").strip()


def _write_wit(folder: Path, wit: str) -> Path:
    wit_dir = folder / "wit"
    wit_dir.mkdir()
    (wit_dir / "main.wit").write_text(wit)
    return wit_dir


def _resolve(wit: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="witgen-wit-") as tmp:
        doc: dict[str, Any] = json.loads(
            _run("component", "wit", "--json", _write_wit(Path(tmp), wit))
        )
        return doc


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _build(kind: str, wit: str, world: str, core_wat: str, cache_dir: Path) -> Path:
    key = hashlib.sha256(
        json.dumps([_CACHE_SCHEMA, wit, world, core_wat, wasm_tools_version()]).encode()
    ).hexdigest()
    out = cache_dir / f"{kind}-{key[:32]}.wasm"
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=f".{kind}-build-") as tmp:
        folder = Path(tmp)
        wit_dir = _write_wit(folder, wit)
        (folder / "core.wat").write_text(core_wat)
        embedded = folder / "embedded.wasm"
        component = folder / "component.wasm"
        _run("component", "embed", wit_dir, "--world", world, folder / "core.wat", "-o", embedded)
        _run("component", "new", embedded, "-o", component)
        os.replace(component, out)
    return out


# ---------------------------------------------------------------------------
# Core WAT
# ---------------------------------------------------------------------------


def _wat_str(text: str) -> str:
    """`text` as a WAT string literal (bytes outside printable ASCII as `\\hh`)."""
    chars = [
        chr(byte) if 0x20 <= byte < 0x7F and chr(byte) not in '"\\' else f"\\{byte:02x}"
        for byte in text.encode()
    ]
    return '"' + "".join(chars) + '"'


def _allocator_wat() -> str:
    """Memory, the bump allocator `$alloc(size, align)` and `cabi_realloc`.

    The heap grows the memory when needed and traps (`unreachable`) when it cannot.
    """
    return f"""
  (memory (export "memory") {_INITIAL_PAGES})
  (global $bump (mut i32) (i32.const {_HEAP_BASE}))
  (func $alloc (param $size i32) (param $align i32) (result i32)
    (local $ptr i32) (local $end i64) (local $have i64)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $ptr))
                             (i64.extend_i32_u (local.get $size))))
    (if (i64.gt_u (local.get $end) (i64.const 0xffffffff)) (then unreachable))
    (local.set $have (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow
                (i32.wrap_i64
                  (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have))
                                      (i64.const 0xffff))
                             (i64.const 16))))
              (i32.const -1))
          (then unreachable))))
    (global.set $bump (i32.wrap_i64 (local.get $end)))
    (local.get $ptr))
  (func (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32)
    (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $new_size) (local.get $align)))
    (if (local.get $old)
      (then
        (memory.copy (local.get $ptr) (local.get $old)
          (select (local.get $old_size) (local.get $new_size)
                  (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))
"""


def _pair(world: _ResolvedWorld) -> list[tuple[_Function, _Function]]:
    by_name: dict[str, list[_Function]] = {}
    for imported in world.imports():
        by_name.setdefault(imported.name, []).append(imported)
    pairs = []
    for exported in world.exports():
        candidates = by_name.get(exported.name, [])
        if len(candidates) != 1:
            where = [c.module for c in candidates]
            raise UnsupportedWit(
                f"export {exported.export_name!r} needs exactly one imported function "
                f"named {exported.name!r}, found {len(candidates)} {where}"
            )
        imported = candidates[0]
        if (exported.params, exported.result) != (imported.params, imported.result):
            raise UnsupportedWit(
                f"export {exported.export_name!r} and import {imported.module}.{imported.name} "
                "have different signatures"
            )
        for t in (*exported.params, *([exported.result] if exported.result else [])):
            _check_forwardable(t, exported.export_name)
        pairs.append((exported, imported))
    return pairs


def _check_forwardable(t: AbiType, where: str) -> None:
    match t:
        case HandleT(_, resource) if resource.module is None:
            raise UnsupportedWit(f"{where}: guest-defined resource {resource.name!r}")
        case RecordT(fields):
            for field in fields:
                _check_forwardable(field, where)
        case VariantT(cases):
            for case in cases:
                if case is not None:
                    _check_forwardable(case, where)
        case ListT(elem, _):
            _check_forwardable(elem, where)
        case _:
            pass


@dataclass(frozen=True)
class _Forward:
    """How export `$e<index>` forwards to import `$i<index>`."""

    index: int
    exported: _Function
    imported: _Function

    @property
    def lifted(self) -> CoreSignature:
        return lift_signature(self.exported.params, self.exported.result)

    @property
    def lowered(self) -> CoreSignature:
        return lower_signature(self.imported.params, self.imported.result)

    @property
    def spilled(self) -> bool:
        """The params travel through memory (more than MAX_FLAT_PARAMS flat values)."""
        return len(flatten(RecordT(self.exported.params))) > MAX_FLAT_PARAMS

    @property
    def retptr(self) -> bool:
        """The import writes its result through a trailing return pointer."""
        return len(self.lowered.params) > len(self.lifted.params)

    def borrows(self) -> list[tuple[Resource, int]]:
        return _borrow_slots(RecordT(self.exported.params), 0, in_memory=self.spilled)

    def imports(self) -> list[str]:
        imported = self.imported
        return [
            f"  (import {_wat_str(imported.module)} {_wat_str(imported.name)} "
            f"(func $i{self.index} {self.lowered.wat()}))"
        ]

    def functions(self, drops: dict[Resource, str]) -> list[str]:
        """The forwarding export and its post-return, which resets the heap.

        `drops` names the `[resource-drop]` import of each borrowed resource.
        """
        lifted, result = self.lifted, self.exported.result
        body = []
        args = [f"(local.get {i})" for i in range(len(lifted.params))]
        if self.retptr:
            assert result is not None
            size, align = elem_size(result), alignment(result)
            body.append(f"(local.set $ret (call $alloc (i32.const {size}) (i32.const {align})))")
            args.append("(local.get $ret)")
        body.append(f"(call $i{self.index} {' '.join(args)})")
        # Borrowed handles must be dropped before the export returns.
        for resource, position in self.borrows():
            if self.spilled:
                handle = f"(i32.load offset={position} (local.get 0))"
            else:
                handle = f"(local.get {position})"
            body.append(f"(call {drops[resource]} {handle})")
        if self.retptr:
            body.append("(local.get $ret)")
        name = self.exported.export_name
        lines = [f"  (func $e{self.index} (export {_wat_str(name)}) {lifted.wat()}"]
        if self.retptr:
            lines.append("    (local $ret i32)")
        lines += [f"    {line}" for line in body]
        lines[-1] += ")"
        post = " ".join(
            part
            for part in (
                f"(export {_wat_str('cabi_post_' + name)})",
                CoreSignature(lifted.results, ()).wat(),
                f"(global.set $bump (i32.const {_HEAP_BASE}))",
            )
            if part
        )
        lines.append(f"  (func {post})")
        return lines


def echo_core_wat(wit: str, world: str) -> str:
    """The core module for `build_echo_component` (see the module docstring)."""
    resolved = _ResolvedWorld(_resolve(wit), world)
    forwards = [
        _Forward(index, exported, imported)
        for index, (exported, imported) in enumerate(_pair(resolved))
    ]
    drops: dict[Resource, str] = {}
    for forward in forwards:
        for resource, _ in forward.borrows():
            drops.setdefault(resource, f"$drop{len(drops)}")
    drop_imports = [
        f"  (import {_wat_str(resource.module or '')} "
        f"{_wat_str('[resource-drop]' + resource.name)} (func {ident} (param i32)))"
        for resource, ident in drops.items()
    ]
    return "\n".join(
        [
            "(module",
            f"  ;; echo component for world {world}: each export calls the import of its name",
            *(line for forward in forwards for line in forward.imports()),
            *drop_imports,
            _allocator_wat().rstrip("\n"),
            *(line for forward in forwards for line in forward.functions(drops)),
            ")",
            "",
        ]
    )


def build_echo_component(wit: str, world: str, *, cache_dir: Path) -> Path:
    """Build (or reuse from `cache_dir`) the echo component for `world` of `wit`."""
    return _build("echo", wit, world, echo_core_wat(wit, world), cache_dir)


# ---------------------------------------------------------------------------
# The resource component
# ---------------------------------------------------------------------------

COUNTER_WIT = """\
package test:res;

interface blobs {
  resource blob {
    constructor(data: list<u8>);
    size: func() -> u32;
  }
  take-blob: func(b: blob) -> u32;
  check-blob: func(b: borrow<blob>) -> u32;
}

interface counters {
  resource counter {
    constructor(start: u32);
    get: func() -> u32;
    inc: func();
    merge: static func(a: borrow<counter>, b: borrow<counter>) -> counter;
  }
  make: func(start: u32) -> counter;
  consume: func(c: counter) -> u32;
  peek: func(c: borrow<counter>) -> u32;
  drops: func() -> u32;
}

interface blob-user {
  use blobs.{blob};
  roundtrip: func(b: blob) -> blob;
  size-of: func(b: borrow<blob>) -> u32;
  make-blob: func(n: u32) -> blob;
  take-blob: func(b: blob) -> u32;
  check-blob: func(b: borrow<blob>) -> u32;
}

world counter-world {
  import blobs;
  export counters;
  export blob-user;
}
"""

COUNTER_WORLD = "counter-world"

_COUNTER_CORE_WAT = """\
(module
  ;; host-defined blob, imported
  (import "test:res/blobs" "[constructor]blob" (func $blob_new (param i32 i32) (result i32)))
  (import "test:res/blobs" "[method]blob.size" (func $blob_size (param i32) (result i32)))
  (import "test:res/blobs" "[resource-drop]blob" (func $blob_drop (param i32)))
  (import "test:res/blobs" "take-blob" (func $take_blob (param i32) (result i32)))
  (import "test:res/blobs" "check-blob" (func $check_blob (param i32) (result i32)))
  ;; guest-defined counter, exported
  (import "[export]test:res/counters" "[resource-new]counter"
    (func $counter_new (param i32) (result i32)))
  (import "[export]test:res/counters" "[resource-rep]counter"
    (func $counter_rep (param i32) (result i32)))
  (import "[export]test:res/counters" "[resource-drop]counter" (func $counter_drop (param i32)))
ALLOCATOR
  (global $drops (mut i32) (i32.const 0))
  ;; freed counter cells, linked through their first word
  (global $free (mut i32) (i32.const 0))

  ;; a new counter holding $start; returns its own handle
  (func $new_counter (param $start i32) (result i32)
    (local $rep i32)
    (if (global.get $free)
      (then
        (local.set $rep (global.get $free))
        (global.set $free (i32.load (local.get $rep))))
      (else (local.set $rep (call $alloc (i32.const 4) (i32.const 4)))))
    (i32.store (local.get $rep) (local.get $start))
    (call $counter_new (local.get $rep)))

  ;; borrow<counter> arrives as the rep (the guest owns the type); own as a handle
  (func (export "test:res/counters#[constructor]counter") (param $start i32) (result i32)
    (call $new_counter (local.get $start)))
  (func (export "test:res/counters#[method]counter.get") (param $rep i32) (result i32)
    (i32.load (local.get $rep)))
  (func (export "test:res/counters#[method]counter.inc") (param $rep i32)
    (i32.store (local.get $rep) (i32.add (i32.load (local.get $rep)) (i32.const 1))))
  (func (export "test:res/counters#[static]counter.merge") (param $a i32) (param $b i32)
    (result i32)
    (call $new_counter (i32.add (i32.load (local.get $a)) (i32.load (local.get $b)))))
  (func (export "test:res/counters#make") (param $start i32) (result i32)
    (call $new_counter (local.get $start)))
  (func (export "test:res/counters#consume") (param $handle i32) (result i32)
    (local $value i32)
    (local.set $value (i32.load (call $counter_rep (local.get $handle))))
    (call $counter_drop (local.get $handle))
    (local.get $value))
  (func (export "test:res/counters#peek") (param $rep i32) (result i32)
    (i32.load (local.get $rep)))
  (func (export "test:res/counters#drops") (result i32)
    (global.get $drops))
  (func (export "test:res/counters#[dtor]counter") (param $rep i32)
    (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
    (i32.store (local.get $rep) (global.get $free))
    (global.set $free (local.get $rep)))

  ;; borrow<blob> arrives as a handle that must be dropped before returning
  (func (export "test:res/blob-user#roundtrip") (param $handle i32) (result i32)
    (local.get $handle))
  (func (export "test:res/blob-user#size-of") (param $handle i32) (result i32)
    (call $blob_size (local.get $handle))
    (call $blob_drop (local.get $handle)))
  (func (export "test:res/blob-user#make-blob") (param $n i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (call $alloc (local.get $n) (i32.const 1)))
    (memory.fill (local.get $ptr) (i32.const 7) (local.get $n))
    (call $blob_new (local.get $ptr) (local.get $n)))
  (func (export "test:res/blob-user#take-blob") (param $handle i32) (result i32)
    (call $take_blob (local.get $handle)))
  (func (export "test:res/blob-user#check-blob") (param $handle i32) (result i32)
    (call $check_blob (local.get $handle))
    (call $blob_drop (local.get $handle)))
)
"""


def counter_core_wat() -> str:
    """The core module of the counter component."""
    return _COUNTER_CORE_WAT.replace("ALLOCATOR\n", _allocator_wat().lstrip("\n"))


def build_counter_component(cache_dir: Path) -> Path:
    """Build (or reuse from `cache_dir`) the component for `COUNTER_WIT`."""
    return _build("counter", COUNTER_WIT, COUNTER_WORLD, counter_core_wat(), cache_dir)


# ---------------------------------------------------------------------------
# Loading into wasmtime
# ---------------------------------------------------------------------------


def load_component(engine: Engine, path: Path) -> Component:
    """`path` compiled for `engine`, through a serialized artifact kept beside it."""
    wasmtime_version = distribution_version("wasmtime")
    artifact = path.with_name(f"{path.stem}.wasmtime-{wasmtime_version}.cwasm")
    if artifact.is_file():
        try:
            return Component.deserialize_file(engine, str(artifact))
        except WasmtimeError:
            pass  # another engine configuration, or a damaged file: compile afresh
    component = Component.from_file(engine, path)
    _atomic_write(artifact, bytes(component.serialize()))
    return component


def build_wat_component(wit: str, world: str, core_wat: str, *, cache_dir: Path) -> Path:
    """A component of `world` (of the one-package WIT source `wit`) made of the
    hand-written core module `core_wat`, cached like the others."""
    return _build("wat", wit, world, core_wat, cache_dir)


def build_dummy_component(wit_dir: Path, world: str, *, cache_dir: Path) -> Path:
    """A component of `world` (of the package folder `wit_dir`, with its `deps/`)
    whose functions all trap: wasm-tools' `--dummy` core module, for tests of
    what a host reads from a component's type before running it."""
    files = sorted(p for p in wit_dir.rglob("*") if p.is_file())
    digest = hashlib.sha256(
        json.dumps([_CACHE_SCHEMA, "dummy", world, wasm_tools_version()]).encode()
    )
    for path in files:
        digest.update(path.relative_to(wit_dir).as_posix().encode() + b"\0" + path.read_bytes())
    out = cache_dir / f"dummy-{digest.hexdigest()[:32]}.wasm"
    if out.is_file():
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".dummy-build-") as tmp:
        folder = Path(tmp)
        embedded = folder / "embedded.wasm"
        component = folder / "component.wasm"
        _run(
            "component",
            "embed",
            wit_dir,
            "--world",
            world,
            "--dummy-names",
            "legacy",
            "-o",
            embedded,
        )
        _run("component", "new", embedded, "-o", component)
        os.replace(component, out)
    return out
