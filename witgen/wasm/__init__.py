"""Read WebAssembly components: the binary format and the types it declares.

In: the bytes of a WebAssembly binary, a component or a core module.
Out: `read_component(data, on_custom)` returns a `ComponentInfo`: the
top-level imports and exports of the component (`externs`), each with its
type, and the `Types` arena those types live in; custom sections are handed
to `on_custom` as they are met.  `parse_component_name` classifies an import
or export name (`a-b`, `[method]r.m`, `ns:pkg/iface@1.0.0`, ...).
Raises: `Problem`, with wasmparser's message and byte offset, for a
malformed, truncated or invalid binary.

This is the part of wasmparser that wit-parser's decoder relies on: the
binary reader (`BinaryReader`, `Parser`) and the type checking of the
validator (`ComponentState`, `TypeAlloc`).  Type identity is what matters to
the decoder, so it is modelled exactly: every type definition gets a fresh
id; an alias (`alias outer`, `alias export`) reuses the id it names; a type
import or export with an `(eq T)` bound gets a fresh alias id that peels back
to T's id; `(sub resource)` makes a fresh resource; and importing or
exporting an instance type that defines resources "freshens" them, rewriting
every type that mentions them into a new id (wasmparser's `Remap`).

The model covers what WIT packages contain: component, instance, function,
resource and value types, imports, exports and type/instance aliases, with
the validator's checks on them (names, kebab case, index spaces, resource
names of `[method]` functions, named types, size and depth limits).  A
component that does more (core modules and types, instances, canonical
functions, a start function, nested components) is recognised:
`ComponentInfo.concrete` says so, the sections it skips are still framed
(nested modules and components down to their section headers), and the
checks that only such components can fail (resource representations,
instantiation, canonical options, subtyping of ascribed exports) are not
made.  A core module is framed section by section and reported with
`is_component` False.

Nesting is limited (`MAX_TYPE_NESTING`, `MAX_TYPE_DEPTH`), as in wasm-tools
1.262, so recursion stays shallow; every count read is bounded by the bytes
left, so no input makes this loop for long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, NoReturn, TypeAlias, TypeVar

from witgen.resolve.problems import fail
from witgen.version import Version, VersionError

# ---------------------------------------------------------------- limits (wasmparser's)

MAX_STRING_SIZE = 100_000
MAX_TYPES = 1_000_000
MAX_EXPORTS = 1_000_000
MAX_FUNCTIONS = 1_000_000
MAX_FUNCTION_PARAMS = 1000
MAX_FUNCTION_RESULTS = 1000
MAX_START_ARGS = 1000
MAX_COMPONENT_TYPE_DECLS = 1_000_000
MAX_INSTANCE_TYPE_DECLS = 1_000_000
MAX_RECORD_FIELDS = 10_000
MAX_VARIANT_CASES = 10_000
MAX_TUPLE_TYPES = 10_000
MAX_FLAG_NAMES = 1000
MAX_ENUM_CASES = 10_000
MAX_FIXED_LIST_ELEMENTS = 1_073_741_824
MAX_TYPE_SIZE = 1_000_000
MAX_TYPE_DEPTH = 100
MAX_COMPONENTS = 1000
MAX_INSTANCES = 1000
MAX_MODULES = 1000
MAX_VALUES = 1000
MAX_MODULE_SIZE = 1024 * 1024 * 1024
# How deeply component and instance type declarations may nest inside each
# other (wasm-tools 1.262 has this limit; 1.257's sources do not).
MAX_TYPE_NESTING = 100

WASM_MAGIC = b"\0asm"
_MODULE_VERSION = 0x0000_0001
_COMPONENT_VERSION = 0x0001_000D


def wasm_error(message: str, offset: int) -> NoReturn:
    """Fail with wasmparser's `BinaryReaderError` text: `message (at offset 0x..)`."""
    fail(f"{message} (at offset 0x{offset:x})", None)


# ---------------------------------------------------------------- binary reader


class _Reader:
    """wasmparser's `BinaryReader` over `data[pos:end]`, with absolute offsets."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end

    def eof(self) -> bool:
        return self.pos >= self.end

    def remaining(self) -> int:
        return self.end - self.pos

    def peek(self) -> int:
        if self.pos >= self.end:
            wasm_error("unexpected end-of-file", self.pos)
        return self.data[self.pos]

    def u8(self) -> int:
        if self.pos >= self.end:
            wasm_error("unexpected end-of-file", self.pos)
        byte = self.data[self.pos]
        self.pos += 1
        return byte

    def take(self, size: int) -> bytes:
        if size > self.end - self.pos:
            wasm_error("unexpected end-of-file", self.pos)
        start = self.pos
        self.pos += size
        return self.data[start : self.pos]

    def var_u32(self) -> int:
        byte = self.u8()
        if byte & 0x80 == 0:
            return byte
        result = byte & 0x7F
        shift = 7
        while True:
            byte = self.u8()
            result |= (byte & 0x7F) << shift
            if shift >= 25 and (byte >> (32 - shift)) != 0:
                if byte & 0x80:
                    message = "invalid var_u32: integer representation too long"
                else:
                    message = "invalid var_u32: integer too large"
                wasm_error(message, self.pos - 1)
            shift += 7
            if byte & 0x80 == 0:
                return result & 0xFFFF_FFFF

    def var_s33(self) -> int:
        """A signed 33-bit LEB128 integer, as wasmparser's `read_var_s33` reads it."""
        byte = self.u8()
        if byte & 0x80 == 0:
            return byte - 0x80 if byte & 0x40 else byte
        result = byte & 0x7F
        shift = 7
        while True:
            byte = self.u8()
            result |= (byte & 0x7F) << shift
            if shift >= 25:
                signed = (byte << 1) & 0xFF
                signed = signed - 0x100 if signed >= 0x80 else signed
                if byte & 0x80 or (signed >> (33 - shift)) not in (0, -1):
                    wasm_error("invalid var_s33: integer representation too long", self.pos - 1)
                # wasmparser returns the five-byte form without sign extension.
                return result
            shift += 7
            if byte & 0x80 == 0:
                break
        if result >> (shift - 1) & 1:
            result -= 1 << shift
        return result

    def string(self) -> str:
        size = self.var_u32()
        if size > MAX_STRING_SIZE:
            wasm_error("string size out of bounds", self.pos - 1)
        raw = self.take(size)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            wasm_error("malformed UTF-8 encoding", self.pos - 1)

    def size(self, limit: int, desc: str) -> int:
        at = self.pos
        size = self.var_u32()
        if size > limit:
            wasm_error(f"{desc} size is out of bounds", at)
        return size

    def invalid_byte(self, byte: int, desc: str) -> NoReturn:
        """wasmparser's `invalid_leading_byte`, for the byte just read."""
        wasm_error(f"invalid leading byte (0x{byte:x}) for {desc}", self.pos - 1)


# ---------------------------------------------------------------- component names


class NameError_(Exception):
    """A component name that does not parse; the message is wasmparser's."""


NameKind = Literal[
    "label", "constructor", "method", "static", "interface", "dependency", "url", "hash"
]


