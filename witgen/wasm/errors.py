"""How the WebAssembly reader reports a bad binary.

In: a message and the byte offset of the bytes it is about.
Out: nothing: `wasm_error` always raises.
Raises: `Problem` with wasmparser's `BinaryReaderError` text,
`message (at offset 0x..)`.
"""

from __future__ import annotations

from typing import NoReturn

from witgen.resolve.problems import fail


def wasm_error(message: str, offset: int) -> NoReturn:
    """Fail with wasmparser's `BinaryReaderError` text: `message (at offset 0x..)`."""
    fail(f"{message} (at offset 0x{offset:x})", None)
