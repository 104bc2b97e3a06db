"""Python annotations and codec expressions of WIT types, as one generated module reaches them.

In: where every named type lives and what it is called (`Places`, which the
planner is), the module being planned, and WIT types.  Out: `Code`: a type's
annotation for either side (a host's own objects, or handles to a component's
resources) and the expression of its codec (`witgen.runtime.codec`); and
(`uncarried`) what in a type wasmtime-py 50's component API cannot carry
(futures, streams, error-context, fixed-size lists: typed as opaque handles and
lists, with codecs that refuse every value).  Every import they take is
recorded in the module's import registry as it is taken.  Raises nothing.
"""

from __future__ import annotations

from typing import Literal, Protocol, assert_never

from witgen import ir
from witgen.codegen.imports import (
    RT_CODEC,
    RT_RESOURCES,
    RT_WIT,
    Code,
    Import,
    Local,
    Name,
    Registry,
    generated_module,
)
from witgen.codegen.layout import string
from witgen.codegen.names import PythonName

Side = Literal["host", "guest"]


class Places(Protocol):
    """Where the named types planned so far live, and their Python names."""

    resolve: ir.Resolve
    type_names: dict[ir.TypeId, PythonName]  # its class (a resource: handles to a component's)
    host_names: dict[ir.TypeId, PythonName]  # a resource: the protocol of a host's objects
    codec_names: dict[ir.TypeId, PythonName]  # a type a module defines: its codec variable

    def path_of(self, owner: ir.Owner) -> tuple[str, ...] | None: ...


