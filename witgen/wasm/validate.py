"""wasmparser's validator, for what WIT packages contain.

In: the declarations of a component as read (`binary.py`), one top-level
section item at a time, with that item's offset.
Out: `Validator.types`, the `Types` arena every validated type lives in;
`add_import` and `add_export` return the `Item` (type and name options) of a
top-level import or export.
Raises: wasmparser's message, at the offset of the top-level section item
(`wasm_error`), for an invalid declaration.

The model covers what WIT packages contain: component, instance, function,
resource and value types, imports, exports and type/instance aliases, with
the validator's checks on them (names, kebab case, index spaces, resource
names of `[method]` functions, named types, size and depth limits).  The
checks that only concrete components can fail (resource representations,
instantiation, canonical options, subtyping of ascribed exports) are not
made.
"""

from __future__ import annotations

from typing import Literal, assert_never

from witgen.wasm.binary import (
    Alias,
    AliasDecl,
    ComponentTypeDef,
    CoreInstanceExportAlias,
    Decl,
    DeclaredType,
    ExportItem,
    ExternKind,
    ExternName,
    ImportDecl,
    InstanceExportAlias,
    InstanceTypeDef,
    OuterAlias,
    ResourceTypeDef,
    TypeDecl,
    TypeRef,
)
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


class Scope:
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

    def _create_component(self, ty: ComponentTypeDef, offset: int) -> ComponentType:
        self.scopes.append(Scope("component-type"))
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
        self.scopes.append(Scope("instance-type"))
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
        check_max(len(self.scopes[-1].exports), 1, MAX_EXPORTS, "exports", offset)
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
            check_max(len(scope.types), 1, MAX_TYPES, "types", offset)
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
            check_max(scope.module_count, 0, MAX_MODULES, "modules", offset)
        elif isinstance(entity, ComponentEntity):
            scope.components.append(entity.id)
            check_max(len(scope.components), 0, MAX_COMPONENTS, "components", offset)
        elif isinstance(entity, InstanceEntity):
            if is_import is not None:
                entity = InstanceEntity(self._prepare_instance(scope, entity.id, is_import))
            scope.instances.append(entity.id)
            check_max(len(scope.instances), 0, MAX_INSTANCES, "instances", offset)
        elif isinstance(entity, FuncEntity):
            scope.funcs.append(entity.id)
            check_max(len(scope.funcs), 0, MAX_FUNCTIONS, "functions", offset)
        elif isinstance(entity, ValueEntity):
            scope.value_count += 1
            check_max(scope.value_count, 0, MAX_VALUES, "values", offset)
        else:
            scope.types.append(entity.created)
            created = entity.created
            if created.kind == "resource" and created == entity.referenced:
                if is_import is True:
                    scope.imported_resources[created.index] = None
                elif is_import is False:
                    scope.defined_resources[created.index] = None
            check_max(len(scope.types), 0, MAX_TYPES, "types", offset)
        resource = isinstance(entity, TypeEntity) and entity.created.kind == "resource"
        if named is not None and resource:
            assert isinstance(entity, TypeEntity)
            scope.resource_names[named[1]].setdefault(entity.created, named[0])
        if named is not None and not self._register_named(scope, entity, named[1]):
            kind = "import" if named[1] else "export"
            wasm_error(f"{_entity_desc(entity)} not valid to be used as {kind}", offset)
        return entity

    def _prepare_instance(self, scope: Scope, id: AnyId, is_import: bool) -> AnyId:
        """Freshen the resources an instance type defines (`prepare_instance_import`
        and `prepare_instance_export`): each gets a new resource, and every type
        mentioning one is rewritten."""
        ty = self.types.instance_type(id)
        if not ty.defined_resources:
            return id
        mapping = Remapping({}, {})
        for old in ty.defined_resources:
            new = self.types.alloc_resource().index
            mapping.resources[old] = new
            if is_import:
                scope.imported_resources[new] = None
            else:
                scope.defined_resources[new] = None
        exports, _ = self.types.remap_items(ty.exports, mapping)
        return self.types.push_instance(InstanceType(exports, (), ty.info))

    def _validate_extern(
        self, name: ExternName, is_import: bool, entity: Entity, offset: int
    ) -> Item:
        scope = self.scopes[-1]
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
        problem = check_name(
            self.types, parsed, name.version_suffix, entity, scope.resource_names[is_import]
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
