"""Does a component's function type match what the bindings expect?

In: a `Signature` of the generated bindings (its codecs describe the WIT
types exactly) and a wasmtime `FuncType` read from a component's type, before
it is instantiated.  Out: the differences, as sentences naming the parameter
or result and the place inside it (empty when the types match).  Raises
nothing.

Why: wasmtime does not check host functions against what a component imports
(the linker's functions are untyped), so without this a component built
against another version of an interface would instantiate and then fail at
its first call.  Types compare structurally, as the component model does:
record fields, variant and enum cases and flags by name and order, handles
by kind (`own` or `borrow`).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

from wasmtime import _ffi as ffi
from wasmtime.component import (
    F32,
    F64,
    S8,
    S16,
    S32,
    S64,
    U8,
    U16,
    U32,
    U64,
    Bool,
    BorrowType,
    Char,
    EnumType,
    ErrorContext,
    FlagsType,
    FuncType,
    FutureType,
    ListType,
    OptionType,
    OwnType,
    RecordType,
    ResultType,
    StreamType,
    String,
    TupleType,
    VariantType,
)
from wasmtime.component._types import valtype_from_ptr

from witgen.runtime.calls import Signature
from witgen.runtime.codec import (
    BoolCodec,
    BytesCodec,
    CharCodec,
    Codec,
    EnumCodec,
    FlagsCodec,
    FloatCodec,
    IntCodec,
    ListCodec,
    MapCodec,
    OptionCodec,
    RecordCodec,
    ResultCodec,
    StringCodec,
    TupleCodec,
    UnbindableCodec,
    VariantCodec,
)
from witgen.runtime.resources import ResourceCodec

_INTEGERS: dict[str, type] = {
    "u8": U8,
    "u16": U16,
    "u32": U32,
    "u64": U64,
    "s8": S8,
    "s16": S16,
    "s32": S32,
    "s64": S64,
}
_FLOATS: dict[str, type] = {"f32": F32, "f64": F64}
_SCALAR_NAMES = {cls: name for name, cls in (*_INTEGERS.items(), *_FLOATS.items())}


def check_function(signature: Signature, func_type: FuncType) -> list[str]:
    """How `func_type` differs from `signature` (no entries: they match)."""
    problems: list[str] = []
    params = func_type.params
    expected = signature.param_names
    if [name for name, _ in params] != list(expected):
        problems.append(
            f"takes ({', '.join(name for name, _ in params)}), "
            f"where the host expects ({', '.join(expected)})"
        )
    else:
        for (name, ty), codec in zip(params, signature.param_codecs, strict=True):
            problems += check_value(codec, ty, f"parameter `{name}`")
    result = func_type.result
    if signature.result is None:
        if result is not None:
            problems.append(f"returns {describe_type(result)}, where the host expects nothing")
    elif result is None:
        problems.append("returns nothing, where the host expects a result")
    else:
        problems += check_value(signature.result, result, "result")
    return problems


def check_value(codec: Codec, ty: object, where: str) -> list[str]:
    """How the value type `ty` differs from what `codec` converts."""
    expected = _expected(codec, ty, where)
    if isinstance(expected, list):
        return expected
    return [f"{where}: is {describe_type(ty)}, where the host expects {expected}"]


def _expected(codec: Codec, ty: object, where: str) -> list[str] | str:
    """The problems inside a match, or the name of the expected kind on a mismatch.

    One case per codec class of `witgen.runtime` (a new codec needs a case:
    `test_typecheck.py` checks that every codec class has one).
    """
    match codec:
        case BoolCodec():
            return [] if isinstance(ty, Bool) else "bool"
        case IntCodec():
            return [] if isinstance(ty, _INTEGERS[codec.wit]) else codec.wit
        case FloatCodec():
            return [] if isinstance(ty, _FLOATS[codec.wit]) else codec.wit
        case CharCodec():
            return [] if isinstance(ty, Char) else "char"
        case StringCodec():
            return [] if isinstance(ty, String) else "string"
        case BytesCodec():
            return [] if isinstance(ty, ListType) and isinstance(ty.element, U8) else "list<u8>"
        case ListCodec():
            if not isinstance(ty, ListType):
                return "a list"
            return check_value(codec.element, ty.element, f"{where}: element")
        case TupleCodec():
            if not isinstance(ty, TupleType) or len(ty.elements) != len(codec.elements):
                return f"a tuple of {len(codec.elements)}"
            return [
                problem
                for index, (element, element_ty) in enumerate(
                    zip(codec.elements, ty.elements, strict=True)
                )
                for problem in check_value(element, element_ty, f"{where}: element {index}")
            ]
        case RecordCodec():
            return _record(codec, ty, where)
        case VariantCodec():
            return _variant(codec, ty, where)
        case EnumCodec():
            names = list(codec.by_name)
            if not isinstance(ty, EnumType):
                return f"enum `{codec.wit}`"
            return [] if ty.names == names else [_names_differ(where, "cases", ty.names, names)]
        case FlagsCodec():
            names = [name.decode() for _, name in codec.members]
            if not isinstance(ty, FlagsType):
                return f"flags `{codec.wit}`"
            return [] if ty.names == names else [_names_differ(where, "flags", ty.names, names)]
        case OptionCodec():
            if not isinstance(ty, OptionType):
                return "an option"
            return check_value(codec.inner, ty.payload, f"{where}: some")
        case ResultCodec():
            return _result(codec, ty, where)
        case ResourceCodec():
            kind = BorrowType if codec.borrow else OwnType
            word = "borrow" if codec.borrow else "own"
            return [] if isinstance(ty, kind) else f"{word}<{codec.name}>"
        case MapCodec():
            # wasmtime-py 50 has no map value type to compare with.
            return []
        case UnbindableCodec():
            # A stream, future, error-context or fixed-size list inside a type:
            # wasmtime-py 50 has no value type for them to compare with either.
            return []
        case _:
            return f"a type witgen does not know ({type(codec).__name__})"


def _record(codec: RecordCodec, ty: object, where: str) -> list[str] | str:
    if not isinstance(ty, RecordType):
        return f"record `{codec.wit}`"
    fields = ty.fields
    expected = [name for _, name, _ in codec.fields]
    if [name for name, _ in fields] != expected:
        return [_names_differ(where, "fields", [name for name, _ in fields], expected)]
    return [
        problem
        for (name, field_ty), (_, _, field_codec) in zip(fields, codec.fields, strict=True)
        for problem in check_value(field_codec, field_ty, f"{where}: field `{name}`")
    ]


def _variant(codec: VariantCodec, ty: object, where: str) -> list[str] | str:
    if not isinstance(ty, VariantType):
        return f"variant `{codec.wit}`"
    cases = ty.cases
    expected = list(codec.by_name)
    if [name for name, _ in cases] != expected:
        return [_names_differ(where, "cases", [name for name, _ in cases], expected)]
    return [
        problem
        for name, payload in cases
        for problem in _payload_problems(codec.by_name[name][1], payload, f"{where}: case `{name}`")
    ]


def _result(codec: ResultCodec, ty: object, where: str) -> list[str] | str:
    if not isinstance(ty, ResultType):
        return "a result"
    return [
        *_payload_problems(codec.ok, ty.ok, f"{where}: ok"),
        *_payload_problems(codec.err, ty.err, f"{where}: err"),
    ]


def _payload_problems(codec: Codec | None, payload: object, place: str) -> list[str]:
    """A case's payload (a variant's case, a result's ok or err) against the host's."""
    if (payload is None) != (codec is None):
        has = "has no payload" if payload is None else "has a payload"
        return [f"{place}: {has}, where the host expects the opposite"]
    if payload is not None and codec is not None:
        return check_value(codec, payload, place)
    return []


def _names_differ(where: str, what: str, found: list[str], expected: list[str]) -> str:
    return f"{where}: {what} ({', '.join(found)}), where the host expects ({', '.join(expected)})"


def result_notation(ok: str | None, err: str | None) -> str:
    """`result`, `result<T>`, `result<_, E>` or `result<T, E>`, as WIT writes them."""
    if err is None:
        return "result" if ok is None else f"result<{ok}>"
    return f"result<{ok or '_'}, {err}>"


def describe_type(ty: object) -> str:
    """A value type in WIT words, as far as wasmtime describes it.

    One case per value type class of wasmtime-py 50 (`wasmtime.component`);
    wasmtime-py is untyped, so mypy cannot check that the cases are all
    there: `test_typecheck.py` checks it against wasmtime's classes.
    """
    match ty:
        case Bool():
            return "bool"
        case U8() | U16() | U32() | U64() | S8() | S16() | S32() | S64() | F32() | F64():
            return _SCALAR_NAMES[type(ty)]
        case Char():
            return "char"
        case String():
            return "string"
        case ListType():
            return f"list<{describe_type(ty.element)}>"
        case TupleType():
            return f"tuple<{', '.join(describe_type(e) for e in ty.elements)}>"
        case OptionType():
            return f"option<{describe_type(ty.payload)}>"
        case ResultType():
            return result_notation(
                describe_type(ty.ok) if ty.ok is not None else None,
                describe_type(ty.err) if ty.err is not None else None,
            )
        case RecordType():
            return f"a record ({', '.join(name for name, _ in ty.fields)})"
        case VariantType():
            return f"a variant ({', '.join(name for name, _ in ty.cases)})"
        case EnumType():
            return f"an enum ({', '.join(ty.names)})"
        case FlagsType():
            return f"flags ({', '.join(ty.names)})"
        case OwnType():
            return "an own handle"
        case BorrowType():
            return "a borrow handle"
        case FutureType():
            return _generic("future", _payload(ffi.wasmtime_component_future_type_ty, ty))
        case StreamType():
            return _generic("stream", _payload(ffi.wasmtime_component_stream_type_ty, ty))
        case ErrorContext():
            return "error-context"
        case _:
            return type(ty).__name__


def _payload(read: Callable[[Any, Any], bool], ty: Any) -> object:
    """The payload of a `future` or `stream` type, None for none.

    wasmtime-py's `payload` property drops the C function's "has a payload"
    answer and reads an empty payload as `bool`; this asks the C API itself.
    """
    valtype = ffi.wasmtime_component_valtype_t()
    if not read(ty.ptr(), ctypes.byref(valtype)):
        return None
    return valtype_from_ptr(valtype)


def _generic(name: str, payload: object) -> str:
    return name if payload is None else f"{name}<{describe_type(payload)}>"
