"""Shared by the reader's tests: read a binary with witgen and with wasm-tools.

`reader_says` is what `witgen.wasm.read_component` makes of a binary: `ok`,
or `error: ` and the `WasmError`'s text.  `wasm_tools_says` is what
`wasm-tools component wit` makes of the same binary as wit-parser reads it,
from the `deps/` folder of a package: `ok`, or its message (`error: ...`)
without the folder's context.  For a binary wasm-tools rejects while reading
or validating it, the two must be equal, byte for byte.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import wasmtime
from support.corpus import wasm_tools

from witgen.wasm import WasmError, read_component

WASM_TOOLS = wasm_tools()
needs_wasm_tools = pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")


def wat(text: str) -> bytes:
    """WebAssembly text to binary (the `wat` crate, through wasmtime)."""
    return bytes(wasmtime.wat2wasm(text))


def reader_says(data: bytes) -> str:
    try:
        read_component(data, lambda name, contents: None)
    except WasmError as error:
        return f"error: {error}"
    return "ok"


def wasm_tools_says(data: bytes, folder: Path) -> str:
    assert WASM_TOOLS is not None
    deps = folder / "pkg" / "deps"
    deps.mkdir(parents=True)
    (folder / "pkg" / "main.wit").write_text("package zz:main;\n")
    (deps / "x.wasm").write_bytes(data)
    result = subprocess.run(
        [WASM_TOOLS, "component", "wit", str(folder / "pkg")],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return "ok"
    context = f"failed to parse dependency directory: {deps}: "
    return result.stderr.rstrip("\n").replace(context, "", 1)
