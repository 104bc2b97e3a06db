"""The `@deprecated` items a world uses, for `witgen check --deny-deprecated` and the host.

In: a resolved `ir.Resolve` and, optionally, the name of one world of its main
package (by default every world of the main package).  Out:
`deprecated_items()`, one `DeprecatedItem` per interface, function or type
gated `@deprecated` that a world imports or exports, in world order, each
once: with the version that deprecated it, the version where it goes (the next
major, wit/VERSIONING.md's "Remove" step), and the replacement named in its doc
comment (`Deprecated: use `x` instead.`, read by `witgen.conventions.replacement`).
`check_deprecated()` raises one `WitError` listing them all.  Raises
`WorldNotFound` (`witgen.resolve.select`) for a world that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from witgen import ir
from witgen.conventions import replacement
from witgen.diagnostics import Diagnostic, SourceMap, Span, WitError
from witgen.resolve.select import select_world
from witgen.version import Version, minimum_version

ItemKind = Literal["interface", "function", "type"]
Direction = Literal["import", "export"]


@dataclass(frozen=True, slots=True)
class DeprecatedItem:
    """One deprecated item a world uses.

    `name` is how WIT writes the item: `read-file`, `r.get` for a method,
    `host-services` for an interface.  `interface` is the id of the interface
    that holds it (`airssys:host-core/host-services@1.1.0`), or None for an item
    of the world itself.  `since` is None for an `@unstable` item.
    """

    kind: ItemKind
    name: str
    interface: str | None
    world: str
    direction: Direction
    since: Version | None
    deprecated: Version
    removed_in: Version | None
    replacement: str | None
    note: str | None
    span: Span | None

    @property
    def qualified_name(self) -> str:
        """`airssys:host-core/host-services@1.1.0.read-file` (the interface alone for one)."""
        if self.kind == "interface" or self.interface is None:
            return self.interface or self.name
        return f"{self.interface}.{self.name}"

    def message(self) -> str:
        """What `witgen check --deny-deprecated` says about the item."""
        place = f" of `{self.interface}`" if self.kind != "interface" and self.interface else ""
        text = (
            f"world `{self.world}` {self.direction}s deprecated {self.kind} `{self.name}`{place} "
            f"(deprecated in {self.deprecated}"
        )
        if self.replacement is not None:
            text += f"; use `{self.replacement}`"
        if self.removed_in is not None:
            text += f"; removed in {self.removed_in}"
        return text + ")"


def deprecated_items(resolve: ir.Resolve, world: str | None = None) -> list[DeprecatedItem]:
    """Every `@deprecated` item that `world` (or every world of the main package) uses."""
    package = resolve.packages[resolve.main]
    if world is None:
        worlds = [world_id for _, world_id in package.worlds]
    else:
        worlds = [select_world(resolve, world)]
    finder = _Finder(resolve)
    for world_id in worlds:
        finder.world(world_id)
    return finder.items


def check_deprecated(resolve: ir.Resolve, sources: SourceMap, world: str | None = None) -> None:
    """Raise a `WitError` with one diagnostic per deprecated item the world(s) use."""
    items = deprecated_items(resolve, world)
    if items:
        raise WitError([Diagnostic(item.message(), item.span) for item in items], sources)


class _Finder:
    def __init__(self, resolve: ir.Resolve) -> None:
        self.resolve = resolve
        self.items: list[DeprecatedItem] = []
        self.seen: set[tuple[str, str | None, str, str]] = set()

    def world(self, world_id: ir.WorldId) -> None:
        world = self.resolve.worlds[world_id]
        name = world.name
        if world.package is not None:
            package = self.resolve.packages[world.package].name
            name = f"{package.namespace}:{package.name}/{world.name}"
            if package.version is not None:
                name += f"@{package.version}"
        for key, item in world.imports:
            self.item(name, "import", key, item)
        for key, item in world.exports:
            self.item(name, "export", key, item)

    def item(self, world: str, direction: Direction, key: ir.WorldKey, item: ir.WorldItem) -> None:
        used = _Use(world, direction, None)
        if isinstance(item, ir.FunctionItem):
            function = item.function
            self.add(
                "function",
                function.item_name,
                used,
                function.stability,
                function.docs,
                span=function.span,
            )
            return
        if isinstance(item, ir.TypeItem):
            typedef = self.resolve.types[item.type]
            self.add(
                "type", typedef.name or "", used, typedef.stability, typedef.docs, span=typedef.span
            )
            return
        interface = self.resolve.interfaces[item.interface]
        interface_id = self.resolve.interface_id(item.interface)
        label = interface_id if interface_id is not None else self.resolve.world_key_name(key)
        used = _Use(world, direction, label)
        for stability in (item.stability, interface.stability):
            if stability is not None and stability.deprecated is not None:
                self.add(
                    "interface",
                    interface.name or label,
                    used,
                    stability,
                    interface.docs or item.docs,
                    span=interface.span or item.span,
                )
                break
        for name, type_id in interface.types:
            typedef = self.resolve.types[type_id]
            self.add("type", name, used, typedef.stability, typedef.docs, span=typedef.span)
        for _, function in interface.functions:
            self.add(
                "function",
                _function_name(self.resolve, function),
                used,
                function.stability,
                function.docs,
                span=function.span,
            )

    def add(
        self,
        kind: ItemKind,
        name: str,
        used: _Use,
        stability: ir.Stability,
        docs: str | None,
        *,
        span: Span | None,
    ) -> None:
        if stability is None or stability.deprecated is None:
            return
        key = (kind, used.interface, name, used.direction)
        if key in self.seen:
            return
        self.seen.add(key)
        found, note = replacement(docs)
        deprecated = stability.deprecated
        self.items.append(
            DeprecatedItem(
                kind=kind,
                name=name,
                interface=used.interface,
                world=used.world,
                direction=used.direction,
                since=stability.since if isinstance(stability, ir.Stable) else None,
                deprecated=deprecated,
                removed_in=minimum_version(deprecated, "major"),
                replacement=found,
                note=note,
                span=span,
            )
        )


@dataclass(frozen=True, slots=True)
class _Use:
    """How a world reaches an item: which world, which way, through which interface."""

    world: str
    direction: Direction
    interface: str | None


def _function_name(resolve: ir.Resolve, function: ir.Function) -> str:
    if function.resource is None:
        return function.name
    resource = resolve.types[function.resource].name
    return f"{resource}.{function.item_name}"
