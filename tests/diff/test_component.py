"""`witgen diff` between a compiled component and WIT: the packages of the
interfaces the component imports and exports, decoded from its binary, are
compared with the same packages in the WIT, so a changed function type shows
as a breaking change (does this component still fit the new interface?).  The
component's own world `root:component/root` is only in OLD, and the worlds of
the WIT package are not in the binary, so they read as added."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support.components import build_dummy_component, find_wasm_tools

from witgen.evolution.cli import add_diff_command

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

OLD = """package t:app@1.0.0;

interface api {
  f: func(x: u32) -> u32;
  g: func();
}

world w {
  export api;
}
"""


def _diff(capsys: pytest.CaptureFixture[str], old: Path, new: Path) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="witgen")
    add_diff_command(parser.add_subparsers())
    parsed = parser.parse_args(["diff", str(old), str(new)])
    status = parsed.run(parsed)
    out, _ = capsys.readouterr()
    return status, out


def _package(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "app.wit").write_text(text)
    return folder


@pytest.fixture
def component(tmp_path: Path) -> Path:
    return build_dummy_component(_package(tmp_path / "old", OLD), "w", cache_dir=tmp_path)


def test_a_component_against_its_own_wit_has_no_breaking_change(
    capsys: pytest.CaptureFixture[str], component: Path, tmp_path: Path
) -> None:
    status, out = _diff(capsys, component, tmp_path / "old")
    # The binary holds the interfaces, not the package's worlds: `w` reads as
    # added (compatible), and the same version is then too small (exit 1).
    assert status == 1, out
    assert out.startswith("t:app 1.0.0 -> 1.0.0: 1 compatible:"), out
    assert "compatible[world-added]: added world `w`" in out
    assert "breaking" not in out
    assert "only in OLD, not compared: root:component" in out


def test_a_changed_function_in_the_new_wit_is_breaking(
    capsys: pytest.CaptureFixture[str], component: Path, tmp_path: Path
) -> None:
    new = _package(tmp_path / "new", OLD.replace("@1.0.0", "@2.0.0").replace("x: u32", "x: string"))
    status, out = _diff(capsys, component, new)
    assert status == 0, out
    assert out.startswith("t:app 1.0.0 -> 2.0.0: 1 breaking, 1 compatible: needs a major bump")
    assert (
        "breaking[param-type-changed]: the type of parameter `x` of function `f` changed "
        "from `u32` to `string`"
    ) in out
