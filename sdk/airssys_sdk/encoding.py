"""Payload encodings: a two-byte prefix, then JSON or MessagePack.

In: Python values (None, bool, int, float, str, bytes, lists, tuples and
dicts with str keys) or encoded payloads.  Out: `encode_json`,
`encode_msgpack`, `encode(value, encoding)` and `decode(payload)`.  Raises
`EncodingError` for an empty or unknown prefix, malformed data, or a value
the encoding cannot carry.

The prefixes (the airssys plan's multicodec-style table): `0x02 0x00` is
JSON (UTF-8), `0x02 0x01` is MessagePack.  JSON carries no bytes, so `bytes`
values are refused there; MessagePack carries them as `bin`.  MessagePack here
is the whole format except extension types: nil, booleans, integers from
-2**63 to 2**64-1, float 32/64, str, bin, array and map.
"""

from __future__ import annotations

import json
import struct
from typing import Literal

JSON = b"\x02\x00"
MSGPACK = b"\x02\x01"
Encoding = Literal["json", "msgpack"]
MAX_DEPTH = 256


class EncodingError(ValueError):
    """A payload that cannot be encoded or decoded; the message says why."""


def encode(value: object, encoding: Encoding = "json") -> bytes:
    if encoding == "json":
        return encode_json(value)
    if encoding == "msgpack":
        return encode_msgpack(value)
    raise EncodingError(f"unknown encoding {encoding!r} (json or msgpack)")


def encode_json(value: object) -> bytes:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise EncodingError(f"cannot encode as JSON: {error}") from None
    return JSON + text.encode("utf-8")