@dataclass(frozen=True, slots=True)
class ComponentName:
    """An import or export name, classified as wasmparser's `ComponentNameKind`."""

    raw: str
    kind: NameKind

    @property
    def resource(self) -> str:
        """`r` of `[constructor]r`, `[method]r.m` or `[static]r.m`."""
        rest = self.raw[self.raw.index("]") + 1 :]
        return rest.split(".", 1)[0]

    @property
    def namespace(self) -> str:
        """`a:b` of the interface name `a:b:c/d@1.0.0`."""
        return self.raw[: self.raw.rindex(":")]

    @property
    def package(self) -> str:
        return self.raw[self.raw.rindex(":") + 1 : self.raw.index("/")]

    @property
    def interface(self) -> str:
        at = self.raw.find("@")
        projection = self.raw[self.raw.index("/") + 1 : at if at >= 0 else len(self.raw)]
        return projection.split("/", 1)[0]

    def version(self, suffix: str | None) -> Version | None:
        """The interface name's version (`InterfaceName::version`); raises `VersionError`."""
        at = self.raw.find("@")
        if at < 0:
            return None
        prefix = self.raw[at + 1 :]
        return Version.parse(prefix + suffix if suffix is not None else prefix)

    def key(self) -> tuple[str, str]:
        """What two names must share to clash: kebab names ignore ASCII case,
        and `[method]r.m` clashes with `[static]r.m` (and `l` with `[method]l.l`)."""
        if self.kind in ("method", "static"):
            rest = self.raw[self.raw.index("]") + 1 :]
            resource, method = rest.split(".", 1)
            if resource.lower() == method.lower():
                return ("label", resource.lower())
            return ("method", rest)
        if self.kind in ("label", "constructor"):
            return (self.kind, self.raw.lower())
        return (self.kind, self.raw)


def is_kebab(text: str) -> bool:
    """wasmparser's `KebabStr::is_kebab_case`."""
    lower = upper = has_digit = False
    first = True
    for char in text:
        if "a" <= char <= "z" and not lower and not upper:
            lower = True
        elif "A" <= char <= "Z" and not lower and not upper:
            upper = True
        elif "0" <= char <= "9" and not lower and not upper and not first:
            has_digit = True
        elif ("a" <= char <= "z" and lower) or ("A" <= char <= "Z" and upper):
            pass
        elif "0" <= char <= "9" and (lower or upper):
            has_digit = True
        elif char == "-" and (lower or upper or has_digit):
            lower = upper = has_digit = False
            first = False
        else:
            return False
    return bool(text) and not text.endswith("-")


def parse_component_name(name: str, nested: bool = False) -> ComponentName:
    """Classify `name` (wasmparser's `ComponentName::new_with_features`).

    `nested` enables `cm-nested-names` (`a:b:c/d/e`), which the validator
    allows and wit-parser's own name parsing does not.  Raises `NameError_`.
    """
    parser = _NameParser(name, nested)
    kind = parser.parse()
    if parser.rest:
        raise NameError_(f"trailing characters found: `{parser.rest}`")
    return ComponentName(name, kind)


class _NameParser:
    __slots__ = ("nested", "rest")

    def __init__(self, text: str, nested: bool) -> None:
        self.rest = text
        self.nested = nested

    def parse(self) -> NameKind:
        if self.eat("[constructor]"):
            self.expect_kebab()
            return "constructor"
        for prefix, kind in (("[method]", "method"), ("[static]", "static")):
            if self.eat(prefix):
                resource = self.take_until(".")
                self.kebab(resource)
                self.expect_kebab()
                return "method" if kind == "method" else "static"
        if self.eat("unlocked-dep="):
            self.expect("<")
            self.pkg_name_query()
            self.expect(">")
            return "dependency"
        if self.eat("locked-dep="):
            self.expect("<")
            self.pkg_name(interface=False)
            self.expect(">")
            self.optional_hash()
            return "dependency"
        if self.eat("url="):
            self.expect("<")
            url = self.take_up_to(">")
            if "<" in url:
                raise NameError_("url cannot contain `<`")
            self.expect(">")
            self.optional_hash()
            return "url"
        if self.eat("integrity="):
            self.expect("<")
            self.hash()
            self.expect(">")
            return "hash"
        if ":" in self.rest:
            self.pkg_name(interface=True)
            return "interface"
        self.expect_kebab()
        return "label"

    def pkg_name_query(self) -> None:
        self.pkg_path(require_projection=False)
        if self.eat("@"):
            if self.eat("*"):
                return
            self.expect("{")
            text = self.take_up_to("}")
            self.expect("}")
            self.semver_range(text)

    def pkg_name(self, interface: bool) -> None:
        self.pkg_path(require_projection=interface)
        if self.eat("@"):
            at = self.rest.find(">")
            if at >= 0:
                version, self.rest = self.rest[:at], self.rest[at:]
            else:
                version, self.rest = self.rest, ""
            if not interface:
                self.semver(version)

    def pkg_path(self, require_projection: bool) -> None:
        self.take_lowercase_kebab()
        self.expect(":")
        self.take_lowercase_kebab()
        if self.nested:
            while self.rest.startswith(":"):
                self.expect(":")
                self.take_lowercase_kebab()
        if self.rest.startswith("/"):
            self.expect("/")
            self.take_kebab()
            if self.nested:
                while self.rest.startswith("/"):
                    self.expect("/")
                    self.take_kebab()
        elif require_projection:
            raise NameError_("expected `/` after package name")

    def semver_range(self, text: str) -> None:
        if text == "*":
            return
        if text.startswith(">="):
            lower, space, upper = text[2:].partition(" ")
            self.semver(lower)
            if space:
                if not upper.startswith("<"):
                    raise NameError_("expected `<` at start of version range upper bounds")
                self.semver(upper[1:])
        elif text.startswith("<"):
            self.semver(text[1:])
        else:
            raise NameError_("expected `>=` or `<` at start of version range")

    def hash(self) -> None:
        integrity = self.take_up_to(">")
        hashes = integrity.split()
        for item in hashes:
            for algorithm in ("sha256", "sha384", "sha512"):
                if item.startswith(algorithm):
                    rest = item[len(algorithm) :]
                    break
            else:
                raise NameError_(f"unrecognized hash algorithm: `{item}`")
            if not rest.startswith("-"):
                raise NameError_(f"expected `-` after hash algorithm: {item}")
            encoded = rest[1:].split("?", 1)[0]
            if not _is_base64(encoded):
                raise NameError_(f"not valid base64: `{encoded}`")
        if not hashes:
            raise NameError_("integrity hash cannot be empty")

    def optional_hash(self) -> None:
        if not self.eat(","):
            return
        self.expect("integrity=<")
        self.hash()
        self.expect(">")

    def eat(self, prefix: str) -> bool:
        if self.rest.startswith(prefix):
            self.rest = self.rest[len(prefix) :]
            return True
        return False

    def expect(self, prefix: str) -> None:
        if not self.eat(prefix):
            raise NameError_(f"expected `{prefix}` at `{self.rest}`")

    def take_until(self, char: str) -> str:
        at = self.rest.find(char)
        if at < 0:
            raise NameError_(f"failed to find `{char}` character")
        taken, self.rest = self.rest[:at], self.rest[at + 1 :]
        return taken

    def take_up_to(self, char: str) -> str:
        at = self.rest.find(char)
        if at < 0:
            raise NameError_(f"failed to find `{char}` character")
        taken, self.rest = self.rest[:at], self.rest[at:]
        return taken

    def kebab(self, text: str) -> str:
        if not is_kebab(text):
            raise NameError_(f"`{text}` is not in kebab case")
        return text

    def semver(self, text: str) -> None:
        try:
            Version.parse(text)
        except VersionError as error:
            raise NameError_(f"`{text}` is not a valid semver: {error}") from None

    def take_kebab(self) -> str:
        at = next(
            (i for i, c in enumerate(self.rest) if not (c.isascii() and (c.isalnum() or c == "-"))),
            None,
        )
        if at is None:
            return self.expect_kebab()
        taken, self.rest = self.rest[:at], self.rest[at:]
        return self.kebab(taken)

    def take_lowercase_kebab(self) -> str:
        text = self.take_kebab()
        for char in text:
            if char.isalpha() and not char.islower():
                raise NameError_(f"character `{char}` is not lowercase in package name/namespace")
        return text

    def expect_kebab(self) -> str:
        text, self.rest = self.rest, ""
        return self.kebab(text)


