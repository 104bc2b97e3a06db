"""The example folders: what each holds, its WIT and its manifest, checked without
building anything.

Each example's `wit/` is a package folder of its own (its world, and copies of the
airssys packages in `wit/deps/`, refreshed by `wit/sync-deps.sh`): it must
validate alone, with wasm-tools and with witgen, to the same canonical WIT.  Its
world imports exactly the host extensions its Component.toml grants something in
(least privilege at the interface level too), and the manifest loads cleanly.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from witgen.permissions import interface_problems, load_manifest
from witgen.printer import print_resolve
from witgen.resolve.passes import resolve_path

from .paths import EXAMPLES, NAMES, ROOT, world_of

WASM_TOOLS = Path(sys.executable).parent / "wasm-tools"
SOURCES = {
    "component-core": ROOT / "wit",
    "host-core": ROOT / "wit" / "deps" / "host-core",
    "host-extensions": ROOT / "wit" / "deps" / "host-extensions",
}
_IMPORT = re.compile(r"^\s*import airssys:host-extensions/([a-z-]+)@1\.0\.0;", re.MULTILINE)


def wit_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.wit"))}


def test_the_folder_holds_the_examples_and_nothing_else() -> None:
    entries = {path.name for path in EXAMPLES.iterdir() if path.name != "__pycache__"}
    assert entries == {*NAMES, "README.md"}


@pytest.mark.parametrize("name", NAMES)
def test_an_example_has_its_files(name: str) -> None:
    folder = EXAMPLES / name
    for file in ("app.py", "README.md", "Component.toml", "wit/world.wit"):
        assert (folder / file).is_file(), f"{name} has no {file}"
    assert list(wit_files(folder / "wit")) == ["world.wit"]
    assert sorted(path.name for path in (folder / "wit" / "deps").iterdir()) == sorted(SOURCES)


@pytest.mark.parametrize("name", NAMES)
def test_the_deps_are_copies_of_the_sources(name: str) -> None:
    for package, source in SOURCES.items():
        copy = EXAMPLES / name / "wit" / "deps" / package
        assert wit_files(copy) == wit_files(source), f"run `sh wit/sync-deps.sh` ({copy})"


@pytest.mark.parametrize("name", NAMES)
def test_the_wit_validates_with_both_tools(name: str) -> None:
    folder = EXAMPLES / name / "wit"
    ours = print_resolve(resolve_path(str(folder)))
    if not WASM_TOOLS.is_file():
        pytest.skip(f"the reference wasm-tools is not installed at {WASM_TOOLS}")
    theirs = subprocess.run(
        [str(WASM_TOOLS), "component", "wit", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert theirs.returncode == 0, theirs.stderr
    assert ours == theirs.stdout
    package = name.replace("_", "-")
    assert f"package example:{package}@0.1.0;" in ours
    assert f"world {world_of(name)} {{" in ours


@pytest.mark.parametrize("name", NAMES)
def test_the_world_imports_only_what_the_manifest_grants(name: str) -> None:
    manifest = load_manifest(EXAMPLES / name / "Component.toml")
    assert manifest.warnings == ()
    assert not interface_problems(manifest)
    granted = {
        "filesystem": any(
            manifest.filesystem.patterns(action) for action in ("read", "write", "delete", "list")
        ),
        "network": bool(manifest.network),
        "storage": bool(manifest.storage.namespaces),
        "process": bool(manifest.process),
    }
    imported = set(_IMPORT.findall((EXAMPLES / name / "wit" / "world.wit").read_text()))
    assert imported == {extension for extension, yes in granted.items() if yes}
    assert manifest.component.name == name.replace("_", "-") or name == "request_response"
