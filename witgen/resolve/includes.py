"""Pass: merge `include`d worlds into the worlds that include them.

In: a linked world with its `include` statements.  Out: the world with the
imports and exports of every included world copied in, `with { a as b }`
renames applied, and types and inline interfaces that belong to the included
world cloned into the including one (wit-parser's `Cloner`).  Raises
`Problem`: a rename naming nothing, a name that shadows one already there,
conflicting gates on one interface.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from witgen import ir
from witgen.diagnostics import Span
from witgen.resolve import gates
from witgen.resolve.arena import Arena, IncludeName, InterfaceDraft
from witgen.resolve.problems import fail
from witgen.resolve.unresolved import ComponentNames
from witgen.version import Version

if TYPE_CHECKING:
    from witgen.resolve.link import Remap


def process(arena: Arena, remap: Remap, world_id: ir.WorldId, package: ir.PackageId) -> None:
    world = arena.worlds[world_id]
    pending = world.includes
    world.includes = []
    for include in pending:
        if not gates.include(arena, include.stability, package, include.span):
            continue
        _include(
            arena,
            remap,
            world_id,
            include.world,
            names=include.names,
            span=include.span,
            package=package,
        )
    _check_case_insensitive_names(arena, world_id)


def _include(
    arena: Arena,
    remap: Remap,
    world_id: ir.WorldId,
    included_original: ir.WorldId,
    *,
    names: tuple[IncludeName, ...],
    span: Span | None,
    package: ir.PackageId,
) -> None:
    world = arena.worlds[world_id]
    included_id = remap.map_world(included_original, span)
    included = arena.worlds[included_id]
    imports = list(included.imports.items())
    exports = list(included.exports.items())
    external = world.package != included.package

    unmatched = list(names)
    for key, _ in (*imports, *exports):
        if isinstance(key, str):
            unmatched = [n for n in unmatched if _rename(key, n) is None]
    if unmatched:
        fail(
            f"no import or export kebab-name `{unmatched[0].name}`. "
            "Note that an ID does not support renaming",
            span,
        )

    cloner = Cloner(arena, ir.WorldOwner(included_id), ir.WorldOwner(world_id), package)
    for direction, items in (("import", imports), ("export", exports)):
        for key, item in items:
            target = world.imports if direction == "import" else world.exports
            if isinstance(key, str):
                new_name = next((r for r in (_rename(key, n) for n in names) if r is not None), key)
                new_item = cloner.world_item(item)
                if isinstance(new_item, ir.FunctionItem):
                    new_item = ir.FunctionItem(
                        dataclasses.replace(new_item.function, name=new_name)
                    )
                elif isinstance(new_item, ir.TypeItem):
                    arena.types[new_item.type] = dataclasses.replace(
                        arena.types[new_item.type], name=new_name
                    )
                if new_name in target:
                    fail(
                        f"{direction} of `{new_name}` shadows previously {direction}ed items",
                        span,
                    )
                target[new_name] = new_item
            else:
                existing = target.setdefault(key, item)
                assert isinstance(item, ir.InterfaceItem) and isinstance(existing, ir.InterfaceItem)
                merged = _merge_stability(item.stability, existing.stability, external, item.span)
                if merged is not existing.stability:
                    target[key] = dataclasses.replace(existing, stability=merged)


def _rename(original: str, include: IncludeName) -> str | None:
    """The new name of `original` under `include`, if it applies.

    `[method]r.m`, `[static]r.m` and `[constructor]r` follow a rename of `r`.
    """
    if original == include.name:
        return include.alias
    kind, bracket, rest = original.partition("]")
    if not bracket:
        return None
    resource, dot, method = rest.partition(".")
    if dot and resource == include.name:
        return f"{kind}]{include.alias}.{method}"
    if rest == include.name:
        return f"{kind}]{include.alias}"
    return None


def _merge_stability(
    source: ir.Stability, target: ir.Stability, external: bool, span: Span | None
) -> ir.Stability:
    """The gate of an interface included twice (wit-parser's `merge_include_stability`)."""
    if external and isinstance(source, ir.Stable):
        return None
    if source == target or source is None:
        return target
    if target is None:
        return source
    fail(
        f"mismatch in stability from '{stability_debug(source)}' to '{stability_debug(target)}'",
        span,
    )


def stability_debug(stability: ir.Stability) -> str:
    """Rust's `{:?}` of a `Stability`."""
    if isinstance(stability, ir.Stable):
        return (
            f"Stable {{ since: {_version_debug(stability.since)}, "
            f"deprecated: {_option_debug(stability.deprecated)} }}"
        )
    if isinstance(stability, ir.Unstable):
        return (
            f'Unstable {{ feature: "{stability.feature}", '
            f"deprecated: {_option_debug(stability.deprecated)} }}"
        )
    return "Unknown"


def _option_debug(version: Version | None) -> str:
    return "None" if version is None else f"Some({_version_debug(version)})"


def _version_debug(version: Version) -> str:
    """The `semver` crate's `{:?}` of a version."""
    text = f"Version {{ major: {version.major}, minor: {version.minor}, patch: {version.patch}"
    if version.pre:
        text += f', pre: Prerelease("{version.pre}")'
    if version.build:
        text += f', build: BuildMetadata("{version.build}")'
    return text + " }"


def _check_case_insensitive_names(arena: Arena, world_id: ir.WorldId) -> None:
    """Names that differ only as component names (case, say), which includes
    can bring together; wasm-tools 1.262 reports them without a location."""
    world = arena.worlds[world_id]
    for direction, items in (("import", world.imports), ("export", world.exports)):
        seen: dict[tuple[str, ...], str] = {}
        for key in items:
            if not isinstance(key, str):
                continue
            component_key = ComponentNames.key(key)
            existing = seen.get(component_key)
            if existing is not None and existing != key:
                fail(
                    f"{direction} `{key}` in world `{world.name}` conflicts with {direction} "
                    f"`{existing}` (names must be strongly unique)",
                    None,
                )
            seen[component_key] = key


class Cloner:
    """Deep copies of what one owner (world or interface) defines, for another.

    Types owned by `old_owner` and anonymous types are copied, with their
    references updated; types owned elsewhere (a `use`d interface's types) are
    shared.  Copies are made once per type (`types` remembers them).
    """

    def __init__(
        self, arena: Arena, old_owner: ir.Owner, new_owner: ir.Owner, package: ir.PackageId
    ) -> None:
        self.arena = arena
        self.old_owner = old_owner
        self.new_owner = new_owner
        self.package = package
        self.types: dict[ir.TypeId, ir.TypeId] = {}

    def world_item(self, item: ir.WorldItem) -> ir.WorldItem:
        if isinstance(item, ir.TypeItem):
            return ir.TypeItem(self.type_id(item.type), item.span)
        if isinstance(item, ir.FunctionItem):
            return ir.FunctionItem(self.function(item.function))
        if self.arena.interfaces[item.interface].name is not None:
            return item
        return dataclasses.replace(item, interface=self.interface(item.interface))

    def type_id(self, type_id: ir.TypeId) -> ir.TypeId:
        copied = self.types.get(type_id)
        if copied is None:
            typedef = self.arena.types[type_id]
            copied = self.arena.add_type(self._typedef(typedef))
            self.types[type_id] = copied
        return copied

    def _typedef(self, typedef: ir.TypeDef) -> ir.TypeDef:
        owner = typedef.owner
        if owner is not None:
            assert owner == self.old_owner
            owner = self.new_owner
        kind = typedef.kind
        new_kind: ir.TypeDefKind = kind
        if isinstance(kind, ir.AliasKind):
            target = kind.type
            if isinstance(target, int):
                if self.arena.types[target].owner == self.old_owner:
                    target = self.type_id(target)
                else:
                    target = self.types.get(target, target)
            new_kind = ir.AliasKind(target)
        elif isinstance(kind, ir.HandleKind):
            new_kind = ir.HandleKind(kind.handle, self.type_id(kind.resource))
        elif isinstance(kind, (ir.OptionKind, ir.ListKind)):
            new_kind = type(kind)(self.ty(kind.type))
        elif isinstance(kind, ir.FixedListKind):
            new_kind = ir.FixedListKind(self.ty(kind.type), kind.size)
        elif isinstance(kind, ir.MapKind):
            new_kind = ir.MapKind(self.ty(kind.key), self.ty(kind.value))
        elif isinstance(kind, ir.TupleKind):
            new_kind = ir.TupleKind(tuple(self.ty(t) for t in kind.types))
        elif isinstance(kind, ir.RecordKind):
            new_kind = ir.RecordKind(
                tuple(dataclasses.replace(f, type=self.ty(f.type)) for f in kind.fields)
            )
        elif isinstance(kind, ir.VariantKind):
            new_kind = ir.VariantKind(
                tuple(
                    dataclasses.replace(c, type=self.ty(c.type)) if c.type is not None else c
                    for c in kind.cases
                )
            )
        elif isinstance(kind, ir.ResultKind):
            new_kind = ir.ResultKind(
                self.ty(kind.ok) if kind.ok is not None else None,
                self.ty(kind.err) if kind.err is not None else None,
            )
        elif isinstance(kind, (ir.FutureKind, ir.StreamKind)):
            new_kind = type(kind)(self.ty(kind.type) if kind.type is not None else None)
        return dataclasses.replace(typedef, owner=owner, kind=new_kind)

    def ty(self, ty: ir.Type) -> ir.Type:
        return self.type_id(ty) if isinstance(ty, int) else ty

    def function(self, function: ir.Function) -> ir.Function:
        resource = self.type_id(function.resource) if function.resource is not None else None
        params = tuple(dataclasses.replace(p, type=self.ty(p.type)) for p in function.params)
        result = self.ty(function.result) if function.result is not None else None
        return dataclasses.replace(function, resource=resource, params=params, result=result)

    def interface(self, interface_id: ir.InterfaceId) -> ir.InterfaceId:
        old = self.arena.interfaces[interface_id]
        new_id = ir.InterfaceId(len(self.arena.interfaces))
        inner = Cloner(
            self.arena, ir.InterfaceOwner(interface_id), ir.InterfaceOwner(new_id), self.package
        )
        inner.types = self.types
        types = {name: inner.type_id(t) for name, t in old.types.items()}
        functions = {name: inner.function(f) for name, f in old.functions.items()}
        assert len(self.arena.interfaces) == new_id
        return self.arena.add_interface(
            InterfaceDraft(
                name=old.name,
                span=old.span,
                types=types,
                functions=functions,
                docs=old.docs,
                stability=old.stability,
                package=self.package,
                clone_of=interface_id,
            )
        )
