"""wasmparser's validator, for the types of components.

In: the items of a component's sections as read (`binary.py`), one at a
time, with the offset of the top-level section item; `begin_component` and
`end_component` around the sections of a nested component.
Out: `Validator.types`, the `Types` arena every validated type lives in;
`add_import` and `add_export` return the `Item` (type and name options) of an
import or export.
Raises: wasmparser's message, at the offset of the top-level section item
(`wasm_error`), for an invalid item.

The model covers the component model's types: component, instance, function,
resource and value types, imports, exports and aliases, with the validator's
checks on them (names, kebab case, index spaces, resource names of `[method]`
functions, named types, size and depth limits), and what gives a real
component's imports and exports their types: resources defined with a
representation, `canon lift`, instances of nested components (the arguments
substituted for their imports, their own resources made fresh: wasmparser's
`instantiate_component`) and bags of exports.  Core WebAssembly is counted,
not checked: core modules are framed, core types read for their size, and
core instances, core functions and canonical options only take up indices.
Nor are the checks made that compare two types (subtyping of instantiation
arguments and of ascribed exports): a component wasm-tools rejects for those
may read here.
"""

from __future__ import annotations

from typing import Literal, assert_never

from witgen.wasm.binary import (
    Alias,
    AliasDecl,
    Canonical,
    ComponentTypeDef,
    CoreFromExports,
    CoreInstanceExportAlias,
    CoreInstantiate,
    Decl,
    DeclaredType,
    ExportItem,
    ExternKind,
    ExternName,
    FromExports,
    ImportDecl,
    InstanceExportAlias,
    InstanceTypeDef,
    Instantiate,
    Intrinsic,
    Lift,
    Lower,
    OuterAlias,
    ResourceIntrinsic,
    ResourceTypeDef,
    TypeDecl,
    TypeRef,
)
from witgen.wasm.core import CORE_KIND_NAMES, CoreKind, CoreTypeDecl
from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import (
    MAX_COMPONENTS,
    MAX_EXPORTS,
    MAX_FIXED_LIST_ELEMENTS,
    MAX_FUNCTIONS,
    MAX_INSTANCES,
    MAX_MODULES,
    MAX_TYPE_DEPTH,
    MAX_TYPES,
    MAX_VALUES,
    check_max,
)
from witgen.wasm.names import ComponentNameError, is_kebab, parse_component_name
from witgen.wasm.naming import check_name, named, named_func, named_valtype
from witgen.wasm.types import (
    AnyId,
    BorrowType,
    ComponentEntity,
    ComponentType,
    DefinedType,
    Entity,
    EnumType,
    FixedListType,
    FlagsType,
    FuncEntity,
    FuncType,
    FutureType,
    Info,
    InstanceEntity,
    InstanceType,
    Item,
    ListType,
    MapType,
    ModuleEntity,
    OptionType,
    OwnType,
    Path,
    PrimitiveType,
    RecordType,
    Remapping,
    ResultType,
    StreamType,
    TupleType,
    TypeEntity,
    Types,
    ValType,
    ValueEntity,
    VariantType,
)

# Core items in a component only alias items of core instances (wasmparser's
# `MAX_CORE_INDEX_SPACE_ITEMS`).
MAX_CORE_ITEMS = 1_000_000


def _entity_desc(entity: Entity) -> ExternKind:
    """What wasmparser's messages call an entity of this kind."""
    match entity:
        case TypeEntity():
            return "type"
        case FuncEntity():
            return "func"
        case InstanceEntity():
            return "instance"
        case ComponentEntity():
            return "component"
        case ModuleEntity():
            return "module"
        case ValueEntity():
            return "value"
        case _:
            assert_never(entity)


ScopeKind = Literal["component", "component-type", "instance-type"]


class Externs:
    """The imports (or the exports) of a scope, and what their names must agree with.

    `items` by name, in order; `names` the key of each name that two names
    must not share (`ComponentName.key`); `resources` the names given to the
    resources imported (or exported) so far, which `[method]r.m` and the like
    must use (wasmparser's `ComponentNameContext`).
    """

    def __init__(self) -> None:
        self.items: dict[str, Item] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.resources: dict[AnyId, str] = {}


