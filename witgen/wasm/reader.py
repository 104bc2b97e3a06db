"""Read a WebAssembly binary, a component or a core module, section by
section (wasmparser's `Parser`), validating a component as it is read.

In: the bytes of a WebAssembly binary, and `on_custom`, called with the name
and contents of each custom section as it is met.
Out: `read_component` returns a `ComponentInfo`: whether the binary is a
component, whether it is a concrete one, the top-level imports and exports of
the component (`externs`), each with its type, and the `Types` arena those
types live in.
Raises: wasmparser's message and byte offset (`wasm_error`) for a malformed,
truncated or invalid binary; whatever `on_custom` raises.

A component that does more than declare types (core modules and types,
instances, canonical functions, a start function, nested components) is
recognised: `ComponentInfo.concrete` says so, and the sections it skips are
still framed (nested modules and components down to their section headers).
A core module is framed section by section and reported with `is_component`
False.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from witgen.wasm.binary import (
    CoreTypeFound,
    ImportDecl,
    ResourceTypeDef,
    read_alias,
    read_export,
    read_extern_name,
    read_type,
    read_type_ref,
)
from witgen.wasm.binary_reader import BinaryReader
from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import (
    MAX_EXPORTS,
    MAX_FUNCTION_RESULTS,
    MAX_MODULE_SIZE,
    MAX_START_ARGS,
    MAX_TYPE_NESTING,
    MAX_TYPES,
    check_max,
)
from witgen.wasm.types import Item, Types
from witgen.wasm.validate import Validator

WASM_MAGIC = b"\0asm"
_MODULE_VERSION = 0x0000_0001
_COMPONENT_VERSION = 0x0001_000D


@dataclass(frozen=True, slots=True)
class Extern:
    """A top-level import or export of the component, with its type."""

    name: str
    is_import: bool
    item: Item


@dataclass(frozen=True, slots=True)
class ComponentInfo:
    """What `read_component` learned.

    `is_component` is False for a core module.  `concrete` is True for a
    component that does more than declare types (its type information is
    not modelled, and `externs` is empty).
    """

    is_component: bool
    concrete: bool
    externs: tuple[Extern, ...]
    types: Types


# Core module sections in the order they must come (wasmparser's `Order`).
_MODULE_ORDER = {
    1: 1,
    2: 2,
    3: 3,
    4: 4,
    5: 5,
    13: 6,
    6: 7,
    7: 8,
    8: 9,
    9: 10,
    12: 11,
    10: 12,
    11: 13,
}
# Component sections this reader skips: they only occur in real components.
_CONCRETE_SECTIONS = frozenset({1, 2, 3, 4, 5, 8, 9})
_COMPONENT_SECTIONS = frozenset(range(1, 12))


def read_component(data: bytes, on_custom: Callable[[str, bytes], None]) -> ComponentInfo:
    """Read and validate `data` (see the module docstring)."""
    r = BinaryReader(data, 0, len(data))
    is_component = _read_header(r, None)
    reader = _ComponentReader() if is_component else None
    _read_sections(r, is_component, reader, on_custom, 0)
    if reader is None:
        return ComponentInfo(False, False, (), Types())
    externs = () if reader.concrete else tuple(reader.externs)
    return ComponentInfo(True, reader.concrete, externs, reader.validator.types)


def _read_header(r: BinaryReader, expect: Literal["module", "component"] | None) -> bool:
    """The magic number and version; True for a component, False for a module."""
    at = r.pos
    magic = r.take(4)
    if magic != WASM_MAGIC:
        wasm_error(
            "magic header not detected: bad magic number - "
            f"expected={_debug_bytes(WASM_MAGIC)} actual={_debug_bytes(magic)}",
            at,
        )
    version = int.from_bytes(r.take(4), "little")
    if version not in (_MODULE_VERSION, _COMPONENT_VERSION):
        wasm_error(f"unknown binary version: {version:#10x}", at + 4)
    is_component = version == _COMPONENT_VERSION
    if expect is not None and is_component != (expect == "component"):
        wasm_error(f"expected a version header for a {expect}", at)
    return is_component


def _read_sections(
    r: BinaryReader,
    is_component: bool,
    reader: _ComponentReader | None,
    on_custom: Callable[[str, bytes], None],
    depth: int,
) -> None:
    """Each section of a module or component (wasmparser's `Parser`).

    `reader` validates the sections of the top-level component; nested
    modules and components are only framed, their sections skipped.
    """
    last_order = 0
    has_start = False
    while not r.eof():
        if r.data[r.pos : r.pos + 4] == WASM_MAGIC:
            wasm_error("expected section, got wasm magic number", r.pos)
        id_at = r.pos
        section_id = r.u8()
        if section_id & 0x80:
            wasm_error("malformed section id", id_at)
        size_at = r.pos
        size = r.var_u32()
        start = r.pos
        if is_component and section_id in (1, 4):
            kind: Literal["module", "component"] = "module" if section_id == 1 else "component"
            if size > MAX_MODULE_SIZE:
                wasm_error(f"{kind} section is too large", size_at)
            if depth >= MAX_TYPE_NESTING:
                wasm_error(f"{kind} nesting is too deep", start)
            nested = BinaryReader(r.data, start, min(start + size, r.end))
            _read_sections(nested, _read_header(nested, kind), None, on_custom, depth + 1)
            r.pos = start + size
            if reader is not None:
                reader.concrete = True
            continue
        if is_component and section_id == 9:
            if has_start:
                wasm_error("component cannot have more than one start function", start)
            has_start = True
        r.take(size)
        body = BinaryReader(r.data, start, start + size)
        if is_component and section_id == 9:
            _read_start(body)
            if reader is not None:
                reader.concrete = True
        elif section_id == 0:
            name = body.string()
            on_custom(name, r.data[body.pos : body.end])
        elif reader is not None:
            reader.section(section_id, body)
        elif is_component:
            if section_id not in _COMPONENT_SECTIONS:
                wasm_error(f"malformed section id: {section_id}", start)
        elif section_id in _MODULE_ORDER:
            order = _MODULE_ORDER[section_id]
            if last_order >= order:
                wasm_error("section out of order", start)
            last_order = order
        else:
            wasm_error(f"malformed section id: {section_id}", start)


def _read_start(body: BinaryReader) -> None:
    """A component's start section: a function, its arguments and result count."""
    body.var_u32()
    for _ in range(body.size(MAX_START_ARGS, "start function arguments")):
        body.var_u32()
    body.size(MAX_FUNCTION_RESULTS, "start function results")
    if not body.eof():
        wasm_error("unexpected content in the component start section", body.pos)


def _debug_bytes(data: bytes) -> str:
    """Rust's `{:#x?}` of a byte slice."""
    return "[\n" + "".join(f"    0x{b:x},\n" for b in data) + "]"


class _ComponentReader:
    """Reads the sections of a component, validating each item as it is read."""

    def __init__(self) -> None:
        self.validator = Validator()
        self.externs: list[Extern] = []
        self.concrete = False

    def section(self, section_id: int, body: BinaryReader) -> None:
        if section_id in _CONCRETE_SECTIONS:
            self.concrete = True
            return
        if section_id not in (6, 7, 10, 11):
            wasm_error(f"malformed section id: {section_id}", body.pos)
        start = body.pos
        count = body.var_u32()
        scope = self.validator.scopes[0]
        if section_id == 7:
            check_max(len(scope.types), count, MAX_TYPES, "types", start)
        elif section_id == 11:
            check_max(len(scope.exports), count, MAX_EXPORTS, "exports", start)
        for _ in range(count):
            offset = body.pos
            try:
                self._item(section_id, body, offset)
            except CoreTypeFound:
                # A core type, or a resource definition: this is a real
                # component, whose type information is not modelled.
                self.concrete = True
                return
        if not body.eof():
            wasm_error("section size mismatch: unexpected data at the end of the section", body.pos)

    def _item(self, section_id: int, body: BinaryReader, offset: int) -> None:
        validator = self.validator
        if section_id == 7:
            ty = read_type(body, 0)
            if isinstance(ty, ResourceTypeDef):
                raise CoreTypeFound()
            if not self.concrete:
                validator.add_type(ty, offset)
        elif section_id == 6:
            alias = read_alias(body)
            if not self.concrete:
                validator.add_alias(alias, offset)
        elif section_id == 10:
            decl = ImportDecl(read_extern_name(body), read_type_ref(body))
            if not self.concrete:
                item = validator.add_import(decl, offset)
                self.externs.append(Extern(decl.name.name, True, item))
        else:
            export = read_export(body)
            if not self.concrete:
                entity = validator.export_entity(export, offset)
                item = validator.add_export(export.name, entity, offset)
                self.externs.append(Extern(export.name.name, False, item))
