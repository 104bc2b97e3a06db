"""Compiled components as input, with wasm-tools as the judge.

Every world of every accepted case of `../shared/conformance` (with the
`active` feature, as the corpus tests resolve them) and of the WASI 0.2.0
packages is made into a real component with `wasm-tools component embed
--dummy` and `wasm-tools component new`; witgen reads it as the main input and
must print what `wasm-tools component wit` prints for it, in text and in
`--json`, byte for byte.  A component generates host bindings for its world
`root:component/root` (two WASI worlds).  The components the other tests build
(componentize-py guests, the hand-written echo and counter components), found
in the pytest cache when those tests have run, decode as wasm-tools decodes
them too.  Garbled components decode or fail with one message.

The components are built once and kept in the pytest cache
(`witgen-wit-components/`), named by the sha256 of what went into them (the
tool's version, the world, the features and every file of the source), and
never committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import wasmtime
from support import corpus
from support.wasm_binaries import REAL_COMPONENT, mutants

from witgen.codegen.generate import generate_files, options_from
from witgen.diagnostics import WitError
from witgen.json_view import dumps
from witgen.printer import KEYWORDS, print_resolve
from witgen.resolve.decode import decode_binary
from witgen.resolve.passes import resolve_path
from witgen.resolve.problems import Problem

WASM_TOOLS = corpus.wasm_tools()
needs_wasm_tools = pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
# One worker builds and reads them all (the build is a session fixture).
pytestmark = pytest.mark.xdist_group("wit-components")

SOURCES: list[tuple[str, Path]] = [
    (case.path, corpus.CONFORMANCE / case.path)
    for case in corpus.cases()
    if case.expect == "ok" and not case.path.endswith((".wat", ".wasm"))
] + [(f"wasi/{path.name}", path) for path in corpus.wasi_packages()]


def _tool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert WASM_TOOLS is not None
    return subprocess.run(
        [WASM_TOOLS, *map(str, args)], capture_output=True, text=True, check=False
    )


def _says(*args: str | Path) -> str:
    """wasm-tools' standard output, or its standard error when it fails."""
    result = _tool(*args)
    return result.stdout if result.returncode == 0 else result.stderr


def _witgen_says(path: Path) -> tuple[str, str]:
    """What `witgen print` and `witgen print --json` write for `path`."""
    try:
        resolve = resolve_path(str(path))
    except WitError as error:
        message = f"error: {error.render()}\n"
        return message, message
    return print_resolve(resolve), dumps(resolve)


def _segment(name: str) -> str:
    return f"%{name}" if name in KEYWORDS else name


def _worlds(source: Path) -> list[str]:
    """The full name of every world of every package `source` resolves to."""
    result = _tool("component", "wit", "--json", "--features", "active", source)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    names = []
    for package in document["packages"]:
        namespace, _, rest = package["name"].partition(":")
        name, _, version = rest.partition("@")
        for world in package["worlds"].values():
            world_name = document["worlds"][world]["name"]
            full = f"{_segment(namespace)}:{_segment(name)}/{_segment(world_name)}"
            names.append(f"{full}@{version}" if version else full)
    return names


def _digest(source: Path, world: str, version: str) -> str:
    digest = hashlib.sha256(f"{version}\0{world}\0active\0".encode())
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(source.parent)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class Built:
    """A component made from one world, and what wasm-tools prints for it."""

    world: str
    path: Path
    text: str
    json: str


def _build(cache: Path, version: str, source: Path, world: str) -> Built:
    target = cache / f"{_digest(source, world, version)}.wasm"
    if not target.exists():
        # Unique names, then an atomic rename: other sessions may build it too.
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            core = Path(scratch) / "core.wasm"
            made = Path(scratch) / "component.wasm"
            embedded = _tool(
                "component", "embed", "--dummy", "--features", "active", "-w", world, source,
                "-o", core,
            )  # fmt: skip
            assert embedded.returncode == 0, embedded.stderr
            wrapped = _tool("component", "new", core, "-o", made)
            assert wrapped.returncode == 0, wrapped.stderr
            made.replace(target)
    text = _says("component", "wit", target)
    document = _says("component", "wit", "--json", target)
    return Built(world, target, text, document)


@pytest.fixture(scope="session")
def components(pytestconfig: pytest.Config) -> dict[str, list[Built]]:
    """The components of each source, by its name in `SOURCES`."""
    cache = Path(pytestconfig.cache.mkdir("witgen-wit-components"))
    version = _says("--version")
    seen: set[str] = set()
    jobs: list[tuple[str, Path, str]] = []
    for name, source in SOURCES:
        for world in _worlds(source):
            # The WASI folders hold each other as deps: each world once.
            if name.startswith("wasi/"):
                if world in seen:
                    continue
                seen.add(world)
            jobs.append((name, source, world))
    built: dict[str, list[Built]] = {name: [] for name, _ in SOURCES}
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda job: (job[0], _build(cache, version, job[1], job[2])), jobs)
        for name, component in results:
            built[name].append(component)
    return built


