"""The resolver's scratch model: arenas of drafts, filled in pass by pass.

In: nothing; the passes create and fill these.  Out: `Arena.freeze()`, the
immutable `ir.Resolve`.  Raises nothing.

wit-parser resolves in place: it allocates an interface when it learns the
interface's name, fills its types later, and rewrites world imports when it
elaborates the world.  Ids must be allocated in the order wit-parser
allocates them (so that ids, and the JSON, match wasm-tools), so the passes
work the same way on these mutable drafts.  Leaf values (functions, fields,
gates, type kinds) are the frozen `ir` values; only the containers here
change.  Nothing outside `witgen.resolve` sees a draft: `freeze` turns the
arena into the IR once every pass is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from witgen import ir
from witgen.diagnostics import Span


@dataclass(frozen=True, slots=True)
class UnknownKind:
    """A type `use`d from another package, not yet looked up there."""


TypeDraftKind = ir.TypeDefKind | UnknownKind


@dataclass(frozen=True, slots=True)
class TypeDraft:
    """A type definition of an unresolved package (it may be `UnknownKind`)."""

    name: str | None
    kind: TypeDraftKind
    owner: ir.Owner
    docs: str | None = None
    stability: ir.Stability = None
    span: Span | None = None
    external_id: str | None = None


@dataclass(slots=True)
class InterfaceDraft:
    name: str | None
    span: Span | None
    types: dict[str, ir.TypeId] = field(default_factory=dict)
    functions: dict[str, ir.Function] = field(default_factory=dict)
    docs: str | None = None
    stability: ir.Stability = None
    package: ir.PackageId | None = None
    clone_of: ir.InterfaceId | None = None


@dataclass(frozen=True, slots=True)
class IncludeName:
    name: str
    alias: str


@dataclass(frozen=True, slots=True)
class Include:
    """An `include` of a world, processed when the world is linked."""

    stability: ir.Stability
    world: ir.WorldId
    names: tuple[IncludeName, ...]
    span: Span | None


@dataclass(slots=True)
class WorldDraft:
    name: str
    span: Span | None
    imports: dict[ir.WorldKey, ir.WorldItem] = field(default_factory=dict)
    exports: dict[ir.WorldKey, ir.WorldItem] = field(default_factory=dict)
    docs: str | None = None
    stability: ir.Stability = None
    package: ir.PackageId | None = None
    includes: list[Include] = field(default_factory=list)


@dataclass(slots=True)
class PackageDraft:
    name: ir.PackageName
    docs: str | None = None
    interfaces: dict[str, ir.InterfaceId] = field(default_factory=dict)
    worlds: dict[str, ir.WorldId] = field(default_factory=dict)


@dataclass(slots=True)
class Arena:
    """The `Resolve` under construction: every package linked so far."""

    features: frozenset[str] = frozenset()
    all_features: bool = False
    packages: list[PackageDraft] = field(default_factory=list)
    interfaces: list[InterfaceDraft] = field(default_factory=list)
    worlds: list[WorldDraft] = field(default_factory=list)
    types: list[ir.TypeDef] = field(default_factory=list)
    package_names: dict[ir.PackageName, ir.PackageId] = field(default_factory=dict)

    def add_type(self, typedef: ir.TypeDef) -> ir.TypeId:
        self.types.append(typedef)
        return ir.TypeId(len(self.types) - 1)

    def add_interface(self, interface: InterfaceDraft) -> ir.InterfaceId:
        self.interfaces.append(interface)
        return ir.InterfaceId(len(self.interfaces) - 1)

    def add_world(self, world: WorldDraft) -> ir.WorldId:
        self.worlds.append(world)
        return ir.WorldId(len(self.worlds) - 1)

    def interface_id(self, interface: ir.InterfaceId) -> str | None:
        draft = self.interfaces[interface]
        if draft.name is None or draft.package is None:
            return None
        return self.packages[draft.package].name.interface_id(draft.name)

    def world_key_name(self, key: ir.WorldKey) -> str:
        if isinstance(key, str):
            return key
        name = self.interface_id(key.interface)
        assert name is not None, "an anonymous interface has no id"
        return name

    def type_interface_dep(self, type_id: ir.TypeId) -> ir.InterfaceId | None:
        """The interface a `use`d type comes from, when it is another one."""
        typedef = self.types[type_id]
        kind = typedef.kind
        if not isinstance(kind, ir.AliasKind) or not isinstance(kind.type, int):
            return None
        other = self.types[kind.type]
        if typedef.owner == other.owner:
            return None
        assert isinstance(other.owner, ir.InterfaceOwner)
        return other.owner.interface

    def interface_direct_deps(self, interface: ir.InterfaceId) -> list[ir.InterfaceId]:
        """Interfaces whose types `interface` uses (perhaps repeated), in order."""
        deps = []
        for type_id in self.interfaces[interface].types.values():
            dep = self.type_interface_dep(type_id)
            if dep is not None:
                deps.append(dep)
        return deps

    def freeze(self, main: ir.PackageId) -> ir.Resolve:
        return ir.Resolve(
            packages=tuple(
                ir.Package(
                    name=p.name,
                    interfaces=tuple(p.interfaces.items()),
                    worlds=tuple(p.worlds.items()),
                    docs=p.docs,
                )
                for p in self.packages
            ),
            interfaces=tuple(
                ir.Interface(
                    name=i.name,
                    types=tuple(i.types.items()),
                    functions=tuple(i.functions.items()),
                    package=i.package,
                    docs=i.docs,
                    stability=i.stability,
                    span=i.span,
                    clone_of=i.clone_of,
                )
                for i in self.interfaces
            ),
            worlds=tuple(
                ir.World(
                    name=w.name,
                    imports=tuple(w.imports.items()),
                    exports=tuple(w.exports.items()),
                    package=w.package,
                    docs=w.docs,
                    stability=w.stability,
                    span=w.span,
                )
                for w in self.worlds
            ),
            types=tuple(self.types),
            main=main,
        )
