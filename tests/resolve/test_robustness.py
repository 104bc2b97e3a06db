"""Inputs that break resolvers: long chains, many packages, broken file systems.

Each gets a correct answer or a clear diagnostic: no traceback, no hang, no
unbounded recursion.  Where wasm-tools has an opinion, witgen agrees with it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support.corpus import wasm_tools

from witgen.diagnostics import WitError
from witgen.json_view import dumps
from witgen.printer import print_resolve
from witgen.resolve.passes import resolve_path

WASM_TOOLS = wasm_tools()
DEEP = 1_000


def _same_as_wasm_tools(path: Path) -> None:
    resolve = resolve_path(str(path))
    if WASM_TOOLS is None:
        return
    wit = subprocess.run(
        [WASM_TOOLS, "component", "wit", str(path)], capture_output=True, text=True, check=True
    )
    assert print_resolve(resolve) == wit.stdout
    as_json = subprocess.run(
        [WASM_TOOLS, "component", "wit", "--json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert dumps(resolve) == as_json.stdout


def test_use_chain_a_thousand_interfaces_deep(tmp_path: Path) -> None:
    lines = ["package a:b;", "interface i0 { type t = u32; }"]
    lines += [f"interface i{n} {{ use i{n - 1}.{{t}}; f: func() -> t; }}" for n in range(1, DEEP)]
    lines.append(f"world w {{ export i{DEEP - 1}; }}")
    (tmp_path / "chain.wit").write_text("\n".join(lines))
    _same_as_wasm_tools(tmp_path / "chain.wit")


def test_alias_chain_a_thousand_types_deep(tmp_path: Path) -> None:
    lines = ["package a:b;", "world w {", "  type t0 = u32;"]
    lines += [f"  type t{n} = t{n - 1};" for n in range(1, DEEP)]
    lines += [f"  import f: func() -> t{DEEP - 1};", "}", "world v { include w; }"]
    (tmp_path / "alias.wit").write_text("\n".join(lines))
    _same_as_wasm_tools(tmp_path / "alias.wit")


def test_ten_thousand_packages(tmp_path: Path) -> None:
    count = 10_000
    deps = tmp_path / "pkg" / "deps"
    deps.mkdir(parents=True)
    (tmp_path / "pkg" / "main.wit").write_text(
        f"package p:main;\ninterface i {{ use p:p{count - 1}/i.{{t}}; }}\n"
    )
    for n in range(count):
        body = "type t = u32;" if n == 0 else f"use p:p{n - 1}/i.{{t}};"
        (deps / f"p{n}.wit").write_text(f"package p:p{n};\ninterface i {{ {body} }}\n")
    resolve = resolve_path(str(tmp_path / "pkg"))
    assert len(resolve.packages) == count + 1
    assert resolve.packages[resolve.main].name.name == "main"


def _error(path: Path) -> str:
    with pytest.raises(WitError) as raised:
        resolve_path(str(path))
    return raised.value.diagnostics[0].message


def test_deps_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("package a:b;\n")
    (tmp_path / "deps").write_text("not a folder")
    assert "Not a directory" in _error(tmp_path)


def test_symlink_loop_in_deps(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("package a:b;\n")
    deps = tmp_path / "deps"
    deps.mkdir()
    os.symlink("two.wit", deps / "one.wit")
    os.symlink("one.wit", deps / "two.wit")
    assert "symbolic links" in _error(tmp_path)


def test_dangling_symlink_in_deps(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("package a:b;\n")
    (tmp_path / "deps").mkdir()
    os.symlink("nowhere", tmp_path / "deps" / "gone.wit")
    assert "No such file or directory" in _error(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "a.wit").write_text("package a:b;\n")
    (tmp_path / "a.wit").chmod(0)
    assert "Permission denied" in _error(tmp_path)


def test_folder_without_wit_files(tmp_path: Path) -> None:
    assert _error(tmp_path) == "no `package` header was found in any WIT file for this package"


def test_cycle_between_packages_in_deps(tmp_path: Path) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "m.wit").write_text("package m:m;\ninterface i { use a:a/i.{t}; }\n")
    (tmp_path / "deps" / "a.wit").write_text(
        "package a:a;\ninterface i { use b:b/i.{u}; type t = u8; }\n"
    )
    (tmp_path / "deps" / "b.wit").write_text(
        "package b:b;\ninterface i { use a:a/i.{t}; type u = u8; }\n"
    )
    assert _error(tmp_path) == "package `b:b` creates a dependency cycle"
