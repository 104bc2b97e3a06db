"""wasmparser's `BinaryReader`: integers, strings and counts out of bytes.

In: the bytes of a binary and the part of them to read
(`BinaryReader(data, pos, end)`; offsets are absolute, `end` exclusive).
Out: the values read, one call at a time (`u8`, `var_u32`, `var_s33`,
`string`, `size`, ...), with `pos` moved past them.
Raises: wasmparser's message and offset (`wasm_error`) for a truncated or
malformed encoding (LEB128 integers, strings) or a count over its limit.
"""

from __future__ import annotations

from typing import NoReturn

from witgen.wasm.errors import wasm_error
from witgen.wasm.limits import MAX_STRING_SIZE


class BinaryReader:
    """wasmparser's `BinaryReader` over `data[pos:end]`, with absolute offsets."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = end

    def eof(self) -> bool:
        return self.pos >= self.end

    def remaining(self) -> int:
        return self.end - self.pos

    def peek(self) -> int:
        if self.pos >= self.end:
            wasm_error("unexpected end-of-file", self.pos)
        return self.data[self.pos]

    def u8(self) -> int:
        if self.pos >= self.end:
            wasm_error("unexpected end-of-file", self.pos)
        byte = self.data[self.pos]
        self.pos += 1
        return byte

    def take(self, size: int) -> bytes:
        if size > self.end - self.pos:
            wasm_error("unexpected end-of-file", self.pos)
        start = self.pos
        self.pos += size
        return self.data[start : self.pos]

    def var_u32(self) -> int:
        byte = self.u8()
        if byte & 0x80 == 0:
            return byte
        result = byte & 0x7F
        shift = 7
        while True:
            byte = self.u8()
            result |= (byte & 0x7F) << shift
            if shift >= 25 and (byte >> (32 - shift)) != 0:
                if byte & 0x80:
                    message = "invalid var_u32: integer representation too long"
                else:
                    message = "invalid var_u32: integer too large"
                wasm_error(message, self.pos - 1)
            shift += 7
            if byte & 0x80 == 0:
                return result & 0xFFFF_FFFF

    def var_s33(self) -> int:
        """A signed 33-bit LEB128 integer, as wasmparser's `read_var_s33` reads it."""
        byte = self.u8()
        if byte & 0x80 == 0:
            return byte - 0x80 if byte & 0x40 else byte
        result = byte & 0x7F
        shift = 7
        while True:
            byte = self.u8()
            result |= (byte & 0x7F) << shift
            if shift >= 25:
                signed = (byte << 1) & 0xFF
                signed = signed - 0x100 if signed >= 0x80 else signed
                if byte & 0x80 or (signed >> (33 - shift)) not in (0, -1):
                    wasm_error("invalid var_s33: integer representation too long", self.pos - 1)
                # wasmparser returns the five-byte form without sign extension.
                return result
            shift += 7
            if byte & 0x80 == 0:
                break
        if result >> (shift - 1) & 1:
            result -= 1 << shift
        return result

    def string(self) -> str:
        size = self.var_u32()
        if size > MAX_STRING_SIZE:
            wasm_error("string size out of bounds", self.pos - 1)
        raw = self.take(size)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            wasm_error("malformed UTF-8 encoding", self.pos - 1)

    def size(self, limit: int, desc: str) -> int:
        at = self.pos
        size = self.var_u32()
        if size > limit:
            wasm_error(f"{desc} size is out of bounds", at)
        return size

    def invalid_byte(self, byte: int, desc: str) -> NoReturn:
        """wasmparser's `invalid_leading_byte`, for the byte just read."""
        wasm_error(f"invalid leading byte (0x{byte:x}) for {desc}", self.pos - 1)
