"""How the WebAssembly reader reports a bad binary.

In: a message and the byte offset of the bytes it is about.
Out: nothing: `wasm_error` always raises.
Raises: `WasmError`, whose text is wasmparser's `BinaryReaderError`,
`message (at offset 0x..)`.  The resolver turns it into a diagnostic
(`resolve/decode.py`); this package imports nothing of the resolver.
"""

from __future__ import annotations

from typing import NoReturn


class WasmError(Exception):
    """A malformed, truncated or invalid binary (wasmparser's `BinaryReaderError`).

    `message` is wasmparser's, `offset` the byte offset it is about;
    `str(error)` is both as wasm-tools prints them.
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset 0x{offset:x})")
        self.message = message
        self.offset = offset


def wasm_error(message: str, offset: int) -> NoReturn:
    """Fail with wasmparser's text: `message (at offset 0x..)`."""
    raise WasmError(message, offset)