def _is_base64(text: str) -> bool:
    if not text:
        return False
    body = text.rstrip("=")
    if len(text) - len(body) > 2:
        return False
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    return all(c in alphabet for c in body) and len(text) % 4 == 0


# ---------------------------------------------------------------- value and defined types

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

# `R` is how a type refers to another: a type index (`int`) as read from the
# binary, or an `AnyId` once the validator has resolved it.  A value type is
# a primitive's name or such a reference.
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PrimitiveType:
    name: str


@dataclass(frozen=True, slots=True)
class RecordType(Generic[R]):
    fields: tuple[tuple[str, R | str], ...]


@dataclass(frozen=True, slots=True)
class VariantType(Generic[R]):
    cases: tuple[tuple[str, R | str | None], ...]


@dataclass(frozen=True, slots=True)
class ListType(Generic[R]):
    element: R | str


@dataclass(frozen=True, slots=True)
class MapType(Generic[R]):
    key: R | str
    value: R | str


@dataclass(frozen=True, slots=True)
class FixedListType(Generic[R]):
    element: R | str
    length: int


@dataclass(frozen=True, slots=True)
class TupleType(Generic[R]):
    types: tuple[R | str, ...]


@dataclass(frozen=True, slots=True)
class FlagsType:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EnumType:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OptionType(Generic[R]):
    type: R | str


@dataclass(frozen=True, slots=True)
class ResultType(Generic[R]):
    ok: R | str | None
    err: R | str | None


@dataclass(frozen=True, slots=True)
class OwnType(Generic[R]):
    resource: R


@dataclass(frozen=True, slots=True)
class BorrowType(Generic[R]):
    resource: R


@dataclass(frozen=True, slots=True)
class FutureType(Generic[R]):
    type: R | str | None


@dataclass(frozen=True, slots=True)
class StreamType(Generic[R]):
    type: R | str | None


DefinedType: TypeAlias = (
    PrimitiveType
    | RecordType[R]
    | VariantType[R]
    | ListType[R]
    | MapType[R]
    | FixedListType[R]
    | TupleType[R]
    | FlagsType
    | EnumType
    | OptionType[R]
    | ResultType[R]
    | OwnType[R]
    | BorrowType[R]
    | FutureType[R]
    | StreamType[R]
)


@dataclass(frozen=True, slots=True)
class FuncType(Generic[R]):
    is_async: bool
    params: tuple[tuple[str, R | str], ...]
    result: R | str | None


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
    """`(resource (rep i32) ...)`: only concrete components define these."""


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


Decl: TypeAlias = ImportDecl | ExportDecl | AliasDecl | TypeDecl
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


class _CoreTypeFound(Exception):
    """A core type inside a type declaration: the binary is a real component."""


# ---------------------------------------------------------------- reading declarations


def _read_valtype(r: _Reader) -> int | str:
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


def _read_optional_valtype(r: _Reader) -> int | str | None:
    byte = r.u8()
    if byte == 0x00:
        return None
    if byte == 0x01:
        return _read_valtype(r)
    r.invalid_byte(byte, "optional component value type")


def _read_names(r: _Reader, limit: int, desc: str) -> tuple[str, ...]:
    return tuple(r.string() for _ in range(r.size(limit, desc)))


def _read_defined(r: _Reader, byte: int) -> DefinedType[int]:
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


def _read_type(r: _Reader, nesting: int) -> DeclaredType:
    """One `ComponentType`; `nesting` counts the enclosing type declarations."""
    byte = r.u8()
    if byte == 0x3F:
        _read_core_valtype(r)
        dtor = r.u8()
        if dtor == 0x01:
            r.var_u32()
        elif dtor != 0x00:
            r.invalid_byte(dtor, "resource destructor")
        return ResourceTypeDef()
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


def _read_core_valtype(r: _Reader) -> None:
    """A core value type (a resource's representation): numbers, vectors, references."""
    byte = r.u8()
    if byte in (0x7F, 0x7E, 0x7D, 0x7C, 0x7B) or 0x69 <= byte <= 0x74:
        return
    if byte in (0x63, 0x64):
        r.var_s33()
        return
    r.invalid_byte(byte, "value type")


def _read_decl(r: _Reader, in_component: bool, nesting: int) -> Decl:
    byte = r.u8()
    if byte == 0x03 and in_component:
        return ImportDecl(_read_extern_name(r), _read_type_ref(r))
    if byte == 0x00:
        _read_core_type_start(r)
        raise _CoreTypeFound()
    if byte == 0x01:
        return TypeDecl(_read_type(r, nesting + 1))
    if byte == 0x02:
        return AliasDecl(_read_alias(r))
    if byte == 0x04:
        return ExportDecl(_read_extern_name(r), _read_type_ref(r))
    r.invalid_byte(byte, "component or instance type declaration")


def _read_core_type_start(r: _Reader) -> None:
    """The opening of a core type (a rec group, a sub type or a module type),
    enough to reject what wasmparser rejects there.  The rest is not read:
    a core type only occurs in a real component."""
    byte = r.peek()
    if byte == 0x00:
        r.u8()
        second = r.peek()
        if second != 0x50:
            wasm_error(f"invalid leading byte (0x{second:x}) for non-final sub type", r.pos - 1)
        return
    if byte in (0x50, 0x4E):
        return
    opcode = r.u8()
    if opcode == 0x4F:
        return
    if opcode == 0x65:
        opcode = r.u8()
    for prefix in (0x4C, 0x4D):
        if opcode == prefix:
            r.var_u32()
            opcode = r.u8()
    if opcode not in (0x60, 0x5E, 0x5F, 0x5D):
        r.invalid_byte(opcode, "type")


def _read_extern_name(r: _Reader) -> ExternName:
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


def _read_extern_kind(r: _Reader) -> ExternKind:
    at = r.pos
    first = r.u8()
    second = r.u8() if first == 0x00 else None
    return _kind_from_bytes(first, second, at)


def _read_type_ref(r: _Reader) -> TypeRef:
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


def _read_alias(r: _Reader) -> Alias:
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
        if second not in (0x00, 0x01, 0x02, 0x03, 0x04, 0x20):
            wasm_error(f"invalid leading byte (0x{second:x}) for external kind", at)
        instance = r.var_u32()
        return CoreInstanceExportAlias(instance, r.string())
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


def _read_export(r: _Reader) -> ExportItem:
    name = _read_extern_name(r)
    kind = _read_extern_kind(r)
    index = r.var_u32()
    tag = r.u8()
    if tag == 0x00:
        return ExportItem(name, kind, index, None)
    if tag == 0x01:
        return ExportItem(name, kind, index, _read_type_ref(r))
    wasm_error(f"invalid leading byte (0x{tag:x}) for optional component export type", r.pos - 1)


# ---------------------------------------------------------------- the validated type model

NO_ALIAS = -1

AnyKind = Literal["resource", "defined", "func", "instance", "component"]


@dataclass(frozen=True, slots=True)
class AnyId:
    """wasmparser's `ComponentAnyTypeId`: the identity of a type.

    `index` points into the `Types` arena of its kind (for a resource it is
    the resource's number).  Resources and defined types may carry an `alias`
    id: the same type seen through an `(eq T)` import or export, distinct as
    a key but peeling back to the id it aliases (`Types.peel_alias`).
    """

    kind: AnyKind
    index: int
    alias: int = NO_ALIAS


# A value type once validated: a primitive's name or a defined type's id.
ValType: TypeAlias = AnyId | str


