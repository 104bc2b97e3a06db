"""Where the WIT of this repository is, and how to run the reference tool on it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIT = ROOT / "wit"
WASM_TOOLS = Path(sys.executable).parent / "wasm-tools"

SOURCES = (WIT, WIT / "deps" / "host-core", WIT / "deps" / "host-extensions")
"""The folder of each airssys package's source; every other copy must equal these."""

PACKAGE_FOLDERS = (*SOURCES, WIT / "examples")
"""Every folder whose `*.wit` files form a package that must validate on its own."""

_PACKAGE = re.compile(r"^package\s+([a-z0-9:-]+@[0-9A-Za-z.+-]+)\s*;", re.MULTILINE)


def wit_files(folder: Path) -> dict[str, bytes]:
    """The `*.wit` files directly in `folder`, by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.wit"))}


def package_of(folder: Path) -> str:
    """The package a folder's files declare (`namespace:name@version`)."""
    names = {
        match.group(1)
        for text in wit_files(folder).values()
        for match in _PACKAGE.finditer(text.decode("utf-8"))
    }
    assert len(names) == 1, f"{folder} declares {sorted(names)}"
    return names.pop()


def folders_with_wit() -> list[Path]:
    return sorted({path.parent for path in WIT.rglob("*.wit")})


def need_wasm_tools() -> Path:
    if not WASM_TOOLS.is_file():
        pytest.skip(f"the reference wasm-tools is not installed at {WASM_TOOLS}")
    return WASM_TOOLS


def wasm_tools(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(need_wasm_tools()), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def resolve_json(path: Path) -> Any:
    """`wasm-tools component wit --json` of a package folder or a component."""
    result = wasm_tools("component", "wit", "--json", path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
