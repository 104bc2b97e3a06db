"""Two WIT items that would be one Python module are an error, never a silent overwrite.

Python names lose what WIT spells with `-`, `:` and `/`: `a:b-c` and `a-b:c` are
both the package `a_b_c`, world `w`'s inline interface `x` and the interface
`w-x` are both the module `w_x`, and `a:b/c-d` and `a:b-c/d` are both imported as
`_a_b_c_d`.  wasm-tools accepts every tree here (checked), so witgen must say
what clashes and where, and write nothing.

One clash witgen resolves itself, because WIT allows it in every world: an
inline interface imported and another exported under the same name are the
modules `<world>_<name>` and `<world>_<name>_export`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from support.bindings import import_bindings
from support.components import build_echo_component, find_wasm_tools, load_component
from wasmtime import Engine, Store
from wasmtime.component import Linker

from witgen.cli import main


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "wit" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "wit"


def run(command: str, wit: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(wit.parent)
    try:
        status = main([command, "wit", "--out", str(out)])
    finally:
        os.chdir(cwd)
    return status, capsys.readouterr().err


PACKAGES = {
    "app.wit": "package a:b-c;\n\nworld w {\n  import a-b:c/i;\n  import i;\n}\n\n"
    "interface i {\n  f: func();\n}\n",
    "deps/other/i.wit": "package a-b:c;\n\ninterface i {\n  g: func();\n}\n",
}

INLINE = {
    "app.wit": "package a:b;\n\nworld w {\n  import x: interface {\n    f: func();\n  }\n"
    "  import w-x;\n}\n\ninterface w-x {\n  g: func();\n}\n",
}

ALIASES = {
    "app.wit": "package a:b;\n\nworld w {\n  import c-d;\n  import a:b-c/d;\n}\n\n"
    "interface c-d {\n  f: func();\n}\n",
    "deps/other/d.wit": "package a:b-c;\n\ninterface d {\n  g: func();\n}\n",
}


@pytest.mark.parametrize("command", ["generate", "docs"])
def test_two_packages_one_python_package(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wit = write(tmp_path, PACKAGES)
    status, err = run(command, wit, tmp_path / "out", capsys)
    assert status == 1
    assert err.startswith(
        "error: package `a:b-c` cannot be generated as the Python package `a_b_c`:"
        " package `a-b:c` already is; rename one of them\n"
        "     --> wit/app.wit:8:11\n"
    ), err
    assert not (tmp_path / "out").exists()


def test_an_inline_interface_and_an_interface_one_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wit = write(tmp_path, INLINE)
    status, err = run("generate", wit, tmp_path / "out", capsys)
    assert status == 1
    assert err.startswith(
        "error: interface `a:b/w-x` cannot be generated as the Python module `a_b.w_x`:"
        " interface `x` of world `w` already is; rename one of them\n"
        "     --> wit/app.wit:10:11\n"
    ), err
    assert not (tmp_path / "out").exists()


def test_two_modules_one_import_alias(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wit = write(tmp_path, ALIASES)
    status, err = run("generate", wit, tmp_path / "out", capsys)
    assert status == 1
    assert err.startswith(
        "error: interface `a:b-c/d` cannot be generated as the Python module `a_b_c.d`:"
        " the module `a_b.c_d` is imported as `_a_b_c_d` too; rename one of them\n"
        "     --> wit/deps/other/d.wit:3:11\n"
    ), err
    assert not (tmp_path / "out").exists()


SAME_NAME = """\
package a:same;

world w {
  import y: interface {
    f: func(x: u32) -> u32;
  }
  export y: interface {
    f: func(x: u32) -> u32;
  }
}
"""


@pytest.mark.skipif(find_wasm_tools() is None, reason="wasm-tools is not installed")
def test_an_import_and_an_export_of_one_name(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    wit = tmp_path / "same.wit"
    wit.write_text(SAME_NAME)
    world = import_bindings(wit, tmp_path, "clash_same", "a_same.w")
    imported = importlib.import_module("clash_same.a_same.w_y")
    exported = importlib.import_module("clash_same.a_same.w_y_export")
    assert imported.INSTANCE == exported.INSTANCE == "y"

    class Y:
        def f(self, x: int) -> int:
            return x + 1

    class Imports:
        y = Y()

    # The echo component's export `y.f` calls its import `y.f`.
    cache = Path(request.config.cache.mkdir("witgen-components"))
    engine = Engine()
    linker = Linker(engine)
    world.add_to_linker(linker, Imports())
    component = load_component(engine, build_echo_component(SAME_NAME, "w", cache_dir=cache))
    exports = world.instantiate(Store(engine), linker, component)
    assert exports.y.f(41) == 42


def test_a_type_named_like_a_module_global_gives_way(tmp_path: Path) -> None:
    """`world-imports` would be `WorldImports`, the world's concrete imports."""
    wit = write(
        tmp_path,
        {
            "w.wit": "package demo:clash;\n\nworld w {\n"
            "  record world-imports { x: u32 }\n"
            "  import f: func(a: world-imports);\n}\n"
        },
    )
    w = import_bindings(wit, tmp_path, "b_globals", "demo_clash.w")
    assert list(w.WorldImports.__dataclass_fields__) == ["f"]
    assert w.WorldImports_(x=1).x == 1
