"""`witgen inspect`'s WIT notation (`witgen.host.describe`) against the reference:
for structural types, the function lines are what `wasm-tools component wit` prints
for the same component."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.components import build_dummy_component, find_wasm_tools
from wasmtime import Engine
from wasmtime.component import Component

from witgen.host.describe import describe_component

WASM_TOOLS = find_wasm_tools()
if WASM_TOOLS is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

WIT = """package t:describe;

interface shapes {
  result-ok: func() -> result<u32>;
  result-err: func() -> result<_, string>;
  result-bare: func() -> result;
  result-both: func(x: option<list<u8>>) -> result<u32, string>;
  nested: func(x: tuple<u8, result<_, bool>>) -> list<option<s64>>;
}

world w {
  import shapes;
}
"""


def test_function_lines_are_what_wasm_tools_prints(tmp_path: Path) -> None:
    folder = tmp_path / "wit"
    folder.mkdir()
    (folder / "t.wit").write_text(WIT)
    wasm = build_dummy_component(folder, "w", cache_dir=tmp_path / "cache")
    ours = describe_component(Engine(), Component.from_file(Engine(), str(wasm)))
    assert WASM_TOOLS is not None
    printed = subprocess.run(
        [WASM_TOOLS, "component", "wit", str(wasm)], capture_output=True, text=True, check=True
    ).stdout
    names = ("result-ok", "result-err", "result-bare", "result-both", "nested")
    reference = sorted(
        line.strip() for line in printed.splitlines() if line.strip().startswith(names)
    )
    assert len(reference) == len(names)
    assert sorted(line.strip() for line in ours.splitlines() if line.strip().startswith(names)) == (
        reference
    )