def decode(payload: bytes | bytearray | memoryview) -> object:
    """The value in a prefixed payload."""
    prefix = bytes(payload[:2])
    if prefix == JSON:
        try:
            return json.loads(bytes(payload[2:]).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise EncodingError(f"malformed JSON payload: {error}") from None
    if prefix == MSGPACK:
        reader = _Reader(bytes(payload[2:]))
        value = reader.value(0)
        if reader.offset != len(reader.data):
            raise EncodingError(
                f"malformed MessagePack payload: {len(reader.data) - reader.offset} bytes "
                "after the value"
            )
        return value
    if len(payload) < 2:
        raise EncodingError(f"a payload starts with a 2-byte prefix; got {len(payload)} bytes")
    raise EncodingError(
        f"unknown payload prefix 0x{prefix[0]:02x} 0x{prefix[1]:02x} "
        "(known: 0x02 0x00 JSON, 0x02 0x01 MessagePack)"
    )


# ---------------------------------------------------------------- MessagePack


def encode_msgpack(value: object) -> bytes:
    out = bytearray(MSGPACK)
    _pack(value, out, 0)
    return bytes(out)


def _pack(value: object, out: bytearray, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise EncodingError(f"cannot encode as MessagePack: nested deeper than {MAX_DEPTH}")
    if value is None:
        out.append(0xC0)
    elif value is True or value is False:
        out.append(0xC3 if value else 0xC2)
    elif isinstance(value, int):
        _pack_int(value, out)
    elif isinstance(value, float):
        out.append(0xCB)
        out += struct.pack(">d", value)
    elif isinstance(value, str):
        data = value.encode("utf-8", "strict")
        _head(out, len(data), _STR)
        out += data
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        _head(out, len(data), _BIN)
        out += data
    elif isinstance(value, (list, tuple)):
        _head(out, len(value), _ARRAY)
        for item in value:
            _pack(item, out, depth + 1)
    elif isinstance(value, dict):
        _head(out, len(value), _MAP)
        for key, item in value.items():
            _pack(key, out, depth + 1)
            _pack(item, out, depth + 1)
    else:
        raise EncodingError(f"cannot encode a {type(value).__name__} as MessagePack")


def _pack_int(value: int, out: bytearray) -> None:
    if 0 <= value <= 0x7F:
        out.append(value)
    elif -32 <= value < 0:
        out.append(value & 0xFF)
    elif 0 <= value < 1 << 64:
        for code, fmt, bits in (
            (0xCC, ">B", 8),
            (0xCD, ">H", 16),
            (0xCE, ">I", 32),
            (0xCF, ">Q", 64),
        ):
            if value < 1 << bits:
                out.append(code)
                out += struct.pack(fmt, value)
                return
    elif -(1 << 63) <= value < 0:
        for code, fmt, bits in (
            (0xD0, ">b", 8),
            (0xD1, ">h", 16),
            (0xD2, ">i", 32),
            (0xD3, ">q", 64),
        ):
            if value >= -(1 << (bits - 1)):
                out.append(code)
                out += struct.pack(fmt, value)
                return
    else:
        raise EncodingError(f"cannot encode {value} as MessagePack: outside -2**63 to 2**64-1")


# How a size is written: (fix code, its largest size) or None, then the codes
# of the 8-bit (or None), 16-bit and 32-bit sizes.
_Head = tuple[tuple[int, int] | None, int | None, int, int]
_STR: _Head = ((0xA0, 31), 0xD9, 0xDA, 0xDB)
_BIN: _Head = (None, 0xC4, 0xC5, 0xC6)
_ARRAY: _Head = ((0x90, 15), None, 0xDC, 0xDD)
_MAP: _Head = ((0x80, 15), None, 0xDE, 0xDF)


def _head(out: bytearray, size: int, codes: _Head) -> None:
    fix, code8, code16, code32 = codes
    if fix is not None and size <= fix[1]:
        out.append(fix[0] | size)
    elif code8 is not None and size < 1 << 8:
        out += bytes((code8, size))
    elif size < 1 << 16:
        out.append(code16)
        out += struct.pack(">H", size)
    elif size < 1 << 32:
        out.append(code32)
        out += struct.pack(">I", size)
    else:
        raise EncodingError("cannot encode as MessagePack: longer than 2**32-1")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, count: int) -> bytes:
        end = self.offset + count
        if end > len(self.data):
            raise EncodingError("malformed MessagePack payload: it ends too early")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def unpack(self, fmt: str) -> int | float:
        value: int | float = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        return value

    def value(self, depth: int) -> object:
        if depth > MAX_DEPTH:
            raise EncodingError(f"malformed MessagePack payload: nested deeper than {MAX_DEPTH}")
        code = self.take(1)[0]
        if code <= 0x7F:
            return code
        if code >= 0xE0:
            return code - 0x100
        if 0xA0 <= code <= 0xBF:
            return self.text(code & 0x1F)
        if 0x90 <= code <= 0x9F:
            return [self.value(depth + 1) for _ in range(code & 0x0F)]
        if 0x80 <= code <= 0x8F:
            return self.map(code & 0x0F, depth)
        simple: dict[int, object] = {0xC0: None, 0xC2: False, 0xC3: True}
        if code in simple:
            return simple[code]
        sizes = {0xC4: ">B", 0xC5: ">H", 0xC6: ">I"}
        if code in sizes:
            return self.take(int(self.unpack(sizes[code])))
        numbers = {
            0xCA: ">f",
            0xCB: ">d",
            0xCC: ">B",
            0xCD: ">H",
            0xCE: ">I",
            0xCF: ">Q",
            0xD0: ">b",
            0xD1: ">h",
            0xD2: ">i",
            0xD3: ">q",
        }
        if code in numbers:
            return self.unpack(numbers[code])
        texts = {0xD9: ">B", 0xDA: ">H", 0xDB: ">I"}
        if code in texts:
            return self.text(int(self.unpack(texts[code])))
        if code in (0xDC, 0xDD):
            count = int(self.unpack(">H" if code == 0xDC else ">I"))
            self.enough(count)
            return [self.value(depth + 1) for _ in range(count)]
        if code in (0xDE, 0xDF):
            return self.map(int(self.unpack(">H" if code == 0xDE else ">I")), depth)
        raise EncodingError(
            f"malformed MessagePack payload: type 0x{code:02x} (extension types are not supported)"
        )

    def enough(self, count: int) -> None:
        """Refuse a length no remaining data could fill (a huge count is an attack)."""
        if count > len(self.data) - self.offset:
            raise EncodingError("malformed MessagePack payload: it ends too early")

    def text(self, size: int) -> str:
        try:
            return self.take(size).decode("utf-8")
        except UnicodeDecodeError as error:
            raise EncodingError(
                f"malformed MessagePack payload: a str is not UTF-8 ({error})"
            ) from None

    def map(self, count: int, depth: int) -> dict[object, object]:
        self.enough(count)
        result: dict[object, object] = {}
        for _ in range(count):
            key = self.value(depth + 1)
            try:
                result[key] = self.value(depth + 1)
            except TypeError:
                raise EncodingError(
                    "malformed MessagePack payload: a map key is a list or map"
                ) from None
        return result
