"""Merge the arena of a decoded package into the arena being resolved.

In: `into`, the arena being resolved, and `source`, a fresh arena holding a
package decoded from WebAssembly and the packages it refers to.
Out: `merge(into, source)` adds to `into` what `source` has and `into` lacks,
and returns `Merged`, the id in `into` of each package of `source`.
Packages are united by name: a package `into` already has keeps its
interfaces and worlds, gains those it lacks, and each interface it shares
gains the types and functions it lacks; gates (`@since`, `@unstable`) fill in
where `into` has none.  Afterwards every world of `into` is elaborated again.
Raises: `Problem` with wit-parser's message when the two disagree (a
function's signature, a world's items, two different gates).

This is wit-parser's `Resolve::merge` and `MergeMap`, allocating ids in the
same order; the id updates reuse `link.Remap`, as wit-parser reuses `Remap`.
`context` is the helper that puts anyhow-style context in front of a problem.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from witgen import ir
from witgen.resolve import elaborate
from witgen.resolve.arena import Arena, InterfaceDraft, PackageDraft, TypeDraft, WorldDraft
from witgen.resolve.gates import include as gate_allows
from witgen.resolve.includes import stability_debug
from witgen.resolve.link import Remap
from witgen.resolve.problems import Problem, fail


@contextmanager
def context(layer: str) -> Iterator[None]:
    """Put `layer` in front of the message of a problem raised inside (anyhow's `context`)."""
    try:
        yield
    except Problem as problem:
        raise Problem(problem.diagnostic.within(layer)) from None


@dataclass(frozen=True, slots=True)
class Merged:
    """Where each package of the merged arena ended up, by its index there."""

    packages: tuple[ir.PackageId, ...]


def merge(into: Arena, source: Arena, *, elaborate_worlds: bool = True) -> Merged:
    """wit-parser's `Resolve::merge` (see the module docstring).  Without
    `elaborate_worlds`, the worlds keep their items' order: a component read as
    the main input is used as decoded, as `wasm-tools component wit` does (it
    merges nothing), and elaborating would move its exported functions ahead of
    its exported interfaces."""
    matches = _Matches(source, into)
    matches.build()
    remap = Remap(into)

    moved_types = []
    for index, typedef in enumerate(source.types):
        target = matches.types.get(index)
        if target is not None:
            existing = into.types[target]
            stability = update_stability(typedef.stability, existing.stability)
            into.types[target] = dataclasses.replace(existing, stability=stability)
        else:
            moved_types.append(index)
            draft = TypeDraft(
                name=typedef.name,
                kind=typedef.kind,
                owner=typedef.owner,
                docs=typedef.docs,
                stability=typedef.stability,
                span=typedef.span,
                external_id=typedef.external_id,
            )
            target = into.add_type(remap.update_typedef(draft))
        remap.types.append(target)

    moved_interfaces = []
    for index, interface in enumerate(source.interfaces):
        interface_target = matches.interfaces.get(index)
        if interface_target is not None:
            _extend_interface(remap, interface, into.interfaces[interface_target])
        else:
            moved_interfaces.append(index)
            interface_target = into.add_interface(_moved_interface(into, remap, interface))
        remap.interfaces.append(interface_target)

    moved_worlds = []
    for index, world in enumerate(source.worlds):
        world_target = matches.worlds.get(index)
        if world_target is not None:
            existing_world = into.worlds[world_target]
            existing_world.stability = update_stability(world.stability, existing_world.stability)
            for items, target_items in (
                (world.imports, existing_world.imports),
                (world.exports, existing_world.exports),
            ):
                for key, item in items.items():
                    _update_item_stability(key, item, target_items, matches.interfaces)
        else:
            moved_worlds.append(index)
            world_target = into.add_world(_moved_world(remap, world))
        remap.worlds.append(world_target)

    packages: list[ir.PackageId] = []
    for index, package in enumerate(source.packages):
        package_target = matches.packages.get(index)
        if package_target is None:
            into.packages.append(
                PackageDraft(
                    package.name,
                    package.docs,
                    {n: remap.map_interface(i, None) for n, i in package.interfaces.items()},
                    {n: remap.map_world(w, None) for n, w in package.worlds.items()},
                )
            )
            package_target = ir.PackageId(len(into.packages) - 1)
        packages.append(package_target)
    for name, index in source.package_names.items():
        into.package_names[name] = packages[index]

    for index in moved_worlds:
        world_draft = into.worlds[remap.map_world(index, None)]
        if world_draft.package is not None:
            world_draft.package = packages[world_draft.package]
    for index in moved_interfaces:
        interface_draft = into.interfaces[remap.map_interface(index, None)]
        if interface_draft.package is not None:
            interface_draft.package = packages[interface_draft.package]
        if interface_draft.clone_of is not None:
            interface_draft.clone_of = remap.map_interface(interface_draft.clone_of, None)
    for index in moved_types:
        type_id = remap.map_type(index, None)
        typedef = into.types[type_id]
        owner = typedef.owner
        if isinstance(owner, ir.InterfaceOwner):
            owner = ir.InterfaceOwner(remap.map_interface(owner.interface, None))
        elif isinstance(owner, ir.WorldOwner):
            owner = ir.WorldOwner(remap.map_world(owner.world, None))
        into.types[type_id] = dataclasses.replace(typedef, owner=owner)

    for item_name, package_id, interface_id in matches.interfaces_to_add:
        into.packages[package_id].interfaces[item_name] = remap.map_interface(interface_id, None)
    for item_name, package_id, world_id in matches.worlds_to_add:
        into.packages[package_id].worlds[item_name] = remap.map_world(world_id, None)

    # Merging may have added types to interfaces that worlds already import,
    # and with them new interfaces those worlds need.
    if elaborate_worlds:
        for world_index in range(len(into.worlds)):
            elaborate.world(into, ir.WorldId(world_index), into.worlds[world_index].span)
    return Merged(tuple(packages))


def update_stability(source: ir.Stability, target: ir.Stability) -> ir.Stability:
    """The gate of an item present on both sides (wit-parser's `update_stability`)."""
    if source == target or source is None:
        return target
    if target is None:
        return source
    fail(
        f"mismatch in stability from '{stability_debug(source)}' to '{stability_debug(target)}'",
        None,
    )


def _extend_interface(remap: Remap, interface: InterfaceDraft, target: InterfaceDraft) -> None:
    """An interface both sides have: the types and functions only `source` has are added."""
    target.stability = update_stability(interface.stability, target.stability)
    for name, type_id in interface.types.items():
        if name not in target.types:
            target.types[name] = remap.map_type(type_id, None)
    extra = [(n, f) for n, f in interface.functions.items() if n not in target.functions]
    for name, function in extra:
        target.functions[name] = remap.update_function(function, None)


def _moved_interface(into: Arena, remap: Remap, interface: InterfaceDraft) -> InterfaceDraft:
    """wit-parser's `Remap::update_interface`, as `merge` runs it.

    The gates of functions are checked against the package of `into` that
    has the index of the interface's package in `source`, as wit-parser does.
    """
    package = interface.package
    assert package is not None, "a decoded interface always has a package"
    functions = {}
    for name, function in interface.functions.items():
        if _included(into, function.stability, package):
            functions[name] = remap.update_function(function, None)
    return InterfaceDraft(
        name=interface.name,
        span=interface.span,
        types={n: remap.map_type(t, None) for n, t in interface.types.items()},
        functions=functions,
        docs=interface.docs,
        stability=interface.stability,
        package=package,
        clone_of=interface.clone_of,
    )


def _included(into: Arena, stability: ir.Stability, package: ir.PackageId) -> bool:
    """wit-parser's `include_stability`: a package id out of range checks nothing."""
    if isinstance(stability, ir.Stable) and package >= len(into.packages):
        return True
    return gate_allows(into, stability, package, None)


def _moved_world(remap: Remap, world: WorldDraft) -> WorldDraft:
    def update(items: dict[ir.WorldKey, ir.WorldItem]) -> dict[ir.WorldKey, ir.WorldItem]:
        updated: dict[ir.WorldKey, ir.WorldItem] = {}
        for key, item in items.items():
            new_key: ir.WorldKey = key
            if isinstance(key, ir.InterfaceKey):
                new_key = ir.InterfaceKey(remap.map_interface(key.interface, None))
            new_item: ir.WorldItem
            if isinstance(item, ir.FunctionItem):
                new_item = ir.FunctionItem(remap.update_function(item.function, None))
            elif isinstance(item, ir.InterfaceItem):
                interface = remap.map_interface(item.interface, None)
                new_item = dataclasses.replace(item, interface=interface)
            else:
                new_item = dataclasses.replace(item, type=remap.map_type(item.type, None))
            updated[new_key] = new_item
        return updated

    imports = update(world.imports)
    exports = update(world.exports)
    return WorldDraft(
        name=world.name,
        span=world.span,
        imports=imports,
        exports=exports,
        docs=world.docs,
        stability=world.stability,
        package=world.package,
    )


def _update_item_stability(
    key: ir.WorldKey,
    item: ir.WorldItem,
    target: dict[ir.WorldKey, ir.WorldItem],
    interfaces: dict[int, ir.InterfaceId],
) -> None:
    """`update_world_imports_stability`: an interface imported or exported by
    both copies of a world takes the gate `source` gives it."""
    if not isinstance(key, ir.InterfaceKey):
        return
    new_key = ir.InterfaceKey(interfaces.get(key.interface, key.interface))
    existing = target[new_key]
    assert isinstance(item, ir.InterfaceItem) and isinstance(existing, ir.InterfaceItem)
    stability = update_stability(item.stability, existing.stability)
    target[new_key] = dataclasses.replace(existing, stability=stability)


class _Matches:
    """wit-parser's `MergeMap`: which items of `source` `into` already has."""

    def __init__(self, source: Arena, into: Arena) -> None:
        self.source = source
        self.into = into
        self.packages: dict[int, ir.PackageId] = {}
        self.interfaces: dict[int, ir.InterfaceId] = {}
        self.types: dict[int, ir.TypeId] = {}
        self.worlds: dict[int, ir.WorldId] = {}
        self.interfaces_to_add: list[tuple[str, ir.PackageId, ir.InterfaceId]] = []
        self.worlds_to_add: list[tuple[str, ir.PackageId, ir.WorldId]] = []

    def build(self) -> None:
        for package_id in _topological_packages(self.source):
            package = self.source.packages[package_id]
            into_id = self.into.package_names.get(package.name)
            if into_id is None:
                continue
            with context(f"failed to merge package `{package.name}` into existing copy"):
                self._package(package_id, into_id)

    def _package(self, source_id: ir.PackageId, into_id: ir.PackageId) -> None:
        self.packages[source_id] = into_id
        package = self.source.packages[source_id]
        target = self.into.packages[into_id]
        for name, interface in package.interfaces.items():
            target_interface = target.interfaces.get(name)
            if target_interface is None:
                self.interfaces_to_add.append((name, into_id, interface))
                continue
            with context(f"failed to merge interface `{name}`"):
                self._interface(interface, target_interface)
        for name, world in package.worlds.items():
            target_world = target.worlds.get(name)
            if target_world is None:
                self.worlds_to_add.append((name, into_id, world))
                continue
            with context(f"failed to merge world `{name}`"):
                self._world(world, target_world)

    def _interface(self, source_id: ir.InterfaceId, into_id: ir.InterfaceId) -> None:
        self.interfaces[source_id] = into_id
        interface = self.source.interfaces[source_id]
        target = self.into.interfaces[into_id]
        for name, type_id in interface.types.items():
            target_type = target.types.get(name)
            if target_type is not None:
                self.types[type_id] = target_type
        for name, function in interface.functions.items():
            target_function = target.functions.get(name)
            if target_function is not None:
                with context(f"mismatch in function `{name}`"):
                    _match_function(function, target_function)

    def _world(self, source_id: ir.WorldId, into_id: ir.WorldId) -> None:
        self.worlds[source_id] = into_id
        world = self.source.worlds[source_id]
        target = self.into.worlds[into_id]
        if len(world.imports) != len(target.imports):
            fail("world contains different number of imports than expected", None)
        if len(world.exports) != len(target.exports):
            fail("world contains different number of exports than expected", None)
        for direction, items, target_items in (
            ("import", world.imports, target.imports),
            ("export", world.exports, target.exports),
        ):
            for key, item in items.items():
                target_key: ir.WorldKey = key
                if isinstance(key, ir.InterfaceKey):
                    target_key = ir.InterfaceKey(self.interfaces.get(key.interface, key.interface))
                name = self.source.world_key_name(key)
                target_item = target_items.get(target_key)
                if target_item is None:
                    fail(f"{direction} `{name}` not found in target world", None)
                with context(f"{direction} `{name}` didn't match target world"):
                    self._match_item(item, target_item)

    def _match_item(self, item: ir.WorldItem, target: ir.WorldItem) -> None:
        if isinstance(item, ir.InterfaceItem) and isinstance(target, ir.InterfaceItem):
            source_name = self.source.interfaces[item.interface].name
            target_name = self.into.interfaces[target.interface].name
            if source_name is None and target_name is None:
                self._interface(item.interface, target.interface)
            elif self.interfaces.get(item.interface) != target.interface:
                fail("interfaces are not the same", None)
        elif isinstance(item, ir.FunctionItem) and isinstance(target, ir.FunctionItem):
            pass
        elif isinstance(item, ir.TypeItem) and isinstance(target, ir.TypeItem):
            self.types[item.type] = target.type
        else:
            fail("world items do not have the same type", None)


def _match_function(function: ir.Function, target: ir.Function) -> None:
    """`MergeMap::build_function`: the two copies of a function must agree."""
    if function.name != target.name:
        fail(f"different function names `{function.name}` and `{target.name}`", None)
    if function.kind != target.kind:
        fail("different function kind types", None)
    if len(function.params) != len(target.params):
        fail("different number of function parameters", None)
    for param, target_param in zip(function.params, target.params, strict=True):
        if param.name != target_param.name:
            fail(
                f"different function parameter names: {param.name} != {target_param.name}",
                None,
            )
        with context(f"different function parameter types for `{param.name}`"):
            _match_type(param.type, target_param.type)
    if function.result is not None and target.result is not None:
        with context("different function result types"):
            _match_type(function.result, target.result)
    elif function.result is not None or target.result is not None:
        fail("different number of function results", None)


def _match_type(source: ir.Type, target: ir.Type) -> None:
    if isinstance(source, int) and isinstance(target, int):
        return  # wit-parser does not compare defined types (yet)
    if source != target:
        fail("different kinds of types", None)


def _topological_packages(arena: Arena) -> list[ir.PackageId]:
    """`Resolve::topological_packages`: each package after those it uses."""
    pushed = [False] * len(arena.packages)
    order: list[ir.PackageId] = []
    for start in range(len(arena.packages)):
        if pushed[start]:
            continue
        stack = [(start, iter(_package_deps(arena, ir.PackageId(start))))]
        active = {start}
        while stack:
            package, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                active.discard(package)
                if not pushed[package]:
                    order.append(ir.PackageId(package))
                    pushed[package] = True
            elif not pushed[dep] and dep not in active:
                active.add(dep)
                stack.append((dep, iter(_package_deps(arena, dep))))
    return order


def _package_deps(arena: Arena, package_id: ir.PackageId) -> list[ir.PackageId]:
    """`Resolve::package_direct_deps`: the other packages whose interfaces it uses."""
    package = arena.packages[package_id]
    interfaces: list[ir.InterfaceId] = []
    for interface in package.interfaces.values():
        interfaces.extend(arena.interface_direct_deps(interface))
    for world_id in package.worlds.values():
        world = arena.worlds[world_id]
        for item in (*world.imports.values(), *world.exports.values()):
            if isinstance(item, ir.InterfaceItem):
                interfaces.append(item.interface)
            elif isinstance(item, ir.TypeItem):
                dep = arena.type_interface_dep(item.type)
                if dep is not None:
                    interfaces.append(dep)
    deps = []
    for interface in interfaces:
        owner = arena.interfaces[interface].package
        if owner is not None and owner != package_id:
            deps.append(owner)
    return deps
