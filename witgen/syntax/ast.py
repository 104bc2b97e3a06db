"""The syntax tree of one WIT file, exactly as written.

In: nothing; `parse.py` builds these nodes.  Out: immutable nodes, each with a
`Span` covering its whole text (byte offsets, end exclusive).  Names are kept as
written: an `Id` holds `%foo` with its `%`, and `Id.name` gives `foo`.  Doc
comments are kept raw (`Docs.comments`), markers and all; turning them into
text is the resolver's job, as in wit-parser.  Nothing here raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from witgen.diagnostics import Span
from witgen.version import Version


@dataclass(frozen=True, slots=True)
class Id:
    """An identifier as written: `foo` or the explicit form `%foo`."""

    text: str
    span: Span

    @property
    def name(self) -> str:
        """The identifier without the `%` of an explicit identifier."""
        return self.text[1:] if self.text.startswith("%") else self.text


@dataclass(frozen=True, slots=True)
class Docs:
    """The comments in front of an item, raw; `span` is None when there are none.

    wit-parser treats every comment there as documentation, `//` and `/* */`
    included, and so does witgen.
    """

    comments: tuple[str, ...] = ()
    span: Span | None = None


NO_DOCS = Docs()


@dataclass(frozen=True, slots=True)
class VersionLiteral:
    version: Version
    span: Span


# ---------------------------------------------------------------- gates


@dataclass(frozen=True, slots=True)
class Since:
    """`@since(version = ...)`; `name` is the `since` word."""

    name: Id
    version: VersionLiteral
    span: Span


@dataclass(frozen=True, slots=True)
class Unstable:
    """`@unstable(feature = ...)`."""

    name: Id
    feature: Id
    span: Span


@dataclass(frozen=True, slots=True)
class Deprecated:
    """`@deprecated(version = ...)`."""

    name: Id
    version: VersionLiteral
    span: Span


@dataclass(frozen=True, slots=True)
class ExternalId:
    """`@external-id("...")`; `value` is the decoded string."""

    name: Id
    value: str
    span: Span


Attribute = Since | Unstable | Deprecated | ExternalId


# ---------------------------------------------------------------- types

PrimitiveName = Literal[
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


@dataclass(frozen=True, slots=True)
class PrimitiveType:
    name: PrimitiveName
    span: Span


@dataclass(frozen=True, slots=True)
class NamedType:
    """A reference to a type by name."""

    name: Id
    span: Span


@dataclass(frozen=True, slots=True)
class ListType:
    """`list<T>`, or the fixed-size `list<T, N>` when `size` is set."""

    element: Type
    size: int | None
    span: Span


@dataclass(frozen=True, slots=True)
class MapType:
    key: Type
    value: Type
    span: Span


@dataclass(frozen=True, slots=True)
class OptionType:
    element: Type
    span: Span


@dataclass(frozen=True, slots=True)
class ResultType:
    """`result`, `result<T>`, `result<_, E>` or `result<T, E>`."""

    ok: Type | None
    err: Type | None
    span: Span


@dataclass(frozen=True, slots=True)
class TupleType:
    elements: tuple[Type, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class FutureType:
    element: Type | None
    span: Span


@dataclass(frozen=True, slots=True)
class StreamType:
    element: Type | None
    span: Span


@dataclass(frozen=True, slots=True)
class HandleType:
    """`own<R>` or `borrow<R>`."""

    kind: Literal["own", "borrow"]
    resource: Id
    span: Span


Type = (
    PrimitiveType
    | NamedType
    | ListType
    | MapType
    | OptionType
    | ResultType
    | TupleType
    | FutureType
    | StreamType
    | HandleType
)


def keyword_span(ty: Type) -> Span:
    """Where wit-parser points for a type: its keyword, a name, or a handle's resource."""
    if isinstance(ty, NamedType):
        return ty.name.span
    if isinstance(ty, HandleType):
        return ty.resource.span
    if isinstance(ty, PrimitiveType):
        return ty.span
    keyword = {
        ListType: "list",
        MapType: "map",
        OptionType: "option",
        ResultType: "result",
        TupleType: "tuple",
        FutureType: "future",
        StreamType: "stream",
    }[type(ty)]
    return Span(ty.span.file, ty.span.start, ty.span.start + len(keyword))


# ---------------------------------------------------------------- functions


@dataclass(frozen=True, slots=True)
class Param:
    name: Id
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Func:
    """`[async] func(params) [-> result]`; `keyword` is the span of `func`."""

    is_async: bool
    params: tuple[Param, ...]
    result: Type | None
    keyword: Span
    span: Span


@dataclass(frozen=True, slots=True)
class NamedFunc:
    """`name: func(...);` in an interface."""

    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    func: Func
    span: Span


