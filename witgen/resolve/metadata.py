"""The `package-docs` custom section: docs and gates of a decoded package.

In: the section's contents (a version byte, then JSON), and later the arena
holding the decoded package.
Out: `parse_metadata` returns a `PackageMetadata`; its `inject` puts the
docs and `@since`/`@unstable`/`@deprecated` gates on the package's worlds,
interfaces, types and functions in the arena.
Raises: `Problem` with wit-parser's (serde's) message for a section that does
not parse, and for metadata naming an item the package does not have.

This is wit-parser's `metadata.rs` (`PackageMetadata` and the structs it is
made of); `decode.py` calls it for the section it finds in a binary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import NoReturn

from witgen import ir
from witgen.resolve.arena import Arena, WorldDraft
from witgen.resolve.problems import fail
from witgen.rust import debug_char
from witgen.version import Version, VersionError

PACKAGE_DOCS = "package-docs"


def _debug_str(text: str) -> str:
    """Rust's `{:?}` of a string."""
    escaped = "".join('\\"' if c == '"' else "'" if c == "'" else debug_char(c)[1:-1] for c in text)
    return f'"{escaped}"'


def _metadata_error(message: str) -> NoReturn:
    fail(message, None)


class _Object(list[tuple[str, object]]):
    """A JSON object as read: its members in order (duplicates kept)."""


class _Json:
    """Reads the section's JSON with serde's rules: known fields only, typed values."""

    @staticmethod
    def record(value: object, fields: tuple[str, ...], what: str) -> dict[str, object]:
        if not isinstance(value, _Object):
            _metadata_error(f"invalid type: {_Json.describe(value)}, expected {what}")
        result: dict[str, object] = {}
        for key, item in value:
            if key not in fields:
                expected = ", ".join(f"`{f}`" for f in fields)
                _metadata_error(f"unknown field `{key}`, expected one of {expected}")
            if key in result:
                _metadata_error(f"duplicate field `{key}`")
            result[key] = item
        return result

    @staticmethod
    def entries(fields: dict[str, object], name: str) -> list[tuple[str, object]]:
        """The members of the map in field `name` (none when it is absent)."""
        value = fields.get(name, _Object())
        if not isinstance(value, _Object):
            _metadata_error(f"invalid type: {_Json.describe(value)}, expected a map")
        pairs: dict[str, object] = {}
        for key, item in value:
            pairs[key] = item
        return list(pairs.items())

    @staticmethod
    def string(value: object) -> str:
        if not isinstance(value, str):
            _metadata_error(f"invalid type: {_Json.describe(value)}, expected a string")
        return value

    @staticmethod
    def optional_string(value: object) -> str | None:
        return None if value is None else _Json.string(value)

    @staticmethod
    def describe(value: object) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return f"boolean `{str(value).lower()}`"
        if isinstance(value, int):
            return f"integer `{value}`"
        if isinstance(value, float):
            return f"floating point `{value}`"
        if isinstance(value, str):
            return f'string "{value}"'
        if isinstance(value, _Object):
            return "map"
        return "sequence"


def _version(value: object) -> Version:
    try:
        return Version.parse(_Json.string(value))
    except VersionError as error:
        _metadata_error(str(error))


def _stability(value: object) -> ir.Stability:
    if value == "unknown" or value is None:
        return None
    variants = ("unknown", "unstable", "stable")
    if isinstance(value, str):
        expected = ", ".join(f"`{v}`" for v in variants)
        _metadata_error(f"unknown variant `{value}`, expected one of {expected}")
    if not isinstance(value, _Object) or len(value) != 1:
        _metadata_error(f"invalid type: {_Json.describe(value)}, expected enum Stability")
    variant, body = value[0]
    if variant not in variants[1:]:
        expected = ", ".join(f"`{v}`" for v in variants)
        _metadata_error(f"unknown variant `{variant}`, expected one of {expected}")
    if not isinstance(body, _Object):
        _metadata_error(f"invalid type: {_Json.describe(body)}, expected struct variant")
    fields = dict(body)
    deprecated = fields.get("deprecated")
    deprecated_version = None if deprecated is None else _version(deprecated)
    if variant == "unstable":
        if "feature" not in fields:
            _metadata_error("missing field `feature`")
        return ir.Unstable(_Json.string(fields["feature"]), deprecated_version)
    if "since" not in fields:
        _metadata_error("missing field `since`")
    return ir.Stable(_version(fields["since"]), deprecated_version)


