"""Canonical WIT text, byte for byte what `wasm-tools component wit` prints.

In: an `ir.Resolve`.  Out: `print_resolve()`, the WIT text of the main
package followed by every other package of the resolve as a nested
`package ns:name { ... }` block, in arena order (as wasm-tools prints it);
and single items as the same printer writes them, for the other stages' text
(`witgen diff`'s messages, `witgen docs`): `print_function()`,
`print_type_definition()`, `print_type()` and `print_kind()`.  Raises nothing
for a resolve the resolver produced.

The layout rules are wit-component's `WitPrinter`: two-space indentation;
items of an interface separated by blank lines, `use` statements grouped
without them; a world's imports, then types (with resource functions
inline), then functions, then exports; docs as `///` lines; gates before
items; names that are keywords escaped with `%`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import assert_never

from witgen import ir

# Names that must be written with a `%` (wit-component's `is_keyword`).
KEYWORDS = frozenset(
    "use type func u8 u16 u32 u64 s8 s16 s32 s64 f32 f64 float32 float64 char resource record "
    "flags variant enum bool string option result future stream list own borrow _ as from "
    "static interface tuple world import export package with include constructor "
    "error-context async map".split()
)


def print_resolve(resolve: ir.Resolve, docs: bool = True) -> str:
    """The main package, then every other package nested, as wasm-tools prints them."""
    printer = _Printer(resolve, docs)
    others = [ir.PackageId(i) for i in range(len(resolve.packages)) if i != resolve.main]
    printer.package(resolve.main, is_main=True)
    for index, package in enumerate(others):
        if index > 0:
            printer.out.newline()
            printer.out.newline()
        printer.package(package, is_main=False)
    return printer.out.text()


def escape(name: str) -> str:
    """`name` as WIT writes it: a keyword gets a `%`."""
    return f"%{name}" if name in KEYWORDS else name


class _Output:
    """Text with wit-component's indentation rules."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.indent = 0
        self.needs_indent = False

    def text(self) -> str:
        return "".join(self.parts)

    def indent_if_needed(self) -> bool:
        if self.needs_indent:
            self.parts.append("  " * self.indent)
            self.needs_indent = False
            return True
        return False

    def write(self, text: str) -> None:
        self.indent_if_needed()
        self.parts.append(text)

    def raw(self, text: str) -> None:
        self.parts.append(text)

    def newline(self) -> None:
        self.parts.append("\n")
        self.needs_indent = True

    def indent_start(self) -> None:
        self.parts.append(" {")
        self.indent += 1
        self.newline()

    def indent_end(self) -> None:
        self.indent = max(self.indent - 1, 0)
        self.indent_if_needed()
        self.parts.append("}")
        self.newline()

    def semicolon(self) -> None:
        self.parts.append(";")
        self.newline()

    def doc(self, line: str) -> None:
        self.indent_if_needed()
        self.parts.append(f"/// {line}" if line else "///")
        self.newline()


