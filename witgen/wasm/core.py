"""Core WebAssembly types inside a component: read for their framing only.

In: a `BinaryReader` at a core type (wasmparser's `CoreType`: a rec group, a
sub type or a module type), a core value type, or a core import's type.
Out: `read_core_type` returns a `CoreTypeDecl`: whether it is a module type,
and how many types it adds to the core type index space; `read_core_valtype`
returns the value type's leading byte; `read_core_external_kind` the kind of a
core export or import.  Nothing else is kept: the decoder never needs a core
type, only where the next declaration starts and how many indices each adds.
Raises: wasmparser's message and offset (`wasm_error`) for a malformed or
truncated encoding.

The encodings are wasmparser's (`readers/core/types.rs`, `imports.rs`,
`memories.rs`, `tables.rs`, `globals.rs`, `tags.rs`), with every feature on,
as wit-parser's validator has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from witgen.wasm.binary_reader import BinaryReader
from witgen.wasm.errors import wasm_error

# wasmparser's limits on the parts of core types.
MAX_REC_GROUP_TYPES = 1_000_000
MAX_SUPERTYPES = 1
MAX_CORE_FUNCTION_PARAMS = 1000
MAX_CORE_FUNCTION_RESULTS = 1000
MAX_STRUCT_FIELDS = 10_000
MAX_MODULE_TYPE_DECLS = 100_000

_NUMBERS = frozenset({0x7F, 0x7E, 0x7D, 0x7C, 0x7B})
_ABSTRACT_HEAP_TYPES = frozenset(
    {0x70, 0x6F, 0x6E, 0x71, 0x72, 0x73, 0x6D, 0x6B, 0x6A, 0x6C, 0x69, 0x74, 0x68, 0x75}
)

CoreKind = Literal["func", "table", "memory", "global", "tag"]
# The core kinds by their byte in an import, an export, an alias or a sort.
CORE_KINDS: dict[int, CoreKind] = {
    0x00: "func",
    0x01: "table",
    0x02: "memory",
    0x03: "global",
    0x04: "tag",
    0x20: "func",  # `func_exact`
}
# Each core kind once, in the order of its byte.
CORE_KIND_NAMES: tuple[CoreKind, ...] = tuple(dict.fromkeys(CORE_KINDS.values()))


@dataclass(frozen=True, slots=True)
class CoreTypeDecl:
    """A core type as the component's core type index space sees it."""

    is_module: bool
    count: int


def read_core_type(r: BinaryReader) -> CoreTypeDecl:
    """wasmparser's `CoreType::from_reader`."""
    byte = r.peek()
    if byte == 0x00:
        r.u8()
        second = r.peek()
        if second != 0x50:
            wasm_error(f"invalid leading byte (0x{second:x}) for non-final sub type", r.pos)
        return CoreTypeDecl(False, _read_rec_group(r))
    if byte == 0x50:
        r.u8()
        for _ in range(r.size(MAX_MODULE_TYPE_DECLS, "module type declaration")):
            _read_module_decl(r)
        return CoreTypeDecl(True, 1)
    return CoreTypeDecl(False, _read_rec_group(r))


def _read_rec_group(r: BinaryReader) -> int:
    if r.peek() == 0x4E:
        r.u8()
        count = r.size(MAX_REC_GROUP_TYPES, "rec group types")
        for _ in range(count):
            _read_sub_type(r)
        return count
    _read_sub_type(r)
    return 1


def _read_sub_type(r: BinaryReader) -> None:
    at = r.pos
    opcode = r.u8()
    if opcode in (0x4F, 0x50):
        supertypes = r.size(MAX_SUPERTYPES, "supertype idxs")
        for _ in range(supertypes):
            r.var_u32()
        opcode = r.u8()
    elif opcode == 0x4E:
        wasm_error("invalid leading byte (0x4e) for type", at)
    _read_composite_type(r, opcode)


def _read_composite_type(r: BinaryReader, opcode: int) -> None:
    if opcode == 0x65:  # shared
        opcode = r.u8()
    for prefix in (0x4C, 0x4D):  # describes, descriptor
        if opcode == prefix:
            r.var_u32()
            opcode = r.u8()
    if opcode == 0x60:
        for _ in range(r.size(MAX_CORE_FUNCTION_PARAMS, "function params")):
            read_core_valtype(r)
        for _ in range(r.size(MAX_CORE_FUNCTION_RESULTS, "function returns")):
            read_core_valtype(r)
    elif opcode == 0x5E:
        _read_field_type(r)
    elif opcode == 0x5F:
        for _ in range(r.size(MAX_STRUCT_FIELDS, "struct fields")):
            _read_field_type(r)
    elif opcode == 0x5D:
        r.var_s33()
    else:
        wasm_error(f"invalid leading byte (0x{opcode:x}) for type", r.pos - 1)


