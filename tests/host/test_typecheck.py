"""`witgen.host.typecheck` on its own: a function type read by wasmtime against a `Signature`.

The function types come from small component types written in WAT (wasmtime
reads them without instantiating anything); the signatures are built from the
runtime's codecs as generated bindings build them.  The load checks that use
this (`witgen.host.loader`) are tested on real components in test_loader.py.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect

import pytest
import wasmtime.component
from wasmtime import Engine
from wasmtime.component import Component

from witgen.host import typecheck
from witgen.host.typecheck import check_function, describe_type
from witgen.runtime import codec as rt_codec
from witgen.runtime import resources as rt_resources
from witgen.runtime.calls import Signature
from witgen.runtime.codec import (
    BOOL_CODEC,
    STRING_CODEC,
    U8_CODEC,
    U32_CODEC,
    BytesCodec,
    Codec,
    EnumCodec,
    FlagsCodec,
    ListCodec,
    OptionCodec,
    RecordCodec,
    ResultCodec,
    TupleCodec,
    VariantCodec,
)

ENGINE = Engine()


@dataclasses.dataclass
class Point:
    x: int
    y: int


@dataclasses.dataclass
class A:
    value: int


@dataclasses.dataclass
class B:
    pass


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Perms(enum.Flag):
    READ = 1
    WRITE = 2


def func_type(params: str, result: str = "", types: str = "") -> object:
    """The type of the function `f` a component imports: `(func PARAMS RESULT)`."""
    wat = f"""(component
      {types}
      (import "f" (func {params} {f"(result {result})" if result else ""})))"""
    component = Component(ENGINE, wat)
    return component.type.imports(ENGINE)["f"].ty


def signature(params: list[tuple[str, Codec]], result: Codec | None = None) -> Signature:
    return Signature("f", params, result)


def test_matching_types_have_no_problems() -> None:
    ty = func_type(
        '(param "a" u32) (param "b" string) (param "c" (list u8)) (param "d" (list string))'
        ' (param "e" (tuple u8 bool)) (param "p" $point) (param "v" $v) (param "col" $color)'
        ' (param "fl" $perms) (param "o" (option u32))',
        "(result u32 (error string))",
        types="""
          (type $point' (record (field "x" u32) (field "y" u32)))
          (import "point" (type $point (eq $point')))
          (type $v' (variant (case "a" u32) (case "b")))
          (import "v" (type $v (eq $v')))
          (type $color' (enum "red" "green"))
          (import "color" (type $color (eq $color')))
          (type $perms' (flags "read" "write"))
          (import "perms" (type $perms (eq $perms')))
        """,
    )
    sig = signature(
        [
            ("a", U32_CODEC),
            ("b", STRING_CODEC),
            ("c", BytesCodec()),
            ("d", ListCodec(STRING_CODEC)),
            ("e", TupleCodec([U8_CODEC, BOOL_CODEC])),
            ("p", RecordCodec("point", Point, [("x", "x", U32_CODEC), ("y", "y", U32_CODEC)])),
            ("v", VariantCodec("v", [(A, "a", U32_CODEC), (B, "b", None)])),
            ("col", EnumCodec("color", Color)),
            ("fl", FlagsCodec("perms", Perms, ["read", "write"])),
            ("o", OptionCodec(U32_CODEC, wrapped=False)),
        ],
        ResultCodec(U32_CODEC, STRING_CODEC),
    )
    assert check_function(sig, ty) == []


@pytest.mark.parametrize(
    ("params", "result", "types", "sig", "problems"),
    [
        (
            '(param "a" u32)',
            "",
            "",
            signature([("b", U32_CODEC)]),
            ["takes (a), where the host expects (b)"],
        ),
        (
            '(param "a" u64)',
            "",
            "",
            signature([("a", U32_CODEC)]),
            ["parameter `a`: is u64, where the host expects u32"],
        ),
        (
            "",
            "string",
            "",
            signature([]),
            ["returns string, where the host expects nothing"],
        ),
        (
            "",
            "",
            "",
            signature([], U8_CODEC),
            ["returns nothing, where the host expects a result"],
        ),
        (
            '(param "a" (list u16))',
            "",
            "",
            signature([("a", BytesCodec())]),
            ["parameter `a`: is list<u16>, where the host expects list<u8>"],
        ),
        (
            '(param "a" (list (option u8)))',
            "",
            "",
            signature([("a", ListCodec(OptionCodec(U32_CODEC, wrapped=False)))]),
            ["parameter `a`: element: some: is u8, where the host expects u32"],
        ),
        (
            '(param "a" (tuple u8))',
            "",
            "",
            signature([("a", TupleCodec([U8_CODEC, U8_CODEC]))]),
            ["parameter `a`: is tuple<u8>, where the host expects a tuple of 2"],
        ),
        (
            '(param "p" $p)',
            "",
            """(type $p' (record (field "y" u32) (field "x" u32)))
               (import "p" (type $p (eq $p')))""",
            signature(
                [("p", RecordCodec("point", Point, [("x", "x", U32_CODEC), ("y", "y", U32_CODEC)]))]
            ),
            ["parameter `p`: fields (y, x), where the host expects (x, y)"],
        ),
        (
            '(param "v" $v)',
            "",
            """(type $v' (variant (case "a") (case "b")))
               (import "v" (type $v (eq $v')))""",
            signature([("v", VariantCodec("v", [(A, "a", U32_CODEC), (B, "b", None)]))]),
            ["parameter `v`: case `a`: has no payload, where the host expects the opposite"],
        ),
        (
            '(param "c" $c)',
            "",
            """(type $c' (enum "red" "blue"))
               (import "c" (type $c (eq $c')))""",
            signature([("c", EnumCodec("color", Color))]),
            ["parameter `c`: cases (red, blue), where the host expects (red, green)"],
        ),
        (
            '(param "c" $c)',
            "",
            """(type $c' (flags "read"))
               (import "c" (type $c (eq $c')))""",
            signature([("c", FlagsCodec("perms", Perms, ["read", "write"]))]),
            ["parameter `c`: flags (read), where the host expects (read, write)"],
        ),
        (
            "",
            "(result u32)",
            "",
            signature([], ResultCodec(U32_CODEC, STRING_CODEC)),
            ["result: err: has no payload, where the host expects the opposite"],
        ),
        (
            "",
            "(result (error u8))",
            "",
            signature([], ResultCodec(None, STRING_CODEC)),
            ["result: err: is u8, where the host expects string"],
        ),
        (
            '(param "x" (tuple u8 u8))',
            "",
            "",
            signature([("x", OptionCodec(U8_CODEC, wrapped=False))]),
            ["parameter `x`: is tuple<u8, u8>, where the host expects an option"],
        ),
    ],
)
def test_differences_are_named_with_their_place(
    params: str, result: str, types: str, sig: Signature, problems: list[str]
) -> None:
    assert check_function(sig, func_type(params, result, types)) == problems


@pytest.mark.parametrize(
    ("wat", "text"),
    [
        ("u8", "u8"),
        ("s64", "s64"),
        ("f32", "f32"),
        ("char", "char"),
        ("string", "string"),
        ("(list (tuple bool f64))", "list<tuple<bool, f64>>"),
        ("(option (result))", "option<result>"),
        ("(result u8)", "result<u8>"),
        ("(result (error string))", "result<_, string>"),
        ("(result u8 (error string))", "result<u8, string>"),
        ('(record (field "a" u8) (field "b" u8))', "a record (a, b)"),
        ('(variant (case "a") (case "b" u8))', "a variant (a, b)"),
        ('(enum "x" "y")', "an enum (x, y)"),
        ('(flags "r")', "flags (r)"),
        ("(stream u8)", "stream<u8>"),
        ("(future string)", "future<string>"),
        ("(stream)", "stream"),
        ("(future)", "future"),
        # error-context: wasmtime-py 50 cannot enable the feature, so no component
        # that uses it loads (the case is there for when one does).
    ],
)
def test_describe_type_in_wit_words(wat: str, text: str) -> None:
    needs_name = wat.startswith(("(record", "(variant", "(enum", "(flags"))
    if needs_name:
        types = f"(type $t' {wat}) (import \"t\" (type $t (eq $t')))"
        ty = func_type('(param "x" $t)', types=types)
    else:
        ty = func_type(f'(param "x" {wat})')
    (_, param_ty), *_ = ty.params  # type: ignore[attr-defined]
    assert describe_type(param_ty) == text


def test_every_wasmtime_value_type_has_a_case() -> None:
    """wasmtime-py is untyped, so mypy cannot see a missing case: list its classes here."""
    source = inspect.getsource(describe_type)
    value_types = [
        name
        for name, cls in vars(wasmtime.component).items()
        if isinstance(cls, type)
        and issubclass(cls, wasmtime.component.ValType)
        and cls is not wasmtime.component.ValType
    ]
    assert value_types
    missing = [name for name in value_types if f"{name}()" not in source]
    assert missing == []


def test_every_codec_class_has_a_case() -> None:
    source = inspect.getsource(typecheck)
    codecs = [
        cls.__name__
        for module in (rt_codec, rt_resources)
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, Codec)
        and cls is not Codec
        and cls.__module__ == module.__name__
    ]
    assert codecs
    assert [name for name in codecs if f"case {name}()" not in source] == []