@dataclass(frozen=True, slots=True)
class _TypeMeta:
    docs: str | None
    stability: ir.Stability
    items: tuple[tuple[str, str], ...]

    @staticmethod
    def parse(value: object) -> _TypeMeta:
        fields = _Json.record(value, ("docs", "stability", "items"), "struct TypeMetadata")
        items = tuple((name, _Json.string(docs)) for name, docs in _Json.entries(fields, "items"))
        return _TypeMeta(
            _Json.optional_string(fields.get("docs")),
            _stability(fields.get("stability")),
            items,
        )

    def inject(self, arena: Arena, type_id: ir.TypeId) -> None:
        typedef = arena.types[type_id]
        kind = typedef.kind
        if self.items:
            kind = self._inject_items(typedef)
        docs = self.docs if self.docs is not None else typedef.docs
        arena.types[type_id] = replace(typedef, kind=kind, docs=docs, stability=self.stability)

    def _inject_items(self, typedef: ir.TypeDef) -> ir.TypeDefKind:
        docs = dict(self.items)
        kind = typedef.kind
        used = 0

        def doc(name: str, current: str | None) -> str | None:
            nonlocal used
            found = docs.get(name)
            if found is None:
                return current
            used += 1
            return found

        new_kind: ir.TypeDefKind
        if isinstance(kind, ir.RecordKind):
            new_kind = ir.RecordKind(
                tuple(replace(f, docs=doc(f.name, f.docs)) for f in kind.fields)
            )
        elif isinstance(kind, ir.FlagsKind):
            new_kind = ir.FlagsKind(tuple(replace(f, docs=doc(f.name, f.docs)) for f in kind.flags))
        elif isinstance(kind, ir.VariantKind):
            new_kind = ir.VariantKind(
                tuple(replace(c, docs=doc(c.name, c.docs)) for c in kind.cases)
            )
        elif isinstance(kind, ir.EnumKind):
            new_kind = ir.EnumKind(tuple(replace(c, docs=doc(c.name, c.docs)) for c in kind.cases))
        else:
            _metadata_error(f"got 'items' for unexpected type `{typedef.name}`")
        if used < len(docs):
            listing = ", ".join(f"{_debug_str(k)}: {_debug_str(v)}" for k, v in self.items)
            _metadata_error(f"not all 'items' match type items; {{{listing}}}")
        return new_kind


@dataclass(frozen=True, slots=True)
class _FuncMeta:
    docs: str | None
    stability: ir.Stability
    # The v0 form, only docs: it leaves the function's gate alone.
    just_docs: bool

    @staticmethod
    def parse(value: object) -> _FuncMeta:
        if value is None or isinstance(value, str):
            return _FuncMeta(value, None, True)
        if isinstance(value, _Object) and all(key in ("docs", "stability") for key, _ in value):
            fields = dict(value)
            return _FuncMeta(
                _Json.optional_string(fields.get("docs")),
                _stability(fields.get("stability")),
                False,
            )
        _metadata_error("data did not match any variant of untagged enum FunctionMetadata")

    def inject(self, function: ir.Function) -> ir.Function:
        if self.just_docs:
            return replace(function, docs=self.docs)
        return replace(function, docs=self.docs, stability=self.stability)