def _read_field_type(r: BinaryReader) -> None:
    if r.peek() in (0x78, 0x77):  # i8, i16
        r.u8()
    else:
        read_core_valtype(r)
    mutable = r.u8()
    if mutable > 1:
        wasm_error("invalid mutability byte for field type", r.pos - 1)


def read_core_valtype(r: BinaryReader) -> int:
    """A core value type; returns its first byte (0x7F for `i32`, ...)."""
    at = r.pos
    byte = r.peek()
    if byte in _NUMBERS:
        return r.u8()
    if byte in (0x63, 0x64):
        r.u8()
        _read_heap_type(r)
        return byte
    if byte == 0x62:
        wasm_error("unexpected exact type", at)
    if byte == 0x65:
        r.u8()
    abstract = r.u8()
    if abstract not in _ABSTRACT_HEAP_TYPES:
        wasm_error("invalid value type", r.pos - 1)
    return byte


def _read_heap_type(r: BinaryReader) -> None:
    """A type index (a non-negative s33), or a shared, exact or abstract heap type."""
    byte = r.peek()
    if byte == 0x65:
        r.u8()
        _read_abstract_heap_type(r)
    elif byte == 0x62:
        r.u8()
        r.var_u32()
    elif 0x40 <= byte < 0x80:  # a one-byte negative s33: an abstract heap type
        _read_abstract_heap_type(r)
    elif r.var_s33() < 0:
        wasm_error("invalid heap type", r.pos - 1)


def _read_abstract_heap_type(r: BinaryReader) -> None:
    byte = r.u8()
    if byte not in _ABSTRACT_HEAP_TYPES:
        wasm_error("invalid heap type", r.pos - 1)


def read_core_external_kind(r: BinaryReader) -> CoreKind:
    """`ExternalKind::from_reader`."""
    byte = r.u8()
    kind = CORE_KINDS.get(byte)
    if kind is None:
        wasm_error(f"invalid leading byte (0x{byte:x}) for external kind", r.pos - 1)
    return kind


def _read_module_decl(r: BinaryReader) -> None:
    """`ModuleTypeDeclaration::from_reader`."""
    byte = r.u8()
    if byte == 0x00:
        r.string()
        r.string()
        _read_core_type_ref(r)
    elif byte == 0x01:
        _read_rec_group(r)
    elif byte == 0x02:
        kind = r.u8()
        if kind != 0x10:
            wasm_error(f"invalid leading byte (0x{kind:x}) for outer alias kind", r.pos - 1)
        target = r.u8()
        if target != 0x01:
            wasm_error(f"invalid leading byte (0x{target:x}) for outer alias target", r.pos - 1)
        r.var_u32()
        r.var_u32()
    elif byte == 0x03:
        r.string()
        _read_core_type_ref(r)
    else:
        wasm_error(f"invalid leading byte (0x{byte:x}) for type definition", r.pos - 1)


def _read_core_type_ref(r: BinaryReader) -> None:
    """A core import's type (`TypeRef::from_reader`)."""
    kind = read_core_external_kind(r)
    if kind == "func":
        r.var_u32()
    elif kind == "table":
        read_core_valtype(r)
        _read_limits(r, 0b111, "invalid table resizable limits flags")
    elif kind == "memory":
        flags = _read_limits(r, 0b1111, "invalid memory limits flags")
        if flags & 0b1000:
            at = r.pos
            if r.var_u32() >= 64:
                wasm_error("invalid custom page size", at)
    elif kind == "global":
        read_core_valtype(r)
        if r.u8() > 0b11:
            wasm_error("malformed global flags", r.pos - 1)
    else:
        if r.u8() != 0:
            wasm_error("invalid tag attributes", r.pos - 1)
        r.var_u32()


def _read_limits(r: BinaryReader, allowed: int, message: str) -> int:
    at = r.pos
    flags = r.u8()
    if flags & ~allowed:
        wasm_error(message, at)
    _read_var_u64(r)
    if flags & 1:
        _read_var_u64(r)
    return flags


def _read_var_u64(r: BinaryReader) -> None:
    """An unsigned LEB128 of at most 64 bits (wasmparser's `read_var_u64`)."""
    shift = 0
    while True:
        byte = r.u8()
        if shift >= 63 and byte >> (64 - shift) != 0:
            if byte & 0x80:
                wasm_error("invalid var_u64: integer representation too long", r.pos - 1)
            wasm_error("invalid var_u64: integer too large", r.pos - 1)
        shift += 7
        if not byte & 0x80:
            return