# ---------------------------------------------------------------- type definitions


@dataclass(frozen=True, slots=True)
class TypeAlias:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Field:
    docs: Docs
    name: Id
    type: Type
    span: Span


@dataclass(frozen=True, slots=True)
class Record:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    fields: tuple[Field, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Flag:
    docs: Docs
    name: Id
    span: Span


@dataclass(frozen=True, slots=True)
class Flags:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    flags: tuple[Flag, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Case:
    docs: Docs
    name: Id
    type: Type | None
    span: Span


@dataclass(frozen=True, slots=True)
class Variant:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    cases: tuple[Case, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class EnumCase:
    docs: Docs
    name: Id
    span: Span


@dataclass(frozen=True, slots=True)
class Enum:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    cases: tuple[EnumCase, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ResourceFunc:
    """A constructor, method or static function of a resource.

    A constructor's `name` is the `constructor` keyword; its `func` has no
    `func` keyword, so `func.keyword` is the `constructor` keyword too.
    """

    kind: Literal["constructor", "method", "static"]
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    func: Func
    span: Span


@dataclass(frozen=True, slots=True)
class Resource:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    funcs: tuple[ResourceFunc, ...]
    span: Span


TypeDef = TypeAlias | Record | Flags | Variant | Enum | Resource


# ---------------------------------------------------------------- use


@dataclass(frozen=True, slots=True)
class PackageName:
    """`namespace:name[@version]`.

    `span` runs from the namespace to the end of the version (or the name), the
    span wit-parser reports for a package.
    """

    namespace: Id
    name: Id
    version: VersionLiteral | None
    span: Span


@dataclass(frozen=True, slots=True)
class LocalPath:
    """A use path naming an item of this package: `foo`."""

    name: Id
    span: Span


@dataclass(frozen=True, slots=True)
class PackagePath:
    """A use path into another package: `ns:pkg/item[@version]`.

    `package.span` covers `ns:pkg` only, as in wit-parser; the version belongs
    to the package but is written after the item name.
    """

    package: PackageName
    name: Id
    span: Span


UsePath = LocalPath | PackagePath


@dataclass(frozen=True, slots=True)
class UseName:
    name: Id
    alias: Id | None
    span: Span


@dataclass(frozen=True, slots=True)
class Use:
    """`use path.{a, b as c};` in an interface or world."""

    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[UseName, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class TopLevelUse:
    """`use path [as name];` at the top of a file; `keyword` is the span of `use`."""

    attributes: tuple[Attribute, ...]
    path: UsePath
    alias: Id | None
    keyword: Span
    span: Span


# ---------------------------------------------------------------- interfaces and worlds

InterfaceItem = TypeDef | NamedFunc | Use


@dataclass(frozen=True, slots=True)
class Interface:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExternFunc:
    """`import name: func(...);`"""

    name: Id
    func: Func
    span: Span


@dataclass(frozen=True, slots=True)
class ExternInterface:
    """`import name: interface { ... }`"""

    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ExternPath:
    """`import path;`"""

    path: UsePath
    span: Span


@dataclass(frozen=True, slots=True)
class ExternNamedPath:
    """`import label: path;`, a plain-named import of an interface."""

    label: Id
    path: UsePath
    span: Span


ExternKind = ExternFunc | ExternInterface | ExternPath | ExternNamedPath


@dataclass(frozen=True, slots=True)
class Import:
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind
    span: Span


@dataclass(frozen=True, slots=True)
class Export:
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind
    span: Span


@dataclass(frozen=True, slots=True)
class IncludeName:
    """`name as alias` in `include ... with { ... }`."""

    name: Id
    alias: Id
    span: Span


@dataclass(frozen=True, slots=True)
class Include:
    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[IncludeName, ...]
    span: Span


WorldItem = Import | Export | Use | TypeDef | Include


@dataclass(frozen=True, slots=True)
class World:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[WorldItem, ...]
    span: Span


# ---------------------------------------------------------------- packages and files


@dataclass(frozen=True, slots=True)
class NestedPackage:
    """`package ns:name[@version] { ... }`."""

    docs: Docs
    name: PackageName
    items: tuple[PackageItem, ...]
    span: Span


PackageItem = Interface | World | TopLevelUse | NestedPackage


@dataclass(frozen=True, slots=True)
class PackageHeader:
    """`package ns:name[@version];` at the top of a file."""

    docs: Docs
    name: PackageName
    span: Span


@dataclass(frozen=True, slots=True)
class File:
    """One parsed `.wit` file."""

    header: PackageHeader | None
    items: tuple[PackageItem, ...]
    span: Span
