"""The syntax tree: every construct of WIT, its spans and its docs.

Expected values are worked out from the WIT text by hand: names as written,
byte offsets counted in the source, docs attached by wit-parser's rule (every
comment between the previous token and the item).
"""

from __future__ import annotations

import pytest

from witgen.diagnostics import Span, WitError
from witgen.syntax import ast
from witgen.syntax.parse import parse_text
from witgen.version import Version


def parse(text: str) -> ast.File:
    return parse_text("test.wit", text)[1]


def only_interface(text: str) -> ast.Interface:
    file = parse(text)
    (item,) = file.items
    assert isinstance(item, ast.Interface)
    return item


def item_type(text: str) -> ast.Type:
    (alias,) = only_interface(f"interface i {{ type t = {text}; }}").items
    assert isinstance(alias, ast.TypeAlias)
    return alias.type


def test_package_header_with_full_semver() -> None:
    file = parse("package my-ns:my-pkg@1.2.3-rc.1+build.5;")
    assert file.header is not None
    name = file.header.name
    assert (name.namespace.text, name.name.text) == ("my-ns", "my-pkg")
    assert name.version is not None
    assert name.version.version == Version(1, 2, 3, "rc.1", "build.5")
    # "package " is 8 bytes; the 18-byte version starts after "my-ns:my-pkg@" (13).
    assert name.version.span == Span(0, 21, 39)
    assert name.span == Span(0, 8, 39)
    assert file.header.span == Span(0, 0, 40)
    assert file.items == ()


def test_nested_packages_and_plain_header() -> None:
    file = parse("package a:b;\npackage c:d@0.1.0 { interface i {} }\npackage e:f { world w {} }")
    assert file.header is not None and file.header.name.name.text == "b"
    first, second = file.items
    assert isinstance(first, ast.NestedPackage) and isinstance(second, ast.NestedPackage)
    assert first.name.version is not None and str(first.name.version.version) == "0.1.0"
    assert isinstance(first.items[0], ast.Interface)
    assert isinstance(second.items[0], ast.World)


def test_first_nested_package_is_not_a_header() -> None:
    file = parse("package a:b { interface i {} }")
    assert file.header is None
    assert isinstance(file.items[0], ast.NestedPackage)


def test_toplevel_use_with_alias() -> None:
    file = parse("package a:b;\nuse wasi:io/streams@0.2.0 as s;\nuse local;")
    first, second = file.items
    assert isinstance(first, ast.TopLevelUse) and isinstance(second, ast.TopLevelUse)
    assert isinstance(first.path, ast.PackagePath)
    assert first.path.package.namespace.text == "wasi"
    assert first.path.name.text == "streams"
    assert first.path.package.version is not None
    assert first.alias is not None and first.alias.text == "s"
    assert isinstance(second.path, ast.LocalPath) and second.alias is None


def test_explicit_identifiers_keep_their_percent() -> None:
    interface = only_interface("interface %interface { %type: func(); }")
    assert interface.name.text == "%interface"
    assert interface.name.name == "interface"
    (func,) = interface.items
    assert isinstance(func, ast.NamedFunc) and func.name.name == "type"


def test_later_identifier_segments_may_start_with_a_digit() -> None:
    interface = only_interface("interface a0-1b { }")
    assert interface.name.text == "a0-1b"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("bool", "bool"),
        ("u8", "u8"),
        ("s64", "s64"),
        ("f32", "f32"),
        ("f64", "f64"),
        ("char", "char"),
        ("string", "string"),
        ("error-context", "error-context"),
    ],
)
def test_primitive_types(text: str, kind: str) -> None:
    ty = item_type(text)
    assert isinstance(ty, ast.PrimitiveType) and ty.name == kind


def test_compound_types() -> None:
    ty = item_type("list<tuple<u8, string,>>")
    assert isinstance(ty, ast.ListType) and ty.size is None
    assert isinstance(ty.element, ast.TupleType)
    assert [e.name for e in ty.element.elements if isinstance(e, ast.PrimitiveType)] == [
        "u8",
        "string",
    ]
    fixed = item_type("list<u32, 4>")
    assert isinstance(fixed, ast.ListType) and fixed.size == 4
    mapping = item_type("map<string, option<u64>>")
    assert isinstance(mapping, ast.MapType) and isinstance(mapping.value, ast.OptionType)
    assert isinstance(item_type("tuple<>"), ast.TupleType)


