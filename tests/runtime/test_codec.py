"""`witgen.runtime.codec` on its own: values lowered into wasmtime's C values and lifted back.

No component is involved: each codec writes a `wasmtime_component_val_t`
that wasmtime allocated or that the test owns, reads it back, and the value is
deleted with `codec.delete`.  What is checked is what the bindings rely on:
every value round-trips, every value a type does not admit is refused before
wasmtime sees it (with the path to the bad part), and a value left half-built
by a refusal can still be deleted, so nothing leaks and nothing is freed twice.
The end-to-end tests (tests/codegen/test_end_to_end.py) send the same values
through real components.
"""

from __future__ import annotations

import dataclasses
import enum
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wasmtime import Store

from witgen.runtime.codec import (
    BOOL_CODEC,
    CHAR_CODEC,
    F32_CODEC,
    F64_CODEC,
    S8_CODEC,
    S64_CODEC,
    STRING_CODEC,
    U8_CODEC,
    U32_CODEC,
    U64_CODEC,
    BytesCodec,
    Codec,
    EnumCodec,
    FlagsCodec,
    Invalid,
    ListCodec,
    MapCodec,
    OptionCodec,
    RecordCodec,
    ResultCodec,
    TupleCodec,
    Val,
    VariantCodec,
    delete,
)
from witgen.runtime.context import Context
from witgen.runtime.wit import Err, Ok, Some


@dataclasses.dataclass
class Point:
    x: int
    label: str


@dataclasses.dataclass
class CaseA:
    value: int


@dataclasses.dataclass
class CaseB:
    value: bool


@dataclasses.dataclass
class CaseNone:
    pass


class Color(enum.Enum):
    RED = "red"
    DARK_GREEN = "dark-green"


class Perms(enum.Flag):
    READ = 1
    WRITE = 2
    EXEC = 4


POINT = RecordCodec("point", Point, [("x", "x", U32_CODEC), ("label", "label", STRING_CODEC)])
SHAPE = VariantCodec(
    "shape", [(CaseA, "a", U32_CODEC), (CaseB, "b", BOOL_CODEC), (CaseNone, "none", None)]
)
COLOR = EnumCodec("color", Color)
PERMS = FlagsCodec("perms", Perms, ["read", "write", "exec"])


@pytest.fixture(scope="module")
def cx() -> Context:
    return Context(Store(), None)


def round_trip(codec: Codec, value: object, cx: Context) -> object:
    val = Val()
    try:
        codec.lower(value, val, cx)
        return codec.lift(val, cx)
    finally:
        delete(val)


def refusal(codec: Codec, value: object, cx: Context) -> Invalid:
    """The `Invalid` lowering `value` raises; the half-built value is deleted."""
    val = Val()
    try:
        with pytest.raises(Invalid) as caught:
            codec.lower(value, val, cx)
    finally:
        delete(val)
    return caught.value


CASES: list[tuple[str, Codec, object]] = [
    ("bool", BOOL_CODEC, True),
    ("u8 max", U8_CODEC, 255),
    ("s8 min", S8_CODEC, -128),
    ("u64 max", U64_CODEC, 2**64 - 1),
    ("s64 min", S64_CODEC, -(2**63)),
    ("f64", F64_CODEC, 1.5),
    ("char astral", CHAR_CODEC, "\U0001f600"),
    ("string", STRING_CODEC, "héllo\0world"),
    ("empty string", STRING_CODEC, ""),
    ("bytes", BytesCodec(), bytes(range(256))),
    ("empty bytes", BytesCodec(), b""),
    ("list", ListCodec(STRING_CODEC), ["a", "", "c"]),
    ("empty list", ListCodec(U32_CODEC), []),
    ("tuple", TupleCodec([U8_CODEC, STRING_CODEC]), (1, "x")),
    ("map", MapCodec(STRING_CODEC, U32_CODEC), {"a": 1, "b": 2}),
    ("record", POINT, Point(7, "p")),
    ("variant with payload", SHAPE, CaseB(False)),
    ("variant without payload", SHAPE, CaseNone()),
    ("enum", COLOR, Color.DARK_GREEN),
    ("flags", PERMS, Perms.READ | Perms.EXEC),
    ("no flags", PERMS, Perms(0)),
    ("option some", OptionCodec(U32_CODEC, wrapped=False), 3),
    ("option none", OptionCodec(U32_CODEC, wrapped=False), None),
    ("option<option> some none", OptionCodec(OptionCodec(U8_CODEC, False), True), Some(None)),
    ("result ok", ResultCodec(STRING_CODEC, U8_CODEC), Ok("fine")),
    ("result err", ResultCodec(STRING_CODEC, U8_CODEC), Err(4)),
    ("result no payloads", ResultCodec(None, None), Err(None)),
    (
        "nested",
        ListCodec(OptionCodec(TupleCodec([POINT, ListCodec(SHAPE)]), wrapped=False)),
        [None, (Point(1, "a"), [CaseA(2), CaseNone()]), None],
    ),
]


