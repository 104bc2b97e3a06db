"""The parser against wit-parser's own test corpus and wasm-tools' verdicts.

Every case wasm-tools accepts must parse.  Every case it rejects with a
syntax error (an error from its tokenizer or parser) must be rejected with the
same rendered diagnostic: message, `file:line:col`, snippet and marker.  Cases
it rejects later, in name resolution, are syntactically valid and must parse.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.corpus import CONFORMANCE, Case, case_params, cases
from support.messages import is_syntax_error
from syrupy.assertion import SnapshotAssertion

from witgen.diagnostics import WitError, render
from witgen.resolve.load import load_path

ALL = cases()
ACCEPTED = [case for case in ALL if case.expect == "ok"]
SYNTAX_FAILURES = [
    case for case in ALL if case.expect == "fail" and is_syntax_error(case.error_text)
]
LATER_FAILURES = [
    case for case in ALL if case.expect == "fail" and not is_syntax_error(case.error_text)
]


@pytest.fixture(autouse=True)
def _in_corpus() -> Iterator[None]:
    """Run from the corpus root so paths print as wasm-tools printed them."""
    if not CONFORMANCE.is_dir():
        yield
        return
    before = os.getcwd()
    os.chdir(CONFORMANCE)
    try:
        yield
    finally:
        os.chdir(before)


def _rendered_error(case: Case) -> str:
    try:
        load_path(case.path)
    except WitError as error:
        return "\n".join(f"error: {render(d, error.sources)}" for d in error.diagnostics)
    raise AssertionError(f"{case.path} parsed, but wasm-tools rejects it:\n{case.error_text}")


@pytest.mark.parametrize("case", case_params(ACCEPTED))
def test_accepted_case_parses(case: Case) -> None:
    if case.path.endswith(".wat"):
        pytest.skip("WebAssembly-encoded packages are decoded by the resolver, not parsed")
    load_path(case.path)


@pytest.mark.parametrize("case", case_params(LATER_FAILURES))
def test_case_rejected_after_parsing_is_syntactically_valid(case: Case) -> None:
    load_path(case.path)


@pytest.mark.parametrize("case", case_params(SYNTAX_FAILURES))
def test_syntax_error_matches_wasm_tools(case: Case) -> None:
    assert _rendered_error(case) == case.error_text


@pytest.mark.parametrize("case", case_params(SYNTAX_FAILURES))
def test_syntax_error_snapshot(case: Case, snapshot: SnapshotAssertion) -> None:
    assert _rendered_error(case) == snapshot


def test_corpus_has_syntax_failures() -> None:
    if not ALL:
        pytest.skip(f"no corpus at {CONFORMANCE}")
    # The classification must find the parser's cases, or the tests above test nothing.
    assert len(SYNTAX_FAILURES) >= 20
