"""`witgen diff` between a compiled component and WIT: the packages of the
interfaces the component imports and exports, decoded from its binary, are
compared with the same packages in the WIT, so a changed function type shows
as a breaking change: does this component still fit the new interface?  Exit 1
exactly when it does not (a breaking change), whatever the versions say.  The
component's own world `root:component/root` is only in OLD; the WIT package's
worlds, and interfaces the component does not use, are not in the binary and
are not changes to it."""

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


def test_a_component_fits_its_own_wit(
    capsys: pytest.CaptureFixture[str], component: Path, tmp_path: Path
) -> None:
    status, out = _diff(capsys, component, tmp_path / "old")
    assert status == 0, out
    assert out.startswith("t:app 1.0.0 -> 1.0.0: no changes"), out
    assert "world-added" not in out and "breaking" not in out
    assert "only in OLD, not compared: root:component" in out


def test_what_new_adds_is_not_a_change_to_the_component(
    capsys: pytest.CaptureFixture[str], component: Path, tmp_path: Path
) -> None:
    more = OLD.replace(
        "world w {",
        "interface extra {\n  h: func();\n}\n\nworld v {\n  export extra;\n}\n\nworld w {",
    )
    status, out = _diff(capsys, component, _package(tmp_path / "new", more))
    assert status == 0, out
    assert "interface-added" not in out and "world-added" not in out


def test_a_changed_function_in_the_new_wit_does_not_fit(
    capsys: pytest.CaptureFixture[str], component: Path, tmp_path: Path
) -> None:
    new = _package(tmp_path / "new", OLD.replace("@1.0.0", "@2.0.0").replace("x: u32", "x: string"))
    status, out = _diff(capsys, component, new)
    assert status == 1, out  # a major bump does not make the component fit
    assert out.startswith("t:app 1.0.0 -> 2.0.0: 1 breaking: does not fit"), out
    assert (
        "breaking[param-type-changed]: the type of parameter `x` of function `f` changed "
        "from `u32` to `string`"
    ) in out
    assert "the component does not fit NEW (1 breaking change)" in out
