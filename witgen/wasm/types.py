"""The types a component declares: as read, and once validated.

In: nothing is read here: this is the model that `binary.py` fills with type
indices and `validate.py` with type ids.
Out: the defined types (`PrimitiveType` ... `StreamType`, the union
`DefinedType[R]`) and `FuncType`, generic in how they refer to other types;
`AnyId` (wasmparser's `ComponentAnyTypeId`), the entities that imports and
exports have (`TypeEntity` ... `ValueEntity`, in an `Item`), instance and
component types, and `Types`, the arena (wasmparser's `TypeAlloc`) that
allocates ids, peels aliases, freshens and substitutes resources, and finds
the resources a type refers to (its free variables).
Raises: `Info.combine` fails (`wasm_error`) when a type grows past
`MAX_TYPE_SIZE`.

Type identity is what matters to the decoder, so it is modelled exactly:
every type definition gets a fresh id; an alias (`alias outer`, `alias
export`) reuses the id it names; a type import or export with an `(eq T)`
bound gets a fresh alias id that peels back to T's id; `(sub resource)` makes
a fresh resource; and importing or exporting an instance type that defines
resources "freshens" them, rewriting every type that mentions them into a new
id (wasmparser's `Remap`).  Instantiating a component substitutes the
arguments for its imports the same way: `Remapping.types` starts out with the
types the arguments supply, and `Remapping.resources` with their resources.

A resource's `Path` says where a component or instance type names it: the
index of the import or export, then the index of the export inside each
instance type on the way (wasmparser's `Vec<usize>` paths).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeAlias, TypeVar, assert_never

from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import MAX_TYPE_SIZE

# ---------------------------------------------------------------- value and defined types

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


@dataclass(frozen=True, slots=True)
class Item:
    """wasmparser's `ComponentItem`: an import or export's type and name options."""

    entity: Entity
    implements: str | None = None
    version_suffix: str | None = None
    external_id: str | None = None


# Where a type names a resource: an import or export index, then export indices.
Path: TypeAlias = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class InstanceType:
    """Exports in order (the dicts are never changed after construction).

    `defined_resources` are the resources an instance *type* introduces
    (`(export "r" (type (sub resource)))`); a concrete instance has none.
    `explicit_resources` are the resources it exports, with their paths.
    """

    exports: dict[str, Item]
    defined_resources: tuple[int, ...]
    info: Info
    explicit_resources: dict[int, Path]


@dataclass(frozen=True, slots=True)
class ComponentType:
    """Imports and exports in order (the dicts are never changed after construction).

    `imported_resources` and `defined_resources` are the resources the
    component takes and introduces, each with the path of the import or
    export that names it; `explicit_resources` are all it exports.
    """

    imports: dict[str, Item]
    exports: dict[str, Item]
    imported_resources: tuple[tuple[int, Path], ...]
    defined_resources: tuple[tuple[int, Path], ...]
    info: Info
    explicit_resources: dict[int, Path]


@dataclass(slots=True)
class Remapping:
    """Old resource numbers to new ones, and types to what they become: the
    substitutions given at the start, then each type rewritten so far."""

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
        # The free variables of each type, by kind and index (aliases share them).
        self._free: dict[tuple[AnyKind, int], frozenset[int]] = {}

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
        match id.kind:
            case "defined":
                return self.defined[id.index][1]
            case "func":
                return self.funcs[id.index][1]
            case "instance":
                return self.instances[id.index].info
            case "component":
                return self.components[id.index].info
            case "resource":
                return Info()
            case _:
                assert_never(id.kind)

    def valtype_info(self, ty: ValType) -> Info:
        return Info() if isinstance(ty, str) else self.info(ty)

    def entity_info(self, entity: Entity) -> Info:
        match entity:
            case TypeEntity():
                return self.info(entity.referenced)
            case FuncEntity() | InstanceEntity() | ComponentEntity():
                return self.info(entity.id)
            case ValueEntity():
                return self.valtype_info(entity.type)
            case ModuleEntity():
                return Info()
            case _:
                assert_never(entity)

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

    def remap_entity(self, entity: Entity, mapping: Remapping) -> tuple[Entity, bool]:
        match entity:
            case TypeEntity():
                referenced, changed = self._remap_any(entity.referenced, mapping)
                if referenced == entity.created:
                    return TypeEntity(referenced, referenced), changed
                created, created_changed = self._remap_any(entity.created, mapping)
                return TypeEntity(referenced, created), changed or created_changed
            case FuncEntity():
                id, changed = self._remap_func(entity.id, mapping)
                return FuncEntity(id), changed
            case InstanceEntity():
                id, changed = self._remap_instance(entity.id, mapping)
                return InstanceEntity(id), changed
            case ComponentEntity():
                id, changed = self._remap_component(entity.id, mapping)
                return ComponentEntity(id), changed
            case ValueEntity():
                ty, changed = self._remap_valtype(entity.type, mapping)
                return ValueEntity(ty), changed
            case ModuleEntity():
                return entity, False
            case _:
                assert_never(entity)

    def _remap_any(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
        match id.kind:
            case "resource":
                return self._remap_resource(id, mapping)
            case "defined":
                return self._remap_defined(id, mapping)
            case "func":
                return self._remap_func(id, mapping)
            case "instance":
                return self._remap_instance(id, mapping)
            case "component":
                return self._remap_component(id, mapping)
            case _:
                assert_never(id.kind)

    @staticmethod
    def _cached(id: AnyId, mapping: Remapping) -> tuple[AnyId, bool] | None:
        new = mapping.types.get(id)
        return None if new is None else (new, new != id)

    @staticmethod
    def _settle(
        mapping: Remapping, changed: bool, id: AnyId, push: Callable[[], AnyId]
    ) -> tuple[AnyId, bool]:
        new = push() if changed else id
        mapping.types[id] = new
        return new, new != id

    def _remap_resource(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        new = mapping.resources.get(id.index)
        if new is None:
            return id, False
        return AnyId("resource", new, id.alias), True

    def _remap_valtype(self, ty: ValType, mapping: Remapping) -> tuple[ValType, bool]:
        if isinstance(ty, str):
            return ty, False
        return self._remap_defined(ty, mapping)

    def _remap_defined(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
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
        match ty:
            case RecordType():
                new_ty = RecordType(tuple((name, value(t)) for name, t in ty.fields))
            case VariantType():
                new_ty = VariantType(tuple((name, maybe(t)) for name, t in ty.cases))
            case TupleType():
                new_ty = TupleType(tuple(value(t) for t in ty.types))
            case ListType():
                new_ty = ListType(value(ty.element))
            case FixedListType():
                new_ty = FixedListType(value(ty.element), ty.length)
            case OptionType():
                new_ty = OptionType(value(ty.type))
            case MapType():
                new_ty = MapType(value(ty.key), value(ty.value))
            case ResultType():
                new_ty = ResultType(maybe(ty.ok), maybe(ty.err))
            case OwnType():
                resource, changed = self._remap_resource(ty.resource, mapping)
                new_ty = OwnType(resource)
            case BorrowType():
                resource, changed = self._remap_resource(ty.resource, mapping)
                new_ty = BorrowType(resource)
            case FutureType():
                new_ty = FutureType(maybe(ty.type))
            case StreamType():
                new_ty = StreamType(maybe(ty.type))
            case PrimitiveType() | FlagsType() | EnumType():
                new_ty = ty  # nothing inside refers to another type
            case _:
                assert_never(ty)
        return self._settle(mapping, changed, id, lambda: self.push_defined(new_ty, info))

    def _remap_func(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
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

    def remap_items(
        self, items: dict[str, Item], mapping: Remapping
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
        resources: tuple[int, ...], mapping: Remapping
    ) -> tuple[tuple[int, ...], bool]:
        new = tuple(mapping.resources.get(r, r) for r in resources)
        return new, any(r in mapping.resources for r in resources)

    @staticmethod
    def _remap_paths(
        resources: tuple[tuple[int, Path], ...], mapping: Remapping
    ) -> tuple[tuple[tuple[int, Path], ...], bool]:
        new = tuple((mapping.resources.get(r, r), path) for r, path in resources)
        return new, any(r in mapping.resources for r, _ in resources)

    @staticmethod
    def remap_explicit(
        explicit: dict[int, Path], mapping: Remapping
    ) -> tuple[dict[int, Path], bool]:
        """`map_map`: the explicit resources renumbered, and whether any was."""
        new = {mapping.resources.get(r, r): path for r, path in explicit.items()}
        return new, any(r in mapping.resources for r in explicit)

    def _remap_instance(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty = self.instances[id.index]
        exports, changed = self.remap_items(ty.exports, mapping)
        defined, did = self._remap_resources(ty.defined_resources, mapping)
        explicit, explicit_changed = self.remap_explicit(ty.explicit_resources, mapping)
        new_ty = InstanceType(exports, defined, ty.info, explicit)
        changed = changed or did or explicit_changed
        return self._settle(mapping, changed, id, lambda: self.push_instance(new_ty))

    def _remap_component(self, id: AnyId, mapping: Remapping) -> tuple[AnyId, bool]:
        cached = self._cached(id, mapping)
        if cached is not None:
            return cached
        ty = self.components[id.index]
        imports, imports_changed = self.remap_items(ty.imports, mapping)
        exports, exports_changed = self.remap_items(ty.exports, mapping)
        imported, imported_changed = self._remap_paths(ty.imported_resources, mapping)
        defined, defined_changed = self._remap_paths(ty.defined_resources, mapping)
        explicit, explicit_changed = self.remap_explicit(ty.explicit_resources, mapping)
        changed = (
            imports_changed
            or exports_changed
            or imported_changed
            or defined_changed
            or explicit_changed
        )
        new_ty = ComponentType(imports, exports, imported, defined, ty.info, explicit)
        return self._settle(mapping, changed, id, lambda: self.push_component(new_ty))

    # -- free variables (the resources a type refers to but does not define)

    def free_variables(self, id: AnyId) -> frozenset[int]:
        """`free_variables_any_type_id`, computed once per type."""
        if id.kind == "resource":
            return frozenset((id.index,))
        key = (id.kind, id.index)
        known = self._free.get(key)
        if known is not None:
            return known
        found: set[int] = set()
        match id.kind:
            case "defined":
                ty = self.defined[id.index][0]
                if isinstance(ty, (OwnType, BorrowType)):
                    found.add(ty.resource.index)
                for member in defined_members(ty):
                    found |= self.valtype_free_variables(member)
            case "func":
                func = self.funcs[id.index][0]
                for _, param in func.params:
                    found |= self.valtype_free_variables(param)
                if func.result is not None:
                    found |= self.valtype_free_variables(func.result)
            case "instance":
                instance = self.instances[id.index]
                for item in instance.exports.values():
                    found |= self.entity_free_variables(item.entity)
                found -= set(instance.defined_resources)
            case "component":
                component = self.components[id.index]
                for item in (*component.imports.values(), *component.exports.values()):
                    found |= self.entity_free_variables(item.entity)
                found -= {r for r, _ in component.imported_resources}
                found -= {r for r, _ in component.defined_resources}
            case _:
                assert_never(id.kind)
        result = frozenset(found)
        self._free[key] = result
        return result

    def valtype_free_variables(self, ty: ValType) -> frozenset[int]:
        return frozenset() if isinstance(ty, str) else self.free_variables(ty)

    def entity_free_variables(self, entity: Entity) -> frozenset[int]:
        """`free_variables_component_entity`."""
        match entity:
            case TypeEntity():
                return self.free_variables(entity.created)
            case FuncEntity() | InstanceEntity() | ComponentEntity():
                return self.free_variables(entity.id)
            case ValueEntity():
                return self.valtype_free_variables(entity.type)
            case ModuleEntity():
                return frozenset()
            case _:
                assert_never(entity)


def defined_members(ty: DefinedType[AnyId]) -> list[ValType]:
    """The value types a defined type is made of."""
    match ty:
        case RecordType():
            return [t for _, t in ty.fields]
        case VariantType():
            return [t for _, t in ty.cases if t is not None]
        case TupleType():
            return list(ty.types)
        case ListType() | FixedListType():
            return [ty.element]
        case OptionType():
            return [ty.type]
        case MapType():
            return [ty.key, ty.value]
        case ResultType():
            return [t for t in (ty.ok, ty.err) if t is not None]
        case FutureType() | StreamType():
            return [] if ty.type is None else [ty.type]
        case PrimitiveType() | FlagsType() | EnumType() | OwnType() | BorrowType():
            return []
        case _:
            assert_never(ty)
