"""Pass: resolve each package on its own.

In: the parsed files of one package source (a folder's files, or one file),
sorted by path.  Out: one `UnresolvedPackage` per package they define: the
main package and every nested `package a:b { ... }` block, nested ones first,
as wit-parser's `SourceMap::parse` returns them.  Raises `Problem` at the
first error, as wit-parser does.

Everything inside a package is settled here: the package name and its docs,
the names of interfaces and worlds (each file has its own namespace for
top-level `use`), the order of interfaces and worlds (`use` and `include`
dependencies, cycles refused), `use` of types, type definitions in
topological order (cycles refused), resource functions, function parameters
and results, and the items of worlds.  References to other packages are left
as placeholder interfaces, worlds and `UnknownKind` types, allocated first,
for the link pass to connect.  The ids of types, interfaces and worlds are
allocated in exactly wit-parser's order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from witgen import ir
from witgen.diagnostics import Span
from witgen.resolve.arena import (
    Include,
    IncludeName,
    InterfaceDraft,
    TypeDraft,
    TypeDraftKind,
    UnknownKind,
    WorldDraft,
)
from witgen.resolve.order import toposort
from witgen.resolve.problems import fail, not_found
from witgen.syntax import ast

# A top-level item of a package: ("interface", id) or ("world", id).
AstItem = tuple[Literal["interface", "world"], int]


@dataclass(slots=True)
class ForeignDep:
    """An interface or world of another package that this package refers to."""

    item: AstItem
    stabilities: list[ir.Stability] = field(default_factory=list)


@dataclass(slots=True)
class UnresolvedPackage:
    """One package resolved on its own; see wit-parser's `UnresolvedPackage`.

    Its arenas start with the placeholders for foreign items: foreign
    interfaces and worlds first in `interfaces` and `worlds`, and `UnknownKind`
    types first in `types`.
    """

    name: ir.PackageName
    name_span: Span
    docs: str | None
    types: list[TypeDraft]
    interfaces: list[InterfaceDraft]
    worlds: list[WorldDraft]
    foreign_deps: dict[ir.PackageName, dict[str, ForeignDep]]
    foreign_dep_spans: list[Span]
    unknown_type_spans: list[Span]
    required_resource_types: list[tuple[ir.TypeId, Span]]


def resolve_package_source(files: Sequence[ast.File]) -> list[UnresolvedPackage]:
    """The packages of one package source: its nested packages, then the main one."""
    nested: list[UnresolvedPackage] = []
    main = _PackageResolver()
    for file in files:
        items = []
        for item in file.items:
            if isinstance(item, ast.NestedPackage):
                resolver = _PackageResolver()
                resolver.push(item.name, item.docs, item.items)
                nested.append(resolver.resolve())
            else:
                items.append(item)
        header = file.header
        main.push(header.name if header else None, header.docs if header else ast.NO_DOCS, items)
    nested.append(main.resolve())
    return nested


# ---------------------------------------------------------------- docs and gates


def docs_text(docs: ast.Docs) -> str | None:
    """Doc comments as wit-parser keeps them: markers stripped, common
    indentation removed, lines joined with `\\n`, None when there are none."""
    lines = []
    for comment in docs.comments:
        text = comment[3:].removesuffix("*/") if comment.startswith("/**") else comment.lstrip("/")
        lines.append(text.rstrip())
    indents = [len(line) - len(line.lstrip(_ASCII_SPACE)) for line in lines if line]
    indent = min(indents, default=0)
    if indent:
        prefix = " " * indent
        lines = [line.removeprefix(prefix) for line in lines]
    if not lines:
        return None
    contents = ""
    for line in lines:
        if not line:
            contents += "\n"
        else:
            for part in _rust_lines(line):
                contents += part + "\n"
    return contents.rstrip("\n")


# Rust's `u8::is_ascii_whitespace`: space, tab, line feed, form feed, carriage return.
_ASCII_SPACE = " \t\n\x0c\r"


def _rust_lines(text: str) -> list[str]:
    # Rust's `str::lines`: split on `\n`, drop one `\r` before it, no final empty line.
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [part.removesuffix("\r") for part in parts]


def stability(attributes: Sequence[ast.Attribute]) -> ir.Stability:
    since: ast.Since | None = None
    deprecated: ast.Deprecated | None = None
    unstable: ast.Unstable | None = None
    for attribute in attributes:
        if isinstance(attribute, ast.Since):
            if since is not None:
                fail("cannot specify @since twice", attribute.name.span)
            since = attribute
        elif isinstance(attribute, ast.Deprecated):
            if deprecated is not None:
                fail("cannot specify @deprecated twice", attribute.name.span)
            deprecated = attribute
        elif isinstance(attribute, ast.Unstable):
            if unstable is not None:
                fail("cannot specify @unstable twice", attribute.name.span)
            unstable = attribute
    deprecated_version = deprecated.version.version if deprecated else None
    if since is not None and unstable is None:
        return ir.Stable(since.version.version, deprecated_version)
    if since is None and unstable is not None:
        return ir.Unstable(unstable.feature.name, deprecated_version)
    if since is not None:
        fail("cannot specify both @since and @unstable", since.name.span)
    if deprecated is not None:
        fail(
            "cannot specify both @deprecated without @since or @unstable",
            deprecated.name.span,
        )
    return None


def external_id(attributes: Sequence[ast.Attribute]) -> str | None:
    found: str | None = None
    for attribute in attributes:
        if isinstance(attribute, ast.ExternalId):
            if found is not None:
                fail("cannot specify @external-id twice", attribute.name.span)
            found = attribute.value
    return found


def package_name(name: ast.PackageName) -> ir.PackageName:
    version = name.version.version if name.version is not None else None
    return ir.PackageName(name.namespace.name, name.name.name, version)


# ---------------------------------------------------------------- walking use paths


@dataclass(frozen=True, slots=True)
class _PathUse:
    """One use of a path: a `use`, an `include`, an import or export by path."""

    owner: ast.Id | None  # the interface (or, for includes, world) it is in
    attributes: tuple[ast.Attribute, ...]
    path: ast.UsePath
    names: tuple[ast.UseName, ...] | None  # the names of a `use`; None otherwise
    kind: Literal["world", "interface", "unknown"]


def _paths(items: Sequence[ast.PackageItem]) -> Iterator[_PathUse]:
    """Every use path in `items`, in wit-parser's `for_each_path` order: in a
    world, `use` and `include` in place, then imports, then exports."""
    for item in items:
        if isinstance(item, ast.World):
            imports: list[ast.Import | ast.Export] = []
            exports: list[ast.Import | ast.Export] = []
            for world_item in item.items:
                if isinstance(world_item, ast.Use):
                    yield _PathUse(
                        None, world_item.attributes, world_item.path, world_item.names, "interface"
                    )
                elif isinstance(world_item, ast.Include):
                    yield _PathUse(item.name, world_item.attributes, world_item.path, None, "world")
                elif isinstance(world_item, ast.Import):
                    imports.append(world_item)
                elif isinstance(world_item, ast.Export):
                    exports.append(world_item)
            for extern in (*imports, *exports):
                kind = extern.kind
                if isinstance(kind, ast.ExternInterface):
                    for inner in kind.items:
                        if isinstance(inner, ast.Use):
                            yield _PathUse(
                                None, inner.attributes, inner.path, inner.names, "interface"
                            )
                elif isinstance(kind, (ast.ExternPath, ast.ExternNamedPath)):
                    yield _PathUse(None, extern.attributes, kind.path, None, "interface")
        elif isinstance(item, ast.Interface):
            for inner in item.items:
                if isinstance(inner, ast.Use):
                    yield _PathUse(
                        item.name, inner.attributes, inner.path, inner.names, "interface"
                    )
        elif isinstance(item, ast.TopLevelUse):
            yield _PathUse(None, item.attributes, item.path, None, "unknown")
        elif isinstance(item, ast.NestedPackage):
            yield from _paths(item.items)


def _path_name(path: ast.UsePath) -> ast.Id:
    return path.name


# ---------------------------------------------------------------- the resolver


@dataclass(slots=True)
class _Scope:
    """Names of an interface or world: types, and the functions of an interface."""

    entries: dict[str, tuple[ir.TypeId | str, Span]] = field(default_factory=dict)


class _PackageResolver:
    """Resolves the files of one package; see the module docstring."""

    def __init__(self) -> None:
        self.name: tuple[ir.PackageName, Span] | None = None
        self.docs: str | None = None
        self.decl_lists: list[list[ast.PackageItem]] = []
        self.types: list[TypeDraft] = []
        self.interfaces: list[InterfaceDraft] = []
        self.worlds: list[WorldDraft] = []
        self.anon_types: dict[tuple[object, ...], ir.TypeId] = {}
        self.current = 0  # index of the decl list being resolved
        self.ast_items: list[dict[str, AstItem]] = []
        self.package_items: dict[str, AstItem] = {}
        # Per interface: its names (types, and functions as "function").
        self.interface_types: list[dict[str, tuple[ir.TypeId | str, Span]]] = []
        self.foreign_deps: dict[ir.PackageName, dict[str, ForeignDep]] = {}
        self.foreign_interfaces: set[int] = set()
        self.type_lookup: dict[str, tuple[ir.TypeId | str, Span]] = {}
        # The same scope's names as the component model compares them.
        self.names = ComponentNames()
        self.unknown_type_spans: list[Span] = []
        self.foreign_dep_spans: list[Span] = []
        self.required_resource_types: list[tuple[ir.TypeId, Span]] = []

    # -- files

    def push(
        self,
        name: ast.PackageName | None,
        docs: ast.Docs,
        items: Sequence[ast.PackageItem],
    ) -> None:
        if name is not None:
            current = package_name(name)
            if self.name is not None and self.name[0] != current:
                fail(
                    f"package identifier `{current}` does not match previous package name "
                    f"of `{self.name[0]}`",
                    name.span,
                )
            self.name = (current, name.span)
            text = docs_text(docs)
            if text is not None:
                if self.docs is not None:
                    fail("found doc comments on multiple 'package' items", docs.span)
                self.docs = text
        for item in items:
            if isinstance(item, ast.NestedPackage):
                fail("nested packages must be placed at the top-level", item.name.span)
        self.decl_lists.append(list(items))

    def resolve(self) -> UnresolvedPackage:
        if self.name is None:
            fail("no `package` header was found in any WIT file for this package", None)
        name, name_span = self.name
        self._populate_foreign_deps()
        interface_order, world_order = self._populate_ast_items()
        self._populate_foreign_types()

        interface_asts: dict[int, tuple[ast.Interface, int]] = {}
        world_asts: dict[int, tuple[ast.World, int]] = {}
        for index, decl_list in enumerate(self.decl_lists):
            for item in decl_list:
                if isinstance(item, ast.Interface):
                    interface_asts[self.ast_items[index][item.name.name][1]] = (item, index)
                elif isinstance(item, ast.World):
                    world_asts[self.ast_items[index][item.name.name][1]] = (item, index)
        for interface_id in interface_order:
            interface, self.current = interface_asts[interface_id]
            self._resolve_interface(
                interface_id, interface.items, interface.docs, interface.attributes
            )
        for world_id in world_order:
            world, self.current = world_asts[world_id]
            self._resolve_world(world_id, world)

        return UnresolvedPackage(
            name=name,
            name_span=name_span,
            docs=self.docs,
            types=self.types,
            interfaces=self.interfaces,
            worlds=self.worlds,
            foreign_deps=self.foreign_deps,
            foreign_dep_spans=self.foreign_dep_spans,
            unknown_type_spans=self.unknown_type_spans,
            required_resource_types=self.required_resource_types,
        )

    # -- allocation

    def _alloc_interface(self, span: Span | None) -> int:
        self.interface_types.append({})
        self.interfaces.append(InterfaceDraft(name=None, span=span))
        return len(self.interfaces) - 1

    def _alloc_world(self, span: Span | None) -> int:
        self.worlds.append(WorldDraft(name="", span=span))
        return len(self.worlds) - 1

    def _alloc_type(self, draft: TypeDraft) -> ir.TypeId:
        self.types.append(draft)
        return ir.TypeId(len(self.types) - 1)

    # -- package structure

    def _populate_foreign_deps(self) -> None:
        for decl_list in self.decl_lists:
            for use in _paths(decl_list):
                if not isinstance(use.path, ast.PackagePath):
                    continue
                gate = stability(use.attributes)
                package = package_name(use.path.package)
                deps = self.foreign_deps.get(package)
                if deps is None:
                    deps = self.foreign_deps[package] = {}
                    self.foreign_dep_spans.append(use.path.package.span)
                name = use.path.name
                dep = deps.get(name.name)
                if dep is None:
                    if use.kind == "world":
                        item: AstItem = ("world", self._alloc_world(name.span))
                    else:
                        item = ("interface", self._alloc_interface(name.span))
                    dep = deps[name.name] = ForeignDep(item)
                dep.stabilities.append(gate)
                if dep.item[0] == "interface":
                    self.foreign_interfaces.add(dep.item[1])

    def _populate_ast_items(self) -> tuple[list[int], list[int]]:
        package_items: dict[str, Span] = {}
        kinds: dict[str, Literal["interface", "world"]] = {}
        deps: dict[str, list[tuple[str, Span | None]]] = {}
        for decl_list in self.decl_lists:
            for item in decl_list:
                if isinstance(item, (ast.Interface, ast.World)):
                    item_name = item.name
                    if item_name.name in package_items:
                        fail(f"duplicate item named `{item_name.name}`", item_name.span)
                    package_items[item_name.name] = item_name.span
                    kinds[item_name.name] = (
                        "interface" if isinstance(item, ast.Interface) else "world"
                    )
                    deps[item_name.name] = []

        for decl_list in self.decl_lists:
            # Each file's own namespace: its items and its top-level `use`s.
            namespace: dict[str, ast.Id | None] = {}  # None: foreign
            for item in decl_list:
                if isinstance(item, ast.TopLevelUse):
                    local = item.alias or _path_name(item.path)
                    source = item.path.name if isinstance(item.path, ast.LocalPath) else None
                elif isinstance(item, (ast.Interface, ast.World)):
                    local, source = item.name, item.name
                else:
                    continue
                if local.name in namespace:
                    fail(f"duplicate name `{local.name}` in this file", local.span)
                namespace[local.name] = source
            for use in _paths(decl_list):
                if use.owner is None or not isinstance(use.path, ast.LocalPath):
                    continue
                used = use.path.name
                if used.name in namespace:
                    source = namespace[used.name]
                    if source is not None:
                        deps[use.owner.name].append((source.name, source.span))
                elif used.name in package_items:
                    deps[use.owner.name].append((used.name, used.span))
                else:
                    not_found("interface or world", used.name, used.span)

        order = toposort("interface or world", deps)
        ids: dict[str, AstItem] = {}
        interface_order: list[int] = []
        world_order: list[int] = []
        for name in order:
            if kinds[name] == "interface":
                interface_id = self._alloc_interface(package_items[name])
                self.interfaces[interface_id].name = name
                ids[name] = ("interface", interface_id)
                interface_order.append(interface_id)
            else:
                world_id = self._alloc_world(package_items[name])
                self.worlds[world_id].name = name
                ids[name] = ("world", world_id)
                world_order.append(world_id)

        for decl_list in self.decl_lists:
            items: dict[str, AstItem] = {}
            for item in decl_list:
                if isinstance(item, ast.TopLevelUse):
                    if item.attributes:
                        fail("attributes not allowed on top-level use", item.keyword)
                    local = item.alias or _path_name(item.path)
                    if isinstance(item.path, ast.LocalPath):
                        target = item.path.name
                        if target.name not in ids:
                            not_found("interface or world", target.name, target.span)
                        found = ids[target.name]
                    else:
                        package = package_name(item.path.package)
                        found = self.foreign_deps[package][item.path.name.name].item
                    items[local.name] = found
                elif isinstance(item, (ast.Interface, ast.World)):
                    items[item.name.name] = ids[item.name.name]
                    self.package_items[item.name.name] = ids[item.name.name]
            self.ast_items.append(items)
        return interface_order, world_order

    def _populate_foreign_types(self) -> None:
        for index, decl_list in enumerate(self.decl_lists):
            self.current = index
            for use in _paths(decl_list):
                if use.names is None:
                    continue
                gate = stability(use.attributes)
                extern = external_id(use.attributes)
                item, name, span = self._resolve_path(use.path)
                interface = self._interface_of(item, name, span)
                if interface not in self.foreign_interfaces:
                    continue
                lookup = self.interface_types[interface]
                for use_name in use.names:
                    if use_name.name.name in lookup:
                        continue
                    type_id = self._alloc_type(
                        TypeDraft(
                            name=use_name.name.name,
                            kind=UnknownKind(),
                            owner=ir.InterfaceOwner(ir.InterfaceId(interface)),
                            stability=gate,
                            span=use_name.name.span,
                            external_id=extern,
                        )
                    )
                    self.unknown_type_spans.append(use_name.name.span)
                    lookup[use_name.name.name] = (type_id, use_name.name.span)
                    self.interfaces[interface].types[use_name.name.name] = type_id

    # -- paths

    def _resolve_path(self, path: ast.UsePath) -> tuple[AstItem, str, Span]:
        if isinstance(path, ast.LocalPath):
            name = path.name
            item = self.ast_items[self.current].get(name.name) or self.package_items.get(name.name)
            if item is None:
                not_found("interface or world", name.name, name.span)
            return item, name.name, name.span
        package = package_name(path.package)
        return self.foreign_deps[package][path.name.name].item, path.name.name, path.name.span

    @staticmethod
    def _interface_of(item: AstItem, name: str, span: Span) -> int:
        if item[0] == "world":
            fail(f"name `{name}` is defined as a world, not an interface", span)
        return item[1]

    @staticmethod
    def _world_of(item: AstItem, name: str, span: Span) -> int:
        if item[0] == "interface":
            fail(f"name `{name}` is defined as an interface, not a world", span)
        return item[1]

    # -- interfaces

    def _resolve_interface(
        self,
        interface_id: int,
        items: Sequence[ast.InterfaceItem],
        docs: ast.Docs,
        attributes: Sequence[ast.Attribute],
    ) -> None:
        interface = self.interfaces[interface_id]
        interface.docs = docs_text(docs)
        interface.stability = stability(attributes)
        owner = ir.InterfaceOwner(ir.InterfaceId(interface_id))
        self._resolve_types(owner, [i for i in items if isinstance(i, (ast.Use, *_TYPEDEFS))])
        for name, (entry, _) in self.type_lookup.items():
            assert isinstance(entry, int)
            interface.types[name] = entry

        functions: list[ir.Function] = []
        for item in items:
            if isinstance(item, ast.NamedFunc):
                # Checked as a component name first: a repeat is a "duplicate name".
                self.names.check(item.name.name, item.name.span)
                self.type_lookup[item.name.name] = ("function", item.name.span)
                kind: ir.FunctionKindName = (
                    "async-freestanding" if item.func.is_async else "freestanding"
                )
                functions.append(
                    self._resolve_function(
                        item.docs, item.attributes, item.name, item.func, kind=kind
                    )
                )
            elif isinstance(item, ast.Resource):
                for func in item.funcs:
                    function = self._resolve_resource_func(func, item.name)
                    self.names.check(function.name, func.name.span)
                    functions.append(function)
        for function in functions:
            interface.functions[function.name] = function
        self.interface_types[interface_id] = self.type_lookup
        self.type_lookup = {}
        self.names = ComponentNames()

    def _define_name(self, name: ast.Id, entry: ir.TypeId | str) -> None:
        if name.name in self.type_lookup:
            fail(f"name `{name.name}` is defined more than once", name.span)
        self.names.check(name.name, name.span)
        self.type_lookup[name.name] = (entry, name.span)

    # -- type definitions

    def _resolve_types(self, owner: ir.Owner, items: Sequence[ast.Use | ast.TypeDef]) -> None:
        assert not self.type_lookup
        for item in items:
            if isinstance(item, ast.Use):
                self._resolve_use(owner, item)
        deps: dict[str, list[tuple[str, Span | None]]] = {}
        definitions: dict[str, ast.TypeDef | None] = {}
        for item in items:
            if isinstance(item, ast.Use):
                for use_name in item.names:
                    local = use_name.alias or use_name.name
                    deps[local.name] = []
                    definitions[local.name] = None
            else:
                if item.name.name in definitions:
                    fail(f"name `{item.name.name}` is defined more than once", item.name.span)
                definitions[item.name.name] = item
                found: list[tuple[str, Span | None]] = []
                _collect_deps(item, found)
                deps[item.name.name] = found
        order = toposort("type", deps, hint=_renamed_float_hint)
        for name in order:
            definition = definitions.pop(name)
            if definition is None:
                continue
            docs = docs_text(definition.docs)
            gate = stability(definition.attributes)
            extern = external_id(definition.attributes)
            kind = self._resolve_typedef(definition, gate)
            type_id = self._alloc_type(
                TypeDraft(
                    name=definition.name.name,
                    kind=kind,
                    owner=owner,
                    docs=docs,
                    stability=gate,
                    span=definition.name.span,
                    external_id=extern,
                )
            )
            self._define_name(definition.name, type_id)

    def _resolve_use(self, owner: ir.Owner, use: ast.Use) -> None:
        item, name, span = self._resolve_path(use.path)
        source = self._interface_of(item, name, span)
        gate = stability(use.attributes)
        extern = external_id(use.attributes)
        for use_name in use.names:
            lookup = self.interface_types[source]
            entry = lookup.get(use_name.name.name)
            if entry is None:
                not_found("name", use_name.name.name, use_name.name.span)
            if isinstance(entry[0], str):
                fail(f"cannot import {entry[0]} `{use_name.name.name}`", use_name.name.span)
            local = use_name.alias or use_name.name
            type_id = self._alloc_type(
                TypeDraft(
                    name=local.name,
                    kind=ir.AliasKind(entry[0]),
                    owner=owner,
                    stability=gate,
                    span=use_name.name.span,
                    external_id=extern,
                )
            )
            self._define_name(local, type_id)

    def _resolve_typedef(self, definition: ast.TypeDef, gate: ir.Stability) -> TypeDraftKind:
        if isinstance(definition, ast.TypeAlias):
            return self._resolve_kind(definition.type, gate)
        if isinstance(definition, ast.Record):
            if not definition.fields:
                fail("empty record", definition.name.span)
            fields = tuple(
                ir.Field(
                    field.name.name,
                    self._resolve_type(field.type, gate),
                    docs_text(field.docs),
                    field.name.span,
                )
                for field in definition.fields
            )
            return ir.RecordKind(fields)
        if isinstance(definition, ast.Flags):
            if not definition.flags:
                fail("empty flags", definition.name.span)
            return ir.FlagsKind(
                tuple(
                    ir.Flag(flag.name.name, docs_text(flag.docs), flag.name.span)
                    for flag in definition.flags
                )
            )
        if isinstance(definition, ast.Variant):
            if not definition.cases:
                fail("empty variant", definition.name.span)
            return ir.VariantKind(
                tuple(
                    ir.Case(
                        case.name.name,
                        self._resolve_type(case.type, gate) if case.type is not None else None,
                        docs_text(case.docs),
                        case.name.span,
                    )
                    for case in definition.cases
                )
            )
        if isinstance(definition, ast.Enum):
            if not definition.cases:
                fail("empty enum", definition.name.span)
            return ir.EnumKind(
                tuple(
                    ir.EnumCase(case.name.name, docs_text(case.docs), case.name.span)
                    for case in definition.cases
                )
            )
        assert isinstance(definition, ast.Resource)
        return ir.ResourceKind()

    def _resolve_kind(self, ty: ast.Type, gate: ir.Stability) -> TypeDraftKind:
        """The kind of type a type expression denotes (wit-parser's `resolve_type_def`)."""
        if isinstance(ty, ast.PrimitiveType):
            return ir.AliasKind(ty.name)
        if isinstance(ty, ast.NamedType):
            return ir.AliasKind(self._resolve_type_name(ty.name))
        if isinstance(ty, ast.ListType):
            element = self._resolve_type(ty.element, gate)
            if ty.size is None:
                return ir.ListKind(element)
            return ir.FixedListKind(element, ty.size)
        if isinstance(ty, ast.MapType):
            key = self._resolve_type(ty.key, gate)
            value = self._resolve_type(ty.value, gate)
            if key not in _MAP_KEYS:
                fail(
                    "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, "
                    "s32, s64, char, or string",
                    ast.keyword_span(ty),
                )
            return ir.MapKind(key, value)
        if isinstance(ty, ast.HandleType):
            return ir.HandleKind(ty.kind, self._validate_resource(ty.resource))
        if isinstance(ty, ast.TupleType):
            if not ty.elements:
                fail("empty tuple", ast.keyword_span(ty))
            return ir.TupleKind(tuple(self._resolve_type(t, gate) for t in ty.elements))
        if isinstance(ty, ast.OptionType):
            return ir.OptionKind(self._resolve_type(ty.element, gate))
        if isinstance(ty, ast.ResultType):
            return ir.ResultKind(
                self._resolve_type(ty.ok, gate) if ty.ok is not None else None,
                self._resolve_type(ty.err, gate) if ty.err is not None else None,
            )
        if isinstance(ty, ast.FutureType):
            return ir.FutureKind(
                self._resolve_type(ty.element, gate) if ty.element is not None else None
            )
        assert isinstance(ty, ast.StreamType)
        return ir.StreamKind(
            self._resolve_type(ty.element, gate) if ty.element is not None else None
        )

    def _resolve_type_name(self, name: ast.Id) -> ir.TypeId:
        entry = self.type_lookup.get(name.name)
        if entry is None:
            not_found("name", name.name, name.span)
        if isinstance(entry[0], str):
            fail(f"cannot use {entry[0]} `{name.name}` as a type", name.span)
        return entry[0]

    def _validate_resource(self, name: ast.Id) -> ir.TypeId:
        type_id = self._resolve_type_name(name)
        current = type_id
        while True:
            kind = self.types[current].kind
            if isinstance(kind, ir.ResourceKind):
                return type_id
            if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
                current = kind.type
            elif isinstance(kind, UnknownKind):
                self.required_resource_types.append((current, name.span))
                return type_id
            else:
                fail(f"type `{name.name}` used in a handle must be a resource", name.span)

    def _find_stability(self, kind: TypeDraftKind, gate: ir.Stability) -> ir.Stability:
        """An anonymous type without a gate takes the gate of the first type it names."""
        if gate is not None:
            return gate
        for ty in _named_types(kind):
            if isinstance(ty, int) and self.types[ty].stability is not None:
                return self.types[ty].stability
        return None

    def _resolve_type(self, ty: ast.Type, gate: ir.Stability) -> ir.Type:
        kind = self._resolve_kind(ty, gate)
        return self._anonymous(kind, self._find_stability(kind, gate), ast.keyword_span(ty))

    def _anonymous(self, kind: TypeDraftKind, gate: ir.Stability, span: Span | None) -> ir.Type:
        """The type for an anonymous type expression, one id per distinct shape."""
        if isinstance(kind, ir.AliasKind):
            return kind.type
        if isinstance(kind, ir.HandleKind) and kind.handle == "own":
            # `own<T>` is `T` itself.
            return kind.resource
        key = _anon_key(kind)
        found = self.anon_types.get(key)
        if found is None:
            found = self._alloc_type(
                TypeDraft(name=None, kind=kind, owner=None, stability=gate, span=span)
            )
            self.anon_types[key] = found
        return found

    # -- functions

    def _resolve_resource_func(self, func: ast.ResourceFunc, resource: ast.Id) -> ir.Function:
        entry = self.type_lookup[resource.name][0]
        assert isinstance(entry, int)
        is_async = func.func.is_async
        if func.kind == "method":
            name = f"[method]{resource.name}.{func.name.name}"
            kind: ir.FunctionKindName = "async-method" if is_async else "method"
        elif func.kind == "static":
            name = f"[static]{resource.name}.{func.name.name}"
            kind = "async-static" if is_async else "static"
        else:
            name = f"[constructor]{resource.name}"
            kind = "constructor"
        return self._resolve_function(
            func.docs,
            func.attributes,
            name,
            func.func,
            kind=kind,
            name_span=func.name.span,
            resource=entry,
        )

    def _resolve_function(
        self,
        docs: ast.Docs,
        attributes: Sequence[ast.Attribute],
        name: ast.Id | str,
        func: ast.Func,
        *,
        kind: ir.FunctionKindName,
        name_span: Span | None = None,
        resource: ir.TypeId | None = None,
    ) -> ir.Function:
        if isinstance(name, ast.Id):
            name_span, name = name.span, name.name
        text = docs_text(docs)
        gate = stability(attributes)
        extern = external_id(attributes)
        params = self._resolve_params(func, kind, resource)
        result = self._resolve_result(func, kind, resource)
        return ir.Function(
            name=name,
            kind=kind,
            params=params,
            result=result,
            resource=resource,
            docs=text,
            stability=gate,
            span=name_span,
            external_id=extern,
        )

    def _resolve_params(
        self, func: ast.Func, kind: ir.FunctionKindName, resource: ir.TypeId | None
    ) -> tuple[ir.Param, ...]:
        params: list[ir.Param] = []
        if kind in ("method", "async-method"):
            assert resource is not None
            borrow = ir.HandleKind("borrow", resource)
            self_type = self._anonymous(borrow, self._find_stability(borrow, None), func.keyword)
            params.append(ir.Param("self", self_type, func.keyword))
        for param in func.params:
            if any(p.name == param.name.name for p in params):
                fail(f"param `{param.name.name}` is defined more than once", param.name.span)
            params.append(
                ir.Param(param.name.name, self._resolve_type(param.type, None), param.name.span)
            )
        return tuple(params)

    def _resolve_result(
        self, func: ast.Func, kind: ir.FunctionKindName, resource: ir.TypeId | None
    ) -> ir.Type | None:
        if kind != "constructor":
            return self._resolve_type(func.result, None) if func.result is not None else None
        assert resource is not None
        if func.result is None:
            return resource
        result_ast = func.result
        result = self._resolve_type(result_ast, None)
        ok: ir.Type | None = None
        is_result = False
        if isinstance(result, int):
            kind_of = self.types[result].kind
            if isinstance(kind_of, ir.ResultKind):
                is_result = True
                ok = kind_of.ok
        if not is_result:
            fail(
                "if a constructor return type is declared it must be a `result`",
                ast.keyword_span(result_ast),
            )
        if ok != resource:
            span = ast.keyword_span(result_ast)
            if isinstance(result_ast, ast.ResultType) and result_ast.ok is not None:
                span = ast.keyword_span(result_ast.ok)
            fail("the `ok` type must be the resource being constructed", span)
        return result

    # -- worlds

    def _resolve_world(self, world_id: int, world: ast.World) -> None:
        draft = self.worlds[world_id]
        draft.docs = docs_text(world.docs)
        draft.stability = stability(world.attributes)
        owner = ir.WorldOwner(ir.WorldId(world_id))
        self._resolve_types(owner, [i for i in world.items if isinstance(i, (ast.Use, *_TYPEDEFS))])
        for include in world.items:
            if isinstance(include, ast.Include):
                self._resolve_include(world_id, include)
        for name, (entry, span) in self.type_lookup.items():
            assert isinstance(entry, int)
            if name in draft.imports:
                fail(f"import `{name}` conflicts with prior import of same name", span)
            draft.imports[name] = ir.TypeItem(entry, span)

        imported: set[int] = set()
        exported: set[int] = set()
        import_names = self.names  # the world's types are imports too
        export_names = ComponentNames()
        for item in world.items:
            if isinstance(item, ast.Resource):
                for func in item.funcs:
                    function = self._resolve_resource_func(func, item.name)
                    import_names.check(function.name, func.name.span)
                    assert function.name not in draft.imports
                    draft.imports[function.name] = ir.FunctionItem(function)
                continue
            if not isinstance(item, (ast.Import, ast.Export)):
                continue
            direction = "import" if isinstance(item, ast.Import) else "export"
            seen = imported if direction == "import" else exported
            world_item = self._resolve_world_item(item.docs, item.attributes, item.kind)
            kind = item.kind
            key: ir.WorldKey
            if isinstance(kind, ast.ExternInterface):
                key = kind.name.name
            elif isinstance(kind, ast.ExternFunc):
                assert isinstance(world_item, ir.FunctionItem)
                key = world_item.function.name
            elif isinstance(kind, ast.ExternPath):
                found, name, span = self._resolve_path(kind.path)
                key = ir.InterfaceKey(ir.InterfaceId(self._interface_of(found, name, span)))
            else:
                key = kind.label.name
            span = _extern_span(kind)
            if isinstance(key, ir.InterfaceKey):
                if key.interface in seen:
                    fail(f"interface cannot be {direction}ed more than once", span)
                seen.add(key.interface)
            target = draft.imports if direction == "import" else draft.exports
            previous = target.get(key)
            target[key] = world_item
            if previous is not None:
                what = {
                    ir.InterfaceItem: "interface",
                    ir.FunctionItem: "func",
                    ir.TypeItem: "type",
                }[type(previous)]
                assert isinstance(key, str)
                fail(f"{direction} `{key}` conflicts with prior {what} of same name", span)
            if isinstance(key, str):
                (import_names if direction == "import" else export_names).check(key, span)
        self.type_lookup = {}
        self.names = ComponentNames()

    def _resolve_include(self, world_id: int, include: ast.Include) -> None:
        gate = stability(include.attributes)
        item, name, span = self._resolve_path(include.path)
        included = self._world_of(item, name, span)
        self.worlds[world_id].includes.append(
            Include(
                stability=gate,
                world=ir.WorldId(included),
                names=tuple(IncludeName(n.name.name, n.alias.name) for n in include.names),
                span=span,
            )
        )

    def _resolve_world_item(
        self, docs: ast.Docs, attributes: Sequence[ast.Attribute], kind: ast.ExternKind
    ) -> ir.WorldItem:
        if isinstance(kind, ast.ExternInterface):
            # An inline interface is a scope of its own, for types and names.
            outer, outer_names = self.type_lookup, self.names
            self.type_lookup, self.names = {}, ComponentNames()
            interface_id = self._alloc_interface(kind.name.span)
            self._resolve_interface(interface_id, kind.items, docs, attributes)
            self.type_lookup, self.names = outer, outer_names
            return ir.InterfaceItem(
                ir.InterfaceId(interface_id),
                stability=self.interfaces[interface_id].stability,
                external_id=external_id(attributes),
                span=kind.name.span,
            )
        if isinstance(kind, (ast.ExternPath, ast.ExternNamedPath)):
            gate = stability(attributes)
            extern = external_id(attributes)
            text = docs_text(docs)
            item, name, span = self._resolve_path(kind.path)
            interface = self._interface_of(item, name, span)
            return ir.InterfaceItem(
                ir.InterfaceId(interface),
                stability=gate,
                external_id=extern,
                docs=text,
                span=span if isinstance(kind, ast.ExternPath) else kind.label.span,
            )
        function_kind: ir.FunctionKindName = (
            "async-freestanding" if kind.func.is_async else "freestanding"
        )
        function = self._resolve_function(
            docs, attributes, kind.name, kind.func, kind=function_kind
        )
        return ir.FunctionItem(function)


def _renamed_float_hint(name: str) -> str | None:
    new = {"float32": "f32", "float64": "f64"}.get(name)
    if new is None:
        return None
    return (
        f"the `{name}` type has been renamed to `{new}` and is no longer accepted, but the "
        "`WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily disable "
        "this error"
    )


_TYPEDEFS = (ast.TypeAlias, ast.Record, ast.Flags, ast.Variant, ast.Enum, ast.Resource)
_MAP_KEYS = frozenset(
    {"bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "char", "string"}
)


def _extern_span(kind: ast.ExternKind) -> Span:
    """wit-parser's `ExternKind::span`: the name, label or path's item name."""
    if isinstance(kind, ast.ExternPath):
        return kind.path.name.span
    if isinstance(kind, ast.ExternNamedPath):
        return kind.label.span
    return kind.name.span


def _collect_deps(definition: ast.TypeDef, found: list[tuple[str, Span | None]]) -> None:
    """Names a type definition refers to, in order (wit-parser's `collect_deps`)."""
    stack: list[ast.Type] = []
    if isinstance(definition, ast.TypeAlias):
        stack.append(definition.type)
    elif isinstance(definition, ast.Record):
        stack.extend(field.type for field in definition.fields)
    elif isinstance(definition, ast.Variant):
        stack.extend(case.type for case in definition.cases if case.type is not None)
    # Depth-first, left to right, without recursion.
    stack.reverse()
    while stack:
        ty = stack.pop()
        if isinstance(ty, ast.NamedType):
            found.append((ty.name.name, ty.name.span))
        elif isinstance(ty, ast.HandleType):
            found.append((ty.resource.name, ty.resource.span))
        else:
            children = _child_types(ty)
            stack.extend(reversed(children))


def _child_types(ty: ast.Type) -> list[ast.Type]:
    if isinstance(ty, (ast.ListType, ast.OptionType)):
        return [ty.element]
    if isinstance(ty, ast.MapType):
        return [ty.key, ty.value]
    if isinstance(ty, ast.TupleType):
        return list(ty.elements)
    if isinstance(ty, ast.ResultType):
        return [t for t in (ty.ok, ty.err) if t is not None]
    if isinstance(ty, (ast.FutureType, ast.StreamType)):
        return [ty.element] if ty.element is not None else []
    return []


def _named_types(kind: TypeDraftKind) -> list[ir.Type]:
    """The types an anonymous type names directly, in wit-parser's search order."""
    if isinstance(kind, ir.AliasKind):
        return [kind.type]
    if isinstance(kind, ir.HandleKind):
        return [kind.resource]
    if isinstance(kind, ir.TupleKind):
        return list(kind.types)
    if isinstance(kind, (ir.ListKind, ir.FixedListKind, ir.OptionKind)):
        return [kind.type]
    if isinstance(kind, ir.MapKind):
        return [kind.key, kind.value]
    if isinstance(kind, (ir.FutureKind, ir.StreamKind)):
        return [kind.type] if kind.type is not None else []
    if isinstance(kind, ir.ResultKind):
        return [t for t in (kind.ok, kind.err) if t is not None]
    return []


def _anon_key(kind: TypeDraftKind) -> tuple[object, ...]:
    if isinstance(kind, ir.HandleKind):
        return ("borrow", kind.resource)
    if isinstance(kind, ir.ListKind):
        return ("list", kind.type)
    if isinstance(kind, ir.FixedListKind):
        return ("fixed-list", kind.type, kind.size)
    if isinstance(kind, ir.MapKind):
        return ("map", kind.key, kind.value)
    if isinstance(kind, ir.OptionKind):
        return ("option", kind.type)
    if isinstance(kind, ir.ResultKind):
        return ("result", kind.ok, kind.err)
    if isinstance(kind, ir.TupleKind):
        return ("tuple", kind.types)
    if isinstance(kind, ir.FutureKind):
        return ("future", kind.type)
    if isinstance(kind, ir.StreamKind):
        return ("stream", kind.type)
    raise AssertionError(f"{kind} cannot be anonymous")


class ComponentNames:
    """Names of one scope, unique as the component model compares them.

    Kebab names are equal ignoring ASCII case, and `[method]r.r` or
    `[static]r.r` equals the plain name `r` (wasmparser's `ComponentName`).
    wasm-tools 1.262 checks the names of interfaces and worlds this way, types
    and functions together, imports and exports apart.  It reports the same
    name twice as "duplicate name" and any other clash as "name `b` conflicts
    with previous name `a`" (an exact repeat of a type name is caught earlier,
    with wit-parser's own message).
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], str] = {}

    def check(self, name: str, span: Span | None) -> None:
        key = self.key(name)
        previous = self.seen.get(key)
        if previous is None:
            self.seen[key] = name
        elif previous == name:
            fail(f"duplicate name `{name}`", span)
        else:
            fail(f"name `{name}` conflicts with previous name `{previous}`", span)

    @staticmethod
    def key(name: str) -> tuple[str, ...]:
        lowered = name.lower() if name.isascii() else _ascii_lower(name)
        if lowered.startswith("[constructor]"):
            return ("constructor", lowered[len("[constructor]") :])
        for prefix in ("[method]", "[static]"):
            if lowered.startswith(prefix):
                resource, _, method = lowered[len(prefix) :].partition(".")
                if resource == method:
                    return ("label", resource)
                return ("resource-func", resource, method)
        return ("label", lowered)


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)
