"""Typed values in and out of wasmtime's component values.

In: a codec per WIT type, built by generated bindings from the resolved
types, and Python values.  Out: `lower()` writes a value into a
`wasmtime_component_val_t` (wasmtime's C representation); `lift()` reads one
back.  Raises `Invalid` (turned into `TypeError`/`ValueError` naming the
function and parameter by `calls.py`) for a value the type does not admit.

Why not wasmtime-py's own conversion: it guesses which case of a variant,
option or result a Python value belongs to by its class, so some values cannot
be sent at all (`err` of `result<option<T>, E>`, `b` of
`variant { a(u32), b(bool) }`); it wraps integers silently; a surrogate
`char` aborts the process; it re-reads the function type on every call; and it
converts `list<u8>` one byte at a time.  Here the generated code knows every
type, so every case is explicit, every check happens in Python before
wasmtime sees the value, and bytes move in bulk.

Memory: lowering keeps every value it builds deletable at any moment (arrays
are zeroed, containers are marked before their children are filled), so on an
error the caller deletes the top value and nothing leaks.  Lifting only reads,
except that it takes resource handles out; the caller deletes the top value
afterwards.  This module uses wasmtime-py's C bindings (`wasmtime._ffi`),
which is why witgen pins `wasmtime==50.*`.
"""

from __future__ import annotations

import ctypes
import enum
import math
from collections.abc import Sequence
from typing import Any

from wasmtime import _ffi as ffi

from witgen.runtime.context import Context
from witgen.runtime.wit import Err, Ok, Some

Val = ffi.wasmtime_component_val_t

BOOL = 0
S8, U8, S16, U16, S32, U32, S64, U64 = 1, 2, 3, 4, 5, 6, 7, 8
F32, F64, CHAR, STRING = 9, 10, 11, 12
LIST, RECORD, TUPLE, VARIANT, ENUM, OPTION, RESULT, FLAGS, RESOURCE = range(13, 22)
MAP = 22

VAL_SIZE = ctypes.sizeof(Val)
PAYLOAD = Val.of.offset  # where the union starts inside a value


class Invalid(Exception):
    """A value the type does not admit; `kind` is the exception to raise for it."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.path: list[str] = []

    def within(self, place: str) -> Invalid:
        self.path.insert(0, place)
        return self

    def describe(self) -> str:
        where = "".join(f"{place}: " for place in self.path)
        return f"{where}{self.message}"


def describe(value: object) -> str:
    """A value as an error message shows it: its type and (the start of) its repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


# `wasm_byte_vec_new`, declared to take the bytes as they are (`char *`): one
# C call makes a name, where wasmtime-py's `bytes_to_capi` copies three times.
_byte_vec_new = ffi.dll._FuncPtr(("wasm_byte_vec_new", ffi.dll))
_byte_vec_new.restype = None
_byte_vec_new.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def _name(data: bytes) -> Any:
    """A `wasm_name_t` holding a copy of `data` (whoever receives it owns it)."""
    vec = ffi.wasm_byte_vec_t()
    _byte_vec_new(ctypes.byref(vec), len(data), data)
    return vec


def _zeroed(array: Any, count: int, size: int = VAL_SIZE) -> None:
    if count:
        ctypes.memset(array, 0, count * size)


class Codec:
    """How one WIT type crosses the boundary.

    `owns` says whether a lowered value owns memory that must be deleted;
    scalars do not.
    """

    __slots__ = ()
    owns = True

    def lower(self, value: object, out: Any, cx: Context) -> None:
        raise NotImplementedError

    def lift(self, val: Any, cx: Context) -> object:
        raise NotImplementedError


# ---------------------------------------------------------------- scalars


class BoolCodec(Codec):
    __slots__ = ()
    owns = False

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, bool):
            raise Invalid(TypeError, f"expected a bool, got {describe(value)}")
        out.of.boolean = value
        out.kind = BOOL

    def lift(self, val: Any, cx: Context) -> object:
        return bool(val.of.boolean)


