"""Decode a WebAssembly binary: a WIT package encoded as WebAssembly, or a
compiled component, whose type becomes a world.

In: the arena being resolved, the path of a `.wasm` or `.wat` file (for
messages), its bytes, and whether they are WebAssembly text.
Out: `decode_package` merges the WIT package, with every package it refers
to, into the arena and returns the package's id there (a `deps/` entry must be
a package).  `decode_input` does the same for the main input of a command,
which may also be a component: its package `root:component` with the world
`root` (the component's imports and exports), and the packages of the
interfaces it imports and exports, with their types, resources and `use`s.
`decode_binary` is the decoding alone (wit-parser's `decode`): a `Decoded`
holding a fresh `Arena`, the main package's id and, for a component, the id
of its world; `decode_wasm` is that for a binary that must be a package.
Raises: `Problem` with wasm-tools' message: the `wat` crate's for bad text,
wasmparser's for a malformed binary (the `WasmError` of `witgen.wasm`, which
reads the binary), wit-parser's for a component WIT cannot describe or that
disagrees with what the arena already holds, and for a component where a
package must be ("found an actual component instead of an encoded WIT
package in wasm"); wasm-tools' for a core module given as the main input.

This is wit-parser's `decoding.rs` (`decode`, `ComponentInfo`,
`WitPackageDecoder`), with the `package-docs` custom section (docs and
`@since`/`@unstable`/`@deprecated` gates) read by `metadata.py`, and ids
allocated in the same order, so that arena indices match wasm-tools'.  Both
encodings of packages are read: v1 (one `ns:pkg/wit` export) and v2 (one
export per interface or world); any other component is a component
(`DecodedWasm::Component`).  Merging is `merge.merge` (wit-parser's
`Resolve::merge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, assert_never

from witgen import ir, wasm
from witgen.resolve.arena import Arena, InterfaceDraft, PackageDraft, WorldDraft
from witgen.resolve.merge import context, merge
from witgen.resolve.metadata import PACKAGE_DOCS, PackageMetadata, parse_metadata
from witgen.resolve.problems import fail
from witgen.version import VersionError

_NOT_A_PACKAGE = "found an actual component instead of an encoded WIT package in wasm"


_CORE_MODULE = (
    "input is a core wasm module with no `component-type*` custom sections meaning that "
    "there is not WIT information; is the information not embedded or is this supposed "
    "to be a component?"
)
_EMBEDDED_WIT = (
    "input is a core wasm module with WIT embedded in `component-type*` custom sections, "
    "which witgen does not read; make it a component first "
    "(`wasm-tools component new MODULE.wasm -o COMPONENT.wasm`)"
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """What a binary holds (wit-parser's `DecodedWasm`): `package` is the main
    package of `arena`; `world` is, for a component, its world (`root` of
    package `root:component`), and None for a WIT package."""

    arena: Arena
    package: ir.PackageId
    world: ir.WorldId | None
    is_component: bool
    custom_sections: tuple[str, ...]


def decode_package(arena: Arena, path: str, data: bytes, is_text: bool) -> ir.PackageId:
    """Decode the package in `data` and merge it into `arena` (see the module docstring)."""
    binary = wat_to_wasm(path, data) if is_text else data
    decoded, package = decode_wasm(binary)
    return merge(arena, decoded).packages[package]


def decode_input(arena: Arena, path: str, data: bytes, is_text: bool) -> ir.PackageId:
    """Decode the WIT package or the component in `data`, the main input of a
    command, and merge it into `arena` (as `wasm-tools component wit` reads its input)."""
    binary = wat_to_wasm(path, data) if is_text else data
    decoded = decode_binary(binary)
    if not decoded.is_component:
        embedded = any(name.startswith("component-type") for name in decoded.custom_sections)
        fail(_EMBEDDED_WIT if embedded else _CORE_MODULE, None)
    # The arena is empty (a binary main input has no deps/): the component is taken
    # as decoded, its world's items in the binary's order, as wasm-tools takes it.
    merged = merge(arena, decoded.arena, elaborate_worlds=False)
    return merged.packages[decoded.package]


def wat_to_wasm(path: str, data: bytes) -> bytes:
    """WebAssembly text to binary, with the `wat` crate's message on error."""
    import wasmtime

    try:
        return bytes(wasmtime.wat2wasm(data))
    except wasmtime.WasmtimeError as error:
        message = str(error).replace(" --> <anon>:", f" --> {path}:")
        fail(message, None)


def decode_wasm(data: bytes) -> tuple[Arena, ir.PackageId]:
    """wit-parser's `decode` for a binary that must hold a WIT package."""
    decoded = decode_binary(data)
    if decoded.world is not None:
        fail(_NOT_A_PACKAGE, None)
    return decoded.arena, decoded.package


def decode_binary(data: bytes) -> Decoded:
    """wit-parser's `decode`: a WIT package, or the world of a component.

    A core module reads as a component that imports and exports nothing
    (`Decoded.is_component` tells it apart), as in wit-parser.
    """
    metadata: list[PackageMetadata] = []
    names: list[str] = []

    def on_custom(name: str, contents: bytes) -> None:
        names.append(name)
        if name == PACKAGE_DOCS:
            if metadata:
                fail(f'multiple "{PACKAGE_DOCS}" sections', None)
            metadata.append(parse_metadata(contents))

    try:
        info = wasm.read_component(data, on_custom)
    except wasm.WasmError as error:
        fail(str(error), None)
    decoder = _Decoder(info.types)
    encoding = _wit_encoding(info.externs)
    if encoding == "v1":
        root = decoder.decode_v1(info.externs)
    elif encoding == "v2":
        root = decoder.decode_v2(info.externs)
    else:
        root = decoder.decode_component(info.externs)
    _check_uses(decoder.resolve)
    package = decoder.finish(root)
    if metadata:
        metadata[0].inject(decoder.resolve, package)
    world = None if encoding is not None else root.worlds["root"]
    return Decoded(decoder.resolve, package, world, info.is_component, tuple(names))


def _check_uses(arena: Arena) -> None:
    """A named type that aliases a type of another owner must alias a type of
    an interface (a `use`): wit-parser assumes so and would crash on, say, an
    alias of an anonymous type, which only a hand-made binary can contain."""
    for typedef in arena.types:
        kind = typedef.kind
        if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
            target = arena.types[kind.type]
            if target.owner != typedef.owner and not isinstance(target.owner, ir.InterfaceOwner):
                fail(
                    f"type `{typedef.name}` is an alias of a type that is not defined "
                    "in an interface, which WIT cannot represent",
                    None,
                )


def _wit_encoding(externs: tuple[wasm.Extern, ...]) -> Literal["v1", "v2"] | None:
    """`ComponentInfo::is_wit_package`: which encoding, if this is a WIT package."""
    if not externs:
        return None
    for extern in externs:
        entity = extern.item.entity
        if extern.is_import or not isinstance(entity, wasm.TypeEntity):
            return None
        if entity.created.kind != "component":
            return None
    try:
        name = wasm.parse_component_name(externs[0].name)
    except wasm.ComponentNameError:
        return None
    if name.kind == "interface" and name.interface == "wit":
        return "v1"
    return "v2" if name.kind == "label" else None


def _component_name(name: str) -> wasm.ComponentName:
    """`ComponentName::new(name, 0)` as wit-parser calls it (no nested names)."""
    try:
        return wasm.parse_component_name(name)
    except wasm.ComponentNameError as error:
        fail(f"{error} (at offset 0x0)", None)


def _package_name(name: wasm.ComponentName, item: wasm.Item) -> ir.PackageName:
    """`InterfaceName::to_package_name`: `ns:pkg@version` of an interface name."""
    try:
        version = name.version(item.version_suffix)
    except VersionError as error:
        fail(str(error), None)
    return ir.PackageName(name.namespace, name.package, version)


# ---------------------------------------------------------------- the decoder


@dataclass(slots=True)
class _Package:
    """A package being decoded: its name (once known) and items."""

    name: ir.PackageName | None
    interfaces: dict[str, ir.InterfaceId] = field(default_factory=dict)
    worlds: dict[str, ir.WorldId] = field(default_factory=dict)


_KIND_NAMES = {
    ir.RecordKind: "record",
    ir.ResourceKind: "resource",
    ir.VariantKind: "variant",
    ir.EnumKind: "enum",
    ir.FlagsKind: "flags",
}


class _Decoder:
    """wit-parser's `WitPackageDecoder`: component types to a fresh `Arena`."""

    def __init__(self, types: wasm.Types) -> None:
        self.resolve = Arena()
        self.types = types
        self.foreign: dict[str, _Package] = {}
        self.foreign_positions: dict[str, int] = {}
        self.foreign_index: dict[ir.InterfaceId, int] = {}
        self.named_interfaces: dict[str, ir.InterfaceId] = {}
        self.resources: dict[ir.InterfaceOwner | ir.WorldOwner, dict[str, ir.TypeId]] = {}
        self.type_map: dict[wasm.AnyId, ir.TypeId] = {}

    # -- the three shapes of input

    def decode_v1(self, externs: tuple[wasm.Extern, ...]) -> _Package:
        """`decode_wit_v1_package`: a single `ns:pkg/wit` export holds everything."""
        package: _Package | None = None
        for extern in externs:
            if package is not None:
                fail("more than one top-level exported component type found", None)
            with context(f"failed to decode document `{extern.name}`"):
                package = self._decode_v1_package(_component_name(extern.name), extern.item)
        assert package is not None
        return package

    def _decode_v1_package(self, name: wasm.ComponentName, item: wasm.Item) -> _Package:
        ty = self._component_of(item)
        for import_name, import_item in ty.imports.items():
            with context(f"failed to process import `{import_name}`"):
                self.register_import(import_name, import_item)
        if name.kind != "interface" or name.interface != "wit":
            fail(f"package name is not a valid id: {name.raw}", None)
        package = _Package(_package_name(name, item))
        for export_name, export in ty.exports.items():
            entity = export.entity
            with context(f"failed to process export `{export_name}`"):
                if isinstance(entity, wasm.InstanceEntity):
                    self.register_interface(export_name, export, package)
                elif isinstance(entity, wasm.ComponentEntity):
                    self.register_world(export_name, self.types.component_type(entity.id), package)
                else:
                    fail(f"component export `{export_name}` is not an instance or component", None)
        return package

    def decode_v2(self, externs: tuple[wasm.Extern, ...]) -> _Package:
        """`decode_wit_v2_package`: one export per interface or world."""
        package = _Package(None)
        for extern in externs:
            component = self._component_of(extern.item)
            if len(component.exports) != 1:
                fail(
                    f"Expected a single export, but found {len(component.exports)} instead",
                    None,
                )
            name, item = next(iter(component.exports.items()))
            if isinstance(item.entity, wasm.ComponentEntity):
                package_name = self._decode_world(name, item, package)
            elif isinstance(item.entity, wasm.InstanceEntity):
                package_name = self._decode_interface(name, component.imports, item, package)
            else:
                fail(f"component export `{name}` is not an instance or component", None)
            if package.name is None:
                package.name = package_name
            elif package.name != package_name:
                fail("item defined with mismatched package name", None)
        if package.name is None:
            fail("no exported component type found", None)
        return package

    def decode_component(self, externs: tuple[wasm.Extern, ...]) -> _Package:
        """`decode_component`: an actual component becomes world `root` of
        `root:component`, its imports and exports the world's."""
        world = self.resolve.add_world(WorldDraft("root", None))
        package = _Package(ir.PackageName("root", "component"), worlds={"root": world})
        owner = ir.WorldOwner(world)
        for extern in externs:
            name, item, entity = extern.name, extern.item, extern.item.entity
            imports = self.resolve.worlds[world].imports
            exports = self.resolve.worlds[world].exports
            if extern.is_import:
                match entity:
                    case wasm.InstanceEntity():
                        with context(f"failed to decode WIT from import `{name}`"):
                            key, value = self.decode_world_instance(name, item, package)
                        imports[key] = value
                    case wasm.FuncEntity():
                        with context(f"failed to decode function from import `{name}`"):
                            function = self.convert_function(name, item, owner)
                        imports[name] = ir.FunctionItem(function)
                    case wasm.TypeEntity():
                        with context(f"failed to decode type from export `{name}`"):
                            type_id = self.register_type_export(name, item, owner)
                        imports[name] = ir.TypeItem(type_id)
                    case wasm.ModuleEntity() | wasm.ComponentEntity() | wasm.ValueEntity():
                        pass  # not part of the component's world
                    case _:
                        assert_never(entity)
            elif isinstance(entity, wasm.FuncEntity):
                with context(f"failed to decode function from export `{name}`"):
                    exports[name] = ir.FunctionItem(self.convert_function(name, item, owner))
            elif isinstance(entity, wasm.InstanceEntity):
                with context(f"failed to decode WIT from export `{name}`"):
                    key, value = self.decode_world_instance(name, item, package)
                exports[key] = value
            else:
                fail(f"component export `{name}` was not a function or instance", None)
        return package

    def _component_of(self, item: wasm.Item) -> wasm.ComponentType:
        entity = item.entity
        assert isinstance(entity, wasm.TypeEntity)
        return self.types.component_type(entity.created)

    def _decode_interface(
        self, name: str, imports: dict[str, wasm.Item], item: wasm.Item, package: _Package
    ) -> ir.PackageName:
        with context("expected world name to have an ID form"):
            component_name = self._parse_name(name)
        if component_name.kind != "interface":
            fail("expected world name to be fully qualified", None)
        package_name = _package_name(component_name, item)
        for import_name, import_item in imports.items():
            with context(f"failed to process import `{import_name}`"):
                self.register_import(import_name, import_item)
        self.register_interface(name, item, package)
        return package_name

    def _decode_world(self, name: str, item: wasm.Item, package: _Package) -> ir.PackageName:
        entity = item.entity
        assert isinstance(entity, wasm.ComponentEntity)
        ty = self.types.component_type(entity.id)
        with context("expected world name to have an ID form"):
            component_name = self._parse_name(name)
        if component_name.kind != "interface":
            fail("expected world name to be fully qualified", None)
        package_name = _package_name(component_name, item)
        self.register_world(name, ty, package)
        return package_name

    @staticmethod
    def _parse_name(name: str) -> wasm.ComponentName:
        with context(f"cannot extract item name from: {name}"):
            return _component_name(name)

    def _interface_name(self, name: str) -> str | None:
        """`extract_interface_name_from_component_name`."""
        component_name = self._parse_name(name)
        if component_name.kind == "interface":
            return component_name.interface
        if component_name.kind == "label":
            return None
        fail(f"cannot extract item name from: {name}", None)

    # -- interfaces and worlds

    def decode_world_instance(
        self, name: str, item: wasm.Item, package: _Package
    ) -> tuple[ir.WorldKey, ir.InterfaceItem]:
        """An instance imported or exported by a world: an interface by name, by
        `implements`, or inline."""
        key: ir.WorldKey
        if item.implements is not None:
            interface = self.register_import(item.implements, item)
            key = name
        elif self._parse_name(name).kind == "interface":
            interface = self.register_import(name, item)
            key = ir.InterfaceKey(interface)
        else:
            key, interface = self.register_interface(name, item, package)
        return key, ir.InterfaceItem(interface, external_id=item.external_id)

    def register_import(self, name: str, item: wasm.Item) -> ir.InterfaceId:
        """An interface seen from outside: one of this package (checked against
        its definition) or of another package (filled in with what is used)."""
        entity = item.entity
        if not isinstance(entity, wasm.InstanceEntity):
            fail(f"import `{name}` is not an instance", None)
        ty = self.types.instance_type(entity.id)
        local = self.named_interfaces.get(name)
        interface = local if local is not None else self._dep_interface(name, item)
        owner = ir.InterfaceOwner(interface)
        draft = self.resolve.interfaces[interface]
        for export_name, export in ty.exports.items():
            export_entity = export.entity
            if isinstance(export_entity, wasm.TypeEntity):
                existing = draft.types.get(export_name)
                if existing is not None:
                    referenced = export_entity.referenced
                    if referenced.kind == "defined":
                        self._register_defined(existing, self.types.defined_type(referenced))
                    elif referenced.kind != "resource":
                        fail(f"instance type export `{export_name}` is not a type", None)
                    if export_entity.created in self.type_map:
                        fail(_DUPLICATE_TYPE.format(name=export_name), None)
                    self.type_map[export_entity.created] = existing
                else:
                    if local is not None:
                        fail(
                            f"instance type export `{export_name}` not defined in interface",
                            None,
                        )
                    draft.types[export_name] = self.register_type_export(export_name, export, owner)
            elif isinstance(export_entity, wasm.FuncEntity):
                if export_name in draft.functions:
                    continue
                if local is not None:
                    fail(f"instance function export `{export_name}` not defined in interface", None)
                draft.functions[export_name] = self.convert_function(export_name, export, owner)
            else:
                fail(f"instance type export `{export_name}` is not a type", None)
        return interface

    def _dep_interface(self, name: str, item: wasm.Item) -> ir.InterfaceId:
        """`extract_dep_interface`: the interface of another package, created on first use."""
        component_name = _component_name(name)
        if component_name.kind != "interface":
            fail(f"package name is not a valid id: {name}", None)
        package_name = _package_name(component_name, item)
        key = str(package_name)
        package = self.foreign.get(key)
        if package is None:
            package = self.foreign[key] = _Package(package_name)
            self.foreign_positions[key] = len(self.foreign) - 1
        interface = package.interfaces.get(component_name.interface)
        if interface is None:
            interface = self.resolve.add_interface(InterfaceDraft(component_name.interface, None))
            package.interfaces[component_name.interface] = interface
        self.foreign_index[interface] = self.foreign_positions[key]
        return interface

    def register_interface(
        self, name: str, item: wasm.Item, package: _Package
    ) -> tuple[ir.WorldKey, ir.InterfaceId]:
        """An interface defined here: one of the package's, or one inline in a world."""
        entity = item.entity
        assert isinstance(entity, wasm.InstanceEntity)
        ty = self.types.instance_type(entity.id)
        if name in self.named_interfaces:
            interface = self.register_import(name, item)
            return ir.InterfaceKey(interface), interface
        interface_name = self._interface_name(name)
        draft = InterfaceDraft(interface_name, None)
        owner = ir.InterfaceOwner(ir.InterfaceId(len(self.resolve.interfaces)))
        for export_name, export in ty.exports.items():
            if isinstance(export.entity, wasm.TypeEntity):
                with context(f"failed to register type export '{export_name}'"):
                    draft.types[export_name] = self.register_type_export(export_name, export, owner)
            elif isinstance(export.entity, wasm.FuncEntity):
                with context(f"failed to convert function '{export_name}'"):
                    draft.functions[export_name] = self.convert_function(export_name, export, owner)
            else:
                fail(f"instance type export `{export_name}` is not a type or function", None)
        interface = self.resolve.add_interface(draft)
        if interface_name is None:
            return name, interface
        if interface_name in package.interfaces:
            fail(f"duplicate interface `{interface_name}` in package", None)
        package.interfaces[interface_name] = interface
        self.named_interfaces[name] = interface
        return ir.InterfaceKey(interface), interface

    def register_world(self, name: str, ty: wasm.ComponentType, package: _Package) -> ir.WorldId:
        world_name = self._interface_name(name)
        if world_name is None:
            fail("expected world name to have an ID form", None)
        draft = WorldDraft(world_name, None)
        owner = ir.WorldOwner(ir.WorldId(len(self.resolve.worlds)))
        for import_name, item in ty.imports.items():
            entity = item.entity
            key: ir.WorldKey
            value: ir.WorldItem
            if isinstance(entity, wasm.InstanceEntity):
                key, value = self.decode_world_instance(import_name, item, package)
            elif isinstance(entity, wasm.TypeEntity):
                key = import_name
                value = ir.TypeItem(self.register_type_export(import_name, item, owner))
            elif isinstance(entity, wasm.FuncEntity):
                key = import_name
                value = ir.FunctionItem(self.convert_function(import_name, item, owner))
            else:
                fail(f"component import `{import_name}` is not an instance, func, or type", None)
            draft.imports[key] = value
        for export_name, item in ty.exports.items():
            entity = item.entity
            if isinstance(entity, wasm.InstanceEntity):
                key, value = self.decode_world_instance(export_name, item, package)
            elif isinstance(entity, wasm.FuncEntity):
                key = export_name
                value = ir.FunctionItem(self.convert_function(export_name, item, owner))
            else:
                fail(f"component export `{export_name}` is not an instance or function", None)
            draft.exports[key] = value
        world = self.resolve.add_world(draft)
        if world_name in package.worlds:
            fail(f"duplicate world `{world_name}` in package", None)
        package.worlds[world_name] = world
        return world

    # -- types

    def register_type_export(
        self, name: str, item: wasm.Item, owner: ir.InterfaceOwner | ir.WorldOwner
    ) -> ir.TypeId:
        """A named type: an alias of a type seen before, or a new definition."""
        entity = item.entity
        assert isinstance(entity, wasm.TypeEntity)
        referenced = entity.referenced
        kind: ir.TypeDefKind
        previous = self._find_alias(referenced)
        if previous is not None:
            kind = ir.AliasKind(previous)
        elif referenced.kind == "defined":
            with context("failed to convert unaliased type"):
                kind = self.convert_defined(self.types.defined_type(referenced))
        elif referenced.kind == "resource":
            kind = ir.ResourceKind()
        else:
            fail(f"type export `{name}` is not a value type or resource", None)
        type_id = self.resolve.add_type(
            ir.TypeDef(name=name, kind=kind, owner=owner, external_id=item.external_id)
        )
        if isinstance(kind, ir.ResourceKind):
            self.resources.setdefault(owner, {})[name] = type_id
        if entity.created in self.type_map:
            fail(_DUPLICATE_TYPE.format(name=name), None)
        self.type_map[entity.created] = type_id
        return type_id

    def _find_alias(self, id: wasm.AnyId) -> ir.TypeId | None:
        """What `id`, or the type it is an alias of (and so on), was decoded as."""
        current: wasm.AnyId | None = id
        while current is not None:
            found = self.type_map.get(current)
            if found is not None:
                return found
            current = self.types.peel_alias(current)
        return None

    def convert_function(
        self, name: str, item: wasm.Item, owner: ir.InterfaceOwner | ir.WorldOwner
    ) -> ir.Function:
        entity = item.entity
        assert isinstance(entity, wasm.FuncEntity)
        ty = self.types.func_type(entity.id)
        component_name = _component_name(name)
        with context("failed to convert params"):
            params = tuple(ir.Param(p, self.convert_valtype(t)) for p, t in ty.params)
        result = None
        if ty.result is not None:
            with context("failed to convert anonymous result type"):
                result = self.convert_valtype(ty.result)
        kind: ir.FunctionKindName
        resource = None
        if component_name.kind == "label":
            kind = "async-freestanding" if ty.is_async else "freestanding"
        elif component_name.kind in ("constructor", "method", "static"):
            resource = self.resources.get(owner, {}).get(component_name.resource)
            if resource is None:
                fail("resource used in function does not have a name in this context", None)
            if component_name.kind == "constructor":
                kind = "constructor"
            elif component_name.kind == "method":
                kind = "async-method" if ty.is_async else "method"
            else:
                kind = "async-static" if ty.is_async else "static"
        else:
            fail(f"function `{name}` has a name that is not a function name", None)
        return ir.Function(
            name=name,
            kind=kind,
            params=params,
            result=result,
            resource=resource,
            external_id=item.external_id,
        )

    def convert_valtype(self, ty: wasm.ValType) -> ir.Type:
        if isinstance(ty, str):
            return _primitive(ty)
        known = self.type_map.get(ty)
        if known is not None:
            return known
        kind = self.convert_defined(self.types.defined_type(ty))
        unnamed = _KIND_NAMES.get(type(kind))
        if unnamed is not None:
            fail(f"unexpected unnamed type of kind '{unnamed}'", None)
        type_id = self.resolve.add_type(ir.TypeDef(name=None, kind=kind, owner=None))
        self.type_map[ty] = type_id
        return type_id

    def convert_defined(self, ty: wasm.DefinedType[wasm.AnyId]) -> ir.TypeDefKind:
        value = self.convert_valtype

        def maybe(vt: wasm.ValType | None) -> ir.Type | None:
            return None if vt is None else value(vt)

        match ty:
            case wasm.PrimitiveType():
                return ir.AliasKind(_primitive(ty.name))
            case wasm.ListType():
                return ir.ListKind(value(ty.element))
            case wasm.MapType():
                key = value(ty.key)
                return ir.MapKind(key, value(ty.value))
            case wasm.FixedListType():
                return ir.FixedListKind(value(ty.element), ty.length)
            case wasm.TupleType():
                return ir.TupleKind(tuple(value(t) for t in ty.types))
            case wasm.OptionType():
                return ir.OptionKind(value(ty.type))
            case wasm.ResultType():
                ok = maybe(ty.ok)
                return ir.ResultKind(ok, maybe(ty.err))
            case wasm.RecordType():
                fields = []
                for name, field_type in ty.fields:
                    with context(f"failed to convert record field '{name}'"):
                        fields.append(ir.Field(name, value(field_type)))
                return ir.RecordKind(tuple(fields))
            case wasm.VariantType():
                return ir.VariantKind(tuple(ir.Case(name, maybe(t)) for name, t in ty.cases))
            case wasm.FlagsType():
                return ir.FlagsKind(tuple(ir.Flag(name) for name in ty.names))
            case wasm.EnumType():
                return ir.EnumKind(tuple(ir.EnumCase(name) for name in ty.names))
            case wasm.OwnType() | wasm.BorrowType():
                resource = self.type_map.get(ty.resource)
                if resource is None:
                    fail("handle refers to a resource that is not named in this context", None)
                return ir.HandleKind("own" if isinstance(ty, wasm.OwnType) else "borrow", resource)
            case wasm.FutureType():
                return ir.FutureKind(maybe(ty.type))
            case wasm.StreamType():
                return ir.StreamKind(maybe(ty.type))
            case _:
                assert_never(ty)

    # -- matching a package's own interfaces seen again (wit-parser's `Registrar`)

    def _register_defined(self, wit: ir.TypeId, ty: wasm.DefinedType[wasm.AnyId]) -> None:
        """Connect the anonymous types inside `ty` to those of `wit`, its WIT
        counterpart, so that they are not decoded a second time."""
        kind = self.resolve.types[wit].kind
        if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
            return  # a named type: nothing anonymous to connect
        match ty:
            case (
                wasm.PrimitiveType()
                | wasm.FlagsType()
                | wasm.EnumType()
                | wasm.OwnType()
                | wasm.BorrowType()
            ):
                return  # nothing anonymous inside
            case wasm.ListType():
                if not isinstance(kind, ir.ListKind):
                    fail("expected a list", None)
                self._register_valtype(ty.element, kind.type)
            case wasm.MapType():
                if not isinstance(kind, ir.MapKind):
                    fail("expected a map", None)
                self._register_valtype(ty.key, kind.key)
                self._register_valtype(ty.value, kind.value)
            case wasm.FixedListType():
                if not isinstance(kind, ir.FixedListKind) or kind.size != ty.length:
                    fail(f"expected a fixed-length {ty.length} list", None)
                self._register_valtype(ty.element, kind.type)
            case wasm.TupleType():
                if not isinstance(kind, ir.TupleKind):
                    fail("expected a tuple", None)
                if len(kind.types) != len(ty.types):
                    fail("mismatched number of tuple fields", None)
                for wasm_type, wit_type in zip(ty.types, kind.types, strict=True):
                    self._register_valtype(wasm_type, wit_type)
            case wasm.OptionType():
                if not isinstance(kind, ir.OptionKind):
                    fail("expected an option", None)
                self._register_valtype(ty.type, kind.type)
            case wasm.ResultType():
                if not isinstance(kind, ir.ResultKind):
                    fail("expected a result", None)
                self._register_pair(ty.ok, kind.ok, "disagreement on result structure")
                self._register_pair(ty.err, kind.err, "disagreement on result structure")
            case wasm.RecordType():
                if not isinstance(kind, ir.RecordKind):
                    fail("expected a record", None)
                if len(kind.fields) != len(ty.fields):
                    fail("mismatched number of record fields", None)
                for (name, wasm_type), wit_field in zip(ty.fields, kind.fields, strict=True):
                    if name != wit_field.name:
                        fail("mismatched field order", None)
                    self._register_valtype(wasm_type, wit_field.type)
            case wasm.VariantType():
                if not isinstance(kind, ir.VariantKind):
                    fail("expected a variant", None)
                if len(kind.cases) != len(ty.cases):
                    fail("mismatched number of variant cases", None)
                for (name, payload), wit_case in zip(ty.cases, kind.cases, strict=True):
                    if name != wit_case.name:
                        fail("mismatched case order", None)
                    self._register_pair(payload, wit_case.type, "disagreement on case type")
            case wasm.FutureType():
                if not isinstance(kind, ir.FutureKind):
                    fail("expected a future", None)
                self._register_pair(ty.type, kind.type, "disagreement on future payload")
            case wasm.StreamType():
                if not isinstance(kind, ir.StreamKind):
                    fail("expected a stream", None)
                self._register_pair(ty.type, kind.type, "disagreement on stream payload")
            case _:
                assert_never(ty)

    def _register_pair(self, ty: wasm.ValType | None, wit: ir.Type | None, message: str) -> None:
        if ty is not None and wit is not None:
            self._register_valtype(ty, wit)
        elif ty is not None or wit is not None:
            fail(message, None)

    def _register_valtype(self, ty: wasm.ValType, wit: ir.Type) -> None:
        if isinstance(ty, str):
            if isinstance(wit, int):
                fail("expected a primitive type", None)
            return
        if not isinstance(wit, int):
            fail("expected id-based type", None)
        # Like `HashMap::insert`: the latest WIT type wins, and a wasm type
        # seen before is not walked again.
        previous = self.type_map.get(ty)
        self.type_map[ty] = wit
        if previous is None:
            self._register_defined(wit, self.types.defined_type(ty))

    # -- packages

    def finish(self, root: _Package) -> ir.PackageId:
        """Add the packages to the arena: the other packages in dependency order,
        then the decoded package itself."""
        order = self._foreign_order()
        packages = list(self.foreign.values())
        for index in order:
            self._insert_package(packages[index])
        package = self._insert_package(root)
        arena = self.resolve
        if any(w.package is None for w in arena.worlds) or any(
            i.package is None for i in arena.interfaces
        ):
            fail("an interface or world of the component belongs to no package", None)
        return package

    def _foreign_order(self) -> list[int]:
        """`visit_package`: packages after the packages their interfaces use."""
        packages = list(self.foreign.values())
        order: dict[int, None] = {}
        for start in range(len(packages)):
            if start in order:
                continue
            stack = [(start, iter(self._package_deps(packages[start], start)))]
            active = {start}
            while stack:
                index, deps = stack[-1]
                dep = next(deps, None)
                if dep is None:
                    stack.pop()
                    active.discard(index)
                    order[index] = None
                elif dep not in order:
                    if dep in active:
                        fail("the packages this package uses depend on each other in a cycle", None)
                    active.add(dep)
                    stack.append((dep, iter(self._package_deps(packages[dep], dep))))
        return list(order)

    def _package_deps(self, package: _Package, index: int) -> list[int]:
        deps = []
        for interface in package.interfaces.values():
            for dep in self.resolve.interface_direct_deps(interface):
                dep_index = self.foreign_index.get(dep)
                if dep_index is None:
                    fail("a package this package uses depends on this package", None)
                if dep_index != index:
                    deps.append(dep_index)
        return deps

    def _insert_package(self, package: _Package) -> ir.PackageId:
        arena = self.resolve
        assert package.name is not None
        package_id = arena.package_names.get(package.name)
        if package_id is None:
            arena.packages.append(PackageDraft(package.name))
            package_id = ir.PackageId(len(arena.packages) - 1)
            arena.package_names[package.name] = package_id
        draft = arena.packages[package_id]
        for name, interface in package.interfaces.items():
            if name in draft.interfaces:
                fail(f"interface `{name}` is defined twice in package `{package.name}`", None)
            draft.interfaces[name] = interface
            arena.interfaces[interface].package = package_id
        for name, world_id in package.worlds.items():
            if name in draft.worlds:
                fail(f"world `{name}` is defined twice in package `{package.name}`", None)
            draft.worlds[name] = world_id
            world = arena.worlds[world_id]
            world.package = package_id
            for key, item in (*world.imports.items(), *world.exports.items()):
                if isinstance(key, str) and isinstance(item, ir.InterfaceItem):
                    inline = arena.interfaces[item.interface]
                    if inline.name is None:
                        inline.package = package_id
        return package_id


_DUPLICATE_TYPE = (
    "cannot represent this component in WIT: the type `{name}` appears more than once "
    "(for example, when an imported instance is re-exported under a new name)"
)


def _primitive(name: str) -> ir.Primitive:
    for primitive in ir.PRIMITIVES:
        if primitive == name:
            return primitive
    raise AssertionError(f"not a primitive type: {name}")
