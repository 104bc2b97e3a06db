"""The resolved model of a set of WIT packages: what every back end reads.

In: nothing; the resolver (`witgen.resolve`) builds one `Resolve` per run.
Out: immutable values.  Raises nothing.

The model has the shape of wasm-tools' `wit_parser::Resolve`: four arenas
(packages, interfaces, worlds, types) whose indices are the ids, allocated in
the same order wit-parser allocates them, so ids and the JSON document match
wasm-tools.  Every reference is an id into an arena; names are kept as the WIT
spells them (kebab-case, no `%`); docs, gates and source order are kept.

Ordered maps are tuples of `(key, value)` pairs; the `*_named` methods look
entries up.  A `Type` is either the name of a primitive (`"u32"`) or the
`TypeId` of an entry of `Resolve.types`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, NewType

from witgen.diagnostics import Span
from witgen.frozen import frozen
from witgen.version import Version

TypeId = NewType("TypeId", int)
InterfaceId = NewType("InterfaceId", int)
WorldId = NewType("WorldId", int)
PackageId = NewType("PackageId", int)

Primitive = Literal[
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
    "error-context",
]
PRIMITIVES: tuple[Primitive, ...] = (
    "bool",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "f32",
    "f64",
    "char",
    "string",
    "error-context",
)

# A type: a primitive's name, or a reference to a type definition.
Type = Primitive | TypeId


def is_type_id(ty: Type) -> bool:
    return isinstance(ty, int)


# ---------------------------------------------------------------- names and gates


@frozen(order=True)
class PackageName:
    """`namespace:name[@version]`, the key of a package."""

    namespace: str
    name: str
    version: Version | None = None

    def __str__(self) -> str:
        text = f"{self.namespace}:{self.name}"
        return f"{text}@{self.version}" if self.version is not None else text

    def interface_id(self, interface: str) -> str:
        """The id of an interface of this package: `ns:pkg/iface@1.0.0`."""
        text = f"{self.namespace}:{self.name}/{interface}"
        return f"{text}@{self.version}" if self.version is not None else text


@frozen
class Stable:
    """`@since(version = ...)`, perhaps with `@deprecated(version = ...)`."""

    since: Version
    deprecated: Version | None = None


@frozen
class Unstable:
    """`@unstable(feature = ...)`, perhaps with `@deprecated(version = ...)`."""

    feature: str
    deprecated: Version | None = None


# None is wit-parser's `Stability::Unknown`: no gate.
Stability = Stable | Unstable | None


# ---------------------------------------------------------------- type definitions


@frozen
class Field:
    name: str
    type: Type
    docs: str | None = None
    span: Span | None = None


@frozen
class Flag:
    name: str
    docs: str | None = None
    span: Span | None = None


@frozen
class Case:
    name: str
    type: Type | None
    docs: str | None = None
    span: Span | None = None


@frozen
class EnumCase:
    name: str
    docs: str | None = None
    span: Span | None = None


@frozen
class RecordKind:
    fields: tuple[Field, ...]


@frozen
class ResourceKind:
    pass


@frozen
class HandleKind:
    """`own<R>` or `borrow<R>`; `resource` is the resource's type id."""

    handle: Literal["own", "borrow"]
    resource: TypeId


@frozen
class FlagsKind:
    flags: tuple[Flag, ...]


@frozen
class TupleKind:
    types: tuple[Type, ...]


@frozen
class VariantKind:
    cases: tuple[Case, ...]


@frozen
class EnumKind:
    cases: tuple[EnumCase, ...]


@frozen
class OptionKind:
    type: Type


@frozen
class ResultKind:
    ok: Type | None
    err: Type | None


@frozen
class ListKind:
    type: Type


@frozen
class MapKind:
    key: Type
    value: Type


@frozen
class FixedListKind:
    """`list<T, N>`."""

    type: Type
    size: int


@frozen
class FutureKind:
    type: Type | None


@frozen
class StreamKind:
    type: Type | None


@frozen
class AliasKind:
    """`type a = b;`, and the types a `use` brings in (wit-parser's `TypeDefKind::Type`)."""

    type: Type


TypeDefKind = (
    RecordKind
    | ResourceKind
    | HandleKind
    | FlagsKind
    | TupleKind
    | VariantKind
    | EnumKind
    | OptionKind
    | ResultKind
    | ListKind
    | MapKind
    | FixedListKind
    | FutureKind
    | StreamKind
    | AliasKind
)

# Kinds known by their name and owner (two records with the same fields are two
# types), and kinds spelled out by their structure (`list<u8>`, `type a = b`).
NominalKind = RecordKind | ResourceKind | FlagsKind | VariantKind | EnumKind
StructuralKind = (
    HandleKind
    | TupleKind
    | OptionKind
    | ResultKind
    | ListKind
    | MapKind
    | FixedListKind
    | FutureKind
    | StreamKind
    | AliasKind
)


@frozen
class InterfaceOwner:
    interface: InterfaceId