class IntCodec(Codec):
    """An integer type: exact `int` (not `bool`) within the type's range."""

    __slots__ = ("field", "high", "kind", "low", "wit")
    owns = False

    def __init__(self, wit: str, kind: int, field: str, bits: int, signed: bool) -> None:
        self.wit = wit
        self.kind = kind
        self.field = field
        self.low = -(1 << (bits - 1)) if signed else 0
        self.high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid(TypeError, f"expected an int for {self.wit}, got {describe(value)}")
        if not self.low <= value <= self.high:
            raise Invalid(
                ValueError,
                f"{value} is out of range for {self.wit} ({self.low} to {self.high})",
            )
        setattr(out.of, self.field, value)
        out.kind = self.kind

    def lift(self, val: Any, cx: Context) -> object:
        return int(getattr(val.of, self.field))


class FloatCodec(Codec):
    """`f32` or `f64`: a float (an int is accepted and converted, a bool is not)."""

    __slots__ = ("field", "kind", "wit")
    owns = False

    def __init__(self, wit: str, kind: int, field: str) -> None:
        self.wit = wit
        self.kind = kind
        self.field = field

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, (float, int)) or isinstance(value, bool):
            raise Invalid(TypeError, f"expected a float for {self.wit}, got {describe(value)}")
        number = float(value)
        if self.kind == F32 and math.isfinite(number) and abs(number) > 3.4028234663852886e38:
            raise Invalid(ValueError, f"{value} is out of range for f32")
        setattr(out.of, self.field, number)
        out.kind = self.kind

    def lift(self, val: Any, cx: Context) -> object:
        return float(getattr(val.of, self.field))


class CharCodec(Codec):
    """A `str` of one Unicode scalar value (surrogates would abort wasmtime)."""

    __slots__ = ()
    owns = False

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, str):
            raise Invalid(
                TypeError, f"expected a one-character str for char, got {describe(value)}"
            )
        if len(value) != 1:
            raise Invalid(ValueError, f"expected exactly one character for char, got {value!r}")
        code = ord(value)
        if 0xD800 <= code <= 0xDFFF:
            raise Invalid(ValueError, f"char cannot be the surrogate U+{code:04X}")
        out.of.character = code
        out.kind = CHAR

    def lift(self, val: Any, cx: Context) -> object:
        return chr(val.of.character)


class StringCodec(Codec):
    __slots__ = ()

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, str):
            raise Invalid(TypeError, f"expected a str, got {describe(value)}")
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise Invalid(
                ValueError, f"string has a lone surrogate at index {error.start}"
            ) from None
        # The name is made in place: no `wasm_name_t` object to build and copy.
        _byte_vec_new(ctypes.addressof(out) + PAYLOAD, len(data), data)
        out.kind = STRING

    def lift(self, val: Any, cx: Context) -> object:
        name = val.of.string
        if not name.size:
            return ""
        return ctypes.string_at(name.data, name.size).decode("utf-8")


BOOL_CODEC = BoolCodec()
U8_CODEC = IntCodec("u8", U8, "u8", 8, False)
U16_CODEC = IntCodec("u16", U16, "u16", 16, False)
U32_CODEC = IntCodec("u32", U32, "u32", 32, False)
U64_CODEC = IntCodec("u64", U64, "u64", 64, False)
S8_CODEC = IntCodec("s8", S8, "s8", 8, True)
S16_CODEC = IntCodec("s16", S16, "s16", 16, True)
S32_CODEC = IntCodec("s32", S32, "s32", 32, True)
S64_CODEC = IntCodec("s64", S64, "s64", 64, True)
F32_CODEC = FloatCodec("f32", F32, "f32")
F64_CODEC = FloatCodec("f64", F64, "f64")
CHAR_CODEC = CharCodec()
STRING_CODEC = StringCodec()


# ---------------------------------------------------------------- lists and tuples


