"""Fixtures of the `witgen.http` tests: `http_guest(name)` builds a test guest of
`tests/guests/http/` (cached) or skips (see `support.http_guests`); `dummy`, a
component that imports what a componentize-py proxy imports (at 0.2.0) and
traps in every function, made by wasm-tools from the official WIT (the test
skips without them)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from support.corpus import WASI, wasm_tools
from support.http_guests import http_guest

__all__ = ["dummy", "http_guest"]

HTTP_WIT = WASI / "http"

WORLD = """package test:serve;

world full-proxy {
  include wasi:http/proxy@0.2.0;
  include wasi:cli/imports@0.2.0;
}
"""


@pytest.fixture(scope="session")
def dummy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A component of `full-proxy` whose every function traps."""
    if not (HTTP_WIT / "proxy.wit").is_file():
        pytest.skip(f"no WASI http WIT at {HTTP_WIT}")
    if wasm_tools() is None:
        pytest.skip("needs wasm-tools")
    folder = tmp_path_factory.mktemp("dummy")
    wit = folder / "wit"
    shutil.copytree(HTTP_WIT / "deps", wit / "deps")
    shutil.copytree(HTTP_WIT, wit / "deps" / "http", ignore=shutil.ignore_patterns("deps"))
    (wit / "world.wit").write_text(WORLD)
    tool = wasm_tools()
    assert tool is not None
    core, component = folder / "core.wasm", folder / "proxy.wasm"
    embed = [tool, "component", "embed", "--dummy", str(wit), "-w", "full-proxy"]
    subprocess.run([*embed, "-o", str(core)], check=True)
    subprocess.run([tool, "component", "new", str(core), "-o", str(component)], check=True)
    return component