class TypeMapper:
    """Annotations and codecs of types, as the module at `path` (of `owner`) sees them."""

    def __init__(
        self, places: Places, path: tuple[str, ...], owner: ir.Owner, uses: Registry
    ) -> None:
        self.places = places
        self.resolve = places.resolve
        self.path = path
        self.owner = owner
        self.uses = uses  # the module's imports, recorded as they are taken
        self._uncarried_memo: dict[ir.TypeId, str | None] = {}

    def use(self, imported: Import) -> Name:
        """`imported`, recorded as one the module uses."""
        self.uses.add(imported)
        return Name(imported)

    # -- where a named type is defined

    def home(self, type_id: ir.TypeId) -> ir.TypeId:
        """The type `type_id` names, following `use` (not `type a = b`)."""
        resolve = self.resolve
        while True:
            typedef = resolve.types[type_id]
            kind = typedef.kind
            if not (isinstance(kind, ir.AliasKind) and isinstance(kind.type, int)):
                return type_id
            target = resolve.types[kind.type]
            if target.name is None or target.owner == typedef.owner:
                return type_id
            type_id = kind.type

    def qualified(self, type_id: ir.TypeId, local: PythonName) -> Name | Local:
        """`local`, a name of the module that defines `type_id`, as this module reaches it."""
        home = self.places.path_of(self.resolve.types[type_id].owner)
        if home is None or home == self.path:
            return Local(local)
        module = generated_module(home)
        self.uses.add(module.source)
        return module.of(local)

    def resource_def(self, ty: ir.Type) -> ir.TypeId | None:
        """The resource `ty` names, through any aliases and `use`s, if it names one."""
        target = self.resolve.resolved(ty)
        if isinstance(target, int) and isinstance(self.resolve.types[target].kind, ir.ResourceKind):
            return target
        return None

    def resource_key(self, resource: ir.TypeId) -> str:
        """What identifies the resource type at run time: `<module path>#<name>`."""
        home = self.places.path_of(self.resolve.types[resource].owner) or ()
        return f"{'.'.join(home)}#{self.resolve.types[resource].name}"

    def admits_none(self, ty: ir.Type) -> bool:
        """Whether Python writes a value of `ty` as None (an option, through aliases)."""
        ty = self.resolve.resolved(ty)
        return isinstance(ty, int) and isinstance(self.resolve.types[ty].kind, ir.OptionKind)

    def uncarried(self, ty: ir.Type) -> str | None:
        """What in `ty` wasmtime-py 50's component API cannot carry (`a stream`,
        and where: `a stream (in type `message`)`), or None when it can carry
        all of it.  Handles are carried whatever their resource holds."""
        match ty:
            case "error-context":
                return "an error-context"
            case str():
                return None
        if ty in self._uncarried_memo:
            return self._uncarried_memo[ty]
        kind = self.resolve.types[ty].kind
        inner: list[ir.Type | None]
        match kind:
            case ir.StreamKind():
                found: str | None = "a stream"
                inner = []
            case ir.FutureKind():
                found, inner = "a future", []
            case ir.FixedListKind():
                found, inner = "a fixed-size list", []
            case ir.RecordKind(fields=fields):
                found, inner = None, [f.type for f in fields]
            case ir.VariantKind(cases=cases):
                found, inner = None, [c.type for c in cases]
            case ir.TupleKind(types=items):
                found, inner = None, list(items)
            case ir.ListKind(type=item) | ir.OptionKind(type=item) | ir.AliasKind(type=item):
                found, inner = None, [item]
            case ir.ResultKind(ok=ok, err=err):
                found, inner = None, [ok, err]
            case ir.MapKind(key=key, value=value):
                found, inner = None, [key, value]
            case ir.EnumKind() | ir.FlagsKind() | ir.ResourceKind() | ir.HandleKind():
                found, inner = None, []
            case other:
                assert_never(other)
        for member in inner:
            if found is None and member is not None:
                found = self.uncarried(member)
        name = self.resolve.types[ty].name
        if found is not None and inner and name is not None and "(in type" not in found:
            found = f"{found} (in type `{name}`)"  # the innermost named type that holds it
        self._uncarried_memo[ty] = found
        return found

    # -- annotations

    def annotation(self, ty: ir.Type, side: Side) -> Code:
        """The Python type of `ty`; resources are `side`'s objects."""
        match ty:
            case "error-context":
                return Code.of(self.use(RT_WIT).of("ErrorContext"))
            case str():
                return Code.of(_PRIMITIVE_ANNOTATIONS[ty])
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return self.kind_annotation(typedef.kind, side)
        resource = self.resource_def(ty)
        if resource is not None:
            named = ty if typedef.owner == self.owner else resource
            return self._resource_annotation(named, resource, side)
        if typedef.owner != self.owner:
            ty = self.home(ty)
        return Code.of(self.qualified(ty, self.places.type_names[ty]))

    def host_annotation(self, ty: ir.Type) -> Code:
        return self.annotation(ty, "host")

    def guest_annotation(self, ty: ir.Type) -> Code:
        return self.annotation(ty, "guest")

    def either_side(self, ty: ir.Type) -> Code:
        """A field or payload: a resource there may be either side's object."""
        host = self.annotation(ty, "host")
        guest = self.annotation(ty, "guest")
        return guest if str(host) == str(guest) else Code.of(guest, " | ", host)

    def _resource_annotation(self, named: ir.TypeId, resource: ir.TypeId, side: Side) -> Code:
        """`named` (a name for `resource`) as each side sees it.

        A host sees its own objects.  A caller of a component sees handles to
        the component's resources, but where the resource comes from another
        interface (which a world may import) or from a world, it may be the
        host's own object too."""
        host = self.qualified(named, self.places.host_names[named])
        owner = self.resolve.types[resource].owner
        if side == "host" or isinstance(owner, ir.WorldOwner):
            return Code.of(host)  # a world's own resources are the host's
        guest = self.qualified(named, self.places.type_names[named])
        if owner == self.owner and isinstance(self.owner, ir.InterfaceOwner):
            return Code.of(guest)
        return Code.of(guest, " | ", host)

    def kind_annotation(self, kind: ir.TypeDefKind, side: Side) -> Code:
        """The Python type of an anonymous type, or of a named one's definition."""
        match in_place(kind):
            case ir.AliasKind(type=target):
                return self.annotation(target, side)
            case ir.HandleKind(resource=resource, handle=handle):
                inner = self.annotation(resource, side)
                if handle == "borrow" and side == "guest":
                    return Code.of(self.use(RT_WIT).of("Borrow"), "[", inner, "]")
                return inner
            case ir.ListKind(type=item):
                if item == "u8":
                    return Code.of("bytes")
                return Code.of("list[", self.annotation(item, side), "]")
            case ir.OptionKind(type=some):
                inner = self.annotation(some, side)
                if self.admits_none(some):
                    return Code.of(self.use(RT_WIT).of("Some"), "[", inner, "] | None")
                return Code.of(inner, " | None")
            case ir.ResultKind(ok=ok_type, err=err_type):
                ok = self.annotation(ok_type, side) if ok_type is not None else "None"
                err = self.annotation(err_type, side) if err_type is not None else "None"
                return Code.of(self.use(RT_WIT).of("Result"), "[", ok, ", ", err, "]")
            case ir.TupleKind(types=types):
                items = [self.annotation(t, side) for t in types]
                return Code.of("tuple[", Code.join(", ", items), "]")
            case ir.MapKind(key=key_type, value=value_type):
                key = self.annotation(key_type, side)
                return Code.of("dict[", key, ", ", self.annotation(value_type, side), "]")
            case ir.FixedListKind(type=item):
                if item == "u8":
                    return Code.of("bytes")
                return Code.of("list[", self.annotation(item, side), "]")
            case ir.StreamKind(type=item) | ir.FutureKind(type=item):
                opaque = "Stream" if isinstance(kind, ir.StreamKind) else "Future"
                payload = self.annotation(item, side) if item is not None else "None"
                return Code.of(self.use(RT_WIT).of(opaque), "[", payload, "]")
            case other:
                assert_never(other)

    # -- codecs

    def codec(self, ty: ir.Type) -> Code:
        """The expression of the codec of `ty`."""
        match ty:
            case "error-context":
                return _unbindable_codec(self.use(RT_CODEC), "an error-context")
            case str():
                return Code.of(self.use(RT_CODEC).of(_PRIMITIVE_CODECS[ty]))
        typedef = self.resolve.types[ty]
        if typedef.name is None:
            return self.kind_codec(typedef.kind)
        resource = self.resource_def(ty)
        if resource is not None:
            return self.resource_codec(resource, borrow=False)
        home = self.home(ty)
        return Code.of(self.qualified(home, self.places.codec_names[home]))

    def kind_codec(self, kind: ir.TypeDefKind) -> Code:
        """The codec of an anonymous type, or of a named one's definition."""
        codecs = self.use(RT_CODEC)
        match in_place(kind):
            case ir.AliasKind(type=target):
                return self.codec(target)
            case ir.HandleKind(resource=handled, handle=handle):
                resource = self.resource_def(handled)
                assert resource is not None
                return self.resource_codec(resource, handle == "borrow")
            case ir.ListKind(type=item):
                if item == "u8":
                    return Code.of(codecs.of("BytesCodec"), "()")
                return Code.of(codecs.of("ListCodec"), "(", self.codec(item), ")")
            case ir.OptionKind(type=some):
                inner = self.codec(some)
                admits_none = str(self.admits_none(some))
                return Code.of(codecs.of("OptionCodec"), "(", inner, ", ", admits_none, ")")
            case ir.ResultKind(ok=ok_type, err=err_type):
                ok = self.codec(ok_type) if ok_type is not None else "None"
                err = self.codec(err_type) if err_type is not None else "None"
                return Code.of(codecs.of("ResultCodec"), "(", ok, ", ", err, ")")
            case ir.TupleKind(types=types):
                items = Code.tuple_of([self.codec(t) for t in types])
                return Code.of(codecs.of("TupleCodec"), "(", items, ")")
            case ir.MapKind(key=key_type, value=value_type):
                key, value = self.codec(key_type), self.codec(value_type)
                return Code.of(codecs.of("MapCodec"), "(", key, ", ", value, ")")
            case ir.StreamKind():
                return _unbindable_codec(codecs, "a stream")
            case ir.FutureKind():
                return _unbindable_codec(codecs, "a future")
            case ir.FixedListKind():
                return _unbindable_codec(codecs, "a fixed-size list")
            case other:
                assert_never(other)

    def resource_codec(self, resource: ir.TypeId, borrow: bool) -> Code:
        """The codec of an `own` (or, with `borrow`, a `borrow`) handle to `resource`."""
        # A world's own resources are the host's: no component handle class.
        owner = self.resolve.types[resource].owner
        handles: Name | Local | str = (
            "None"
            if isinstance(owner, ir.WorldOwner)
            else self.qualified(resource, self.places.type_names[resource])
        )
        key = string(self.resource_key(resource))
        codec = self.use(RT_RESOURCES).of("ResourceCodec")
        return Code.of(codec, "(", key, ", ", handles, ", ", str(borrow), ")")


