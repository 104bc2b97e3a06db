"""Read a WebAssembly binary, a component or a core module, section by
section (wasmparser's `Parser`), validating a component as it is read.

In: the bytes of a WebAssembly binary, and `on_custom`, called with the name
and contents of each custom section as it is met, at any depth.
Out: `read_component` returns a `ComponentInfo`: whether the binary is a
component, the top-level imports and exports of the component (`externs`),
each with its type, and the `Types` arena those types live in.
Raises: wasmparser's message and byte offset (`wasm_error`) for a malformed,
truncated or invalid binary; whatever `on_custom` raises.

Every section of a component is read and validated, nested components too
(`validate.py` says what is checked); a core module, nested or not, is framed
section by section (section order, sizes) and its contents skipped, so the
time it takes grows with the number of sections, not with the size of code
and data.  A core module given as the whole binary is reported with
`is_component` False.

Hostile input is bounded as in wasm-tools 1.262: at most 1000 modules and
components in the whole binary, nested ones included; no section of a nested
module or component may go past the end its size gives.  Nesting is also
limited to `MAX_TYPE_NESTING` levels, which wasm-tools is not (it accepts up
to the 1000 the count allows), so that reading never recurses deeply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from witgen.wasm.binary import (
    ImportDecl,
    read_alias,
    read_canonical,
    read_core_instance,
    read_export,
    read_extern_name,
    read_instance,
    read_type,
    read_type_ref,
)
from witgen.wasm.binary_reader import BinaryReader
from witgen.wasm.core import read_core_type
from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import (
    MAX_EXPORTS,
    MAX_FUNCTION_RESULTS,
    MAX_FUNCTIONS,
    MAX_INSTANCES,
    MAX_MODULE_SIZE,
    MAX_MODULES_AND_COMPONENTS,
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
    """What `read_component` learned (`is_component` is False for a core module)."""

    is_component: bool
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
_COMPONENT_SECTIONS = frozenset(range(1, 12))


def read_component(data: bytes, on_custom: Callable[[str, bytes], None]) -> ComponentInfo:
    """Read and validate `data` (see the module docstring)."""
    r = BinaryReader(data, 0, len(data))
    is_component = _read_header(r, None)
    reader = _ComponentReader() if is_component else None
    _read_sections(r, is_component, reader, on_custom, depth=0, max_offset=None)
    if reader is None:
        return ComponentInfo(False, (), Types())
    return ComponentInfo(True, tuple(reader.externs), reader.validator.types)


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
    *,
    depth: int,
    max_offset: int | None,
) -> None:
    """Each section of a module or component (wasmparser's `Parser`).

    `reader` validates the sections of a component, nested ones too; the
    sections of modules are only framed.  `max_offset` is where a nested
    module or component ends, as its section's size says (None at the top):
    no section of it may go past.
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
        if max_offset is not None and start + size > max_offset:
            wasm_error(f"section too large, {size} goes past {max_offset:#x}", size_at)
        if is_component and section_id in (1, 4):
            kind: Literal["module", "component"] = "module" if section_id == 1 else "component"
            if size > MAX_MODULE_SIZE:
                wasm_error(f"{kind} section is too large", size_at)
            if reader is not None:
                reader.units += 1
                check_max(
                    reader.units, 0, MAX_MODULES_AND_COMPONENTS, "modules and components", start
                )
            if depth >= MAX_TYPE_NESTING:
                wasm_error(f"{kind} nesting is too deep", start)
            end = min(start + size, r.end)
            nested = BinaryReader(r.data, start, end)
            nested_is_component = _read_header(nested, kind)
            if reader is not None and nested_is_component:
                reader.validator.begin_component()
                _read_sections(
                    nested, True, reader, on_custom, depth=depth + 1, max_offset=start + size
                )
                if end < start + size:
                    wasm_error("unexpected end-of-file", end)
                reader.validator.end_component(end)
            else:
                _read_sections(
                    nested,
                    nested_is_component,
                    None,
                    on_custom,
                    depth=depth + 1,
                    max_offset=start + size,
                )
                if end < start + size:
                    wasm_error("unexpected end-of-file", end)
                if reader is not None:
                    reader.validator.add_module(start)
            r.pos = start + size
            continue
        if is_component and section_id == 9:
            if has_start:
                wasm_error("component cannot have more than one start function", start)
            has_start = True
        if not is_component and section_id == 10 and start + size > r.end:
            # A cut code section fails where wasmparser, which reads it one
            # function body at a time, finds the end.
            _frame_code(BinaryReader(r.data, start, r.end))
        r.take(size)
        body = BinaryReader(r.data, start, start + size)
        if is_component and section_id == 9:
            _read_start(body)
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


def _frame_code(body: BinaryReader) -> None:
    """The function bodies of a module's code section, each skipped whole."""
    for _ in range(body.var_u32()):
        body.take(body.var_u32())


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
    """Reads the sections of a component and of the components nested in it,
    validating each item as it is read; keeps the top level's imports and exports."""

    def __init__(self) -> None:
        self.validator = Validator()
        self.externs: list[Extern] = []
        # The modules and components read so far, this one included.
        self.units = 1

    def section(self, section_id: int, body: BinaryReader) -> None:
        if section_id not in _COMPONENT_SECTIONS:
            wasm_error(f"malformed section id: {section_id}", body.pos)
        start = body.pos
        count = body.var_u32()
        scope = self.validator.scopes[-1]
        types = len(scope.core_types) + len(scope.types)
        if section_id in (3, 7):
            check_max(types, count, MAX_TYPES, "types", start)
        elif section_id == 11:
            check_max(len(scope.exports.items), count, MAX_EXPORTS, "exports", start)
        elif section_id in (2, 5):
            check_max(scope.instance_count(), count, MAX_INSTANCES, "instances", start)
        elif section_id == 8:
            check_max(scope.function_count(), count, MAX_FUNCTIONS, "functions", start)
        for _ in range(count):
            self._item(section_id, body, body.pos)
        if not body.eof():
            wasm_error("section size mismatch: unexpected data at the end of the section", body.pos)

    def _item(self, section_id: int, body: BinaryReader, offset: int) -> None:
        validator = self.validator
        top = validator.depth == 0
        if section_id == 7:
            validator.add_type(read_type(body, 0), offset)
        elif section_id == 6:
            validator.add_alias(read_alias(body), offset)
        elif section_id == 10:
            decl = ImportDecl(read_extern_name(body), read_type_ref(body))
            item = validator.add_import(decl, offset)
            if top:
                self.externs.append(Extern(decl.name.name, True, item))
        elif section_id == 11:
            export = read_export(body)
            entity = validator.export_entity(export, offset)
            item = validator.add_export(export.name, entity, offset)
            if top:
                self.externs.append(Extern(export.name.name, False, item))
        elif section_id == 2:
            validator.add_core_instance(read_core_instance(body), offset)
        elif section_id == 3:
            validator.add_core_type(read_core_type(body), offset)
        elif section_id == 5:
            validator.add_instance(read_instance(body), offset)
        elif section_id == 8:
            validator.add_canonical(read_canonical(body), offset)
        else:
            wasm_error(f"malformed section id: {section_id}", offset)