class BytesCodec(Codec):
    """`list<u8>` as `bytes`, moved in bulk rather than one value per byte.

    wasmtime's C API still holds one `wasmtime_component_val_t` per byte; this
    writes and reads their `kind` and payload bytes as two strided slices of
    the array wasmtime allocated, without a copy in between.
    """

    __slots__ = ()

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise Invalid(TypeError, f"expected bytes for list<u8>, got {describe(value)}")
        data = value if isinstance(value, bytes) else bytes(value)
        count = len(data)
        raw = ffi.wasmtime_component_vallist_t()
        ffi.wasmtime_component_vallist_new_uninit(ctypes.byref(raw), count)
        out.of.list = raw
        out.kind = LIST
        if count:
            view = _view(raw.data, count)
            view[0::VAL_SIZE] = _U8_KIND * count
            view[PAYLOAD::VAL_SIZE] = data

    def lift(self, val: Any, cx: Context) -> object:
        raw = val.of.list
        count = raw.size
        if not count:
            return b""
        view = _view(raw.data, count)
        if view[0::VAL_SIZE] != _U8_KIND * count:
            raise Invalid(TypeError, "list<u8> holds values that are not u8")
        return view[PAYLOAD::VAL_SIZE].tobytes()


_U8_KIND = bytes((U8,))


def _view(array: Any, count: int) -> memoryview:
    """The bytes of `count` values starting at `array`, writable in place."""
    address = ctypes.cast(array, ctypes.c_void_p).value
    return memoryview((ctypes.c_ubyte * (count * VAL_SIZE)).from_address(address or 0)).cast("B")


class ListCodec(Codec):
    __slots__ = ("element",)

    def __init__(self, element: Codec) -> None:
        self.element = element

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, (list, tuple)):
            raise Invalid(TypeError, f"expected a list, got {describe(value)}")
        raw = ffi.wasmtime_component_vallist_t()
        ffi.wasmtime_component_vallist_new_uninit(ctypes.byref(raw), len(value))
        _zeroed(raw.data, len(value))
        out.of.list = raw
        out.kind = LIST
        data = raw.data
        element = self.element
        for index, item in enumerate(value):
            try:
                element.lower(item, data[index], cx)
            except Invalid as error:
                raise error.within(f"element {index}") from None

    def lift(self, val: Any, cx: Context) -> object:
        raw = val.of.list
        data = raw.data
        element = self.element
        return [element.lift(data[index], cx) for index in range(raw.size)]


class TupleCodec(Codec):
    __slots__ = ("elements",)

    def __init__(self, elements: Sequence[Codec]) -> None:
        self.elements = tuple(elements)

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, tuple):
            raise Invalid(TypeError, f"expected a tuple, got {describe(value)}")
        if len(value) != len(self.elements):
            raise Invalid(
                ValueError,
                f"expected a tuple of {len(self.elements)} values, got {len(value)}",
            )
        raw = ffi.wasmtime_component_valtuple_t()
        ffi.wasmtime_component_valtuple_new_uninit(ctypes.byref(raw), len(value))
        _zeroed(raw.data, len(value))
        out.of.tuple = raw
        out.kind = TUPLE
        data = raw.data
        for index, (codec, item) in enumerate(zip(self.elements, value, strict=True)):
            try:
                codec.lower(item, data[index], cx)
            except Invalid as error:
                raise error.within(f"element {index}") from None

    def lift(self, val: Any, cx: Context) -> object:
        data = val.of.tuple.data
        return tuple(codec.lift(data[i], cx) for i, codec in enumerate(self.elements))