@dataclass(frozen=True, slots=True)
class _InterfaceMeta:
    docs: str | None
    stability: ir.Stability
    funcs: tuple[tuple[str, _FuncMeta], ...]
    types: tuple[tuple[str, _TypeMeta], ...]

    @staticmethod
    def parse(value: object) -> _InterfaceMeta:
        fields = _Json.record(
            value, ("docs", "stability", "funcs", "types"), "struct InterfaceMetadata"
        )
        return _InterfaceMeta(
            _Json.optional_string(fields.get("docs")),
            _stability(fields.get("stability")),
            tuple((k, _FuncMeta.parse(v)) for k, v in _Json.entries(fields, "funcs")),
            tuple((k, _TypeMeta.parse(v)) for k, v in _Json.entries(fields, "types")),
        )

    def inject(self, arena: Arena, interface_id: ir.InterfaceId) -> None:
        interface = arena.interfaces[interface_id]
        for name, type_meta in self.types:
            type_id = interface.types.get(name)
            if type_id is None:
                _metadata_error(f"missing type {_debug_str(name)}")
            type_meta.inject(arena, type_id)
        for name, func_meta in self.funcs:
            function = interface.functions.get(name)
            if function is None:
                _metadata_error(f"missing func {_debug_str(name)}")
            interface.functions[name] = func_meta.inject(function)
        if self.docs is not None:
            interface.docs = self.docs
        interface.stability = self.stability


_WORLD_FIELDS = (
    "docs",
    "stability",
    "interfaces",
    "types",
    "funcs",
    "interface_exports",
    "func_exports",
    "interface_import_stability",
    "interface_export_stability",
    "interface_import_docs",
    "interface_export_docs",
)


@dataclass(frozen=True, slots=True)
class _WorldMeta:
    docs: str | None
    stability: ir.Stability
    interfaces: tuple[tuple[str, _InterfaceMeta], ...]
    types: tuple[tuple[str, _TypeMeta], ...]
    funcs: tuple[tuple[str, _FuncMeta], ...]
    interface_exports: tuple[tuple[str, _InterfaceMeta], ...]
    func_exports: tuple[tuple[str, _FuncMeta], ...]
    import_stability: tuple[tuple[str, ir.Stability], ...]
    export_stability: tuple[tuple[str, ir.Stability], ...]
    import_docs: tuple[tuple[str, str], ...]
    export_docs: tuple[tuple[str, str], ...]

    @staticmethod
    def parse(value: object) -> _WorldMeta:
        fields = _Json.record(value, _WORLD_FIELDS, "struct WorldMetadata")

        def entries(name: str) -> list[tuple[str, object]]:
            return _Json.entries(fields, name)

        return _WorldMeta(
            _Json.optional_string(fields.get("docs")),
            _stability(fields.get("stability")),
            tuple((k, _InterfaceMeta.parse(v)) for k, v in entries("interfaces")),
            tuple((k, _TypeMeta.parse(v)) for k, v in entries("types")),
            tuple((k, _FuncMeta.parse(v)) for k, v in entries("funcs")),
            tuple((k, _InterfaceMeta.parse(v)) for k, v in entries("interface_exports")),
            tuple((k, _FuncMeta.parse(v)) for k, v in entries("func_exports")),
            tuple((k, _stability(v)) for k, v in entries("interface_import_stability")),
            tuple((k, _stability(v)) for k, v in entries("interface_export_stability")),
            tuple((k, _Json.string(v)) for k, v in entries("interface_import_docs")),
            tuple((k, _Json.string(v)) for k, v in entries("interface_export_docs")),
        )

    def inject(self, arena: Arena, world_id: ir.WorldId) -> None:
        world = arena.worlds[world_id]
        named = [(n, m, False) for n, m in self.interfaces]
        named += [(n, m, True) for n, m in self.interface_exports]
        for name, interface_meta, only_export in named:
            target = _world_item_map(world, name, only_export)
            item = target.get(name) if target is not None else None
            if not isinstance(item, ir.InterfaceItem):
                _metadata_error(f"missing interface {_debug_str(name)}")
            assert target is not None
            target[name] = replace(item, stability=interface_meta.stability)
            interface_meta.inject(arena, item.interface)
        for name, type_meta in self.types:
            type_item = world.imports.get(name)
            if not isinstance(type_item, ir.TypeItem):
                _metadata_error(f"missing type {_debug_str(name)}")
            type_meta.inject(arena, type_item.type)

        keys: dict[tuple[str, bool], ir.WorldKey] = {}
        for items, is_import in ((world.imports, True), (world.exports, False)):
            for key, value in items.items():
                if isinstance(value, ir.InterfaceItem):
                    keys[(arena.world_key_name(key), is_import)] = key
        gates = [(n, s, True) for n, s in self.import_stability]
        gates += [(n, s, False) for n, s in self.export_stability]
        for name, stability, is_import in gates:
            target, key, item = self._keyed_item(world, keys, name, is_import)
            target[key] = replace(item, stability=stability)
        docs = [(n, d, True) for n, d in self.import_docs]
        docs += [(n, d, False) for n, d in self.export_docs]
        for name, text, is_import in docs:
            target, key, item = self._keyed_item(world, keys, name, is_import)
            target[key] = replace(item, docs=text)

        functions = [(n, m, False) for n, m in self.funcs]
        functions += [(n, m, True) for n, m in self.func_exports]
        for name, func_meta, only_export in functions:
            target = _world_item_map(world, name, only_export)
            function_item = target.get(name) if target is not None else None
            if not isinstance(function_item, ir.FunctionItem):
                _metadata_error(f"missing func {_debug_str(name)}")
            assert target is not None
            target[name] = ir.FunctionItem(func_meta.inject(function_item.function))
        if self.docs is not None:
            world.docs = self.docs
        world.stability = self.stability

    @staticmethod
    def _keyed_item(
        world: WorldDraft,
        keys: dict[tuple[str, bool], ir.WorldKey],
        name: str,
        is_import: bool,
    ) -> tuple[dict[ir.WorldKey, ir.WorldItem], ir.WorldKey, ir.InterfaceItem]:
        """The interface import (or export) of the world named `name`."""
        key = keys.get((name, is_import))
        if key is None:
            _metadata_error(f"missing interface `{name}`")
        target = world.imports if is_import else world.exports
        item = target.get(key)
        if not isinstance(item, ir.InterfaceItem):
            _metadata_error(f"item `{name}` wasn't an interface")
        return target, key, item


