"""Pass: link one package into the arena.

In: an `UnresolvedPackage` whose dependencies are already in the arena.
Out: the package's types, interfaces and worlds added to the arena with every
reference mapped to arena ids (wit-parser's `Remap::append`): references to
other packages connected to what those packages define, items whose feature
gate is off left out, a bare reference to a resource turned into an `own`
handle, world includes merged and worlds elaborated.  Returns the package id.
Raises `Problem` at the first error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TypeVar

from witgen import ir
from witgen.diagnostics import Span
from witgen.resolve import elaborate, includes
from witgen.resolve.arena import (
    Arena,
    InterfaceDraft,
    PackageDraft,
    TypeDraft,
    UnknownKind,
    WorldDraft,
)
from witgen.resolve.gates import include as gate_allows
from witgen.resolve.problems import fail
from witgen.resolve.unresolved import UnresolvedPackage


class Remap:
    """Maps the ids of one unresolved package to arena ids; None: gated out."""

    def __init__(self, arena: Arena) -> None:
        self.arena = arena
        self.types: list[ir.TypeId | None] = []
        self.interfaces: list[ir.InterfaceId | None] = []
        self.worlds: list[ir.WorldId | None] = []
        self.own_handles: dict[ir.TypeId, ir.TypeId] = {}
        self.has_borrow: dict[ir.TypeId, bool] = {}

    # -- id maps

    def map_type(self, type_id: int, span: Span | None) -> ir.TypeId:
        return _apply(self.types, type_id, "type", span)

    def map_interface(self, interface: int, span: Span | None) -> ir.InterfaceId:
        return _apply(self.interfaces, interface, "interface", span)

    def map_world(self, world: int, span: Span | None) -> ir.WorldId:
        return _apply(self.worlds, world, "world", span)

    def _map_owner_interface(self, interface: int, span: Span | None) -> ir.InterfaceId:
        if self.interfaces[interface] is None:
            fail(
                f"{_EXCLUDED.format(desc='interface')}; "
                "this type is not gated by a feature but its interface is",
                span,
            )
        return self.map_interface(interface, span)

    def _map_owner_world(self, world: int, span: Span | None) -> ir.WorldId:
        if self.worlds[world] is None:
            fail(
                f"{_EXCLUDED.format(desc='world')}; "
                "this type is not gated by a feature but its world is",
                span,
            )
        return self.map_world(world, span)

    # -- the pass

    def append(self, unresolved: UnresolvedPackage) -> ir.PackageId:
        arena = self.arena
        if unresolved.name in arena.package_names:
            # A `deps/` entry encoded as WebAssembly carried (part of) a package
            # that is also given as text; wasm-tools panics here.
            fail(
                f"attempting to re-add package `{unresolved.name}` when it's already "
                "present in this `Resolve`",
                unresolved.name_span,
            )
        arena.packages.append(PackageDraft(unresolved.name, unresolved.docs))
        package = ir.PackageId(len(arena.packages) - 1)
        arena.package_names[unresolved.name] = package
        self._connect_foreign(unresolved, package)

        foreign_types = len(self.types)
        foreign_interfaces = len(self.interfaces)
        foreign_worlds = len(self.worlds)

        for draft in unresolved.types[foreign_types:]:
            if not gate_allows(arena, draft.stability, package, draft.span):
                self.types.append(None)
                continue
            typedef = self.update_typedef(draft)
            new_id = arena.add_type(typedef)
            kind = typedef.kind
            if (
                typedef.name is None
                and typedef.owner is None
                and isinstance(kind, ir.HandleKind)
                and kind.handle == "own"
            ):
                new_id = self.own_handles.setdefault(kind.resource, new_id)
            self.types.append(new_id)

        for interface in unresolved.interfaces[foreign_interfaces:]:
            if not gate_allows(arena, interface.stability, package, interface.span):
                self.interfaces.append(None)
                continue
            assert interface.package is None
            interface.package = package
            self._update_interface(interface)
            self.interfaces.append(arena.add_interface(interface))

        for type_id in self.types[foreign_types:]:
            if type_id is None:
                continue
            typedef = arena.types[type_id]
            if isinstance(typedef.owner, ir.InterfaceOwner):
                owner = self._map_owner_interface(typedef.owner.interface, typedef.span)
                arena.types[type_id] = dataclasses.replace(typedef, owner=ir.InterfaceOwner(owner))

        for world in unresolved.worlds[foreign_worlds:]:
            if not gate_allows(arena, world.stability, package, world.span):
                self.worlds.append(None)
                continue
            self._update_world(world, package)
            self.worlds.append(arena.add_world(world))

        for type_id in self.types[foreign_types:]:
            if type_id is None:
                continue
            typedef = arena.types[type_id]
            if isinstance(typedef.owner, ir.WorldOwner):
                owner_world = self._map_owner_world(typedef.owner.world, typedef.span)
                arena.types[type_id] = dataclasses.replace(
                    typedef, owner=ir.WorldOwner(owner_world)
                )

        for world_id in self.worlds[foreign_worlds:]:
            if world_id is None:
                continue
            includes.process(arena, self, world_id, package)
            elaborate.world(arena, world_id, arena.worlds[world_id].span)

        for interface_id in self.interfaces[foreign_interfaces:]:
            if interface_id is None:
                continue
            interface_draft = arena.interfaces[interface_id]
            interface_draft.package = package
            if interface_draft.name is not None:
                assert interface_draft.name not in arena.packages[package].interfaces
                arena.packages[package].interfaces[interface_draft.name] = interface_id
        for world_id in self.worlds[foreign_worlds:]:
            if world_id is None:
                continue
            world_draft = arena.worlds[world_id]
            world_draft.package = package
            assert world_draft.name not in arena.packages[package].worlds
            arena.packages[package].worlds[world_draft.name] = world_id
        return package

    # -- foreign items

    def _connect_foreign(self, unresolved: UnresolvedPackage, package: ir.PackageId) -> None:
        interface_to_package: dict[int, tuple[ir.PackageName, str, Span, list[ir.Stability]]] = {}
        world_to_package: dict[int, tuple[ir.PackageName, str, Span, list[ir.Stability]]] = {}
        for index, (name, deps) in enumerate(unresolved.foreign_deps.items()):
            span = unresolved.foreign_dep_spans[index]
            for item_name, dep in deps.items():
                target = interface_to_package if dep.item[0] == "interface" else world_to_package
                target[dep.item[1]] = (name, item_name, span, dep.stabilities)

        for index, interface in enumerate(unresolved.interfaces):
            found = interface_to_package.get(index)
            if found is None:
                break
            name, item_name, span, stabilities = found
            other = self._package_named(name, span)
            assert not interface.functions
            if not any(gate_allows(self.arena, s, package, interface.span) for s in stabilities):
                self.interfaces.append(None)
                continue
            interface_id = self.arena.packages[other].interfaces.get(item_name)
            if interface_id is None:
                fail(
                    f"interface '{item_name}' not found in package "
                    f"'{self.arena.packages[other].name}'",
                    interface.span,
                )
            self.interfaces.append(interface_id)

        for index, world in enumerate(unresolved.worlds):
            found = world_to_package.get(index)
            if found is None:
                break
            name, item_name, span, stabilities = found
            other = self._package_named(name, span)
            if not any(gate_allows(self.arena, s, package, world.span) for s in stabilities):
                self.worlds.append(None)
                continue
            world_id = self.arena.packages[other].worlds.get(item_name)
            if world_id is None:
                fail(
                    f"world '{item_name}' not found in package "
                    f"'{self.arena.packages[other].name}'",
                    world.span,
                )
            self.worlds.append(world_id)

        for index, draft in enumerate(unresolved.types):
            if not isinstance(draft.kind, UnknownKind):
                break
            if not gate_allows(self.arena, draft.stability, package, draft.span):
                self.types.append(None)
                continue
            assert isinstance(draft.owner, ir.InterfaceOwner) and draft.name is not None
            interface_id = self.map_interface(draft.owner.interface, None)
            type_id = self.arena.interfaces[interface_id].types.get(draft.name)
            if type_id is None:
                fail(
                    f"type `{draft.name}` not defined in interface",
                    unresolved.unknown_type_spans[index],
                )
            self.types.append(type_id)

        for unresolved_id, span in unresolved.required_resource_types:
            if self.types[unresolved_id] is None:
                continue  # gated out: any use of it is reported where it is used
            current = self.map_type(unresolved_id, span)
            while True:
                kind = self.arena.types[current].kind
                if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
                    current = kind.type
                elif isinstance(kind, ir.ResourceKind):
                    break
                else:
                    fail("type used in a handle must be a resource", span)

    def _package_named(self, name: ir.PackageName, span: Span) -> ir.PackageId:
        package = self.arena.package_names.get(name)
        if package is None:
            known = list(self.arena.package_names)
            if not known:
                fail(f"package '{name}' not found", span)
            listing = "".join(f"\n    {k}" for k in known)
            fail(f"package '{name}' not found. known packages:{listing}", span)
        return package

    # -- updating references

    def update_typedef(self, draft: TypeDraft) -> ir.TypeDef:
        kind = draft.kind
        assert not isinstance(kind, UnknownKind)
        span = draft.span
        new_kind: ir.TypeDefKind
        if isinstance(kind, ir.HandleKind):
            new_kind = ir.HandleKind(kind.handle, self.map_type(kind.resource, span))
        elif isinstance(kind, ir.RecordKind):
            new_kind = ir.RecordKind(
                tuple(_with_type(f, self.update_type(f.type, f.span)) for f in kind.fields)
            )
        elif isinstance(kind, ir.TupleKind):
            new_kind = ir.TupleKind(tuple(self.update_type(t, span) for t in kind.types))
        elif isinstance(kind, ir.VariantKind):
            new_kind = ir.VariantKind(
                tuple(
                    (_with_type(c, self.update_type(c.type, span)) if c.type is not None else c)
                    for c in kind.cases
                )
            )
        elif isinstance(kind, ir.OptionKind):
            new_kind = ir.OptionKind(self.update_type(kind.type, span))
        elif isinstance(kind, ir.ListKind):
            new_kind = ir.ListKind(self.update_type(kind.type, span))
        elif isinstance(kind, ir.FixedListKind):
            new_kind = ir.FixedListKind(self.update_type(kind.type, span), kind.size)
        elif isinstance(kind, ir.FutureKind):
            new_kind = ir.FutureKind(
                self.update_type(kind.type, span) if kind.type is not None else None
            )
        elif isinstance(kind, ir.StreamKind):
            new_kind = ir.StreamKind(
                self.update_type(kind.type, span) if kind.type is not None else None
            )
        elif isinstance(kind, ir.MapKind):
            new_kind = ir.MapKind(
                self.update_type(kind.key, span), self.update_type(kind.value, span)
            )
        elif isinstance(kind, ir.ResultKind):
            new_kind = ir.ResultKind(
                self.update_type(kind.ok, span) if kind.ok is not None else None,
                self.update_type(kind.err, span) if kind.err is not None else None,
            )
        elif isinstance(kind, ir.AliasKind):
            # `type a = b` keeps pointing at `b` itself, not at `own<b>`: `a` is
            # then usable both as a resource and as a handle.
            target = kind.type
            new_kind = ir.AliasKind(
                self.map_type(target, span) if isinstance(target, int) else target
            )
        else:
            new_kind = kind
        return ir.TypeDef(
            name=draft.name,
            kind=new_kind,
            owner=draft.owner,
            docs=draft.docs,
            stability=draft.stability,
            span=draft.span,
            external_id=draft.external_id,
        )

    def update_type(self, ty: ir.Type, span: Span | None) -> ir.Type:
        """Map a reference; a reference to a resource becomes `own<resource>`."""
        if not isinstance(ty, int):
            return ty
        mapped = self.map_type(ty, span)
        current = mapped
        while True:
            kind = self.arena.types[current].kind
            if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
                current = kind.type
            else:
                break
        if not isinstance(self.arena.types[current].kind, ir.ResourceKind):
            return mapped
        handle = self.own_handles.get(mapped)
        if handle is None:
            handle = self.arena.add_type(
                ir.TypeDef(name=None, kind=ir.HandleKind("own", mapped), owner=None)
            )
            self.own_handles[mapped] = handle
        return handle

    def _update_interface(self, interface: InterfaceDraft) -> None:
        interface.types = {
            name: self.map_type(type_id, interface.span)
            for name, type_id in interface.types.items()
            if self.types[type_id] is not None
        }
        package = interface.package
        assert package is not None
        kept = {}
        for name, function in interface.functions.items():
            if not gate_allows(self.arena, function.stability, package, function.span):
                continue
            kept[name] = self.update_function(function, function.span)
        interface.functions = kept

    def update_function(self, function: ir.Function, span: Span | None) -> ir.Function:
        resource = self.map_type(function.resource, span) if function.resource is not None else None
        params = tuple(_with_type(p, self.update_type(p.type, span)) for p in function.params)
        result = self.update_type(function.result, span) if function.result is not None else None
        if result is not None and self._has_borrow(result):
            fail(
                f"function `{function.name}` returns a type which contains a `borrow<T>` "
                "which is not supported",
                span,
            )
        return dataclasses.replace(function, resource=resource, params=params, result=result)

    def _update_world(self, world: WorldDraft, package: ir.PackageId) -> None:
        arena = self.arena
        entries = [(k, v, True) for k, v in world.imports.items()]
        entries += [(k, v, False) for k, v in world.exports.items()]
        world.imports = {}
        world.exports = {}
        for old_key, old_item, is_import in entries:
            span = _item_span(old_item)
            item: ir.WorldItem = old_item
            if isinstance(item, ir.TypeItem):
                item = ir.TypeItem(self.map_type(item.type, span), item.span)
                gate = arena.types[item.type].stability
            elif isinstance(item, ir.InterfaceItem):
                gate = item.stability
            else:
                gate = item.function.stability
            if not gate_allows(arena, gate, package, span):
                continue
            key = old_key
            if isinstance(key, ir.InterfaceKey):
                key = ir.InterfaceKey(self.map_interface(key.interface, span))
            if isinstance(item, ir.InterfaceItem):
                item = dataclasses.replace(item, interface=self.map_interface(item.interface, span))
            elif isinstance(item, ir.FunctionItem):
                item = ir.FunctionItem(self.update_function(item.function, span))
            target = world.imports if is_import else world.exports
            assert key not in target
            target[key] = item

    # -- borrows in results

    def _has_borrow(self, root: ir.Type) -> bool:
        """Whether a type contains a `borrow<T>`, looking through every type it
        names (with an explicit stack: alias chains may be thousands long)."""
        if not isinstance(root, int):
            return False
        cache = self.has_borrow
        stack = [root]
        while stack:
            ty = stack[-1]
            if ty in cache:
                stack.pop()
                continue
            kind = self.arena.types[ty].kind
            if isinstance(kind, ir.HandleKind):
                cache[ty] = kind.handle == "borrow"
                stack.pop()
                continue
            children = [t for t in _contained_types(kind) if isinstance(t, int)]
            pending = [t for t in children if t not in cache]
            if pending:
                stack.extend(pending)
                continue
            cache[ty] = any(cache[t] for t in children)
            stack.pop()
        return cache[root]


def _contained_types(kind: ir.TypeDefKind) -> list[ir.Type]:
    """The types a type definition is made of (a handle's resource not included)."""
    if isinstance(kind, ir.AliasKind):
        return [kind.type]
    if isinstance(kind, ir.VariantKind):
        return [c.type for c in kind.cases if c.type is not None]
    if isinstance(kind, ir.RecordKind):
        return [f.type for f in kind.fields]
    if isinstance(kind, ir.TupleKind):
        return list(kind.types)
    if isinstance(kind, (ir.ListKind, ir.FixedListKind, ir.OptionKind)):
        return [kind.type]
    if isinstance(kind, (ir.FutureKind, ir.StreamKind)):
        return [kind.type] if kind.type is not None else []
    if isinstance(kind, ir.MapKind):
        return [kind.key, kind.value]
    if isinstance(kind, ir.ResultKind):
        return [t for t in (kind.ok, kind.err) if t is not None]
    return []


_EXCLUDED = "found a reference to a {desc} which is excluded due to its feature not being activated"


_Id = TypeVar("_Id", bound=int)
_Typed = TypeVar("_Typed", ir.Field, ir.Case, ir.Param)


def _with_type(item: _Typed, new: ir.Type) -> _Typed:
    """`item` with its type `new`; `item` itself when that is its type already
    (most references map to themselves, and a copy costs a field 5 us)."""
    old = item.type
    if new is old or (isinstance(new, int) and isinstance(old, int) and new == old):
        return item
    return dataclasses.replace(item, type=new)


def _apply(mapping: Sequence[_Id | None], index: int, desc: str, span: Span | None) -> _Id:
    if index >= len(mapping):
        raise AssertionError(f"request to remap a {desc} that has not yet been registered")
    found = mapping[index]
    if found is None:
        fail(_EXCLUDED.format(desc=desc), span)
    return found


def _item_span(item: ir.WorldItem) -> Span | None:
    if isinstance(item, ir.FunctionItem):
        return item.function.span
    return item.span