class MapCodec(Codec):
    """`map<K, V>` as a `dict`."""

    __slots__ = ("key", "value")

    def __init__(self, key: Codec, value: Codec) -> None:
        self.key = key
        self.value = value

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, dict):
            raise Invalid(TypeError, f"expected a dict, got {describe(value)}")
        raw = ffi.wasmtime_component_valmap_t()
        ffi.wasmtime_component_valmap_new_uninit(ctypes.byref(raw), len(value))
        _zeroed(raw.data, len(value), ctypes.sizeof(ffi.wasmtime_component_valmap_entry_t))
        out.of.map = raw
        out.kind = MAP
        data = raw.data
        for index, (key, item) in enumerate(value.items()):
            entry = data[index]
            try:
                self.key.lower(key, entry.key, cx)
            except Invalid as error:
                raise error.within(f"key {key!r}") from None
            try:
                self.value.lower(item, entry.value, cx)
            except Invalid as error:
                raise error.within(f"value at key {key!r}") from None

    def lift(self, val: Any, cx: Context) -> object:
        raw = val.of.map
        data = raw.data
        result = {}
        for index in range(raw.size):
            entry = data[index]
            result[self.key.lift(entry.key, cx)] = self.value.lift(entry.value, cx)
        return result


# ---------------------------------------------------------------- records, variants, enums, flags


class RecordCodec(Codec):
    """A record as an instance of its generated dataclass."""

    __slots__ = ("cls", "encoded", "fields", "wit")

    def __init__(self, wit: str, cls: type, fields: Sequence[tuple[str, str, Codec]]) -> None:
        self.wit = wit
        self.cls = cls
        # (python attribute, wit field name, codec)
        self.fields = tuple(fields)
        self.encoded = tuple(name.encode() for _, name, _ in self.fields)

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, self.cls):
            raise Invalid(
                TypeError,
                f"expected a {self.cls.__name__} for record `{self.wit}`, got {describe(value)}",
            )
        count = len(self.fields)
        # The entries are written in place, by address: a ctypes object per
        # entry (and per name) costs more than the C calls themselves.
        record = ctypes.addressof(out) + PAYLOAD
        _valrecord_new_uninit(record, count)
        base = ctypes.c_void_p.from_address(record + _RECORD_DATA).value or 0
        ctypes.memset(base, 0, count * _ENTRY_SIZE)
        out.kind = RECORD  # from here on `delete(out)` frees whatever was made
        for index, name in enumerate(self.encoded):
            _byte_vec_new(base + index * _ENTRY_SIZE + _ENTRY_NAME, len(name), name)
        entry = base + _ENTRY_VAL
        for attribute, wit_name, codec in self.fields:
            try:
                codec.lower(getattr(value, attribute), Val.from_address(entry), cx)
            except Invalid as error:
                raise error.within(f"field `{wit_name}`") from None
            entry += _ENTRY_SIZE

    def lift(self, val: Any, cx: Context) -> object:
        entry = (
            ctypes.c_void_p.from_address(ctypes.addressof(val) + PAYLOAD + _RECORD_DATA).value or 0
        ) + _ENTRY_VAL
        values = {}
        for attribute, _, codec in self.fields:
            values[attribute] = codec.lift(Val.from_address(entry), cx)
            entry += _ENTRY_SIZE
        return self.cls(**values)


_Entry = ffi.wasmtime_component_valrecord_entry_t
_ENTRY_SIZE = ctypes.sizeof(_Entry)
_ENTRY_NAME = _Entry.name.offset
_ENTRY_VAL = _Entry.val.offset
# (the stubs type `data` as the pointer, not as the field that has an offset)
_RECORD_DATA: int = ffi.wasmtime_component_valrecord_t.data.offset  # type: ignore[attr-defined]
# `wasmtime_component_valrecord_new_uninit`, declared to take an address.
_valrecord_new_uninit = ffi.dll._FuncPtr(("wasmtime_component_valrecord_new_uninit", ffi.dll))
_valrecord_new_uninit.restype = None
_valrecord_new_uninit.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def _boxed() -> Any:
    """A heap-allocated `bool` value, to be filled in place (a payload)."""
    return ffi.wasmtime_component_val_new(ctypes.byref(Val()))