@frozen
class WorldOwner:
    world: WorldId


# None: an anonymous type such as `list<u8>`, owned by nothing.
Owner = InterfaceOwner | WorldOwner | None


@frozen
class TypeDef:
    """A type definition, named (`record point { ... }`) or anonymous (`list<u8>`)."""

    name: str | None
    kind: TypeDefKind
    owner: Owner
    docs: str | None = None
    stability: Stability = None
    span: Span | None = None
    external_id: str | None = None


# ---------------------------------------------------------------- functions

FunctionKindName = Literal[
    "freestanding",
    "async-freestanding",
    "method",
    "async-method",
    "static",
    "async-static",
    "constructor",
]


@frozen
class Param:
    name: str
    type: Type
    span: Span | None = None


@frozen
class Function:
    """A function of an interface or world.

    The name is the component-model name: `[method]r.get`, `[static]r.make`,
    `[constructor]r` for resource functions.  A method's first parameter is
    the implicit `self: borrow<r>`; a constructor without a declared result
    returns `own<r>`, written as the resource's own id.
    """

    name: str
    kind: FunctionKindName
    params: tuple[Param, ...]
    result: Type | None
    resource: TypeId | None = None
    docs: str | None = None
    stability: Stability = None
    span: Span | None = None
    external_id: str | None = None

    @property
    def is_async(self) -> bool:
        return self.kind.startswith("async")

    @property
    def item_name(self) -> str:
        """The name as written in WIT: `get` for `[method]r.get`."""
        if self.kind == "constructor":
            return "constructor"
        if self.resource is not None:
            return self.name[self.name.index(".") + 1 :]
        return self.name


# ---------------------------------------------------------------- interfaces, worlds, packages


@frozen
class Interface:
    """A named interface of a package, or (with `name` None) one inline in a world."""

    name: str | None
    types: tuple[tuple[str, TypeId], ...]
    functions: tuple[tuple[str, Function], ...]
    package: PackageId | None
    docs: str | None = None
    stability: Stability = None
    span: Span | None = None
    clone_of: InterfaceId | None = None

    def type_named(self, name: str) -> TypeId | None:
        return next((id for key, id in self.types if key == name), None)

    def function_named(self, name: str) -> Function | None:
        return next((f for key, f in self.functions if key == name), None)


@frozen
class InterfaceKey:
    """The key of a world item naming an interface by id (`import wasi:io/poll;`)."""

    interface: InterfaceId


# A world item's key: a kebab-case name, or an interface.
WorldKey = str | InterfaceKey


@frozen
class InterfaceItem:
    """An interface imported or exported by a world."""

    interface: InterfaceId
    stability: Stability = None
    external_id: str | None = None
    docs: str | None = None
    span: Span | None = None


@frozen
class FunctionItem:
    function: Function


@frozen
class TypeItem:
    """A type a world imports (types are never exported)."""

    type: TypeId
    span: Span | None = None


WorldItem = InterfaceItem | FunctionItem | TypeItem


@frozen
class World:
    name: str
    imports: tuple[tuple[WorldKey, WorldItem], ...]
    exports: tuple[tuple[WorldKey, WorldItem], ...]
    package: PackageId | None
    docs: str | None = None
    stability: Stability = None
    span: Span | None = None


@frozen
class Package:
    name: PackageName
    interfaces: tuple[tuple[str, InterfaceId], ...]
    worlds: tuple[tuple[str, WorldId], ...]
    docs: str | None = None

    def interface_named(self, name: str) -> InterfaceId | None:
        return next((id for key, id in self.interfaces if key == name), None)

    def world_named(self, name: str) -> WorldId | None:
        return next((id for key, id in self.worlds if key == name), None)


@frozen
class Resolve:
    """Every package of one run, resolved.  `main` is the package that was asked for."""

    packages: tuple[Package, ...]
    interfaces: tuple[Interface, ...]
    worlds: tuple[World, ...]
    types: tuple[TypeDef, ...]
    main: PackageId

    def interface_id(self, interface: InterfaceId) -> str | None:
        """`ns:pkg/name@version` for a named interface, None for an inline one."""
        iface = self.interfaces[interface]
        if iface.name is None or iface.package is None:
            return None
        return self.packages[iface.package].name.interface_id(iface.name)

    def world_key_name(self, key: WorldKey) -> str:
        """How a world item's key is named in the component model."""
        if isinstance(key, str):
            return key
        name = self.interface_id(key.interface)
        assert name is not None, "an anonymous interface has no id"
        return name

    def resolved(self, ty: Type) -> Type:
        """Follow `type a = b` aliases (and `use`) to the type they name."""
        while isinstance(ty, int):
            kind = self.types[ty].kind
            if not isinstance(kind, AliasKind):
                break
            ty = kind.type
        return ty

    def iter_types(self) -> Iterator[tuple[TypeId, TypeDef]]:
        for index, typedef in enumerate(self.types):
            yield TypeId(index), typedef
