"""wit/VERSIONING.md's compatibility matrix, end to end, on three real versions of
`airssys:host-core` (tests/diff/evolution: 1.0.0; 1.1.0, which adds `now` and
deprecates `current-time-millis`; 2.0.0, which removes it) and a pre-release.

For every (component, host) pair: a real component built against the component's
version (wasm-tools' dummy core module: it imports every function of
`host-services`), and a host made of the bindings `witgen generate` writes for the
host's version.  The runtime's load checks (`witgen.host.loader`) decide, as the
host does before instantiating; a component they accept is then instantiated
against the bindings' linker glue by wasmtime, which proves the verdict is not
only ours; `witgen diff` between the two versions agrees; and the deprecation
warnings are those the host logs.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support.bindings import generate_into
from support.components import build_dummy_component, find_wasm_tools
from wasmtime import Engine, Store
from wasmtime.component import Component, Linker

from witgen.evolution.diff import diff_resolves
from witgen.host.loader import check_component
from witgen.permissions import ProvidedPackage
from witgen.resolve.passes import resolve_path
from witgen.version import Version

if find_wasm_tools() is None:
    pytest.skip("wasm-tools is not installed in the venv", allow_module_level=True)

EVOLUTION = Path(__file__).parent / "evolution"
INTERFACES = ("types", "capabilities", "host-services")
PRE_RELEASE = "1.2.0-rc.1"  # 1.1.0's WIT, released as a pre-release of 1.2.0

# (component built against, host provides, runs?), as wit/VERSIONING.md's table
MATRIX = [
    ("1.0.0", "1.0.0", True),
    ("1.0.0", "1.1.0", True),  # a newer minor keeps everything 1.0 had
    ("1.1.0", "1.1.0", True),
    ("1.1.0", "1.0.0", False),  # the component may use what 1.1 added (`now`)
    ("1.0.0", "2.0.0", False),  # breaking changes
    ("1.1.0", "2.0.0", False),
    ("2.0.0", "1.1.0", False),
    ("2.0.0", "2.0.0", True),
    ("1.0.0", PRE_RELEASE, False),  # pre-releases satisfy only requirements naming them
]


def package_folder(root: Path, version: str) -> Path:
    """host-core `version`: a folder of tests/diff/evolution, or 1.1.0 renamed."""
    folder = root / "host-core" / version
    if not folder.exists():
        source = "1.1.0" if version == PRE_RELEASE else version
        shutil.copytree(EVOLUTION / f"host-core-{source}", folder)
        for file in folder.glob("*.wit"):
            file.write_text(file.read_text().replace(f"@{source};", f"@{version};"))
    return folder


def app_folder(root: Path, name: str, version: str, world: str) -> Path:
    """A package `name` whose world `world` imports host-services@`version`."""
    folder = root / f"{name}-{version}"
    if not folder.exists():
        shutil.copytree(package_folder(root, version), folder / "deps" / "host-core")
        folder.joinpath("app.wit").write_text(
            f"package matrix:{name};\n\n"
            f"world {world} {{\n  import airssys:host-core/host-services@{version};\n}}\n"
        )
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("matrix")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def component_of(root: Path, engine: Engine, version: str) -> Component:
    wit = app_folder(root, "app", version, "app")
    return Component.from_file(engine, str(build_dummy_component(wit, "app", cache_dir=root)))


@cache  # one generation per version: the modules are imported once anyway
def host_of(root: Path, version: str) -> dict[str, ModuleType]:
    """The generated interface modules of host-core `version`, by instance name."""
    import importlib
    import sys

    wit = app_folder(root, "host", version, "host")
    package = "bindings_" + version.replace(".", "_").replace("-", "_")
    out = root / "bindings"
    generate_into(wit, out, package)
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    importlib.invalidate_caches()
    modules = {}
    for interface in INTERFACES:
        name = f"{package}.airssys_host_core.{interface.replace('-', '_')}"
        modules[f"airssys:host-core/{interface}@{version}"] = importlib.import_module(name)
    return modules


class AnyHost:
    """Every host function: the dummy components never call one."""

    def __getattr__(self, name: str) -> Any:
        def function(*args: object) -> object:
            raise AssertionError(f"{name} called")

        return function


@pytest.mark.parametrize(("built", "provided", "runs"), MATRIX)
def test_the_compatibility_matrix(
    root: Path, engine: Engine, built: str, provided: str, runs: bool
) -> None:
    component = component_of(root, engine, built)
    host = host_of(root, provided)
    report = check_component(
        "app",
        engine=engine,
        component=component,
        manifest=None,
        manifest_problems=(),
        imports=host,
        exports={},
        packages=(ProvidedPackage("airssys:host-core", provided, frozenset(INTERFACES)),),
    )
    verdicts = {verdict.check: verdict for verdict in report.verdicts}
    accepted = verdicts["imports"].ok and verdicts["types"].ok
    assert accepted == runs, report.verdicts
    if runs:
        linker = Linker(engine)
        for module in host.values():
            module.add_to_linker(linker, AnyHost())
        linker.instantiate(Store(engine), component)  # wasmtime agrees

    # `witgen diff` from the component's version to a newer host's says the same:
    # the host runs the component exactly when the changes need no major bump.
    if "-" in provided or Version.parse(provided) < Version.parse(built):
        return
    old = resolve_path(str(package_folder(root, built)))
    new = resolve_path(str(package_folder(root, provided)))
    (package,) = diff_resolves(old, new, None).packages
    assert (package.required != "major") == runs, package.required


def test_the_deprecation_warnings_follow_the_host(root: Path, engine: Engine) -> None:
    def warnings(built: str, provided: str) -> list[str]:
        report = check_component(
            "app",
            engine=engine,
            component=component_of(root, engine, built),
            manifest=None,
            manifest_problems=(),
            imports=host_of(root, provided),
            exports={},
            packages=(ProvidedPackage("airssys:host-core", provided, frozenset(INTERFACES)),),
        )
        return report.warnings()

    warning = (
        "Component 'app' uses deprecated function 'current-time-millis' (deprecated in "
        "1.1.0). Use 'now' instead. Support will be removed in version 2.0.0."
    )
    assert warnings("1.0.0", "1.0.0") == []  # 1.0.0 deprecated nothing
    assert warnings("1.0.0", "1.1.0") == [warning]  # the host's version decides
    assert warnings("1.1.0", "1.1.0") == [warning]
    assert warnings("2.0.0", "2.0.0") == []