class VariantCodec(Codec):
    """A variant as an instance of one of its generated case classes."""

    __slots__ = ("by_class", "by_name", "wit")

    def __init__(self, wit: str, cases: Sequence[tuple[type, str, Codec | None]]) -> None:
        self.wit = wit
        self.by_class = {cls: (name, name.encode(), codec) for cls, name, codec in cases}
        self.by_name = {name: (cls, codec) for cls, name, codec in cases}

    def lower(self, value: object, out: Any, cx: Context) -> None:
        case = self.by_class.get(type(value))
        if case is None:
            cases = ", ".join(cls.__name__ for cls in self.by_class)
            raise Invalid(
                TypeError,
                f"expected one of {cases} for variant `{self.wit}`, got {describe(value)}",
            )
        name, encoded, codec = case
        out.of.variant.discriminant = _name(encoded)
        out.of.variant.val = None
        out.kind = VARIANT
        if codec is not None:
            box = _boxed()
            out.of.variant.val = box
            try:
                codec.lower(value.value, box.contents, cx)  # type: ignore[attr-defined]
            except Invalid as error:
                raise error.within(f"case `{name}`") from None

    def lift(self, val: Any, cx: Context) -> object:
        discriminant = val.of.variant.discriminant
        name = ctypes.string_at(discriminant.data, discriminant.size).decode()
        found = self.by_name.get(name)
        if found is None:
            raise Invalid(ValueError, f"variant `{self.wit}` has no case `{name}`")
        cls, codec = found
        if codec is None:
            return cls()
        return cls(codec.lift(val.of.variant.val.contents, cx))


class EnumCodec(Codec):
    """An enum as a member of its generated `enum.Enum`, whose values are the WIT names."""

    __slots__ = ("by_member", "by_name", "cls", "wit")

    def __init__(self, wit: str, cls: type[enum.Enum]) -> None:
        self.wit = wit
        self.cls = cls
        self.by_member = {member: str(member.value).encode() for member in cls}
        self.by_name = {str(member.value): member for member in cls}

    def lower(self, value: object, out: Any, cx: Context) -> None:
        name = self.by_member.get(value) if isinstance(value, self.cls) else None
        if name is None:
            raise Invalid(
                TypeError,
                f"expected a {self.cls.__name__} for enum `{self.wit}`, got {describe(value)}",
            )
        out.of.enumeration = _name(name)
        out.kind = ENUM

    def lift(self, val: Any, cx: Context) -> object:
        raw = val.of.enumeration
        name = ctypes.string_at(raw.data, raw.size).decode()
        member = self.by_name.get(name)
        if member is None:
            raise Invalid(ValueError, f"enum `{self.wit}` has no case `{name}`")
        return member


class FlagsCodec(Codec):
    """Flags as a value of its generated `enum.Flag`; `names` are the WIT
    names of its members, in order (member i is `1 << i`)."""

    __slots__ = ("all", "by_name", "cls", "members", "wit")

    def __init__(self, wit: str, cls: type[enum.Flag], names: Sequence[str]) -> None:
        self.wit = wit
        self.cls = cls
        self.members = tuple((cls(1 << index), name.encode()) for index, name in enumerate(names))
        self.by_name = {name: cls(1 << index) for index, name in enumerate(names)}
        self.all = (1 << len(names)) - 1

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if not isinstance(value, self.cls):
            raise Invalid(
                TypeError,
                f"expected a {self.cls.__name__} for flags `{self.wit}`, got {describe(value)}",
            )
        bits = value.value
        if bits & ~self.all:
            raise Invalid(
                ValueError, f"flags `{self.wit}` have no flag with value {bits & ~self.all}"
            )
        names = [name for member, name in self.members if member.value & bits]
        raw = ffi.wasmtime_component_valflags_t()
        ffi.wasmtime_component_valflags_new_uninit(ctypes.byref(raw), len(names))
        _zeroed(raw.data, len(names), ctypes.sizeof(ffi.wasm_name_t))
        for index, name in enumerate(names):
            raw.data[index] = _name(name)
        out.of.flags = raw
        out.kind = FLAGS

    def lift(self, val: Any, cx: Context) -> object:
        raw = val.of.flags
        bits = 0
        for index in range(raw.size):
            name_raw = raw.data[index]
            name = ctypes.string_at(name_raw.data, name_raw.size).decode()
            member = self.by_name.get(name)
            if member is None:
                raise Invalid(ValueError, f"flags `{self.wit}` have no flag `{name}`")
            bits |= member.value
        return self.cls(bits)


