"""The syntax tree of one WIT file, exactly as written.

In: nothing; `parse.py` builds these nodes.  Out: immutable nodes, each with a
`Span` covering its whole text (byte offsets, end exclusive).  Names are kept as
written: an `Id` holds `%foo` with its `%`, and `Id.name` gives `foo`.  Doc
comments are kept raw (`Docs.comments`), markers and all; turning them into
text is the resolver's job, as in wit-parser.  Nothing here raises.
"""

from __future__ import annotations

from typing import Literal

from witgen.diagnostics import Span
from witgen.frozen import frozen
from witgen.version import Version


@frozen
class Id:
    """An identifier as written: `foo` or the explicit form `%foo`."""

    text: str
    span: Span

    @property
    def name(self) -> str:
        """The identifier without the `%` of an explicit identifier."""
        return self.text[1:] if self.text.startswith("%") else self.text


@frozen
class Docs:
    """The comments in front of an item, raw; `span` is None when there are none.

    wit-parser treats every comment there as documentation, `//` and `/* */`
    included, and so does witgen.
    """

    comments: tuple[str, ...] = ()
    span: Span | None = None


NO_DOCS = Docs()


@frozen
class VersionLiteral:
    version: Version
    span: Span


# ---------------------------------------------------------------- gates


@frozen
class Since:
    """`@since(version = ...)`; `name` is the `since` word."""

    name: Id
    version: VersionLiteral
    span: Span


@frozen
class Unstable:
    """`@unstable(feature = ...)`."""

    name: Id
    feature: Id
    span: Span


@frozen
class Deprecated:
    """`@deprecated(version = ...)`."""

    name: Id
    version: VersionLiteral
    span: Span


@frozen
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


@frozen
class PrimitiveType:
    name: PrimitiveName
    span: Span


@frozen
class NamedType:
    """A reference to a type by name."""

    name: Id
    span: Span


@frozen
class ListType:
    """`list<T>`, or the fixed-size `list<T, N>` when `size` is set."""

    element: Type
    size: int | None
    span: Span


@frozen
class MapType:
    key: Type
    value: Type
    span: Span


@frozen
class OptionType:
    element: Type
    span: Span


@frozen
class ResultType:
    """`result`, `result<T>`, `result<_, E>` or `result<T, E>`."""

    ok: Type | None
    err: Type | None
    span: Span


@frozen
class TupleType:
    elements: tuple[Type, ...]
    span: Span


@frozen
class FutureType:
    element: Type | None
    span: Span


@frozen
class StreamType:
    element: Type | None
    span: Span


@frozen
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


@frozen
class Param:
    name: Id
    type: Type
    span: Span


@frozen
class Func:
    """`[async] func(params) [-> result]`; `keyword` is the span of `func`."""

    is_async: bool
    params: tuple[Param, ...]
    result: Type | None
    keyword: Span
    span: Span


@frozen
class NamedFunc:
    """`name: func(...);` in an interface."""

    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    func: Func
    span: Span


# ---------------------------------------------------------------- type definitions


@frozen
class TypeAlias:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    type: Type
    span: Span


@frozen
class Field:
    docs: Docs
    name: Id
    type: Type
    span: Span


@frozen
class Record:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    fields: tuple[Field, ...]
    span: Span


@frozen
class Flag:
    docs: Docs
    name: Id
    span: Span


@frozen
class Flags:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    flags: tuple[Flag, ...]
    span: Span


@frozen
class Case:
    docs: Docs
    name: Id
    type: Type | None
    span: Span


@frozen
class Variant:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    cases: tuple[Case, ...]
    span: Span


@frozen
class EnumCase:
    docs: Docs
    name: Id
    span: Span


@frozen
class Enum:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    cases: tuple[EnumCase, ...]
    span: Span


@frozen
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


@frozen
class Resource:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    funcs: tuple[ResourceFunc, ...]
    span: Span


TypeDef = TypeAlias | Record | Flags | Variant | Enum | Resource


# ---------------------------------------------------------------- use


@frozen
class PackageName:
    """`namespace:name[@version]`.

    `span` runs from the namespace to the end of the version (or the name), the
    span wit-parser reports for a package.
    """

    namespace: Id
    name: Id
    version: VersionLiteral | None
    span: Span


@frozen
class LocalPath:
    """A use path naming an item of this package: `foo`."""

    name: Id
    span: Span


@frozen
class PackagePath:
    """A use path into another package: `ns:pkg/item[@version]`.

    `package.span` covers `ns:pkg` only, as in wit-parser; the version belongs
    to the package but is written after the item name.
    """

    package: PackageName
    name: Id
    span: Span


UsePath = LocalPath | PackagePath


@frozen
class UseName:
    name: Id
    alias: Id | None
    span: Span


@frozen
class Use:
    """`use path.{a, b as c};` in an interface or world."""

    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[UseName, ...]
    span: Span


@frozen
class TopLevelUse:
    """`use path [as name];` at the top of a file; `keyword` is the span of `use`."""

    attributes: tuple[Attribute, ...]
    path: UsePath
    alias: Id | None
    keyword: Span
    span: Span


# ---------------------------------------------------------------- interfaces and worlds

InterfaceItem = TypeDef | NamedFunc | Use


@frozen
class Interface:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


@frozen
class ExternFunc:
    """`import name: func(...);`"""

    name: Id
    func: Func
    span: Span


@frozen
class ExternInterface:
    """`import name: interface { ... }`"""

    name: Id
    items: tuple[InterfaceItem, ...]
    span: Span


@frozen
class ExternPath:
    """`import path;`"""

    path: UsePath
    span: Span


@frozen
class ExternNamedPath:
    """`import label: path;`, a plain-named import of an interface."""

    label: Id
    path: UsePath
    span: Span


ExternKind = ExternFunc | ExternInterface | ExternPath | ExternNamedPath


@frozen
class Import:
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind
    span: Span


@frozen
class Export:
    docs: Docs
    attributes: tuple[Attribute, ...]
    kind: ExternKind
    span: Span


@frozen
class IncludeName:
    """`name as alias` in `include ... with { ... }`."""

    name: Id
    alias: Id
    span: Span


@frozen
class Include:
    attributes: tuple[Attribute, ...]
    path: UsePath
    names: tuple[IncludeName, ...]
    span: Span


WorldItem = Import | Export | Use | TypeDef | Include


@frozen
class World:
    docs: Docs
    attributes: tuple[Attribute, ...]
    name: Id
    items: tuple[WorldItem, ...]
    span: Span


# ---------------------------------------------------------------- packages and files


@frozen
class NestedPackage:
    """`package ns:name[@version] { ... }`."""

    docs: Docs
    name: PackageName
    items: tuple[PackageItem, ...]
    span: Span


PackageItem = Interface | World | TopLevelUse | NestedPackage


@frozen
class PackageHeader:
    """`package ns:name[@version];` at the top of a file."""

    docs: Docs
    name: PackageName
    span: Span


@frozen
class File:
    """One parsed `.wit` file."""

    header: PackageHeader | None
    items: tuple[PackageItem, ...]
    span: Span
