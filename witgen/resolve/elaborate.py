"""Pass: elaborate a world's imports and exports.

In: a linked world, its includes merged.  Out: the world with every
interface that its imports and exports need (through `use` of types) listed
as an import, in dependency order and grouped as wasm-tools prints them:
interfaces, then `use`d types, then type definitions, then functions, then
resource functions.  Raises `Problem` when an exported interface needs an
interface both as an import and as an export (wit-parser's "transitively
depends on an interface in incompatible ways").
"""

from __future__ import annotations

from witgen import ir
from witgen.diagnostics import Span
from witgen.resolve.arena import Arena
from witgen.resolve.problems import fail


def world(arena: Arena, world_id: ir.WorldId, span: Span | None) -> None:
    draft = arena.worlds[world_id]

    def order(item: ir.WorldItem) -> int:
        return _sort_key(arena, item)

    imports: dict[ir.WorldKey, ir.WorldItem] = {}
    for key, item in sorted(draft.imports.items(), key=lambda entry: order(entry[1])):
        if isinstance(item, ir.InterfaceItem):
            _add_import(
                arena,
                imports,
                key,
                item.interface,
                stability=item.stability,
                docs=item.docs,
                external_id=item.external_id,
            )
        elif isinstance(item, ir.FunctionItem):
            assert key not in imports
            imports[key] = item
        else:
            dep = arena.type_interface_dep(item.type)
            if dep is not None:
                gate = arena.types[item.type].stability
                _add_import(
                    arena,
                    imports,
                    ir.InterfaceKey(dep),
                    dep,
                    stability=gate,
                    docs=None,
                    external_id=None,
                )
            assert key not in imports
            imports[key] = item

    exports: dict[ir.WorldKey, ir.WorldItem] = {}
    export_interfaces: dict[ir.WorldKey, ir.InterfaceItem] = {}
    for key, item in draft.exports.items():
        if isinstance(item, ir.InterfaceItem):
            export_interfaces[key] = item
        else:
            assert isinstance(item, ir.FunctionItem)
            exports[key] = item

    elaboration = _Exports(arena, imports, exports, export_interfaces)
    for key, item in export_interfaces.items():
        if not elaboration.add(key, item, add_export=True):
            name = arena.world_key_name(key)
            fail(
                f"interface `{name}` transitively depends on an interface in incompatible ways",
                span,
            )

    draft.imports = dict(sorted(imports.items(), key=lambda entry: order(entry[1])))
    draft.exports = exports


def _sort_key(arena: Arena, item: ir.WorldItem) -> int:
    """The group of an item, in the order wasm-tools prints a world."""
    if isinstance(item, ir.InterfaceItem):
        return 0
    if isinstance(item, ir.TypeItem):
        typedef = arena.types[item.type]
        kind = typedef.kind
        if (
            isinstance(kind, ir.AliasKind)
            and isinstance(kind.type, int)
            and arena.types[kind.type].owner != typedef.owner
        ):
            return 1
        return 2
    return 3 if item.function.resource is None else 4


def _add_import(
    arena: Arena,
    imports: dict[ir.WorldKey, ir.WorldItem],
    key: ir.WorldKey,
    interface: ir.InterfaceId,
    *,
    stability: ir.Stability,
    docs: str | None,
    external_id: str | None,
) -> None:
    """Import `interface`, after the interfaces it needs (which take no docs)."""
    # Iterative depth-first walk: a `use` chain may be thousands deep.
    stack: list[tuple[ir.WorldKey, ir.InterfaceId, str | None, str | None, list[ir.InterfaceId]]]
    if key in imports:
        return
    stack = [
        (key, interface, docs, external_id, list(reversed(arena.interface_direct_deps(interface))))
    ]
    while stack:
        top_key, top_id, top_docs, top_external, pending = stack[-1]
        if pending:
            dep = pending.pop()
            dep_key = ir.InterfaceKey(dep)
            if dep_key not in imports and not any(entry[0] == dep_key for entry in stack):
                stack.append(
                    (dep_key, dep, None, None, list(reversed(arena.interface_direct_deps(dep))))
                )
            continue
        stack.pop()
        if top_key in imports:
            continue
        imports[top_key] = ir.InterfaceItem(
            top_id, stability=stability, external_id=top_external, docs=top_docs, span=None
        )


class _Exports:
    """wit-parser's `add_world_export`: adds an exported interface after the
    interfaces it needs, as exports when they are exported and as imports
    otherwise, and fails (returns False) when an interface would have to be
    both imported and exported."""

    def __init__(
        self,
        arena: Arena,
        imports: dict[ir.WorldKey, ir.WorldItem],
        exports: dict[ir.WorldKey, ir.WorldItem],
        export_interfaces: dict[ir.WorldKey, ir.InterfaceItem],
    ) -> None:
        self.arena = arena
        self.imports = imports
        self.exports = exports
        self.export_interfaces = export_interfaces
        self.required: set[ir.InterfaceId] = set()

    def add(self, key: ir.WorldKey, item: ir.InterfaceItem, *, add_export: bool) -> bool:
        """Add `item` and, first, what it needs; the recursion of wit-parser's
        `add_world_export` as an explicit stack (a `use` chain may be long)."""
        early = self._early(key, item, add_export)
        if early is not None:
            return early
        # A frame: the item, whether it is exported, and the deps still to add.
        frames = [(key, item, add_export, list(reversed(self._deps(item))))]
        while frames:
            frame_key, frame_item, frame_export, pending = frames[-1]
            if pending:
                dep = pending.pop()
                dep_key = ir.InterfaceKey(dep)
                dep_item = ir.InterfaceItem(
                    dep, stability=frame_item.stability, external_id=frame_item.external_id
                )
                dep_export = frame_export and dep_key in self.export_interfaces
                early = self._early(dep_key, dep_item, dep_export)
                if early is False:
                    return False
                if early is None:
                    frames.append(
                        (dep_key, dep_item, dep_export, list(reversed(self._deps(dep_item))))
                    )
                continue
            frames.pop()
            if frame_export:
                if frame_item.interface in self.required:
                    return False
                self.exports[frame_key] = frame_item
            else:
                self.required.add(frame_item.interface)
                if frame_key not in self.imports:
                    self.imports[frame_key] = frame_item
        return True

    def _early(self, key: ir.WorldKey, item: ir.InterfaceItem, add_export: bool) -> bool | None:
        """The answer for an item already handled, or None to go on."""
        if key in self.exports:
            return add_export
        if not add_export and item.interface in self.required:
            return True
        return None

    def _deps(self, item: ir.InterfaceItem) -> list[ir.InterfaceId]:
        return self.arena.interface_direct_deps(item.interface)