# ---------------------------------------------------------------- option and result


class OptionCodec(Codec):
    """`T | None`, or `Some[T] | None` when `T` itself admits `None`."""

    __slots__ = ("inner", "wrapped")

    def __init__(self, inner: Codec, wrapped: bool) -> None:
        self.inner = inner
        self.wrapped = wrapped

    def lower(self, value: object, out: Any, cx: Context) -> None:
        out.of.option = None
        out.kind = OPTION
        if value is None:
            return
        if self.wrapped:
            if not isinstance(value, Some):
                raise Invalid(TypeError, f"expected None or Some(...), got {describe(value)}")
            value = value.value
        box = _boxed()
        out.of.option = box
        try:
            self.inner.lower(value, box.contents, cx)
        except Invalid as error:
            raise error.within("some") from None

    def lift(self, val: Any, cx: Context) -> object:
        box = val.of.option
        if not box:
            return None
        value = self.inner.lift(box.contents, cx)
        return Some(value) if self.wrapped else value


class ResultCodec(Codec):
    """`Ok(value) | Err(error)` (a function's own result is handled by `calls.py`)."""

    __slots__ = ("err", "ok")

    def __init__(self, ok: Codec | None, err: Codec | None) -> None:
        self.ok = ok
        self.err = err

    def lower(self, value: object, out: Any, cx: Context) -> None:
        if isinstance(value, Ok):
            self.lower_case(True, value.value, out, cx)
        elif isinstance(value, Err):
            self.lower_case(False, value.value, out, cx)
        else:
            raise Invalid(TypeError, f"expected Ok(...) or Err(...), got {describe(value)}")

    def lower_case(self, is_ok: bool, payload: object, out: Any, cx: Context) -> None:
        codec = self.ok if is_ok else self.err
        out.of.result.is_ok = is_ok
        out.of.result.val = None
        out.kind = RESULT
        if codec is None:
            if payload is not None:
                case = "ok" if is_ok else "err"
                raise Invalid(
                    TypeError, f"the `{case}` case has no payload, got {describe(payload)}"
                )
            return
        box = _boxed()
        out.of.result.val = box
        try:
            codec.lower(payload, box.contents, cx)
        except Invalid as error:
            raise error.within("ok" if is_ok else "err") from None

    def lift_case(self, val: Any, cx: Context) -> tuple[bool, object]:
        is_ok = bool(val.of.result.is_ok)
        codec = self.ok if is_ok else self.err
        payload = None if codec is None else codec.lift(val.of.result.val.contents, cx)
        return is_ok, payload

    def lift(self, val: Any, cx: Context) -> object:
        is_ok, payload = self.lift_case(val, cx)
        return Ok(payload) if is_ok else Err(payload)


class UnbindableCodec(Codec):
    """A type wasmtime-py 50 cannot carry (a stream, a future, an error-context,
    a fixed-size list): every value is refused, saying why.  Generated bindings
    leave out every function whose signature reaches one, so only a value of a
    type that holds one (a record with a stream field, say) meets it."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def _refuse(self) -> Invalid:
        return Invalid(TypeError, f"{self.what} cannot cross wasmtime-py 50's component API")

    def lower(self, value: object, out: Any, cx: Context) -> None:
        raise self._refuse()

    def lift(self, val: Any, cx: Context) -> object:
        raise self._refuse()


def delete(val: Any) -> None:
    """Free what a value owns (it becomes unusable)."""
    ffi.wasmtime_component_val_delete(ctypes.byref(val))
