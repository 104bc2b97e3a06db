"""witgen: WIT (WebAssembly Interface Types) to typed Python.

A WIT front end that accepts and rejects what wasm-tools' `wit-parser` does,
a code generator for typed Python bindings, and a capability-checked host for
WebAssembly components on wasmtime.  The command line is `witgen`.
"""

__version__ = "0.1.0"
