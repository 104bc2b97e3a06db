"""The copies of packages under `deps/` folders equal their sources.

Each package folder validates on its own, so a folder whose package uses
another needs that package in its own `deps/`.  The sources are `wit/*.wit`,
`wit/deps/host-core/` and `wit/deps/host-extensions/`; every other folder of
`.wit` files under a `deps/` is a copy, refreshed by `sh wit/sync-deps.sh`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .layout import SOURCES, WIT, folders_with_wit, package_of, wit_files

FIX = "run `sh wit/sync-deps.sh` to refresh the copies"


def copies() -> list[Path]:
    sources_and_example = {*SOURCES, WIT / "examples"}
    return [folder for folder in folders_with_wit() if folder not in sources_and_example]


def test_sources_declare_distinct_packages() -> None:
    packages = [package_of(folder) for folder in SOURCES]
    assert sorted(packages) == [
        "airssys:component-core@1.0.0",
        "airssys:host-core@1.0.0",
        "airssys:host-extensions@1.0.0",
    ]


def test_every_other_folder_is_a_copy_under_deps() -> None:
    for folder in copies():
        assert folder.parent.name == "deps", f"{folder} is neither a source nor a copy"


@pytest.mark.parametrize("copy", copies(), ids=lambda path: str(path.relative_to(WIT)))
def test_copy_equals_its_source(copy: Path) -> None:
    by_package = {package_of(folder): folder for folder in SOURCES}
    source = by_package[package_of(copy)]
    theirs, ours = wit_files(source), wit_files(copy)
    assert sorted(ours) == sorted(theirs), f"{copy} has other files than {source}; {FIX}"
    for name, data in theirs.items():
        assert ours[name] == data, f"{copy / name} differs from {source / name}; {FIX}"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_sync_script_makes_exactly_the_copies(tmp_path: Path) -> None:
    tree = tmp_path / "wit"
    shutil.copytree(WIT, tree)
    for copy in copies():
        shutil.rmtree(tree / copy.relative_to(WIT))
    subprocess.run(["sh", str(tree / "sync-deps.sh")], check=True)
    for copy in copies():
        assert wit_files(tree / copy.relative_to(WIT)) == wit_files(copy)
    made = sorted(path.relative_to(tree) for path in tree.rglob("*.wit"))
    assert made == sorted(path.relative_to(WIT) for path in WIT.rglob("*.wit"))
