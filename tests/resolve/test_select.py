"""World specifiers (`--world`) against wasm-tools: `wasm-tools component embed --dummy -w SPEC`
picks a world with wit-parser's `Resolve::select_world`; witgen's `select_world` must pick the
same world, or fail with the same words."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support import corpus

from witgen import ir
from witgen.resolve.passes import resolve_path
from witgen.resolve.select import WorldNotFound, select_world
from witgen.syntax.parse import PathSpecifierError, parse_use_path

WASM_TOOLS = corpus.wasm_tools()
HTTP = corpus.WASI / "http" if (corpus.WASI / "http").is_dir() else None

SPECIFIERS = [
    "proxy",
    "%proxy",
    " proxy ",
    "proxy /* a comment */",
    "nope",
    "wasi:http/proxy",
    "wasi:http/proxy@0.2.0",
    "wasi:cli/command@0.2.0",
    "wasi:cli/command",
    "wasi:cli/imports@0.2.0",
    "wasi:cli/nope@0.2.0",
    "wasi:nope/x",
    "wasi:cli/command@0.2.1",
    "",
    ":",
    "a:",
    "a:b",
    "a:b/",
    "a:b/c@",
    "a:b/c@1",
    "a:b/c@1.0",
    "a_b",
    "a/b",
    "1a",
    "a:b:c/d",
    "a.b",
    "use",
    "as",
    "a as",
    "a as b",
    "wasi:cli/command@0.2.0 x",
    "proxy;",
    "héllo",
    "a--b",
    '"a"',
    "a /* x",
    "package a:b;",
]


def reference(folder: Path, specifier: str, tmp_path: Path) -> str | None:
    """What wasm-tools says of `specifier` in `folder`: None when it picks a world."""
    assert WASM_TOOLS is not None
    out = str(tmp_path / "core.wasm")
    done = subprocess.run(
        [WASM_TOOLS, "component", "embed", "--dummy", "-w", specifier, str(folder), "-o", out],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return None
    # `error: MESSAGE\n\nCaused by:\n    0: CAUSE`, as one line the way anyhow's `{:#}` writes it.
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("error: "), done.stderr
    causes = [line.split(": ", 1)[1] for line in lines[2:]] if len(lines) > 1 else []
    return ": ".join([lines[0].removeprefix("error: "), *causes])


def ours(resolve: ir.Resolve, specifier: str | None) -> str | ir.WorldId:
    try:
        return select_world(resolve, specifier)
    except WorldNotFound as error:
        return error.message


@pytest.mark.skipif(WASM_TOOLS is None or HTTP is None, reason="needs wasm-tools and ../shared")
@pytest.mark.parametrize("specifier", SPECIFIERS)
def test_wasi_http_tree(specifier: str, tmp_path: Path) -> None:
    assert HTTP is not None
    resolve = resolve_path(str(HTTP))
    expected = reference(HTTP, specifier, tmp_path)
    found = ours(resolve, specifier)
    if expected is None:
        assert not isinstance(found, str), found
        world = resolve.worlds[found]
        assert world.name == parse_use_path(specifier).name.name
    else:
        assert found == expected


TWO_VERSIONS = {
    "main.wit": "package t:main;\nworld w { import t:dep/i@1.0.0; import t:dep/i@2.0.0; }\n",
    "deps/one/dep.wit": "package t:dep@1.0.0;\ninterface i { f: func(); }\nworld d {}\n",
    "deps/two/dep.wit": "package t:dep@2.0.0;\ninterface i { g: func(); }\nworld d {}\n",
}


@pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
@pytest.mark.parametrize(
    "specifier", ["w", "t:main/w", "t:dep/d", "t:dep/d@1.0.0", "t:dep/d@2.0.0", "t:dep/d@3.0.0"]
)
def test_two_versions_of_a_package(specifier: str, tmp_path: Path) -> None:
    folder = tmp_path / "wit"
    for name, text in TWO_VERSIONS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    resolve = resolve_path(str(folder))
    expected = reference(folder, specifier, tmp_path)
    found = ours(resolve, specifier)
    if expected is None:
        assert not isinstance(found, str), found
        package = resolve.packages[resolve.worlds[found].package or 0]
        assert specifier.endswith(str(package.name.version or "")) or "@" not in specifier
    else:
        assert found == expected


def test_the_error_lists_every_world_main_package_first(tmp_path: Path) -> None:
    folder = tmp_path / "wit"
    for name, text in TWO_VERSIONS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    with pytest.raises(WorldNotFound) as caught:
        select_world(resolve_path(str(folder)), "nope")
    assert caught.value.worlds == ("t:main/w", "t:dep/d@1.0.0", "t:dep/d@2.0.0")


def test_a_specifier_parses_as_wit_parser_reads_it() -> None:
    path = parse_use_path("wasi:cli/command@0.2.0-rc.1+build")
    assert str(path.package.version.version) == "0.2.0-rc.1+build"  # type: ignore[union-attr]
    with pytest.raises(PathSpecifierError, match="trailing tokens"):
        parse_use_path("a b")


MAIN_WORLDS = {
    "none": "package t:main;\ninterface i { f: func(); }\n",
    "one": "package t:main;\nworld w { export f: func(); }\n",
    "two": "package t:main;\nworld w { export f: func(); }\nworld v {}\n",
}


@pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
@pytest.mark.parametrize("case", sorted(MAIN_WORLDS))
def test_no_specifier_picks_the_only_world_as_wasm_tools_does(case: str, tmp_path: Path) -> None:
    """`--world` left out: the main package's only world; with none or several, wasm-tools'
    first line (which, for several, goes on with the worlds: the CLI's note lists them)."""
    assert WASM_TOOLS is not None
    folder = tmp_path / "wit"
    folder.mkdir()
    (folder / "main.wit").write_text(MAIN_WORLDS[case])
    out = str(tmp_path / "core.wasm")
    done = subprocess.run(
        [WASM_TOOLS, "component", "embed", "--dummy", str(folder), "-o", out],
        capture_output=True,
        text=True,
        check=False,
    )
    found = ours(resolve_path(str(folder)), None)
    if done.returncode == 0:
        assert not isinstance(found, str), found
        assert resolve_path(str(folder)).worlds[found].name == "w"
    else:
        first = done.stderr.splitlines()[0].removeprefix("error: ").removesuffix(":")
        assert found == first
