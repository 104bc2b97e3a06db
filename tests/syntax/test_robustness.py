"""Any bytes at all get a diagnostic, never a crash or a hang.

The parser may only return a tree or raise `WitError`; these tests feed it
random text, random bytes, mutations of the corpus, and the shapes that break
parsers: deep nesting, huge lines, odd line endings.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.corpus import CONFORMANCE, have_corpus

from witgen.diagnostics import WitError, render
from witgen.resolve.load import load_path
from witgen.syntax.parse import parse_text

from .mutations import mutated

CORPUS_TEXTS = (
    [path.read_text(encoding="utf-8") for path in sorted(CONFORMANCE.rglob("*.wit"))]
    if have_corpus()
    else []
)


def parse_or_diagnose(text: str) -> None:
    """Parse; a failure must be a WitError whose diagnostics all render."""
    try:
        parse_text("fuzz.wit", text)
    except WitError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.span is not None
            assert render(diagnostic, error.sources)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_random_text(text: str) -> None:
    parse_or_diagnose(text)


@settings(max_examples=200, deadline=2000)
@given(st.text(alphabet=st.sampled_from(list('package a:b;interface{}()<>,.@=/"%-_ \n\r\t*'))))
def test_random_wit_like_text(text: str) -> None:
    parse_or_diagnose(text)


@settings(max_examples=100, deadline=2000)
@given(st.binary(max_size=400))
def test_random_bytes_through_the_loader(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "fuzz.wit"
    path.write_bytes(data)
    try:
        load_path(str(path))
    except WitError as error:
        assert all(render(d, error.sources) for d in error.diagnostics)


@pytest.mark.skipif(not CORPUS_TEXTS, reason=f"no corpus at {CONFORMANCE}")
@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutations_of_the_corpus(data: st.DataObject) -> None:
    parse_or_diagnose(data.draw(mutated(CORPUS_TEXTS)))


DEEP = 10_000
PATHOLOGICAL = {
    "empty": "",
    "nested block comments": "package a:b;\n" + "/*" * DEEP + "*/" * DEEP + "\ninterface i {}",
    "unclosed nested comment": "package a:b;\n" + "/*" * DEEP + "*/" * (DEEP - 1),
    "deep list types": "package a:b;\ninterface i { type t = "
    + "list<" * DEEP
    + "u8"
    + ">" * DEEP
    + "; }",
    "deep tuples": "package a:b;\ninterface i { type t = " + "tuple<" * DEEP + ">" * DEEP + "; }",
    "deep packages": "package a:b;\n" + "package a:c {" * DEEP + "}" * DEEP,
    "deep braces": "{" * DEEP + "}" * DEEP,
    "deep parens": "package a:b;\ninterface i { f: func" + "(" * DEEP + "; }",
    "megabyte line": "package a:b;\ninterface i { " + "f: func(); " * 20_000 + "}",
    "megabyte identifier": "package a:b;\ninterface " + "a" * 1_000_000 + " {}",
    "megabyte comment": "package a:b;\n// " + "x" * 1_000_000 + "\ninterface i {}",
    "unterminated megabyte comment": "package a:b;\n/* " + "x" * 1_000_000,
    "unterminated string": 'package a:b;\n@external-id("' + "x" * 100_000,
    "bom crlf and tabs": "\ufeffpackage a:b;\r\n\tinterface i {\r\n\t\tf: func();\r\n\t}\r\n",
    "lone carriage return": "package a:b;\rinterface i {}",
    "nul byte": "package a:b;\x00",
    "bidi override": "package a:b;\n// \u202e\ninterface i {}",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_inputs(name: str) -> None:
    started = time.monotonic()
    parse_or_diagnose(PATHOLOGICAL[name])
    # Not a timing test: a generous bound that only a hang or a quadratic
    # blow-up would cross.
    assert time.monotonic() - started < 60


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unclosed nested comment", "unterminated block comment"),
        ("deep list types", "type nesting too deep"),
        ("deep packages", "package nesting too deep"),
        ("lone carriage return", "unexpected character '\\r'"),
        ("nul byte", "Control code '\\u{0}'"),
        ("unterminated string", "unexpected end of file"),
    ],
)
def test_pathological_input_messages(name: str, message: str) -> None:
    with pytest.raises(WitError) as raised:
        parse_text("fuzz.wit", PATHOLOGICAL[name])
    assert raised.value.diagnostics[0].message == message


def test_megabyte_line_is_not_quoted(tmp_path: Path) -> None:
    # wit-parser prints `path:line:col: message` instead of quoting a line over 500 bytes.
    text = "package a:b;\ninterface i { " + "f: func(); " * 100 + "oops }"
    with pytest.raises(WitError) as raised:
        parse_text("long.wit", text)
    rendered = render(raised.value.diagnostics[0], raised.value.sources)
    column = len("interface i { " + "f: func(); " * 100 + "oops ") + 1
    assert rendered == f"long.wit:2:{column}: expected ':', found '}}'"