@dataclass(frozen=True, slots=True)
class Info:
    """wasmparser's `TypeInfo`: a type's size, nesting depth and whether it holds a borrow."""

    size: int = 1
    depth: int = 1
    borrow: bool = False

    def combine(self, other: Info, offset: int) -> Info:
        total = self.size + other.size
        if total >= MAX_TYPE_SIZE:
            wasm_error(f"effective type size exceeds the limit of {MAX_TYPE_SIZE}", offset)
        return Info(total, max(self.depth, other.depth + 1), self.borrow or other.borrow)


@dataclass(frozen=True, slots=True)
class TypeEntity:
    """An imported or exported type: `referenced` is the type named, `created`
    the identity the import or export gives it."""

    referenced: AnyId
    created: AnyId


@dataclass(frozen=True, slots=True)
class FuncEntity:
    id: AnyId


@dataclass(frozen=True, slots=True)
class InstanceEntity:
    id: AnyId


@dataclass(frozen=True, slots=True)
class ComponentEntity:
    id: AnyId


@dataclass(frozen=True, slots=True)
class ModuleEntity:
    pass


@dataclass(frozen=True, slots=True)
class ValueEntity:
    type: ValType


Entity: TypeAlias = (
    TypeEntity | FuncEntity | InstanceEntity | ComponentEntity | ModuleEntity | ValueEntity
)

_ENTITY_DESC: dict[type, str] = {
    TypeEntity: "type",
    FuncEntity: "func",
    InstanceEntity: "instance",
    ComponentEntity: "component",
    ModuleEntity: "module",
    ValueEntity: "value",
}


@dataclass(frozen=True, slots=True)
class Item:
    """wasmparser's `ComponentItem`: an import or export's type and name options."""

    entity: Entity
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class InstanceType:
    """Exports in order (the dict is never changed after construction)."""

    exports: dict[str, Item]
    defined_resources: tuple[int, ...]
    info: Info


@dataclass(frozen=True, slots=True)
class ComponentType:
    """Imports and exports in order (the dicts are never changed after construction)."""

    imports: dict[str, Item]
    exports: dict[str, Item]
    imported_resources: tuple[int, ...]
    defined_resources: tuple[int, ...]
    info: Info


@dataclass(slots=True)
class _Remapping:
    """Old resource numbers to new ones, and the types rewritten so far."""

    resources: dict[int, int]
    types: dict[AnyId, AnyId]


