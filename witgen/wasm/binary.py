"""The binary format: the items of a component's sections as they are read.

In: a `BinaryReader` (`binary_reader.py`) over the bytes of a section.
Out: `read_type`, `read_alias`, `read_extern_name`, `read_type_ref`,
`read_export`, `read_core_instance`, `read_instance` and `read_canonical`
return one item each, as read: types refer to each other by type index
(`DefinedType[int]`, `FuncType[int]`, `ComponentTypeDef`, ...), and nothing is
checked but the encoding; `validate.py` gives them meaning.  Core types are
read by `core.py`, for their framing only.
Raises: wasmparser's message and offset (`wasm_error`) for a truncated or
malformed encoding (LEB128 integers, strings, leading bytes, counts over
their limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from witgen.wasm.binary_reader import BinaryReader
from witgen.wasm.core import (
    CORE_KINDS,
    CoreKind,
    CoreTypeDecl,
    read_core_external_kind,
    read_core_type,
    read_core_valtype,
)
from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import (
    MAX_COMPONENT_TYPE_DECLS,
    MAX_ENUM_CASES,
    MAX_FLAG_NAMES,
    MAX_FUNCTION_PARAMS,
    MAX_INSTANCE_TYPE_DECLS,
    MAX_RECORD_FIELDS,
    MAX_TUPLE_TYPES,
    MAX_TYPE_NESTING,
    MAX_VARIANT_CASES,
)
from witgen.wasm.types import (
    BorrowType,
    DefinedType,
    EnumType,
    FixedListType,
    FlagsType,
    FuncType,
    FutureType,
    ListType,
    MapType,
    OptionType,
    OwnType,
    PrimitiveType,
    RecordType,
    ResultType,
    StreamType,
    TupleType,
    VariantType,
)

PRIMITIVE_BYTES: dict[int, str] = {
    0x7F: "bool",
    0x7E: "s8",
    0x7D: "u8",
    0x7C: "s16",
    0x7B: "u16",
    0x7A: "s32",
    0x79: "u32",
    0x78: "s64",
    0x77: "u64",
    0x76: "f32",
    0x75: "f64",
    0x74: "char",
    0x73: "string",
    0x64: "error-context",
}


# ---------------------------------------------------------------- declarations (as read)


@dataclass(frozen=True, slots=True)
class ExternName:
    """An import or export name with its options (`implements`, ...)."""

    name: str
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None


ExternKind = Literal["module", "func", "value", "type", "component", "instance"]


@dataclass(frozen=True, slots=True)
class TypeRef:
    """What an import or export declares (wasmparser's `ComponentTypeRef`).

    `index` is the type index of a module, func, instance or component type,
    or of the `(eq T)` bound of a type; `sub_resource` marks `(sub resource)`;
    `value` is the type of a value.
    """

    kind: ExternKind
    index: int = 0
    sub_resource: bool = False
    value: int | str | None = None


@dataclass(frozen=True, slots=True)
class InstanceExportAlias:
    kind: ExternKind
    instance: int
    name: str


@dataclass(frozen=True, slots=True)
class CoreInstanceExportAlias:
    kind: CoreKind
    instance: int
    name: str


OuterKind = Literal["core-module", "core-type", "type", "component"]


@dataclass(frozen=True, slots=True)
class OuterAlias:
    kind: OuterKind
    count: int
    index: int


Alias = InstanceExportAlias | CoreInstanceExportAlias | OuterAlias


@dataclass(frozen=True, slots=True)
class ResourceTypeDef:
    """`(resource (rep i32) (dtor f))`: only concrete components define these.

    `rep` is the core value type's leading byte (0x7F for `i32`); `dtor` the
    core function index of the destructor, if any.
    """

    rep: int
    dtor: int | None


@dataclass(frozen=True, slots=True)
class ImportDecl:
    name: ExternName
    ref: TypeRef


@dataclass(frozen=True, slots=True)
class ExportDecl:
    name: ExternName
    ref: TypeRef


@dataclass(frozen=True, slots=True)
class AliasDecl:
    alias: Alias


@dataclass(frozen=True, slots=True)
class TypeDecl:
    type: DeclaredType


@dataclass(frozen=True, slots=True)
class ComponentTypeDef:
    decls: tuple[Decl, ...]


@dataclass(frozen=True, slots=True)
class InstanceTypeDef:
    decls: tuple[Decl, ...]


Decl: TypeAlias = ImportDecl | ExportDecl | AliasDecl | TypeDecl | CoreTypeDecl
DeclaredType: TypeAlias = (
    DefinedType[int] | FuncType[int] | ComponentTypeDef | InstanceTypeDef | ResourceTypeDef
)


@dataclass(frozen=True, slots=True)
class ExportItem:
    """An entry of a component's export section."""

    name: ExternName
    kind: ExternKind
    index: int
    ref: TypeRef | None


@dataclass(frozen=True, slots=True)
class CoreInstantiate:
    """`(core instance (instantiate M (with "name" (instance I))...))`."""

    module: int
    args: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CoreFromExports:
    """`(core instance (export "name" (func F))...)`: a bag of core exports."""

    exports: tuple[tuple[str, CoreKind, int], ...]


@dataclass(frozen=True, slots=True)
class Instantiate:
    """`(instance (instantiate C (with "name" (kind i))...))`."""

    component: int
    args: tuple[tuple[str, ExternKind, int], ...]


@dataclass(frozen=True, slots=True)
class FromExports:
    """`(instance (export "name" (kind i))...)`: a bag of exports."""

    exports: tuple[tuple[ExternName, ExternKind, int], ...]


@dataclass(frozen=True, slots=True)
class Lift:
    """`canon lift`: core function `core_func` as a function of type `type`."""

    core_func: int
    type: int


@dataclass(frozen=True, slots=True)
class Lower:
    """`canon lower`: component function `func` as a core function."""

    func: int


@dataclass(frozen=True, slots=True)
class ResourceIntrinsic:
    """`canon resource.new`, `resource.drop` or `resource.rep` of a resource type."""

    op: Literal["new", "drop", "rep"]
    resource: int


@dataclass(frozen=True, slots=True)
class Intrinsic:
    """Any other canonical built-in (`task.return`, `stream.new`, ...): a core function."""


Canonical: TypeAlias = Lift | Lower | ResourceIntrinsic | Intrinsic

MAX_CANONICAL_OPTIONS = 10
MAX_INSTANTIATION_ARGS = 100_000
MAX_INSTANTIATION_EXPORTS = 100_000


# ---------------------------------------------------------------- reading declarations


def _read_valtype(r: BinaryReader) -> int | str:
    at = r.pos
    first = r.peek()
    primitive = PRIMITIVE_BYTES.get(first)
    if primitive is not None:
        r.u8()
        return primitive
    index = r.var_s33()
    if not 0 <= index <= 0xFFFF_FFFF:
        wasm_error(f"invalid leading byte (0x{first:x}) for component value type", at)
    return index


def _read_optional_valtype(r: BinaryReader) -> int | str | None:
    byte = r.u8()
    if byte == 0x00:
        return None
    if byte == 0x01:
        return _read_valtype(r)
    r.invalid_byte(byte, "optional component value type")


def _read_names(r: BinaryReader, limit: int, desc: str) -> tuple[str, ...]:
    return tuple(r.string() for _ in range(r.size(limit, desc)))


def _read_defined(r: BinaryReader, byte: int) -> DefinedType[int]:
    if byte == 0x72:
        count = r.size(MAX_RECORD_FIELDS, "record field")
        return RecordType(tuple((r.string(), _read_valtype(r)) for _ in range(count)))
    if byte == 0x71:
        cases: list[tuple[str, int | str | None]] = []
        for _ in range(r.size(MAX_VARIANT_CASES, "variant cases")):
            name = r.string()
            payload = _read_optional_valtype(r)
            refines = r.u8()
            if refines != 0:
                r.invalid_byte(refines, "zero byte required")
            cases.append((name, payload))
        return VariantType(tuple(cases))
    if byte == 0x70:
        return ListType(_read_valtype(r))
    if byte == 0x63:
        key = _read_valtype(r)
        return MapType(key, _read_valtype(r))
    if byte == 0x6F:
        count = r.size(MAX_TUPLE_TYPES, "tuple types")
        return TupleType(tuple(_read_valtype(r) for _ in range(count)))
    if byte == 0x6E:
        return FlagsType(_read_names(r, MAX_FLAG_NAMES, "flag names"))
    if byte == 0x6D:
        return EnumType(_read_names(r, MAX_ENUM_CASES, "enum cases"))
    if byte == 0x6B:
        return OptionType(_read_valtype(r))
    if byte == 0x6A:
        ok = _read_optional_valtype(r)
        return ResultType(ok, _read_optional_valtype(r))
    if byte == 0x69:
        return OwnType(r.var_u32())
    if byte == 0x68:
        return BorrowType(r.var_u32())
    if byte == 0x67:
        element = _read_valtype(r)
        return FixedListType(element, r.var_u32())
    if byte == 0x66:
        return StreamType(_read_optional_valtype(r))
    if byte == 0x65:
        return FutureType(_read_optional_valtype(r))
    r.invalid_byte(byte, "component defined type")


def read_type(r: BinaryReader, nesting: int) -> DeclaredType:
    """One `ComponentType`; `nesting` counts the enclosing type declarations."""
    byte = r.u8()
    if byte == 0x3F:
        rep = read_core_valtype(r)
        tag = r.u8()
        if tag == 0x01:
            return ResourceTypeDef(rep, r.var_u32())
        if tag != 0x00:
            r.invalid_byte(tag, "resource destructor")
        return ResourceTypeDef(rep, None)
    if byte in (0x40, 0x43):
        count = r.size(MAX_FUNCTION_PARAMS, "component function parameters")
        params = tuple((r.string(), _read_valtype(r)) for _ in range(count))
        tag = r.u8()
        result: int | str | None
        if tag == 0x00:
            result = _read_valtype(r)
        elif tag == 0x01:
            zero = r.u8()
            if zero != 0x00:
                r.invalid_byte(zero, "number of results")
            result = None
        else:
            r.invalid_byte(tag, "component function results")
        return FuncType(byte == 0x43, params, result)
    if byte in (0x41, 0x42):
        if nesting >= MAX_TYPE_NESTING:
            wasm_error("component type nesting is too deep", r.pos)
        if byte == 0x41:
            count = r.size(MAX_COMPONENT_TYPE_DECLS, "component type declaration")
            return ComponentTypeDef(tuple(_read_decl(r, True, nesting) for _ in range(count)))
        count = r.size(MAX_INSTANCE_TYPE_DECLS, "instance type declaration")
        return InstanceTypeDef(tuple(_read_decl(r, False, nesting) for _ in range(count)))
    primitive = PRIMITIVE_BYTES.get(byte)
    if primitive is not None:
        return PrimitiveType(primitive)
    return _read_defined(r, byte)


def _read_decl(r: BinaryReader, in_component: bool, nesting: int) -> Decl:
    byte = r.u8()
    if byte == 0x03 and in_component:
        return ImportDecl(read_extern_name(r), read_type_ref(r))
    if byte == 0x00:
        return read_core_type(r)
    if byte == 0x01:
        return TypeDecl(read_type(r, nesting + 1))
    if byte == 0x02:
        return AliasDecl(read_alias(r))
    if byte == 0x04:
        return ExportDecl(read_extern_name(r), read_type_ref(r))
    r.invalid_byte(byte, "component or instance type declaration")


def read_extern_name(r: BinaryReader) -> ExternName:
    byte = r.u8()
    if byte not in (0x00, 0x01, 0x02):
        r.invalid_byte(byte, "component name")
    name = r.string()
    if byte != 0x02:
        return ExternName(name)
    options: dict[int, str] = {}
    labels = {0x00: "implements", 0x01: "versionsuffix", 0x02: "external-id"}
    for _ in range(r.var_u32()):
        at = r.pos
        option = r.u8()
        if option not in labels:
            r.invalid_byte(option, "name option")
        value = r.string()
        if option in options:
            wasm_error(f"duplicate '{labels[option]}' option in name", at)
        options[option] = value
    return ExternName(name, options.get(0x00), options.get(0x01), options.get(0x02))


def _read_extern_kind(r: BinaryReader) -> ExternKind:
    at = r.pos
    first = r.u8()
    second = r.u8() if first == 0x00 else None
    return _kind_from_bytes(first, second, at)


def read_type_ref(r: BinaryReader) -> TypeRef:
    kind = _read_extern_kind(r)
    if kind == "value":
        return TypeRef(kind, value=_read_valtype(r))
    if kind == "type":
        bound = r.u8()
        if bound == 0x00:
            return TypeRef(kind, index=r.var_u32())
        if bound == 0x01:
            return TypeRef(kind, sub_resource=True)
        r.invalid_byte(bound, "type bound")
    return TypeRef(kind, index=r.var_u32())


def read_alias(r: BinaryReader) -> Alias:
    at = r.pos
    first = r.u8()
    second = r.u8() if first == 0x00 else None
    tag = r.u8()
    if tag == 0x00:
        kind = _kind_from_bytes(first, second, at)
        instance = r.var_u32()
        return InstanceExportAlias(kind, instance, r.string())
    if tag == 0x01:
        if second is None:
            wasm_error(f"invalid leading byte (0x{first:x}) for core instance export kind", at)
        core_kind = CORE_KINDS.get(second)
        if core_kind is None:
            wasm_error(f"invalid leading byte (0x{second:x}) for external kind", at)
        instance = r.var_u32()
        return CoreInstanceExportAlias(core_kind, instance, r.string())
    if tag == 0x02:
        outer: OuterKind
        if first == 0x00:
            if second == 0x10:
                outer = "core-type"
            elif second == 0x11:
                outer = "core-module"
            else:
                wasm_error(
                    f"invalid leading byte (0x{second:x}) for component outer alias kind", at + 1
                )
        elif first == 0x03:
            outer = "type"
        elif first == 0x04:
            outer = "component"
        else:
            wasm_error(f"invalid leading byte (0x{first:x}) for component outer alias kind", at)
        count = r.var_u32()
        return OuterAlias(outer, count, r.var_u32())
    r.invalid_byte(tag, "alias")


def _kind_from_bytes(first: int, second: int | None, at: int) -> ExternKind:
    if first == 0x00:
        if second != 0x11:
            wasm_error(f"invalid leading byte (0x{second:x}) for component external kind", at + 1)
        return "module"
    kinds: dict[int, ExternKind] = {
        0x01: "func",
        0x02: "value",
        0x03: "type",
        0x04: "component",
        0x05: "instance",
    }
    kind = kinds.get(first)
    if kind is None:
        wasm_error(f"invalid leading byte (0x{first:x}) for component external kind", at)
    return kind


def read_export(r: BinaryReader) -> ExportItem:
    name = read_extern_name(r)
    kind = _read_extern_kind(r)
    index = r.var_u32()
    tag = r.u8()
    if tag == 0x00:
        return ExportItem(name, kind, index, None)
    if tag == 0x01:
        return ExportItem(name, kind, index, read_type_ref(r))
    wasm_error(f"invalid leading byte (0x{tag:x}) for optional component export type", r.pos - 1)


def read_core_instance(r: BinaryReader) -> CoreInstantiate | CoreFromExports:
    """An item of the core instance section (wasmparser's `Instance`)."""
    byte = r.u8()
    if byte == 0x00:
        module = r.var_u32()
        args: list[tuple[str, int]] = []
        for _ in range(r.size(MAX_INSTANTIATION_ARGS, "core instantiation arguments")):
            name = r.string()
            arg_kind = r.u8()
            if arg_kind != 0x12:
                r.invalid_byte(arg_kind, "instantiation arg kind")
            args.append((name, r.var_u32()))
        return CoreInstantiate(module, tuple(args))
    if byte == 0x01:
        exports: list[tuple[str, CoreKind, int]] = []
        for _ in range(r.size(MAX_INSTANTIATION_ARGS, "core instantiation arguments")):
            name = r.string()
            core_kind = read_core_external_kind(r)
            exports.append((name, core_kind, r.var_u32()))
        return CoreFromExports(tuple(exports))
    r.invalid_byte(byte, "core instance")


def read_instance(r: BinaryReader) -> Instantiate | FromExports:
    """An item of the component instance section (wasmparser's `ComponentInstance`)."""
    byte = r.u8()
    if byte == 0x00:
        component = r.var_u32()
        args: list[tuple[str, ExternKind, int]] = []
        for _ in range(r.size(MAX_INSTANTIATION_ARGS, "instantiation arguments")):
            name = r.string()
            kind = _read_extern_kind(r)
            args.append((name, kind, r.var_u32()))
        return Instantiate(component, tuple(args))
    if byte == 0x01:
        exports: list[tuple[ExternName, ExternKind, int]] = []
        for _ in range(r.size(MAX_INSTANTIATION_EXPORTS, "instantiation exports")):
            extern_name = read_extern_name(r)
            kind = _read_extern_kind(r)
            exports.append((extern_name, kind, r.var_u32()))
        return FromExports(tuple(exports))
    r.invalid_byte(byte, "instance")


# The immediates of each canonical built-in after its opcode: `u` an index,
# `b` a boolean, `o` the canonical options, `v` a core value type, `r` a
# result list.  Lift, lower and the resource intrinsics are read apart.
_INTRINSICS: dict[int, str] = {
    0x24: "", 0x25: "", 0x09: "ro", 0x05: "", 0x0A: "vu", 0x0B: "vu", 0x06: "b", 0x0D: "",
    0x0E: "u", 0x0F: "uo", 0x10: "uo", 0x11: "ub", 0x12: "ub", 0x13: "u", 0x14: "u",
    0x15: "u", 0x16: "uo", 0x17: "uo", 0x18: "ub", 0x19: "ub", 0x1A: "u", 0x1B: "u",
    0x1C: "o", 0x1D: "o", 0x1E: "", 0x1F: "", 0x20: "bu", 0x21: "bu", 0x22: "", 0x23: "",
    0x26: "", 0x27: "uu", 0x28: "", 0x29: "b", 0x0C: "b", 0x2A: "b", 0x2B: "b", 0x2C: "b",
    0x2D: "b", 0x40: "u", 0x41: "uu", 0x42: "",
}  # fmt: skip
_RESOURCE_INTRINSICS: dict[int, Literal["new", "drop", "rep"]] = {
    0x02: "new",
    0x03: "drop",
    0x04: "rep",
}


def read_canonical(r: BinaryReader) -> Canonical:
    """An item of the canonical function section (wasmparser's `CanonicalFunction`)."""
    byte = r.u8()
    if byte in (0x00, 0x01):
        zero = r.u8()
        if zero != 0x00:
            r.invalid_byte(
                zero, "canonical function lift" if byte == 0 else "canonical function lower"
            )
        index = r.var_u32()
        _read_options(r)
        if byte == 0x00:
            return Lift(index, r.var_u32())
        return Lower(index)
    op = _RESOURCE_INTRINSICS.get(byte)
    if op is not None:
        return ResourceIntrinsic(op, r.var_u32())
    immediates = _INTRINSICS.get(byte)
    if immediates is None:
        r.invalid_byte(byte, "canonical function")
    for immediate in immediates:
        if immediate == "u":
            r.var_u32()
        elif immediate == "b":
            if r.u8() > 1:
                wasm_error("invalid boolean value", r.pos - 1)
        elif immediate == "o":
            _read_options(r)
        elif immediate == "v":
            read_core_valtype(r)
        else:
            tag = r.u8()
            if tag == 0x00:
                _read_valtype(r)
            elif tag == 0x01:
                zero = r.u8()
                if zero != 0x00:
                    r.invalid_byte(zero, "number of results")
            else:
                r.invalid_byte(tag, "component function results")
    return Intrinsic()


def _read_options(r: BinaryReader) -> None:
    """The canonical options (`string-encoding=utf8`, `(memory m)`, ...)."""
    for _ in range(r.size(MAX_CANONICAL_OPTIONS, "canonical options")):
        option = r.u8()
        if option in (0x03, 0x04, 0x05, 0x07, 0x08):
            r.var_u32()
        elif option > 0x09:
            r.invalid_byte(option, "canonical option")