class _Printer:
    def __init__(self, resolve: ir.Resolve, docs: bool, *, explicit_own: bool = False) -> None:
        self.resolve = resolve
        self.emit_docs = docs
        self.explicit_own = explicit_own
        self.out = _Output()
        self.any_items = False

    # -- packages, interfaces, worlds

    def package(self, package_id: ir.PackageId, *, is_main: bool) -> None:
        package = self.resolve.packages[package_id]
        out = self.out
        self.docs(package.docs)
        out.write("package ")
        out.write(f"{escape(package.name.namespace)}:{escape(package.name.name)}")
        if package.name.version is not None:
            out.write(escape(f"@{package.name.version}"))
        if is_main:
            out.semicolon()
            out.newline()
        else:
            out.indent_start()
        for name, interface_id in package.interfaces:
            interface = self.resolve.interfaces[interface_id]
            self.docs(interface.docs)
            self.stability(interface.stability)
            out.write(f"interface {escape(name)}")
            out.indent_start()
            self.interface_body(interface_id)
            out.indent_end()
            if is_main:
                out.newline()
        for name, world_id in package.worlds:
            world = self.resolve.worlds[world_id]
            self.docs(world.docs)
            self.stability(world.stability)
            out.write(f"world {escape(name)}")
            out.indent_start()
            self.world_body(world_id)
            out.indent_end()
        if not is_main:
            out.indent_end()

    def new_item(self) -> None:
        if self.any_items:
            self.out.newline()
        self.any_items = True

    def interface_body(self, interface_id: ir.InterfaceId) -> None:
        outer, self.any_items = self.any_items, False
        interface = self.resolve.interfaces[interface_id]
        resource_funcs: dict[ir.TypeId, list[ir.Function]] = {}
        freestanding = []
        for _, function in interface.functions:
            if function.resource is not None:
                resource_funcs.setdefault(function.resource, []).append(function)
            else:
                freestanding.append(function)
        self.types(ir.InterfaceOwner(interface_id), interface.types, resource_funcs)
        for function in freestanding:
            self.new_item()
            self.docs(function.docs)
            self.stability(function.stability)
            self.external_id(function.external_id)
            self.out.write(f"{escape(function.item_name)}: ")
            self.function(function)
            self.out.semicolon()
        self.any_items = outer

    def world_body(self, world_id: ir.WorldId) -> None:
        outer, self.any_items = self.any_items, False
        world = self.resolve.worlds[world_id]
        package = world.package
        assert package is not None
        types: list[tuple[str, ir.TypeId]] = []
        resource_funcs: dict[ir.TypeId, list[ir.Function]] = {}
        functions: list[tuple[ir.WorldKey, ir.WorldItem]] = []
        for key, item in world.imports:
            if isinstance(item, ir.TypeItem):
                assert isinstance(key, str)
                types.append((key, item.type))
            elif isinstance(item, ir.FunctionItem):
                if item.function.resource is not None:
                    resource_funcs.setdefault(item.function.resource, []).append(item.function)
                else:
                    functions.append((key, item))
            else:
                self.world_item(key, item, package, "import")
                self.any_items = True
        self.types(ir.WorldOwner(world_id), types, resource_funcs)
        for key, item in functions:
            self.world_item(key, item, package, "import")
            self.any_items = True
        if world.exports:
            self.new_item()
        for key, item in world.exports:
            self.world_item(key, item, package, "export")
        self.any_items = outer

    def world_item(
        self, key: ir.WorldKey, item: ir.WorldItem, package: ir.PackageId, keyword: str
    ) -> None:
        out = self.out
        if isinstance(item, ir.InterfaceItem):
            if item.docs is not None:
                self.docs(item.docs)
            elif isinstance(key, str):
                self.docs(self.resolve.interfaces[item.interface].docs)
            self.stability(item.stability)
            self.external_id(item.external_id)
        else:
            assert isinstance(item, ir.FunctionItem)
            self.docs(item.function.docs)
            self.stability(item.function.stability)
            self.external_id(item.function.external_id)
        out.write(f"{keyword} ")
        if isinstance(key, str):
            if isinstance(item, ir.InterfaceItem):
                out.write(f"{escape(key)}: ")
                if self.resolve.interfaces[item.interface].name is None:
                    out.write("interface")
                    out.indent_start()
                    self.interface_body(item.interface)
                    out.indent_end()
                else:
                    self.path_to_interface(item.interface, package)
                    out.semicolon()
            else:
                assert isinstance(item, ir.FunctionItem)
                out.write(f"{escape(item.function.name)}: ")
                self.function(item.function)
                out.semicolon()
        else:
            self.path_to_interface(key.interface, package)
            out.semicolon()

    def path_to_interface(self, interface_id: ir.InterfaceId, package: ir.PackageId) -> None:
        interface = self.resolve.interfaces[interface_id]
        assert interface.name is not None and interface.package is not None
        if interface.package == package:
            self.out.write(escape(interface.name))
            return
        name = self.resolve.packages[interface.package].name
        text = f"{escape(name.namespace)}:{escape(name.name)}/{escape(interface.name)}"
        if name.version is not None:
            text += escape(f"@{name.version}")
        self.out.write(text)

    # -- types

    def types(
        self,
        owner: ir.Owner,
        types: Iterable[tuple[str, ir.TypeId]],
        resource_funcs: dict[ir.TypeId, list[ir.Function]],
    ) -> None:
        resolve = self.resolve
        to_declare: list[ir.TypeId] = []
        to_import: list[tuple[ir.Owner, ir.TypeDef, list[tuple[str, str]]]] = []
        for name, type_id in types:
            typedef = resolve.types[type_id]
            kind = typedef.kind
            if isinstance(kind, ir.AliasKind) and isinstance(kind.type, int):
                other = resolve.types[kind.type]
                if other.owner is not None and other.owner != owner:
                    assert other.name is not None, "cannot import unnamed type"
                    if to_import:
                        last_owner, last_type, names = to_import[-1]
                        if (
                            last_owner == other.owner
                            and typedef.stability == last_type.stability
                            and typedef.external_id == last_type.external_id
                        ):
                            names.append((name, other.name))
                            continue
                    to_import.append((other.owner, typedef, [(name, other.name)]))
                    continue
            to_declare.append(type_id)

        if isinstance(owner, ir.InterfaceOwner):
            package = resolve.interfaces[owner.interface].package
        else:
            assert isinstance(owner, ir.WorldOwner)
            package = resolve.worlds[owner.world].package
        assert package is not None
        out = self.out
        for source, typedef, names in to_import:
            self.any_items = True
            self.stability(typedef.stability)
            self.external_id(typedef.external_id)
            out.write("use ")
            assert isinstance(source, ir.InterfaceOwner)
            self.path_to_interface(source.interface, package)
            listed = ", ".join(
                escape(mine) if mine == theirs else f"{escape(theirs)} as {escape(mine)}"
                for mine, theirs in names
            )
            out.write(f".{{{listed}}}")
            out.semicolon()

        for type_id in to_declare:
            self.new_item()
            typedef = resolve.types[type_id]
            self.docs(typedef.docs)
            self.stability(typedef.stability)
            self.external_id(typedef.external_id)
            self.declare(typedef, resource_funcs.get(type_id, ()))

    def resource(self, typedef: ir.TypeDef, functions: Sequence[ir.Function]) -> None:
        out = self.out
        assert typedef.name is not None
        out.write(f"resource {escape(typedef.name)}")
        if not functions:
            out.semicolon()
            return
        out.indent_start()
        for function in functions:
            self.docs(function.docs)
            self.stability(function.stability)
            self.external_id(function.external_id)
            if function.kind in ("method", "async-method"):
                out.write(f"{escape(function.item_name)}: ")
            elif function.kind in ("static", "async-static"):
                out.write(f"{escape(function.item_name)}: static ")
            self.function(function)
            out.semicolon()
        out.indent_end()

    def function(self, function: ir.Function) -> None:
        out = self.out
        if function.is_async:
            out.write("async ")
        out.write("constructor(" if function.kind == "constructor" else "func(")
        params = (
            function.params[1:] if function.kind in ("method", "async-method") else function.params
        )
        for index, param in enumerate(params):
            if index:
                out.write(", ")
            out.write(f"{escape(param.name)}: ")
            self.type_name(param.type)
        out.write(")")
        if self._constructor_shorthand(function):
            return
        if function.result is not None:
            out.write(" -> ")
            self.type_name(function.result)

    def _constructor_shorthand(self, function: ir.Function) -> bool:
        if function.kind != "constructor" or not isinstance(function.result, int):
            return False
        kind = self.resolve.types[function.result].kind
        return (
            isinstance(kind, ir.HandleKind)
            and kind.handle == "own"
            and kind.resource == function.resource
        )

    def type_name(self, ty: ir.Type) -> None:
        """A use of a type: a primitive, a named type by its name, an anonymous one spelled out."""
        if not isinstance(ty, int):
            self.out.write(ty)
            return
        typedef = self.resolve.types[ty]
        if typedef.name is not None:
            self.out.write(escape(typedef.name))
            return
        kind = typedef.kind
        assert isinstance(kind, ir.StructuralKind), f"unnamed {type(kind).__name__}"
        self.structure(kind, force_own=False)

    def structure(self, kind: ir.StructuralKind, *, force_own: bool) -> None:
        """A structural type spelled out: an anonymous type where it is used, or what
        `type x = ...` names (where an `own<r>` is written in full: `force_own`)."""
        out = self.out
        match kind:
            case ir.HandleKind():
                self.handle(kind, force=force_own)
            case ir.TupleKind():
                self.generic("tuple", kind.types)
            case ir.OptionKind():
                self.generic("option", (kind.type,))
            case ir.ResultKind():
                self.result(kind)
            case ir.ListKind():
                self.generic("list", (kind.type,))
            case ir.FixedListKind():
                self.generic("list", (kind.type,), size=kind.size)
            case ir.MapKind():
                self.generic("map", (kind.key, kind.value))
            case ir.FutureKind() | ir.StreamKind():
                word = "future" if isinstance(kind, ir.FutureKind) else "stream"
                if kind.type is None:
                    out.write(word)
                else:
                    self.generic(word, (kind.type,))
            case ir.AliasKind():
                self.type_name(kind.type)
            case _:
                assert_never(kind)

    def generic(self, word: str, types: Sequence[ir.Type], size: int | None = None) -> None:
        """`word<a, b>`, and `list<t, size>`."""
        out = self.out
        out.write(word)
        out.raw("<")
        for index, ty in enumerate(types):
            if index:
                out.write(", ")
            self.type_name(ty)
        if size is not None:
            out.raw(f", {size}")
        out.raw(">")

    def handle(self, kind: ir.HandleKind, *, force: bool) -> None:
        out = self.out
        name = self.resolve.types[kind.resource].name
        assert name is not None, "unnamed resource type"
        if kind.handle == "own" and not (force or self.explicit_own):
            out.write(escape(name))
        else:
            out.write(kind.handle)
            out.raw(f"<{escape(name)}>")

    def result(self, kind: ir.ResultKind) -> None:
        out = self.out
        out.write("result")
        if kind.ok is None and kind.err is None:
            return
        out.raw("<")
        if kind.ok is None:
            out.write("_, ")
        else:
            self.type_name(kind.ok)
            if kind.err is not None:
                out.write(", ")
        if kind.err is not None:
            self.type_name(kind.err)
        out.raw(">")

    def declare(self, typedef: ir.TypeDef, functions: Sequence[ir.Function] = ()) -> None:
        """A named type's declaration (a resource's with `functions`)."""
        out = self.out
        kind = typedef.kind
        name = typedef.name
        assert name is not None
        match kind:
            case ir.RecordKind():
                self.block("record", name, kind.fields)
            case ir.FlagsKind():
                self.block("flags", name, kind.flags)
            case ir.VariantKind():
                self.block("variant", name, kind.cases)
            case ir.EnumKind():
                self.block("enum", name, kind.cases)
            case ir.ResourceKind():
                self.resource(typedef, functions)
            case _:
                out.write(f"type {escape(name)} = ")
                self.structure(kind, force_own=True)
                out.semicolon()

    def block(
        self,
        keyword: str,
        name: str,
        members: Sequence[ir.Field | ir.Flag | ir.Case | ir.EnumCase],
    ) -> None:
        """`record r { ... }` and the like: a member a line, with its docs."""
        out = self.out
        out.write(f"{keyword} {escape(name)}")
        out.indent_start()
        for member in members:
            self.docs(member.docs)
            out.write(escape(member.name))
            if isinstance(member, ir.Field):
                out.write(": ")
                self.type_name(member.type)
            elif isinstance(member, ir.Case) and member.type is not None:
                out.write("(")
                self.type_name(member.type)
                out.write(")")
            out.write(",")
            out.newline()
        out.indent_end()

    # -- docs and gates

    def docs(self, docs: str | None) -> None:
        if not self.emit_docs or docs is None:
            return
        lines = docs.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines:
            self.out.doc(line.removesuffix("\r"))

    def stability(self, stability: ir.Stability) -> None:
        out = self.out
        if isinstance(stability, ir.Stable):
            out.write(f"@since(version = {escape(str(stability.since))})")
            out.newline()
        elif isinstance(stability, ir.Unstable):
            out.write(f"@unstable(feature = {stability.feature})")
            out.newline()
        else:
            return
        if stability.deprecated is not None:
            out.write(f"@deprecated(version = {escape(str(stability.deprecated))})")
            out.newline()

    def external_id(self, value: str | None) -> None:
        if value is None:
            return
        escaped = []
        for char in value:
            if char.isascii() and (char.isalnum() or char in "-_./: "):
                escaped.append(char)
            else:
                escaped.append(_STRING_ESCAPES.get(char, f"\\u{{{ord(char):x}}}"))
        self.out.write(f'@external-id("{"".join(escaped)}")')
        self.out.newline()