@pytest.mark.parametrize(("codec", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_trip(codec: Codec, value: object, cx: Context) -> None:
    assert round_trip(codec, value, cx) == value


def test_f32_rounds_to_single_precision(cx: Context) -> None:
    assert round_trip(F32_CODEC, 0.1, cx) == pytest.approx(0.1, rel=1e-7)
    assert round_trip(F32_CODEC, 0.1, cx) != 0.1


@given(st.text())
def test_any_text_without_surrogates_round_trips(text: str) -> None:
    cx = Context(Store(), None)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert "surrogate" in refusal(STRING_CODEC, text, cx).message
    else:
        assert round_trip(STRING_CODEC, text, cx) == text


REFUSED: list[tuple[str, Codec, object, type[Exception], str]] = [
    ("bool is not an int", U32_CODEC, True, TypeError, "expected an int for u32"),
    ("u8 overflow", U8_CODEC, 256, ValueError, "256 is out of range for u8 (0 to 255)"),
    ("u32 negative", U32_CODEC, -1, ValueError, "out of range for u32"),
    ("s8 underflow", S8_CODEC, -129, ValueError, "out of range for s8"),
    ("f32 overflow", F32_CODEC, 1e39, ValueError, "out of range for f32"),
    ("float from str", F64_CODEC, "1.0", TypeError, "expected a float"),
    ("surrogate char", CHAR_CODEC, "\ud800", ValueError, "surrogate U+D800"),
    ("two chars", CHAR_CODEC, "ab", ValueError, "exactly one character"),
    ("surrogate string", STRING_CODEC, "a\udfffb", ValueError, "lone surrogate at index 1"),
    ("bytes from list", BytesCodec(), [1, 2], TypeError, "expected bytes"),
    ("tuple length", TupleCodec([U8_CODEC, U8_CODEC]), (1,), ValueError, "tuple of 2"),
    ("record class", POINT, CaseA(1), TypeError, "expected a Point for record `point`"),
    ("variant class", SHAPE, Point(1, ""), TypeError, "expected one of CaseA, CaseB"),
    ("enum member", COLOR, "red", TypeError, "expected a Color"),
    ("option wrapping", OptionCodec(OptionCodec(U8_CODEC, False), True), 3, TypeError, "Some"),
    ("result class", ResultCodec(None, None), 3, TypeError, "expected Ok(...) or Err(...)"),
    ("result payload", ResultCodec(None, None), Ok(1), TypeError, "`ok` case has no payload"),
]


@pytest.mark.parametrize(
    ("codec", "value", "kind", "message"),
    [c[1:] for c in REFUSED],
    ids=[c[0] for c in REFUSED],
)
def test_refused_before_wasmtime_sees_it(
    codec: Codec, value: object, kind: type[Exception], message: str, cx: Context
) -> None:
    invalid = refusal(codec, value, cx)
    assert invalid.kind is kind
    assert message in invalid.describe()


def test_flags_outside_the_type_are_refused(cx: Context) -> None:
    class Wider(enum.Flag):
        A = 1
        B = 2
        C = 4
        D = 8

    codec = FlagsCodec("wide", Wider, ["a", "b", "c"])
    invalid = refusal(codec, Wider.A | Wider.D, cx)
    assert invalid.kind is ValueError
    assert invalid.message == "flags `wide` have no flag with value 8"


@pytest.mark.parametrize(
    ("codec", "value", "path"),
    [
        (ListCodec(U8_CODEC), [1, 2, 300], "element 2: "),
        (POINT, Point(1, "\ud800"), "field `label`: "),
        (SHAPE, CaseA(-1), "case `a`: "),
        (MapCodec(STRING_CODEC, U8_CODEC), {"k": 999}, "value at key 'k': "),
        (MapCodec(U8_CODEC, U8_CODEC), {999: 1}, "key 999: "),
        (OptionCodec(U8_CODEC, False), 999, "some: "),
        (ResultCodec(U8_CODEC, STRING_CODEC), Err(3), "err: "),
        (
            ListCodec(TupleCodec([STRING_CODEC, ListCodec(POINT)])),
            [("a", []), ("b", [Point(1, "x"), Point(-5, "y")])],
            "element 1: element 1: element 1: field `x`: ",
        ),
    ],
)
def test_refusal_names_the_bad_part_and_the_half_built_value_is_deletable(
    codec: Codec, value: object, path: str, cx: Context
) -> None:
    # `refusal` deletes what lowering built before the bad part was reached:
    # strings, nested lists and records already filled in.  A value that was
    # not deletable here would crash the process or corrupt the heap.
    assert refusal(codec, value, cx).describe().startswith(path)


class Palette(enum.Enum):
    RED = "red"
    BLUE = "blue"


def test_lifting_checks_what_it_is_handed(cx: Context) -> None:
    """A value of another type (as a component of a newer version could send) is refused."""
    val = Val()
    try:
        ListCodec(STRING_CODEC).lower(["x"], val, cx)
        with pytest.raises(Invalid, match="list<u8> holds values that are not u8"):
            BytesCodec().lift(val, cx)
    finally:
        delete(val)
    val = Val()
    try:
        EnumCodec("palette", Palette).lower(Palette.BLUE, val, cx)
        with pytest.raises(Invalid, match="enum `color` has no case `blue`"):
            COLOR.lift(val, cx)
    finally:
        delete(val)
    val = Val()
    try:
        VariantCodec("other", [(CaseA, "z", U32_CODEC)]).lower(CaseA(1), val, cx)
        with pytest.raises(Invalid, match="variant `shape` has no case `z`"):
            SHAPE.lift(val, cx)
    finally:
        delete(val)


LEAK_SCRIPT = textwrap.dedent("""
    import dataclasses, sys
    from wasmtime import Store
    from witgen.runtime.codec import (
        STRING_CODEC, U32_CODEC, BytesCodec, Invalid, ListCodec, OptionCodec, RecordCodec,
        Val, delete,
    )
    from witgen.runtime.context import Context

    @dataclasses.dataclass
    class Item:
        n: int
        text: str

    codec = ListCodec(OptionCodec(RecordCodec(
        "item", Item, [("n", "n", U32_CODEC), ("text", "text", STRING_CODEC)]), False))
    blob = BytesCodec()
    good = [Item(i, "x" * 200) for i in range(8)] + [None]
    bad = good + [Item(-1, "never")]  # refused after the others are built
    cx = Context(Store(), None)
    do_delete = sys.argv[1] == "delete"

    def rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096

    def once() -> None:
        for value in (good, bad):
            val = Val()
            try:
                codec.lower(value, val, cx)
            except Invalid:
                pass
            if do_delete:
                delete(val)
        val = Val()
        blob.lower(b"y" * 512, val, cx)
        if do_delete:
            delete(val)

    for _ in range(500):
        once()
    before = rss()
    for _ in range(5000):
        once()
    print(rss() - before)
    """)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_lowered_values_are_freed_by_delete() -> None:
    """5,000 rounds of good and refused values: freed with `delete`, the process does
    not grow; without it (the control), it grows by well over the bound."""

    def growth(mode: str) -> int:
        result = subprocess.run(
            [sys.executable, "-c", LEAK_SCRIPT, mode], capture_output=True, text=True, check=True
        )
        return int(result.stdout)

    bound = 4 << 20
    assert growth("leak") > 4 * bound  # the measurement can see a leak
    assert growth("delete") < bound