@needs_wasm_tools
@pytest.mark.parametrize("name", [name for name, _ in SOURCES])
def test_component_prints_like_wasm_tools(components: dict[str, list[Built]], name: str) -> None:
    for component in components[name]:
        text, document = _witgen_says(component.path)
        assert text == component.text, component.world
        assert document == component.json, component.world


# The two largest WASI worlds (generating all eight takes as long as the rest
# of this file; the figures in issue 17's note cover every component).
GENERATED_WORLDS = ("wasi:cli/command@0.2.0", "wasi:http/proxy@0.2.0")


@needs_wasm_tools
@pytest.mark.parametrize("world", GENERATED_WORLDS)
def test_a_wasi_component_generates_bindings_of_its_world(
    components: dict[str, list[Built]], world: str, tmp_path: Path
) -> None:
    if not corpus.WASI.is_dir():
        pytest.skip(f"no WASI packages at {corpus.WASI}")
    [component] = [c for built in components.values() for c in built if c.world == world]
    options = options_from(
        wit=str(component.path),
        out="out",
        world=None,
        features=(),
        all_features=False,
        cwd=tmp_path,
    )
    generated = generate_files(options, reuse=False)
    assert "root_component/root.py" in generated.files
    header = generated.files["root_component/root.py"].splitlines()[0]
    assert header.endswith(f"/{component.path.name}. DO NOT EDIT."), header


def _built_elsewhere(pytestconfig: pytest.Config) -> list[Path]:
    """The components other tests have left in the pytest cache."""
    cache = getattr(pytestconfig, "cache", None)
    if cache is None:
        return []
    found: list[Path] = []
    for folder in ("witgen-guests", "witgen-components"):
        directory = Path(cache.mkdir(folder))
        found += sorted(directory.glob("*.wasm"))
    return found


@needs_wasm_tools
def test_components_the_project_builds_decode_like_wasm_tools(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    from support.components import build_counter_component

    # At least the counter component (wasm-tools only, cached), whatever ran before;
    # the componentize-py guests too when the guest tests have built them.
    counter = build_counter_component(tmp_path)
    found = sorted({counter, *_built_elsewhere(pytestconfig)})
    for path in found:
        text, document = _witgen_says(path)
        assert text == _says("component", "wit", path), path.name
        assert document == _says("component", "wit", "--json", path), path.name


@needs_wasm_tools
def test_mutated_components_decode_or_fail_with_a_problem(
    components: dict[str, list[Built]],
) -> None:
    """Garbled anywhere, a component decodes or fails with one message: never
    another exception (the decoder trusts nothing the reader let through)."""
    seeds = [bytes(wasmtime.wat2wasm(REAL_COMPONENT))]
    seeds += [c.path.read_bytes() for built in components.values() for c in built][:60]
    for data in mutants(seeds, 3000, seed=29):
        with contextlib.suppress(Problem):
            decode_binary(data)


@needs_wasm_tools
def test_the_commands_take_a_component(
    components: dict[str, list[Built]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`witgen check`, `print` and `print --json` on a component, as processes would run them."""
    from witgen.cli import main

    found = [c for built in components.values() for c in built if c.world.endswith("/w")]
    if not found:
        pytest.skip(f"no corpus at {corpus.CONFORMANCE}")
    component = found[0]
    assert main(["check", str(component.path)]) == 0
    assert capsys.readouterr() == (
        f"Success: no problems found in {component.path} (1 package)\n",
        "",
    )
    assert main(["print", str(component.path)]) == 0
    assert capsys.readouterr().out == component.text
    assert main(["print", "--json", str(component.path)]) == 0
    assert capsys.readouterr().out == component.json
    core = tmp_path / "core.wasm"
    core.write_bytes(b"\0asm\x01\x00\x00\x00")
    assert main(["check", str(core)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: input is a core wasm module") and err.count("\n") == 1


# An exported interface, then an exported function: wasm-tools prints them in the
# binary's order (merging would elaborate the world and move the function first).
ORDERED = """(component
  (core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))
  (instance $api (export "g" (func $f)))
  (export "api" (instance $api))
  (export "f" (func $f)))"""


@needs_wasm_tools
def test_a_component_s_exports_keep_the_binary_s_order(tmp_path: Path) -> None:
    path = tmp_path / "ordered.wasm"
    path.write_bytes(bytes(wasmtime.wat2wasm(ORDERED)))
    text, document = _witgen_says(path)
    assert text == _says("component", "wit", path)
    assert document == _says("component", "wit", "--json", path)
    assert text.index("export api") < text.index("export f:")