_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


# ---------------------------------------------------------------- single items


def print_function(resolve: ir.Resolve, function: ir.Function) -> str:
    """One function as its interface, world or resource declares it, without
    docs or gates: `name: func(a: u32) -> string;`, `constructor(x: u32);`,
    `make: static func() -> r;`."""
    printer = _Printer(resolve, docs=False)
    out = printer.out
    if function.kind in ("static", "async-static"):
        out.write(f"{escape(function.item_name)}: static ")
    elif function.kind != "constructor":
        out.write(f"{escape(function.item_name)}: ")
    printer.function(function)
    out.raw(";")
    return out.text()


def print_type_definition(resolve: ir.Resolve, type_id: ir.TypeId) -> str:
    """The declaration of a named type, as the printer writes it in its
    interface or world, without docs or gates (a resource without its functions)."""
    printer = _Printer(resolve, docs=False)
    printer.declare(resolve.types[type_id])
    return printer.out.text().rstrip("\n")


def print_type(resolve: ir.Resolve, ty: ir.Type, *, explicit_own: bool = False) -> str:
    """A reference to a type, as a parameter or field writes it: `list<u8>`, `point`.

    With `explicit_own`, an owned handle is written `own<r>` rather than `r` (the
    same type), as a message that sets it against `borrow<r>` wants it.
    """
    printer = _Printer(resolve, docs=False, explicit_own=explicit_own)
    printer.type_name(ty)
    return printer.out.text()


def print_kind(resolve: ir.Resolve, kind: ir.StructuralKind, *, explicit_own: bool = False) -> str:
    """A structural type spelled out, as `type x = ...` writes it after the `=`:
    `list<u8>`, `result<_, e>`; `explicit_own` as for `print_type`."""
    printer = _Printer(resolve, docs=False, explicit_own=explicit_own)
    printer.structure(kind, force_own=True)
    return printer.out.text()