class Types:
    """wasmparser's `TypeAlloc`: every type the validator created, by kind."""

    def __init__(self) -> None:
        self.defined: list[tuple[DefinedType[AnyId], Info]] = []
        self.funcs: list[tuple[FuncType[AnyId], Info]] = []
        self.instances: list[InstanceType] = []
        self.components: list[ComponentType] = []
        self.resource_count = 0
        self.alias_count = 0
        self.alias_mappings: dict[int, int] = {}

    # -- lookups

    def defined_type(self, id: AnyId) -> DefinedType[AnyId]:
        return self.defined[id.index][0]

    def func_type(self, id: AnyId) -> FuncType[AnyId]:
        return self.funcs[id.index][0]

    def instance_type(self, id: AnyId) -> InstanceType:
        return self.instances[id.index]

    def component_type(self, id: AnyId) -> ComponentType:
        return self.components[id.index]

    def info(self, id: AnyId) -> Info:
        if id.kind == "defined":
            return self.defined[id.index][1]
        if id.kind == "func":
            return self.funcs[id.index][1]
        if id.kind == "instance":
            return self.instances[id.index].info
        if id.kind == "component":
            return self.components[id.index].info
        return Info()

    def valtype_info(self, ty: ValType) -> Info:
        return Info() if isinstance(ty, str) else self.info(ty)

    def entity_info(self, entity: Entity) -> Info:
        if isinstance(entity, TypeEntity):
            return self.info(entity.referenced)
        if isinstance(entity, (FuncEntity, InstanceEntity, ComponentEntity)):
            return self.info(entity.id)
        if isinstance(entity, ValueEntity):
            return self.valtype_info(entity.type)
        return Info()

    # -- allocation and aliases

    def push_defined(self, ty: DefinedType[AnyId], info: Info) -> AnyId:
        self.defined.append((ty, info))
        return AnyId("defined", len(self.defined) - 1)

    def push_func(self, ty: FuncType[AnyId], info: Info) -> AnyId:
        self.funcs.append((ty, info))
        return AnyId("func", len(self.funcs) - 1)

    def push_instance(self, ty: InstanceType) -> AnyId:
        self.instances.append(ty)
        return AnyId("instance", len(self.instances) - 1)

    def push_component(self, ty: ComponentType) -> AnyId:
        self.components.append(ty)
        return AnyId("component", len(self.components) - 1)

    def alloc_resource(self) -> AnyId:
        self.resource_count += 1
        return AnyId("resource", self.resource_count - 1)

    def with_unique(self, id: AnyId) -> AnyId:
        """A fresh alias of `id` (only resources and defined types are aliasable)."""
        self.alias_mappings[self.alias_count] = id.alias
        fresh = self.alias_count
        self.alias_count += 1
        if id.kind in ("resource", "defined"):
            return AnyId(id.kind, id.index, fresh)
        return id

    def peel_alias(self, id: AnyId) -> AnyId | None:
        """The id `id` is an alias of, or None when it aliases nothing."""
        previous = self.alias_mappings.get(id.alias) if id.alias != NO_ALIAS else None
        if previous is None:
            return None
        return AnyId(id.kind, id.index, previous)

    # -- resource freshening (wasmparser's `Remap`)

    def remap_entity(self, entity: Entity, mapping: _Remapping) -> tuple[Entity, bool]:
        if isinstance(entity, TypeEntity):
            referenced, changed = self._remap_any(entity.referenced, mapping)
            if referenced == entity.created:
                return TypeEntity(referenced, referenced), changed
            created, created_changed = self._remap_any(entity.created, mapping)
            return TypeEntity(referenced, created), changed or created_changed
        if isinstance(entity, FuncEntity):
            id, changed = self._remap_func(entity.id, mapping)
            return FuncEntity(id), changed
        if isinstance(entity, InstanceEntity):
            id, changed = self._remap_instance(entity.id, mapping)
            return InstanceEntity(id), changed
        if isinstance(entity, ComponentEntity):
            id, changed = self._remap_component(entity.id, mapping)
            return ComponentEntity(id), changed
        if isinstance(entity, ValueEntity):
            ty, changed = self._remap_valtype(entity.type, mapping)
            return ValueEntity(ty), changed
        return entity, False

    def _remap_any(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        if id.kind == "resource":
            return self._remap_resource(id, mapping)
        if id.kind == "defined":
            return self._remap_defined(id, mapping)
        if id.kind == "func":
            return self._remap_func(id, mapping)
        if id.kind == "instance":
            return self._remap_instance(id, mapping)
        return self._remap_component(id, mapping)

    @staticmethod
    def _cached(id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool] | None:
        new = mapping.types.get(id)
        return None if new is None else (new, new != id)

    @staticmethod
    def _settle(
        mapping: _Remapping, changed: bool, id: AnyId, push: Callable[[], AnyId]
    ) -> tuple[AnyId, bool]:
        new = push() if changed else id
        mapping.types[id] = new
        return new, new != id

    def _remap_resource(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        new = mapping.resources.get(id.index)
        if new is None:
            return id, False
        return AnyId("resource", new, id.alias), True

    def _remap_valtype(self, ty: ValType, mapping: _Remapping) -> tuple[ValType, bool]:
        if isinstance(ty, str):
            return ty, False
        return self._remap_defined(ty, mapping)

    def _remap_defined(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty, info = self.defined[id.index]
        changed = False

        def value(vt: ValType) -> ValType:
            nonlocal changed
            new, did = self._remap_valtype(vt, mapping)
            changed = changed or did
            return new

        def maybe(vt: ValType | None) -> ValType | None:
            return None if vt is None else value(vt)

        new_ty: DefinedType[AnyId]
        if isinstance(ty, RecordType):
            new_ty = RecordType(tuple((name, value(t)) for name, t in ty.fields))
        elif isinstance(ty, VariantType):
            new_ty = VariantType(tuple((name, maybe(t)) for name, t in ty.cases))
        elif isinstance(ty, TupleType):
            new_ty = TupleType(tuple(value(t) for t in ty.types))
        elif isinstance(ty, ListType):
            new_ty = ListType(value(ty.element))
        elif isinstance(ty, FixedListType):
            new_ty = FixedListType(value(ty.element), ty.length)
        elif isinstance(ty, OptionType):
            new_ty = OptionType(value(ty.type))
        elif isinstance(ty, MapType):
            new_ty = MapType(value(ty.key), value(ty.value))
        elif isinstance(ty, ResultType):
            new_ty = ResultType(maybe(ty.ok), maybe(ty.err))
        elif isinstance(ty, (OwnType, BorrowType)):
            resource, changed = self._remap_resource(ty.resource, mapping)
            new_ty = OwnType(resource) if isinstance(ty, OwnType) else BorrowType(resource)
        elif isinstance(ty, FutureType):
            new_ty = FutureType(maybe(ty.type))
        elif isinstance(ty, StreamType):
            new_ty = StreamType(maybe(ty.type))
        else:
            new_ty = ty
        return self._settle(mapping, changed, id, lambda: self.push_defined(new_ty, info))

    def _remap_func(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty, info = self.funcs[id.index]
        changed = False
        params: list[tuple[str, ValType]] = []
        for name, param in ty.params:
            new, did = self._remap_valtype(param, mapping)
            params.append((name, new))
            changed = changed or did
        result = ty.result
        if result is not None:
            result, did = self._remap_valtype(result, mapping)
            changed = changed or did
        new_ty = FuncType(ty.is_async, tuple(params), result)
        return self._settle(mapping, changed, id, lambda: self.push_func(new_ty, info))

    def _remap_items(
        self, items: dict[str, Item], mapping: _Remapping
    ) -> tuple[dict[str, Item], bool]:
        changed = False
        new_items: dict[str, Item] = {}
        for name, item in items.items():
            entity, did = self.remap_entity(item.entity, mapping)
            new_items[name] = Item(entity, item.implements, item.version_suffix, item.external_id)
            changed = changed or did
        return new_items, changed

    @staticmethod
    def _remap_resources(
        resources: tuple[int, ...], mapping: _Remapping
    ) -> tuple[tuple[int, ...], bool]:
        new = tuple(mapping.resources.get(r, r) for r in resources)
        return new, any(r in mapping.resources for r in resources)

    def _remap_instance(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty = self.instances[id.index]
        exports, changed = self._remap_items(ty.exports, mapping)
        defined, did = self._remap_resources(ty.defined_resources, mapping)
        new_ty = InstanceType(exports, defined, ty.info)
        return self._settle(mapping, changed or did, id, lambda: self.push_instance(new_ty))

    def _remap_component(self, id: AnyId, mapping: _Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty = self.components[id.index]
        imports, imports_changed = self._remap_items(ty.imports, mapping)
        exports, exports_changed = self._remap_items(ty.exports, mapping)
        imported, imported_changed = self._remap_resources(ty.imported_resources, mapping)
        defined, defined_changed = self._remap_resources(ty.defined_resources, mapping)
        changed = imports_changed or exports_changed or imported_changed or defined_changed
        new_ty = ComponentType(imports, exports, imported, defined, ty.info)
        return self._settle(mapping, changed, id, lambda: self.push_component(new_ty))


# ---------------------------------------------------------------- validation

ScopeKind = Literal["component", "component-type", "instance-type"]


class _Scope:
    """wasmparser's `ComponentState`: the index spaces of one component or type."""

    def __init__(self, kind: ScopeKind) -> None:
        self.kind: ScopeKind = kind
        self.types: list[AnyId] = []
        self.funcs: list[AnyId] = []
        self.instances: list[AnyId] = []
        self.components: list[AnyId] = []
        self.module_count = 0
        self.value_count = 0
        self.imports: dict[str, Item] = {}
        self.exports: dict[str, Item] = {}
        self.import_names: dict[tuple[str, str], str] = {}
        self.export_names: dict[tuple[str, str], str] = {}
        self.defined_resources: dict[int, None] = {}
        self.imported_resources: dict[int, None] = {}
        self.imported_types: set[AnyId] = set()
        self.exported_types: set[AnyId] = set()
        # The names of the resources imported (True) and exported (False) at
        # the top of this scope, which `[method]r.m` names must agree with.
        self.resource_names: dict[bool, dict[AnyId, str]] = {True: {}, False: {}}
        self.info = Info()

    def type_at(self, index: int, offset: int) -> AnyId:
        if index >= len(self.types):
            wasm_error(f"unknown type {index}: type index out of bounds", offset)
        return self.types[index]


def _check_max(length: int, added: int, limit: int, desc: str, offset: int) -> None:
    if length + added > limit:
        if limit == 1:
            wasm_error(f"multiple {desc}", offset)
        wasm_error(f"{desc} count exceeds limit of {limit}", offset)


def _unique(seen: dict[str, str], name: str, what: str, previous_what: str, offset: int) -> None:
    """Record `name` in `seen`, failing if a name equal to it (ignoring ASCII case) is there."""
    previous = seen.get(name.lower())
    if previous is not None:
        wasm_error(f"{what} `{name}` conflicts with previous {previous_what} `{previous}`", offset)
    seen[name.lower()] = name


def _kebab(name: str, desc: str, offset: int) -> str:
    if not is_kebab(name):
        if not name:
            wasm_error(f"{desc} name cannot be empty", offset)
        wasm_error(f"{desc} name `{name}` is not in kebab case", offset)
    return name


class _Validator:
    """Builds `Types` from declarations as wasmparser's validator does.

    `scopes[-1]` is the component or type being declared; `offset` is always
    the offset of the top-level section item, as in wasmparser's messages.
    """

    def __init__(self) -> None:
        self.types = Types()
        self.scopes = [_Scope("component")]

    # -- index spaces

    def _defined_at(self, index: int, offset: int) -> AnyId:
        id = self.scopes[-1].type_at(index, offset)
        if id.kind != "defined":
            wasm_error(f"type index {index} is not a defined type", offset)
        return id

    def _valtype(self, ty: int | str, offset: int) -> ValType:
        return ty if isinstance(ty, str) else self._defined_at(ty, offset)

    def _indexed(self, space: list[AnyId], index: int, desc: str, offset: int) -> AnyId:
        if index >= len(space):
            wasm_error(f"unknown {desc} {index}: {desc} index out of bounds", offset)
        return space[index]

    # -- type definitions

    def add_type(self, ty: DeclaredType, offset: int) -> None:
        scope = self.scopes[-1]
        id: AnyId
        if isinstance(ty, FuncType):
            func, info = self._create_func(ty, offset)
            id = self.types.push_func(func, info)
        elif isinstance(ty, ComponentTypeDef):
            id = self.types.push_component(self._create_component(ty, offset))
        elif isinstance(ty, InstanceTypeDef):
            id = self.types.push_instance(self._create_instance(ty, offset))
        elif isinstance(ty, ResourceTypeDef):
            wasm_error("resources can only be defined within a concrete component", offset)
        else:
            defined, info = self._create_defined(ty, offset)
            id = self.types.push_defined(defined, info)
        # wasm-tools 1.262 limits the depth of every kind of type (an
        # instance type is one deeper than its deepest export, and so on).
        if self.types.info(id).depth > MAX_TYPE_DEPTH:
            wasm_error("type nesting is too deep", offset)
        _check_max(len(scope.types), 1, MAX_TYPES, "types", offset)
        scope.types.append(id)

    def _create_defined(self, ty: DefinedType[int], offset: int) -> tuple[DefinedType[AnyId], Info]:
        info = Info()

        def value(vt: int | str) -> ValType:
            nonlocal info
            resolved = self._valtype(vt, offset)
            info = info.combine(self.types.valtype_info(resolved), offset)
            return resolved

        def maybe(vt: int | str | None) -> ValType | None:
            return None if vt is None else value(vt)

        if isinstance(ty, PrimitiveType):
            return ty, info
        if isinstance(ty, RecordType):
            if not ty.fields:
                wasm_error("record type must have at least one field", offset)
            fields: list[tuple[str, ValType]] = []
            seen: dict[str, str] = {}
            for name, field in ty.fields:
                _kebab(name, "record field", offset)
                resolved = self._valtype(field, offset)
                _unique(seen, name, "record field name", "field name", offset)
                info = info.combine(self.types.valtype_info(resolved), offset)
                fields.append((name, resolved))
            return RecordType(tuple(fields)), info
        if isinstance(ty, VariantType):
            if not ty.cases:
                wasm_error("variant type must have at least one case", offset)
            cases: list[tuple[str, ValType | None]] = []
            seen = {}
            for name, payload in ty.cases:
                _kebab(name, "variant case", offset)
                case_type = None if payload is None else self._valtype(payload, offset)
                _unique(seen, name, "variant case name", "case name", offset)
                if case_type is not None:
                    info = info.combine(self.types.valtype_info(case_type), offset)
                cases.append((name, case_type))
            return VariantType(tuple(cases)), info
        if isinstance(ty, (FlagsType, EnumType)):
            self._check_names(ty, offset)
            return ty, info
        if isinstance(ty, ListType):
            return ListType(value(ty.element)), info
        if isinstance(ty, MapType):
            key = value(ty.key)
            return MapType(key, value(ty.value)), info
        if isinstance(ty, FixedListType):
            if ty.length < 1:
                wasm_error("Fixed-length lists must have more than zero elements", offset)
            _check_max(0, ty.length, MAX_FIXED_LIST_ELEMENTS, "fixed-length list element", offset)
            return FixedListType(value(ty.element), ty.length), info
        if isinstance(ty, TupleType):
            if not ty.types:
                wasm_error("tuple type must have at least one type", offset)
            return TupleType(tuple(value(t) for t in ty.types)), info
        if isinstance(ty, OptionType):
            return OptionType(value(ty.type)), info
        if isinstance(ty, ResultType):
            ok = maybe(ty.ok)
            return ResultType(ok, maybe(ty.err)), info
        if isinstance(ty, (OwnType, BorrowType)):
            resource = self.scopes[-1].type_at(ty.resource, offset)
            if resource.kind != "resource":
                wasm_error(f"type index {ty.resource} is not a resource type", offset)
            if isinstance(ty, OwnType):
                return OwnType(resource), info
            return BorrowType(resource), Info(borrow=True)
        if isinstance(ty, FutureType):
            return FutureType(maybe(ty.type)), info
        payload_type = maybe(ty.type)
        primitive = payload_type
        if isinstance(payload_type, AnyId):
            inner = self.types.defined_type(payload_type)
            primitive = inner.name if isinstance(inner, PrimitiveType) else None
        if primitive == "char":
            wasm_error(
                "`stream<char>` is not valid at this time, use `stream<u8>` with a defined "
                "by encoding instead for now",
                offset,
            )
        return StreamType(payload_type), info

    @staticmethod
    def _check_names(ty: FlagsType | EnumType, offset: int) -> None:
        if isinstance(ty, FlagsType):
            if not ty.names:
                wasm_error("flags must have at least one entry", offset)
            if len(ty.names) > 32:
                wasm_error("cannot have more than 32 flags", offset)
            desc, what, previous_what = "flag", "flag name", "flag name"
        else:
            if not ty.names:
                wasm_error("enum type must have at least one variant", offset)
            desc, what, previous_what = "enum tag", "enum tag name", "tag name"
        seen: dict[str, str] = {}
        for name in ty.names:
            _kebab(name, desc, offset)
            _unique(seen, name, what, previous_what, offset)

    def _create_func(self, ty: FuncType[int], offset: int) -> tuple[FuncType[AnyId], Info]:
        info = Info()
        params: list[tuple[str, ValType]] = []
        seen: dict[str, str] = {}
        for name, param in ty.params:
            _kebab(name, "function parameter", offset)
            _unique(seen, name, "function parameter name", "parameter name", offset)
            resolved = self._valtype(param, offset)
            info = info.combine(self.types.valtype_info(resolved), offset)
            params.append((name, resolved))
        result = None
        if ty.result is not None:
            result = self._valtype(ty.result, offset)
            result_info = self.types.valtype_info(result)
            if result_info.borrow:
                wasm_error("function result cannot contain a `borrow` type", offset)
            info = info.combine(result_info, offset)
        return FuncType(ty.is_async, tuple(params), result), info

    def _create_component(self, ty: ComponentTypeDef, offset: int) -> ComponentType:
        self.scopes.append(_Scope("component-type"))
        self._declare(ty.decls, offset)
        scope = self.scopes.pop()
        return ComponentType(
            scope.imports,
            scope.exports,
            tuple(scope.imported_resources),
            tuple(scope.defined_resources),
            scope.info,
        )

    def _create_instance(self, ty: InstanceTypeDef, offset: int) -> InstanceType:
        self.scopes.append(_Scope("instance-type"))
        self._declare(ty.decls, offset)
        scope = self.scopes.pop()
        return InstanceType(scope.exports, tuple(scope.defined_resources), scope.info)

    def _declare(self, decls: tuple[Decl, ...], offset: int) -> None:
        for decl in decls:
            if isinstance(decl, TypeDecl):
                self.add_type(decl.type, offset)
            elif isinstance(decl, AliasDecl):
                self.add_alias(decl.alias, offset)
            elif isinstance(decl, ImportDecl):
                self.add_import(decl, offset)
            else:
                self.add_export(decl.name, self.check_type_ref(decl.ref, offset), offset)

    # -- imports, exports and aliases

    def check_type_ref(self, ref: TypeRef, offset: int) -> Entity:
        scope = self.scopes[-1]
        if ref.kind == "module":
            wasm_error(f"unknown type {ref.index}: type index out of bounds", offset)
        if ref.kind == "value":
            assert ref.value is not None
            return ValueEntity(self._valtype(ref.value, offset))
        if ref.kind == "type":
            if ref.sub_resource:
                resource = self.types.alloc_resource()
                return TypeEntity(resource, resource)
            referenced = scope.type_at(ref.index, offset)
            return TypeEntity(referenced, self.types.with_unique(referenced))
        id = scope.type_at(ref.index, offset)
        if ref.kind == "func":
            if id.kind != "func":
                wasm_error(f"type index {ref.index} is not a function type", offset)
            return FuncEntity(id)
        if ref.kind == "instance":
            if id.kind != "instance":
                wasm_error(f"type index {ref.index} is not an instance type", offset)
            return InstanceEntity(id)
        if id.kind != "component":
            wasm_error(f"type index {ref.index} is not a component type", offset)
        return ComponentEntity(id)

    def add_import(self, decl: ImportDecl, offset: int) -> Item:
        entity = self.check_type_ref(decl.ref, offset)
        entity = self._add_entity(entity, (decl.name.name, True), offset)
        return self._validate_extern(decl.name, True, entity, offset)

    def add_export(self, name: ExternName, entity: Entity, offset: int) -> Item:
        _check_max(len(self.scopes[-1].exports), 1, MAX_EXPORTS, "exports", offset)
        entity = self._add_entity(entity, (name.name, False), offset)
        return self._validate_extern(name, False, entity, offset)

    def export_entity(self, export: ExportItem, offset: int) -> Entity:
        """The type of an entry of the export section (`export_to_entity_type`)."""
        scope = self.scopes[-1]
        actual: Entity
        if export.kind == "module":
            wasm_error(f"unknown module {export.index}: module index out of bounds", offset)
        elif export.kind == "value":
            wasm_error(f"unknown value {export.index}: value index out of bounds", offset)
        elif export.kind == "func":
            actual = FuncEntity(self._indexed(scope.funcs, export.index, "function", offset))
        elif export.kind == "type":
            referenced = scope.type_at(export.index, offset)
            actual = TypeEntity(referenced, self.types.with_unique(referenced))
        elif export.kind == "instance":
            actual = InstanceEntity(
                self._indexed(scope.instances, export.index, "instance", offset)
            )
        else:
            actual = ComponentEntity(
                self._indexed(scope.components, export.index, "component", offset)
            )
        if export.ref is None:
            return actual
        return self.check_type_ref(export.ref, offset)

    def add_alias(self, alias: Alias, offset: int) -> None:
        scope = self.scopes[-1]
        if scope.kind != "component" and not (
            (isinstance(alias, InstanceExportAlias) and alias.kind in ("type", "instance"))
            or (isinstance(alias, OuterAlias) and alias.kind in ("type", "core-type"))
        ):
            wasm_error(
                "aliases in a component or instance type may only refer to types or instances",
                offset,
            )
        if isinstance(alias, CoreInstanceExportAlias):
            wasm_error(
                f"unknown core instance {alias.instance}: instance index out of bounds", offset
            )
        if isinstance(alias, InstanceExportAlias):
            instance = self._indexed(scope.instances, alias.instance, "instance", offset)
            item = self.types.instance_type(instance).exports.get(alias.name)
            if item is None:
                wasm_error(f"instance {alias.instance} has no export named `{alias.name}`", offset)
            if _ENTITY_DESC[type(item.entity)] != alias.kind:
                wasm_error(
                    f"export `{alias.name}` for instance {alias.instance} is not a {alias.kind}",
                    offset,
                )
            self._add_entity(item.entity, None, offset)
            return
        if alias.count >= len(self.scopes):
            wasm_error(f"invalid outer alias count of {alias.count}", offset)
        target = self.scopes[-1 - alias.count]
        if alias.kind == "type":
            id = target.type_at(alias.index, offset)
            _check_max(len(scope.types), 1, MAX_TYPES, "types", offset)
            scope.types.append(id)
        elif alias.kind == "component":
            scope.components.append(
                self._indexed(target.components, alias.index, "component", offset)
            )
        elif alias.kind == "core-type":
            wasm_error(f"unknown type {alias.index}: type index out of bounds", offset)
        else:
            wasm_error(f"unknown module {alias.index}: module index out of bounds", offset)

    def _add_entity(self, entity: Entity, named: tuple[str, bool] | None, offset: int) -> Entity:
        scope = self.scopes[-1]
        is_import = None if named is None else named[1]
        if isinstance(entity, ModuleEntity):
            scope.module_count += 1
            _check_max(scope.module_count, 0, MAX_MODULES, "modules", offset)
        elif isinstance(entity, ComponentEntity):
            scope.components.append(entity.id)
            _check_max(len(scope.components), 0, MAX_COMPONENTS, "components", offset)
        elif isinstance(entity, InstanceEntity):
            if is_import is not None:
                entity = InstanceEntity(self._prepare_instance(scope, entity.id, is_import))
            scope.instances.append(entity.id)
            _check_max(len(scope.instances), 0, MAX_INSTANCES, "instances", offset)
        elif isinstance(entity, FuncEntity):
            scope.funcs.append(entity.id)
            _check_max(len(scope.funcs), 0, MAX_FUNCTIONS, "functions", offset)
        elif isinstance(entity, ValueEntity):
            scope.value_count += 1
            _check_max(scope.value_count, 0, MAX_VALUES, "values", offset)
        else:
            scope.types.append(entity.created)
            created = entity.created
            if created.kind == "resource" and created == entity.referenced:
                if is_import is True:
                    scope.imported_resources[created.index] = None
                elif is_import is False:
                    scope.defined_resources[created.index] = None
            _check_max(len(scope.types), 0, MAX_TYPES, "types", offset)
        resource = isinstance(entity, TypeEntity) and entity.created.kind == "resource"
        if named is not None and resource:
            assert isinstance(entity, TypeEntity)
            scope.resource_names[named[1]].setdefault(entity.created, named[0])
        if named is not None and not self._register_named(scope, entity, named[1]):
            kind = "import" if named[1] else "export"
            wasm_error(f"{_ENTITY_DESC[type(entity)]} not valid to be used as {kind}", offset)
        return entity

    def _prepare_instance(self, scope: _Scope, id: AnyId, is_import: bool) -> AnyId:
        """Freshen the resources an instance type defines (`prepare_instance_import`
        and `prepare_instance_export`): each gets a new resource, and every type
        mentioning one is rewritten."""
        ty = self.types.instance_type(id)
        if not ty.defined_resources:
            return id
        mapping = _Remapping({}, {})
        for old in ty.defined_resources:
            new = self.types.alloc_resource().index
            mapping.resources[old] = new
            if is_import:
                scope.imported_resources[new] = None
            else:
                scope.defined_resources[new] = None
        exports, _ = self.types._remap_items(ty.exports, mapping)
        return self.types.push_instance(InstanceType(exports, (), ty.info))

    def _validate_extern(
        self, name: ExternName, is_import: bool, entity: Entity, offset: int
    ) -> Item:
        scope = self.scopes[-1]
        kind = "import" if is_import else "export"
        try:
            parsed = parse_component_name(name.name, nested=True)
        except NameError_ as error:
            wasm_error(f"{kind} name `{name.name}` is not a valid extern name\n{error}", offset)
        if not is_import and parsed.kind in ("hash", "url", "dependency"):
            wasm_error(f"name `{name.name}` is not a valid export name", offset)
        if name.implements is not None:
            if parsed.kind != "label":
                wasm_error(f"name `{name.name}` is not valid with `implements`", offset)
            if not isinstance(entity, InstanceEntity):
                wasm_error("only instances can have an `implements`", offset)
            try:
                implements = parse_component_name(name.implements, nested=True)
            except NameError_ as error:
                wasm_error(f"`{name.implements}` is not a valid name\n{error}", offset)
            if implements.kind != "interface":
                wasm_error(f"name `{name.implements}` must be an interface", offset)
        if name.version_suffix is not None and not isinstance(entity, InstanceEntity):
            wasm_error("only instances can have an `versionsuffix`", offset)
        problem = self._check_name(
            parsed, name.version_suffix, entity, scope.resource_names[is_import]
        )
        if problem is not None:
            wasm_error(f"{kind} name `{name.name}` is not valid\n{problem}", offset)
        names = scope.import_names if is_import else scope.export_names
        previous = names.get(parsed.key())
        if previous is not None:
            wasm_error(
                f"{kind} name `{name.name}` conflicts with previous name `{previous}`", offset
            )
        names[parsed.key()] = name.name
        item = Item(entity, name.implements, name.version_suffix, name.external_id)
        (scope.imports if is_import else scope.exports)[name.name] = item
        scope.info = scope.info.combine(self.types.entity_info(entity), offset)
        return item

    def _check_name(
        self,
        name: ComponentName,
        suffix: str | None,
        entity: Entity,
        resources: dict[AnyId, str],
    ) -> str | None:
        """What is wrong with giving `entity` this name (wasmparser's `validate`);
        `resources` names the resources imported or exported so far."""
        if name.kind == "interface":
            try:
                name.version(suffix)
            except VersionError as error:
                return f"invalid interface version: {error}"
            return None
        if name.kind not in ("constructor", "method", "static"):
            return None
        if not isinstance(entity, FuncEntity):
            return "item is not a func"
        func = self.types.func_type(entity.id)
        if name.kind == "constructor":
            if func.is_async:
                return "constructor function cannot be async"
            if func.result is None:
                return "function should return one value"
            result = func.result
            if isinstance(result, AnyId):
                inner = self.types.defined_type(result)
                if isinstance(inner, ResultType) and isinstance(inner.ok, AnyId):
                    inner = self.types.defined_type(inner.ok)
                if isinstance(inner, OwnType):
                    return _check_resource(inner.resource, name.resource, resources)
            return "function should return `(own $T)` or `(result (own $T))`"
        if name.kind == "method":
            if not func.params:
                return "function should have at least one argument"
            param_name, param = func.params[0]
            if param_name != "self":
                return "function should have a first argument called `self`"
            borrowed = self.types.defined_type(param) if isinstance(param, AnyId) else None
            if not isinstance(borrowed, BorrowType):
                return "function should take a first argument of `(borrow $T)`"
            return _check_resource(borrowed.resource, name.resource, resources)
        if name.resource not in resources.values():
            return "static resource name is not known in this context"
        return None

    # -- named types (`validate_and_register_named_types`)

    def _register_named(self, scope: _Scope, entity: Entity, is_import: bool) -> bool:
        if scope.kind == "instance-type":
            return True
        names = scope.imported_types if is_import else scope.exported_types
        if isinstance(entity, TypeEntity):
            if not self._named(entity.referenced, names):
                return False
            names.add(entity.created)
            if is_import:
                scope.exported_types.add(entity.created)
            return True
        if isinstance(entity, InstanceEntity):
            exports = self.types.instance_type(entity.id).exports
            return all(self._register_named(scope, i.entity, is_import) for i in exports.values())
        if isinstance(entity, FuncEntity):
            return self._named_func(entity.id, names)
        if isinstance(entity, ValueEntity):
            return self._named_valtype(entity.type, names)
        return True

    def _named(self, id: AnyId, names: set[AnyId]) -> bool:
        """`all_valtypes_named`: whether the parts of `id` that must be named are."""
        if id.kind == "defined":
            ty = self.types.defined_type(id)
            return all(self._named_valtype(t, names) for t in _members(ty)) and all(
                r in names for r in _resources(ty)
            )
        if id.kind == "func":
            return self._named_func(id, names)
        if id.kind == "instance":
            for item in self.types.instance_type(id).exports.values():
                entity = item.entity
                if isinstance(entity, FuncEntity):
                    ok = self._named_func(entity.id, names)
                elif isinstance(entity, TypeEntity):
                    ok = self._named(entity.created, names)
                elif isinstance(entity, ValueEntity):
                    ok = isinstance(entity.type, str) or self._named(entity.type, names)
                elif isinstance(entity, InstanceEntity):
                    ok = self._named(entity.id, names)
                else:
                    ok = True
                if not ok:
                    return False
        return True

    def _named_func(self, id: AnyId, names: set[AnyId]) -> bool:
        func = self.types.func_type(id)
        members = [t for _, t in func.params] + ([func.result] if func.result is not None else [])
        return all(self._named_valtype(t, names) for t in members)

    def _named_valtype(self, ty: ValType, names: set[AnyId]) -> bool:
        """`type_named_valtype`: records, variants, flags and enums must be named
        themselves; other types only in their parts."""
        if isinstance(ty, str):
            return True
        defined = self.types.defined_type(ty)
        if isinstance(defined, PrimitiveType):
            return True
        if isinstance(defined, (FlagsType, EnumType, RecordType, VariantType)):
            return ty in names
        return all(self._named_valtype(t, names) for t in _members(defined)) and all(
            r in names for r in _resources(defined)
        )


def _check_resource(resource: AnyId, name: str, resources: dict[AnyId, str]) -> str | None:
    """`validate_resource_name`: the function's resource must be named `name` here."""
    expected = resources.get(resource)
    if expected is None:
        return "resource used in function does not have a name in this context"
    if expected != name:
        return f"function does not match expected resource name `{expected}`"
    return None


def _members(ty: DefinedType[AnyId]) -> list[ValType]:
    """The value types a defined type is made of."""
    if isinstance(ty, RecordType):
        return [t for _, t in ty.fields]
    if isinstance(ty, VariantType):
        return [t for _, t in ty.cases if t is not None]
    if isinstance(ty, TupleType):
        return list(ty.types)
    if isinstance(ty, (ListType, FixedListType)):
        return [ty.element]
    if isinstance(ty, OptionType):
        return [ty.type]
    if isinstance(ty, MapType):
        return [ty.key, ty.value]
    if isinstance(ty, ResultType):
        return [t for t in (ty.ok, ty.err) if t is not None]
    if isinstance(ty, (FutureType, StreamType)):
        return [] if ty.type is None else [ty.type]
    return []


def _resources(ty: DefinedType[AnyId]) -> list[AnyId]:
    return [ty.resource] if isinstance(ty, (OwnType, BorrowType)) else []


# ---------------------------------------------------------------- sections


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
    r = _Reader(data, 0, len(data))
    is_component = _read_header(r, None)
    reader = _ComponentReader() if is_component else None
    _read_sections(r, is_component, reader, on_custom, 0)
    if reader is None:
        return ComponentInfo(False, False, (), Types())
    externs = () if reader.concrete else tuple(reader.externs)
    return ComponentInfo(True, reader.concrete, externs, reader.validator.types)


def _read_header(r: _Reader, expect: Literal["module", "component"] | None) -> bool:
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
    r: _Reader,
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
            nested = _Reader(r.data, start, min(start + size, r.end))
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
        body = _Reader(r.data, start, start + size)
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


def _read_start(body: _Reader) -> None:
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
        self.validator = _Validator()
        self.externs: list[Extern] = []
        self.concrete = False

    def section(self, section_id: int, body: _Reader) -> None:
        if section_id in _CONCRETE_SECTIONS:
            self.concrete = True
            return
        if section_id not in (6, 7, 10, 11):
            wasm_error(f"malformed section id: {section_id}", body.pos)
        start = body.pos
        count = body.var_u32()
        scope = self.validator.scopes[0]
        if section_id == 7:
            _check_max(len(scope.types), count, MAX_TYPES, "types", start)
        elif section_id == 11:
            _check_max(len(scope.exports), count, MAX_EXPORTS, "exports", start)
        for _ in range(count):
            offset = body.pos
            try:
                self._item(section_id, body, offset)
            except _CoreTypeFound:
                # A core type, or a resource definition: this is a real
                # component, whose type information is not modelled.
                self.concrete = True
                return
        if not body.eof():
            wasm_error("section size mismatch: unexpected data at the end of the section", body.pos)

    def _item(self, section_id: int, body: _Reader, offset: int) -> None:
        validator = self.validator
        if section_id == 7:
            ty = _read_type(body, 0)
            if isinstance(ty, ResourceTypeDef):
                raise _CoreTypeFound()
            if not self.concrete:
                validator.add_type(ty, offset)
        elif section_id == 6:
            alias = _read_alias(body)
            if not self.concrete:
                validator.add_alias(alias, offset)
        elif section_id == 10:
            decl = ImportDecl(_read_extern_name(body), _read_type_ref(body))
            if not self.concrete:
                item = validator.add_import(decl, offset)
                self.externs.append(Extern(decl.name.name, True, item))
        else:
            export = _read_export(body)
            if not self.concrete:
                entity = validator.export_entity(export, offset)
                item = validator.add_export(export.name, entity, offset)
                self.externs.append(Extern(export.name.name, False, item))