def _world_item_map(
    world: WorldDraft, name: str, only_export: bool
) -> dict[ir.WorldKey, ir.WorldItem] | None:
    """Where the item named `name` of a world's metadata is: the exports when
    the metadata says so, else the imports, falling back to the exports."""
    if only_export:
        return world.exports if name in world.exports else None
    if name in world.imports:
        return world.imports
    return world.exports if name in world.exports else None


@dataclass(frozen=True, slots=True)
class PackageMetadata:
    docs: str | None
    worlds: tuple[tuple[str, _WorldMeta], ...]
    interfaces: tuple[tuple[str, _InterfaceMeta], ...]

    def inject(self, arena: Arena, package_id: ir.PackageId) -> None:
        package = arena.packages[package_id]
        for name, world_meta in self.worlds:
            world = package.worlds.get(name)
            if world is None:
                _metadata_error(f"missing world {_debug_str(name)}")
            world_meta.inject(arena, world)
        for name, interface_meta in self.interfaces:
            interface = package.interfaces.get(name)
            if interface is None:
                _metadata_error(f"missing interface {_debug_str(name)}")
            interface_meta.inject(arena, interface)
        if self.docs is not None:
            package.docs = self.docs


_SECTION_VERSIONS = (0, 1)


def parse_metadata(data: bytes) -> PackageMetadata:
    """`PackageMetadata::decode`: a version byte, then JSON."""
    if not data or data[0] not in _SECTION_VERSIONS:
        found = "None" if not data else f"Some({data[0]})"
        fail(f"expected package-docs version {_SECTION_VERSIONS[-1]}, got {found}", None)
    try:
        value = json.loads(data[1:].decode("utf-8"), object_pairs_hook=_Object)
    except UnicodeDecodeError:
        fail("invalid unicode code point", None)
    except json.JSONDecodeError as error:
        message = error.msg[0].lower() + error.msg[1:] if error.msg else error.msg
        fail(f"{message} at line {error.lineno} column {error.colno}", None)
    fields = _Json.record(value, ("docs", "worlds", "interfaces"), "struct PackageMetadata")
    return PackageMetadata(
        _Json.optional_string(fields.get("docs")),
        tuple((k, _WorldMeta.parse(v)) for k, v in _Json.entries(fields, "worlds")),
        tuple((k, _InterfaceMeta.parse(v)) for k, v in _Json.entries(fields, "interfaces")),
    )