class Scope:
    """wasmparser's `ComponentState`: the index spaces of one component or type.

    Core index spaces hold nothing but their size (or, for core types,
    whether each is a module type): the types of core items are not modelled.
    """

    def __init__(self, kind: ScopeKind) -> None:
        self.kind: ScopeKind = kind
        self.types: list[AnyId] = []
        self.funcs: list[AnyId] = []
        self.instances: list[AnyId] = []
        self.components: list[AnyId] = []
        self.values: list[ValType] = []
        self.module_count = 0
        self.core_types: list[bool] = []  # True for a module type
        self.core_instances = 0
        self.core_items: dict[CoreKind, int] = dict.fromkeys(CORE_KIND_NAMES, 0)
        self.imports = Externs()
        self.exports = Externs()
        # Resources introduced here: defined (True when with a representation,
        # so that `resource.new` and `resource.rep` apply), and imported, each
        # with the path of the import that names it; and the path of every
        # resource exported (wasmparser's `explicit_resources`).
        self.defined_resources: dict[int, bool] = {}
        self.imported_resources: dict[int, Path] = {}
        self.explicit_resources: dict[int, Path] = {}
        self.imported_types: set[AnyId] = set()
        self.exported_types: set[AnyId] = set()
        self.info = Info()

    def type_at(self, index: int, offset: int) -> AnyId:
        if index >= len(self.types):
            wasm_error(f"unknown type {index}: type index out of bounds", offset)
        return self.types[index]

    def function_count(self) -> int:
        return self.core_items["func"] + len(self.funcs)

    def instance_count(self) -> int:
        return self.core_instances + len(self.instances)


# wasmparser's words for the core index spaces, in its messages.
_CORE_DESC: dict[CoreKind, tuple[str, str]] = {
    "func": ("core function", "function"),
    "table": ("table", "table"),
    "memory": ("memory", "memory"),
    "global": ("global", "global"),
    "tag": ("tag", "tag"),
}
_CORE_PLURAL: dict[CoreKind, str] = {
    "func": "functions",
    "table": "tables",
    "memory": "memories",
    "global": "globals",
    "tag": "tags",
}


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


