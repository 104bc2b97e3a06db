"""Bindings of the official WASI 0.2.0 packages (`../shared/wasi-0.2.0`).

Real WIT nobody on this project wrote: every world of every package generates,
every generated module imports (a module that uses a name before defining it
fails here), and the whole lot passes `mypy --strict` in one run.  A world of a
dependency, selected by its full name (`wasi:cli/command@0.2.0` from the
`http` tree as from its own), gives bindings that do the same.  Skipped
without ../shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from support.corpus import WASI, wasi_packages

from witgen.codegen.generate import Options, generate_files, write_files
from witgen.codegen.names import module_name
from witgen.resolve.passes import resolve_path
from witgen.resolve.select import select_world

from .generated import import_tree, run_mypy

pytestmark = pytest.mark.xdist_group("wasi")


@dataclass(frozen=True)
class Tree:
    """One generation: a WIT folder and a world (None: every world of its package)."""

    package: str  # the Python package the bindings are written as
    wit: Path
    world: str | None = None


TREES = [Tree(f"wasi_{path.name}", path) for path in wasi_packages()]
if TREES:
    TREES += [
        Tree("dep_http_command", WASI / "http", "wasi:cli/command@0.2.0"),
        Tree("dep_cli_command", WASI / "cli", "wasi:cli/command@0.2.0"),
    ]
PARAMS = [pytest.param(tree, id=tree.package) for tree in TREES] or [
    pytest.param(None, marks=pytest.mark.skip(reason=f"no WASI packages at {WASI}"))
]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wasi")


def _generate(tree: Tree, out: Path) -> list[str]:
    """Write `tree`'s bindings under `out` and return its world modules' files."""
    options = Options(wit=tree.wit, out=out / tree.package, world=tree.world, base=WASI)
    generated = generate_files(options, reuse=False)
    write_files(options.out, generated)
    return [name for name in generated.files if name.endswith(".py")]


@pytest.mark.parametrize("tree", PARAMS)
def test_every_world_generates_and_imports(tree: Tree, out: Path) -> None:
    files = _generate(tree, out)
    resolve = resolve_path(str(tree.wit), (), False)
    if tree.world is None:
        worlds = [world_id for _, world_id in resolve.packages[resolve.main].worlds]
    else:
        worlds = [select_world(resolve, tree.world)]
    assert worlds
    for world_id in worlds:
        name = module_name(resolve.worlds[world_id].name)
        assert any(file.endswith(f"/{name}.py") for file in files), name
    modules = import_tree(out, tree.package)
    assert len(modules) == len(files)


def test_all_of_it_passes_mypy_strict(out: Path) -> None:
    if not TREES:
        pytest.skip(f"no WASI packages at {WASI}")
    for tree in TREES:
        if not (out / tree.package).is_dir():  # another worker ran that test
            _generate(tree, out)
    result = run_mypy(out, [tree.package for tree in TREES])
    assert result.returncode == 0, result.stdout + result.stderr