def _unbindable_codec(codecs: Name, what: str) -> Code:
    """The codec of a type wasmtime-py 50 cannot carry: it refuses every value."""
    return Code.of(codecs.of("UnbindableCodec"), f"({string(what)})")


# The structural kinds (`ir.StructuralKind`) that the bindings write in place,
# as an annotation and a codec expression: what `kind_annotation` and
# `kind_codec` map.
InPlaceKind = (
    ir.AliasKind
    | ir.HandleKind
    | ir.ListKind
    | ir.OptionKind
    | ir.ResultKind
    | ir.TupleKind
    | ir.MapKind
    | ir.FixedListKind
    | ir.StreamKind
    | ir.FutureKind
)


def in_place(kind: ir.TypeDefKind) -> InPlaceKind:
    """`kind`, which the bindings write in place (as an annotation, a codec
    expression); a type that is always named (a class) is never written in
    place (an `AssertionError`)."""
    match kind:
        case (
            ir.AliasKind()
            | ir.HandleKind()
            | ir.ListKind()
            | ir.OptionKind()
            | ir.ResultKind()
            | ir.TupleKind()
            | ir.MapKind()
            | ir.FixedListKind()
            | ir.StreamKind()
            | ir.FutureKind()
        ):
            return kind
        case (
            ir.RecordKind() | ir.VariantKind() | ir.EnumKind() | ir.FlagsKind() | ir.ResourceKind()
        ):
            # Nominal kinds are classes, reached by name: never written in place.
            raise AssertionError(f"{type(kind).__name__} is always named")
        case other:
            assert_never(other)


_PRIMITIVE_ANNOTATIONS = {
    "bool": "bool",
    "u8": "int",
    "u16": "int",
    "u32": "int",
    "u64": "int",
    "s8": "int",
    "s16": "int",
    "s32": "int",
    "s64": "int",
    "f32": "float",
    "f64": "float",
    "char": "str",
    "string": "str",
}
_PRIMITIVE_CODECS = {
    "bool": "BOOL_CODEC",
    "u8": "U8_CODEC",
    "u16": "U16_CODEC",
    "u32": "U32_CODEC",
    "u64": "U64_CODEC",
    "s8": "S8_CODEC",
    "s16": "S16_CODEC",
    "s32": "S32_CODEC",
    "s64": "S64_CODEC",
    "f32": "F32_CODEC",
    "f64": "F64_CODEC",
    "char": "CHAR_CODEC",
    "string": "STRING_CODEC",
}
