"""witgen: WIT (WebAssembly Interface Types) to typed Python.

A WIT front end that accepts and rejects what wasm-tools' `wit-parser` does,
a code generator for typed Python bindings, and a capability-checked host for
WebAssembly components on wasmtime.  The command line is `witgen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__version__ = "0.1.0"


def airssys_wit() -> Path:
    """The folder of the airssys WIT that ships with witgen: pass it to
    `witgen generate`, or copy it into a project (`witgen.bundled`)."""
    from witgen.bundled import airssys_wit as folder

    return folder()