class Validator:
    """Builds `Types` from declarations as wasmparser's validator does.

    `scopes[-1]` is the component or type being declared; `offset` is always
    the offset of the top-level section item, as in wasmparser's messages.
    """

    def __init__(self) -> None:
        self.types = Types()
        self.scopes = [Scope("component")]

    @property
    def depth(self) -> int:
        """How many components enclose the one being read (0 at the top)."""
        return len(self.scopes) - 1

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

    def _core_item_at(self, kind: CoreKind, index: int, offset: int) -> None:
        if index >= self.scopes[-1].core_items[kind]:
            what, space = _CORE_DESC[kind]
            wasm_error(f"unknown {what} {index}: {space} index out of bounds", offset)

    def _module_at(self, scope: Scope, index: int, offset: int) -> None:
        if index >= scope.module_count:
            wasm_error(f"unknown module {index}: module index out of bounds", offset)

    def _core_instance_at(self, index: int, offset: int) -> None:
        if index >= self.scopes[-1].core_instances:
            wasm_error(f"unknown core instance {index}: instance index out of bounds", offset)

    def _value_at(self, index: int, offset: int) -> ValType:
        values = self.scopes[-1].values
        if index >= len(values):
            wasm_error(f"unknown value {index}: value index out of bounds", offset)
        return values[index]

    def _core_type_at(self, scope: Scope, index: int, offset: int) -> bool:
        """Whether core type `index` of `scope` is a module type."""
        if index >= len(scope.core_types):
            wasm_error(f"unknown type {index}: type index out of bounds", offset)
        return scope.core_types[index]

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
            id = self._define_resource(ty, offset)
        else:
            defined, info = self._create_defined(ty, offset)
            id = self.types.push_defined(defined, info)
        # wasm-tools 1.262 limits the depth of every kind of type (an
        # instance type is one deeper than its deepest export, and so on).
        if self.types.info(id).depth > MAX_TYPE_DEPTH:
            wasm_error("type nesting is too deep", offset)
        check_max(len(scope.types), 1, MAX_TYPES, "types", offset)
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

        match ty:
            case PrimitiveType():
                return ty, info
            case RecordType():
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
            case VariantType():
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
            case FlagsType() | EnumType():
                self._check_names(ty, offset)
                return ty, info
            case ListType():
                return ListType(value(ty.element)), info
            case MapType():
                key = value(ty.key)
                return MapType(key, value(ty.value)), info
            case FixedListType():
                if ty.length < 1:
                    wasm_error("Fixed-length lists must have more than zero elements", offset)
                check_max(
                    0, ty.length, MAX_FIXED_LIST_ELEMENTS, "fixed-length list element", offset
                )
                return FixedListType(value(ty.element), ty.length), info
            case TupleType():
                if not ty.types:
                    wasm_error("tuple type must have at least one type", offset)
                return TupleType(tuple(value(t) for t in ty.types)), info
            case OptionType():
                return OptionType(value(ty.type)), info
            case ResultType():
                ok = maybe(ty.ok)
                return ResultType(ok, maybe(ty.err)), info
            case OwnType() | BorrowType():
                resource = self.scopes[-1].type_at(ty.resource, offset)
                if resource.kind != "resource":
                    wasm_error(f"type index {ty.resource} is not a resource type", offset)
                if isinstance(ty, OwnType):
                    return OwnType(resource), info
                return BorrowType(resource), Info(borrow=True)
            case FutureType():
                return FutureType(maybe(ty.type)), info
            case StreamType():
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
            case _:
                assert_never(ty)

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

    def _define_resource(self, ty: ResourceTypeDef, offset: int) -> AnyId:
        """`(type (resource (rep i32) (dtor f)))`: a fresh resource of this component."""
        scope = self.scopes[-1]
        if scope.kind != "component":
            wasm_error("resources can only be defined within a concrete component", offset)
        if ty.rep not in (0x7F, 0x7E):
            wasm_error("resources can only be represented by `i32` or `i64`", offset)
        if ty.dtor is not None:
            self._core_item_at("func", ty.dtor, offset)
        id = self.types.alloc_resource()
        scope.defined_resources[id.index] = True
        return id

    def _create_component(self, ty: ComponentTypeDef, offset: int) -> ComponentType:
        self.scopes.append(Scope("component-type"))
        self._declare(ty.decls, offset)
        return self._finish(self.scopes.pop(), offset)

    def _create_instance(self, ty: InstanceTypeDef, offset: int) -> InstanceType:
        self.scopes.append(Scope("instance-type"))
        self._declare(ty.decls, offset)
        scope = self.scopes.pop()
        return InstanceType(
            scope.exports.items,
            tuple(scope.defined_resources),
            scope.info,
            scope.explicit_resources,
        )

    def _declare(self, decls: tuple[Decl, ...], offset: int) -> None:
        for decl in decls:
            if isinstance(decl, TypeDecl):
                self.add_type(decl.type, offset)
            elif isinstance(decl, AliasDecl):
                self.add_alias(decl.alias, offset)
            elif isinstance(decl, ImportDecl):
                self.add_import(decl, offset)
            elif isinstance(decl, CoreTypeDecl):
                self.add_core_type(decl, offset)
            else:
                self.add_export(decl.name, self.check_type_ref(decl.ref, offset), offset)

    def add_core_type(self, decl: CoreTypeDecl, offset: int) -> None:
        scope = self.scopes[-1]
        check_max(len(scope.core_types) + len(scope.types), decl.count, MAX_TYPES, "types", offset)
        scope.core_types.extend([decl.is_module] * decl.count)

    def _finish(self, scope: Scope, offset: int) -> ComponentType:
        """The type of a component (or component type) once declared (`finish`):
        its defined resources narrowed to those its exports use, each of which
        must be exported itself."""
        free: set[int] = set()
        for item in scope.imports.items.values():
            free |= self.types.entity_free_variables(item.entity)
        if any(resource in free for resource in scope.defined_resources):
            wasm_error("local resource type found in imports", offset)
        free = set()
        for item in scope.exports.items.values():
            free |= self.types.entity_free_variables(item.entity)
        defined: list[tuple[int, Path]] = []
        for resource in scope.defined_resources:
            if resource not in free:
                continue
            path = scope.explicit_resources.get(resource)
            if path is None:
                wasm_error("local resource type found in export but not exported itself", offset)
            defined.append((resource, path))
        return ComponentType(
            scope.imports.items,
            scope.exports.items,
            tuple(scope.imported_resources.items()),
            tuple(defined),
            scope.info,
            scope.explicit_resources,
        )

    # -- what only real components have

    def add_module(self, offset: int) -> None:
        """A core module (its contents are not modelled)."""
        scope = self.scopes[-1]
        scope.module_count += 1
        check_max(scope.module_count, 0, MAX_MODULES, "modules", offset)

    def begin_component(self) -> None:
        """The sections of a nested component follow, until `end_component`."""
        self.scopes.append(Scope("component"))

    def end_component(self, offset: int) -> None:
        component = self._finish(self.scopes.pop(), offset)
        scope = self.scopes[-1]
        scope.components.append(self.types.push_component(component))
        check_max(len(scope.components), 0, MAX_COMPONENTS, "components", offset)

    def add_core_instance(self, instance: CoreInstantiate | CoreFromExports, offset: int) -> None:
        scope = self.scopes[-1]
        if isinstance(instance, CoreInstantiate):
            self._module_at(scope, instance.module, offset)
            seen: set[str] = set()
            for name, index in instance.args:
                self._core_instance_at(index, offset)
                if name in seen:
                    wasm_error(f"duplicate module instantiation argument named `{name}`", offset)
                seen.add(name)
        else:
            exported: set[str] = set()
            for name, kind, index in instance.exports:
                self._core_item_at(kind, index, offset)
                if name in exported:
                    wasm_error(
                        f"duplicate instantiation export name `{name}` already defined", offset
                    )
                exported.add(name)
        scope.core_instances += 1
        check_max(scope.instance_count(), 0, MAX_INSTANCES, "instances", offset)

    def add_canonical(self, func: Canonical, offset: int) -> None:
        """A canonical function: `lift` makes a function of the component, every
        other kind a core function."""
        scope = self.scopes[-1]
        match func:
            case Lift():
                ty = scope.type_at(func.type, offset)
                if ty.kind != "func":
                    wasm_error(f"type index {func.type} is not a function type", offset)
                self._core_item_at("func", func.core_func, offset)
                scope.funcs.append(ty)
                check_max(scope.function_count(), 0, MAX_FUNCTIONS, "functions", offset)
                return
            case Lower():
                self._indexed(scope.funcs, func.func, "function", offset)
            case ResourceIntrinsic():
                resource = scope.type_at(func.resource, offset)
                if resource.kind != "resource":
                    wasm_error(f"type index {func.resource} is not a resource type", offset)
                if func.op != "drop" and not scope.defined_resources.get(resource.index):
                    wasm_error(
                        "type index is not a resource type defined in this component", offset
                    )
            case Intrinsic():
                pass
            case _:
                assert_never(func)
        scope.core_items["func"] += 1
        check_max(scope.function_count(), 0, MAX_FUNCTIONS, "functions", offset)

    def add_instance(self, instance: Instantiate | FromExports, offset: int) -> None:
        scope = self.scopes[-1]
        if isinstance(instance, Instantiate):
            id = self._instantiate(instance, offset)
        else:
            id = self._instantiate_exports(instance, offset)
        scope.instances.append(id)
        check_max(scope.instance_count(), 0, MAX_INSTANCES, "instances", offset)

    def _entity_of(self, kind: ExternKind, index: int, offset: int) -> Entity:
        """The item of `kind` at `index`, as an argument or a bag's export sees it."""
        scope = self.scopes[-1]
        match kind:
            case "module":
                self._module_at(scope, index, offset)
                return ModuleEntity()
            case "component":
                return ComponentEntity(self._indexed(scope.components, index, "component", offset))
            case "instance":
                return InstanceEntity(self._indexed(scope.instances, index, "instance", offset))
            case "func":
                return FuncEntity(self._indexed(scope.funcs, index, "function", offset))
            case "value":
                return ValueEntity(self._value_at(index, offset))
            case "type":
                ty = scope.type_at(index, offset)
                return TypeEntity(ty, ty)
            case _:
                assert_never(kind)

    def _instantiate(self, instance: Instantiate, offset: int) -> AnyId:
        """`instantiate_component`: the instance's type is the component's exports
        with the arguments put in for its imports and its resources made fresh."""
        scope = self.scopes[-1]
        component_id = self._indexed(scope.components, instance.component, "component", offset)
        args: dict[str, Entity] = {}
        for name, kind, index in instance.args:
            entity = self._entity_of(kind, index, offset)
            if name in args:
                wasm_error(
                    f"instantiation argument `{name}` conflicts with previous argument `{name}`",
                    offset,
                )
            args[name] = entity
        component = self.types.component_type(component_id)
        info = Info()
        for item in component.exports.values():
            info = info.combine(self.types.entity_info(item.entity), offset)
        mapping = self._open_component(args, component, offset)
        for old, _ in component.defined_resources:
            new = self.types.alloc_resource().index
            mapping.resources[old] = new
            scope.defined_resources[new] = False
        exports, _ = self.types.remap_items(component.exports, mapping)
        explicit, _ = self.types.remap_explicit(component.explicit_resources, mapping)
        return self.types.push_instance(InstanceType(exports, (), info, explicit))

    def _open_component(
        self, args: dict[str, Entity], component: ComponentType, offset: int
    ) -> Remapping:
        """`open_instance_type`: which resource and which type of the arguments
        each imported resource and type of `component` becomes.  (The check that
        each argument's type fits its import is not made.)"""
        mapping = Remapping({}, {})
        imports = list(component.imports.items())
        # Each instance type's exports as a list, made once: a path indexes into them,
        # and a component may import many resources from one large instance.
        listed: dict[AnyId, list[tuple[str, Item]]] = {}
        for resource, path in component.imported_resources:
            name, item = imports[path[0]]
            entity: Entity = item.entity
            arg = args.get(name)
            for index in path[1:]:
                assert isinstance(entity, InstanceEntity)
                exports = listed.get(entity.id)
                if exports is None:
                    items = self.types.instance_type(entity.id).exports.items()
                    exports = listed[entity.id] = list(items)
                export_name, export = exports[index]
                entity = export.entity
                found = None
                if isinstance(arg, InstanceEntity):
                    inner = self.types.instance_type(arg.id).exports.get(export_name)
                    found = None if inner is None else inner.entity
                arg = found
            if isinstance(arg, TypeEntity) and arg.created.kind == "resource":
                mapping.resources[resource] = arg.created.index
        renamings: dict[AnyId, AnyId] = {}
        for name, item in imports:
            arg = args.get(name)
            if arg is None:
                wasm_error(f"missing import named `{name}`", offset)
            if _entity_desc(arg) != _entity_desc(item.entity):
                wasm_error(
                    f"type mismatch for import `{name}`\nexpected {_entity_desc(item.entity)}, "
                    f"found {_entity_desc(arg)}",
                    offset,
                )
            self._rename_types(arg, item.entity, renamings, name, offset)
        mapping.types = renamings
        return mapping

    def _rename_types(
        self,
        actual: Entity,
        expected: Entity,
        renamings: dict[AnyId, AnyId],
        name: str,
        offset: int,
    ) -> None:
        """`register_type_renamings`: each type the import declares becomes the
        type its argument supplies."""
        if isinstance(expected, TypeEntity) and isinstance(actual, TypeEntity):
            renamings[expected.created] = actual.created
        elif isinstance(expected, InstanceEntity) and isinstance(actual, InstanceEntity):
            supplied = self.types.instance_type(actual.id).exports
            for export_name, item in self.types.instance_type(expected.id).exports.items():
                found = supplied.get(export_name)
                if found is None:
                    wasm_error(
                        f"type mismatch for import `{name}`\n"
                        f"missing expected export `{export_name}`",
                        offset,
                    )
                self._rename_types(found.entity, item.entity, renamings, name, offset)

    def _instantiate_exports(self, instance: FromExports, offset: int) -> AnyId:
        """`instantiate_component_exports`: a bag of exports, with names checked
        in a context of their own (no resource is named in it)."""
        bag = Externs()
        info = Info()
        explicit: dict[int, Path] = {}
        for name, kind, index in instance.exports:
            entity = self._entity_of(kind, index, offset)
            if isinstance(entity, InstanceEntity):
                inner = self.types.instance_type(entity.id).explicit_resources
                for resource, path in inner.items():
                    explicit[resource] = (len(bag.items), *path)
            elif isinstance(entity, TypeEntity) and entity.created.kind == "resource":
                explicit[entity.created.index] = (len(bag.items),)
            item = self._validate_extern(name, False, entity, offset, bag)
            info = info.combine(self.types.entity_info(item.entity), offset)
        return self.types.push_instance(InstanceType(bag.items, (), info, explicit))

    # -- imports, exports and aliases

    def check_type_ref(self, ref: TypeRef, offset: int) -> Entity:
        scope = self.scopes[-1]
        if ref.kind == "module":
            if not self._core_type_at(scope, ref.index, offset):
                wasm_error(f"core type index {ref.index} is not a module type", offset)
            return ModuleEntity()
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
        scope = self.scopes[-1]
        entity = self.check_type_ref(decl.ref, offset)
        entity = self._add_entity(entity, (decl.name.name, True), offset)
        item = self._validate_extern(decl.name, True, entity, offset, scope.imports)
        scope.info = scope.info.combine(self.types.entity_info(entity), offset)
        return item

    def add_export(self, name: ExternName, entity: Entity, offset: int) -> Item:
        scope = self.scopes[-1]
        check_max(len(scope.exports.items), 1, MAX_EXPORTS, "exports", offset)
        entity = self._add_entity(entity, (name.name, False), offset)
        item = self._validate_extern(name, False, entity, offset, scope.exports)
        scope.info = scope.info.combine(self.types.entity_info(entity), offset)
        return item

    def export_entity(self, export: ExportItem, offset: int) -> Entity:
        """The type of an entry of the export section (`export_to_entity_type`)."""
        scope = self.scopes[-1]
        actual: Entity
        if export.kind == "module":
            self._module_at(scope, export.index, offset)
            actual = ModuleEntity()
        elif export.kind == "value":
            actual = ValueEntity(self._value_at(export.index, offset))
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
            # The core instance's exports are not modelled: the alias only
            # takes up the next index of its kind.
            self._core_instance_at(alias.instance, offset)
            count = scope.core_items[alias.kind]
            check_max(count, 1, MAX_CORE_ITEMS, _CORE_PLURAL[alias.kind], offset)
            scope.core_items[alias.kind] = count + 1
            return
        if isinstance(alias, InstanceExportAlias):
            instance = self._indexed(scope.instances, alias.instance, "instance", offset)
            item = self.types.instance_type(instance).exports.get(alias.name)
            if item is None:
                wasm_error(f"instance {alias.instance} has no export named `{alias.name}`", offset)
            if _entity_desc(item.entity) != alias.kind:
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
            # Past a component's boundary, no resource of the outer one may leak in.
            crossed = alias.count and self.scopes[-alias.count].kind == "component"
            if crossed and self.types.free_variables(id):
                wasm_error(
                    "cannot alias outer type which transitively refers to resources not "
                    "defined in the current component",
                    offset,
                )
            check_max(len(scope.core_types) + len(scope.types), 1, MAX_TYPES, "types", offset)
            scope.types.append(id)
        elif alias.kind == "component":
            component = self._indexed(target.components, alias.index, "component", offset)
            check_max(len(scope.components), 1, MAX_COMPONENTS, "components", offset)
            scope.components.append(component)
        elif alias.kind == "core-type":
            is_module = self._core_type_at(target, alias.index, offset)
            check_max(len(scope.core_types) + len(scope.types), 1, MAX_TYPES, "types", offset)
            scope.core_types.append(is_module)
        else:
            self._module_at(target, alias.index, offset)
            self.add_module(offset)

    def _add_entity(self, entity: Entity, named: tuple[str, bool] | None, offset: int) -> Entity:
        scope = self.scopes[-1]
        is_import = None if named is None else named[1]
        if isinstance(entity, ModuleEntity):
            scope.module_count += 1
            check_max(scope.module_count, 0, MAX_MODULES, "modules", offset)
        elif isinstance(entity, ComponentEntity):
            scope.components.append(entity.id)
            check_max(len(scope.components), 0, MAX_COMPONENTS, "components", offset)
        elif isinstance(entity, InstanceEntity):
            if is_import is True:
                entity = InstanceEntity(self._prepare_import(scope, entity.id))
            elif is_import is False:
                entity = InstanceEntity(self._prepare_export(scope, entity.id))
            scope.instances.append(entity.id)
            check_max(scope.instance_count(), 0, MAX_INSTANCES, "instances", offset)
        elif isinstance(entity, FuncEntity):
            scope.funcs.append(entity.id)
            check_max(scope.function_count(), 0, MAX_FUNCTIONS, "functions", offset)
        elif isinstance(entity, ValueEntity):
            scope.values.append(entity.type)
            check_max(len(scope.values), 0, MAX_VALUES, "values", offset)
        else:
            scope.types.append(entity.created)
            created = entity.created
            if created.kind == "resource":
                if is_import is True and created == entity.referenced:
                    scope.imported_resources[created.index] = (len(scope.imports.items),)
                elif is_import is False:
                    if created == entity.referenced:
                        scope.defined_resources[created.index] = False
                    scope.explicit_resources[created.index] = (len(scope.exports.items),)
            check_max(len(scope.core_types) + len(scope.types), 0, MAX_TYPES, "types", offset)
        resource = isinstance(entity, TypeEntity) and entity.created.kind == "resource"
        if named is not None and resource:
            assert isinstance(entity, TypeEntity)
            externs = scope.imports if named[1] else scope.exports
            externs.resources.setdefault(entity.created, named[0])
        if named is not None and not self._register_named(scope, entity, named[1]):
            kind = "import" if named[1] else "export"
            wasm_error(f"{_entity_desc(entity)} not valid to be used as {kind}", offset)
        return entity

    def _freshen(self, id: AnyId) -> tuple[AnyId, dict[int, int]]:
        """The instance type `id` with each resource it defines made fresh (and
        every type mentioning one rewritten), and which old resource became which."""
        ty = self.types.instance_type(id)
        if not ty.defined_resources:
            return id, {}
        mapping = Remapping({}, {})
        for old in ty.defined_resources:
            mapping.resources[old] = self.types.alloc_resource().index
        exports, _ = self.types.remap_items(ty.exports, mapping)
        explicit, _ = self.types.remap_explicit(ty.explicit_resources, mapping)
        fresh = self.types.push_instance(InstanceType(exports, (), ty.info, explicit))
        return fresh, mapping.resources

    def _prepare_import(self, scope: Scope, id: AnyId) -> AnyId:
        """`prepare_instance_import`: the resources the instance type defines are
        fresh resources this scope imports, at their paths through the import."""
        explicit = self.types.instance_type(id).explicit_resources
        fresh, renamed = self._freshen(id)
        for old, new in renamed.items():
            scope.imported_resources[new] = (len(scope.imports.items), *explicit[old])
        return fresh

    def _prepare_export(self, scope: Scope, id: AnyId) -> AnyId:
        """`prepare_instance_export`: the resources the instance type defines are
        fresh resources this scope defines; all it exports are exported here."""
        fresh, renamed = self._freshen(id)
        for new in renamed.values():
            scope.defined_resources[new] = False
        for resource, path in self.types.instance_type(fresh).explicit_resources.items():
            scope.explicit_resources[resource] = (len(scope.exports.items), *path)
        return fresh

    def _validate_extern(
        self, name: ExternName, is_import: bool, entity: Entity, offset: int, externs: Externs
    ) -> Item:
        """Check `name` for `entity` and add it to `externs` (`validate_extern`)."""
        kind = "import" if is_import else "export"
        try:
            parsed = parse_component_name(name.name, nested=True)
        except ComponentNameError as error:
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
            except ComponentNameError as error:
                wasm_error(f"`{name.implements}` is not a valid name\n{error}", offset)
            if implements.kind != "interface":
                wasm_error(f"name `{name.implements}` must be an interface", offset)
        if name.version_suffix is not None and not isinstance(entity, InstanceEntity):
            wasm_error("only instances can have an `versionsuffix`", offset)
        problem = check_name(self.types, parsed, name.version_suffix, entity, externs.resources)
        if problem is not None:
            wasm_error(f"{kind} name `{name.name}` is not valid\n{problem}", offset)
        previous = externs.names.get(parsed.key())
        if previous is not None:
            wasm_error(
                f"{kind} name `{name.name}` conflicts with previous name `{previous}`", offset
            )
        externs.names[parsed.key()] = name.name
        item = Item(entity, name.implements, name.version_suffix, name.external_id)
        externs.items[name.name] = item
        return item

    # -- named types (`validate_and_register_named_types`)

    def _register_named(self, scope: Scope, entity: Entity, is_import: bool) -> bool:
        if scope.kind == "instance-type":
            return True
        names = scope.imported_types if is_import else scope.exported_types
        match entity:
            case TypeEntity():
                if not named(self.types, entity.referenced, names):
                    return False
                names.add(entity.created)
                if is_import:
                    scope.exported_types.add(entity.created)
                return True
            case InstanceEntity():
                exports = self.types.instance_type(entity.id).exports
                return all(
                    self._register_named(scope, i.entity, is_import) for i in exports.values()
                )
            case FuncEntity():
                return named_func(self.types, entity.id, names)
            case ValueEntity():
                return named_valtype(self.types, entity.type, names)
            case ModuleEntity() | ComponentEntity():
                return True
            case _:
                assert_never(entity)