@pytest.mark.parametrize(
    ("text", "ok", "err"),
    [
        ("result", False, False),
        ("result<u8>", True, False),
        ("result<_, u8>", False, True),
        ("result<u8, u8>", True, True),
    ],
)
def test_the_four_result_forms(text: str, ok: bool, err: bool) -> None:
    ty = item_type(text)
    assert isinstance(ty, ast.ResultType)
    assert (ty.ok is not None, ty.err is not None) == (ok, err)


def test_async_types_and_handles() -> None:
    future = item_type("future")
    assert isinstance(future, ast.FutureType) and future.element is None
    stream = item_type("stream<u8>")
    assert isinstance(stream, ast.StreamType) and stream.element is not None
    own = item_type("own<r>")
    assert isinstance(own, ast.HandleType) and own.kind == "own" and own.resource.text == "r"
    borrow = item_type("borrow<%r>")
    assert isinstance(borrow, ast.HandleType) and borrow.kind == "borrow"


def test_type_spans_and_keyword_spans() -> None:
    # "interface i { type t = " is 23 bytes.
    ty = item_type("list<u32>")
    assert ty.span == Span(0, 23, 32)
    assert ast.keyword_span(ty) == Span(0, 23, 27)


def test_type_definitions() -> None:
    interface = only_interface(
        "interface i {\n"
        "  record r { a: u32, b: string, }\n"
        "  flags f { x, y }\n"
        "  variant v { none, some(u32) }\n"
        "  enum e { one, two, }\n"
        "  resource empty;\n"
        "}"
    )
    record, flags, variant, enum, resource = interface.items
    assert isinstance(record, ast.Record) and [f.name.text for f in record.fields] == ["a", "b"]
    assert isinstance(flags, ast.Flags) and [f.name.text for f in flags.flags] == ["x", "y"]
    assert isinstance(variant, ast.Variant)
    assert [(c.name.text, c.type is not None) for c in variant.cases] == [
        ("none", False),
        ("some", True),
    ]
    assert isinstance(enum, ast.Enum) and [c.name.text for c in enum.cases] == ["one", "two"]
    assert isinstance(resource, ast.Resource) and resource.funcs == ()


def test_resource_functions() -> None:
    interface = only_interface(
        "interface i { resource r {\n"
        "  constructor(x: u32) -> result<r, string>;\n"
        "  get: func() -> u32;\n"
        "  make: static func() -> r;\n"
        "  wait: async func();\n"
        "  later: static async func();\n"
        "} }"
    )
    (resource,) = interface.items
    assert isinstance(resource, ast.Resource)
    kinds = [(f.kind, f.name.text, f.func.is_async) for f in resource.funcs]
    assert kinds == [
        ("constructor", "constructor", False),
        ("method", "get", False),
        ("static", "make", False),
        ("method", "wait", True),
        ("static", "later", True),
    ]
    constructor = resource.funcs[0]
    assert [p.name.text for p in constructor.func.params] == ["x"]
    assert isinstance(constructor.func.result, ast.ResultType)


def test_functions() -> None:
    interface = only_interface("interface i { f: async func(a: u32, b: list<u8>,) -> string; }")
    (named,) = interface.items
    assert isinstance(named, ast.NamedFunc)
    assert named.func.is_async
    assert [p.name.text for p in named.func.params] == ["a", "b"]
    assert isinstance(named.func.result, ast.PrimitiveType)
    # The `func` keyword: "interface i { f: async " is 23 bytes.
    assert named.func.keyword == Span(0, 23, 27)


def test_use_in_interface() -> None:
    interface = only_interface("interface i { use a:b/c@1.0.0-pre.{x, y as z,}; use d.{}; }")
    first, second = interface.items
    assert isinstance(first, ast.Use) and isinstance(second, ast.Use)
    assert isinstance(first.path, ast.PackagePath)
    assert first.path.package.version is not None
    assert str(first.path.package.version.version) == "1.0.0-pre"
    assert [(n.name.text, n.alias.text if n.alias else None) for n in first.names] == [
        ("x", None),
        ("y", "z"),
    ]
    assert second.names == ()


