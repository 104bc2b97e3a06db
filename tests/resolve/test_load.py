"""load.py: telling WebAssembly from WIT text by content, as the `wat` crate does."""

from __future__ import annotations

from witgen.resolve.load import detect_wasm
from witgen.wasm import WASM_MAGIC


def test_binary_magic_is_the_readers() -> None:
    assert detect_wasm(WASM_MAGIC + b"\x0d\x00\x01\x00") == "binary"


def test_text_after_comments() -> None:
    assert detect_wasm(b";; a comment\n(; nested (; ;) ;)\n (component)") == "text"


def test_wit_text_is_neither() -> None:
    assert detect_wasm(b"package a:b;\n") is None
    assert detect_wasm(b"\xff\xfe") is None