def test_world_items() -> None:
    file = parse(
        "world w {\n"
        "  import a;\n"
        "  import b: c:d/e@1.0.0;\n"
        "  import f: func(x: u32);\n"
        "  export g: interface { h: func(); }\n"
        "  export c:d/e;\n"
        "  use a.{t};\n"
        "  type t2 = u8;\n"
        "  include other with { x as y, z as w }\n"
        "  include c:d/other;\n"
        "}"
    )
    (world,) = file.items
    assert isinstance(world, ast.World)
    kinds = [
        type(item).__name__ + ":" + type(getattr(item, "kind", item)).__name__
        for item in world.items
    ]
    assert kinds == [
        "Import:ExternPath",
        "Import:ExternNamedPath",
        "Import:ExternFunc",
        "Export:ExternInterface",
        "Export:ExternPath",
        "Use:Use",
        "TypeAlias:TypeAlias",
        "Include:Include",
        "Include:Include",
    ]
    named = world.items[1]
    assert isinstance(named, ast.Import) and isinstance(named.kind, ast.ExternNamedPath)
    assert named.kind.label.text == "b" and isinstance(named.kind.path, ast.PackagePath)
    include = world.items[7]
    assert isinstance(include, ast.Include)
    assert [(n.name.text, n.alias.text) for n in include.names] == [("x", "y"), ("z", "w")]


def test_gates() -> None:
    interface = only_interface(
        "@since(version = 0.2.0)\n"
        "@unstable(feature = fancy-foo)\n"
        "@deprecated(version = 0.2.2)\n"
        '@external-id("any \\u{1F600} text")\n'
        "interface i {}"
    )
    since, unstable, deprecated, external = interface.attributes
    assert isinstance(since, ast.Since) and since.version.version == Version(0, 2, 0)
    assert isinstance(unstable, ast.Unstable) and unstable.feature.text == "fancy-foo"
    assert isinstance(deprecated, ast.Deprecated)
    assert isinstance(external, ast.ExternalId) and external.value == "any \U0001f600 text"
    assert since.span == Span(0, 0, 23)


def test_docs_are_every_comment_before_the_item() -> None:
    text = "// plain\n/// doc\n/* block /* nested */ */\ninterface i {}\n"
    interface = only_interface(text)
    assert interface.docs.comments == ("// plain\n", "/// doc\n", "/* block /* nested */ */")
    assert interface.docs.span == Span(0, 0, text.index("\ninterface"))


def test_docs_stop_at_the_previous_token_and_skip_attributes() -> None:
    interface = only_interface(
        "interface i {\n"
        "  /// a's doc\n"
        "  a: func(); // trailing\n"
        "  /// b's doc\n"
        "  @since(version = 1.0.0)\n"
        "  // not docs: after the gate\n"
        "  b: func();\n"
        "  record r {\n"
        "    /// field doc\n"
        "    x: u32,\n"
        "  }\n"
        "}"
    )
    a, b, record = interface.items
    assert isinstance(a, ast.NamedFunc) and a.docs.comments == ("/// a's doc\n",)
    assert isinstance(b, ast.NamedFunc)
    assert b.docs.comments == ("// trailing\n", "/// b's doc\n")
    assert isinstance(record, ast.Record)
    assert record.fields[0].docs.comments == ("/// field doc\n",)


def test_package_docs() -> None:
    file = parse("/// the package\npackage a:b;\n/// the world\nworld w {}")
    assert file.header is not None
    assert file.header.docs.comments == ("/// the package\n",)
    (world,) = file.items
    assert isinstance(world, ast.World) and world.docs.comments == ("/// the world\n",)


def test_byte_offsets_with_non_ascii_text() -> None:
    # "é" is two bytes: the identifier after it starts one byte later than its index.
    file = parse("// é\ninterface i {}")
    (interface,) = file.items
    assert isinstance(interface, ast.Interface)
    assert interface.name.span == Span(0, 16, 17)


def test_byte_order_mark_and_crlf() -> None:
    file = parse("\ufeffpackage a:b;\r\ninterface i {\r\n}\r\n")
    assert file.header is not None
    # The mark is three bytes.
    assert file.header.name.namespace.span == Span(0, 11, 12)


def test_first_error_only() -> None:
    with pytest.raises(WitError) as raised:
        parse("interface i { a }\ninterface j { b }")
    assert len(raised.value.diagnostics) == 1
    assert raised.value.diagnostics[0].message == "expected ':', found '}'"
